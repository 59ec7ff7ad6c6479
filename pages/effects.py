"""効果検証 / Effect verification: did content bring visitors, compared with similar municipalities?"""

import collections

import duckdb
import streamlit as st

from revitalize.analysis import effects, events, panel
from revitalize.app import ui
from revitalize.core.errors import EffectError
from revitalize.outputs import effect_report
from revitalize.workflow import candidates

ui.through_app()
lang = ui.lang()
st.title(ui.t("effect.title"))
st.caption(ui.t("effect.intro"))
if not ui.show_missing():
    st.stop()


@st.cache_data(show_spinner=False)
def _panel(stamp):
    con = ui.connection()
    return panel.visitor_panel(con), panel.municipalities(con), panel.ward_cities(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _events(stamp, register_key):
    return events.all_events(ui.connection(), _register())


def _register():
    try:
        with ui.workflow() as con:
            return candidates.table(con)
    except (duckdb.Error, OSError):
        return None


@st.cache_resource(show_spinner=False)
def _results():
    """Estimates shared by every session, newest last (a plain store, so progress can be shown while computing)."""
    return collections.OrderedDict()


def _estimate(stamp, register_key, codes, key, start, end, method, excluded, title, lang, progress=None):
    """One estimate, cached per (subject, event, method) and the databases' versions (the 32 newest)."""
    store, args = _results(), (stamp, register_key, codes, key, start, end, method, excluded, title, lang)
    if args in store:
        store.move_to_end(args)
        return store[args]
    long, munis, wards = _panel(stamp)
    run = events.run(long, munis, wards, _events(stamp, register_key), list(codes), key=key or None,
                     start=start, end=end, method=method, excluded=excluded, lang=lang, title=title,
                     progress=progress)
    store[args] = run
    while len(store) > 32:
        store.popitem(last=False)
    return run


@st.cache_data(show_spinner=False, max_entries=16)
def _files(stamp, register_key, codes, key, start, end, method, excluded, title, lang, spend, mult):
    run = _estimate(stamp, register_key, codes, key, start, end, method, excluded, title, lang)
    munis = _panel(stamp)[1]
    money = effects.MoneyAssumptions(spend, mult)
    return {fmt: effect_report.export(run, fmt, munis=munis, assumptions=money, lang=lang)
            for fmt in effect_report.FILE_FORMATS}


long, munis, _ = _panel(ui.stamp())
if long.empty:
    st.info(ui.t("effect.err.no_panel"))
    st.stop()
register = _register()
# the register's content, not only its (id, version) pairs: designations are events
reg_key = () if register is None else tuple(zip(register["candidate_id"], register["status"],
                                                register["designated_on"].astype(str), register["muni_codes"]))
found = _events(ui.stamp(), reg_key)
name_col = "name_en" if lang == "en" else "name_ja"
labels = dict(zip(munis["muni_code"], munis["muni_code"] + " " + munis[name_col].fillna("")))
months = [f"{y:04d}-{m:02d}" for y, m in sorted(set(zip(long["year"], long["month"])))]
preset = [c for c in st.query_params.get("muni", "").split(";") if c in labels]

kinds = {"munis": ui.t("effect.subject_kind.munis"), "candidate": ui.t("effect.subject_kind.candidate")}
kind = st.radio(ui.t("effect.subject_kind"), list(kinds), format_func=kinds.get, horizontal=True, key="e_kind")
title, own_key = "", None
if kind == "candidate":
    if register is None or register.empty:
        st.info(ui.t("effect.no_candidates"))
        st.stop()
    names = dict(zip(register["candidate_id"], register["name_ja"]))
    cid = st.selectbox(ui.t("effect.candidate"), register["candidate_id"].tolist(), key="e_candidate",
                       format_func=lambda c: f"{c} {names.get(c, '')}")
    row = register[register["candidate_id"] == cid].iloc[0]
    codes = list(row["muni_codes"])
    title = f"{cid} {row['name_ja']}"
    own_key = f"designation:{row['designated_on']}" if row["designated_on"] else None
    st.caption("、".join(labels.get(c, c) for c in codes))
else:
    codes = st.multiselect(ui.t("effect.subject"), list(labels), default=preset, format_func=labels.get,
                           key="e_codes", help=ui.t("effect.subject_help"), placeholder=ui.t("f.choose"))
if not codes:
    st.info(ui.t("effect.pick"))
    st.stop()

options = events.for_municipalities(found, codes, lang=lang, first=months[0], last=months[-1])
event_labels = {"": ui.t("effect.ev.manual"), **effect_report.event_options(options)}
keys = list(event_labels)
if own_key in event_labels:  # a base's designation first
    keys = [own_key] + [k for k in keys if k != own_key]
event_key = st.selectbox(ui.t("effect.event"), keys, format_func=event_labels.get, key="e_event",
                         help=ui.t("effect.event_help"))
if len(options) == 0:
    st.caption(ui.t("effect.no_event"))

with st.form("effect_form"):
    c1, c2, c3 = st.columns(3)
    start = c1.selectbox(ui.t("effect.start"), months, index=min(39, len(months) - 1), key="e_start",
                         disabled=bool(event_key))
    end = c2.selectbox(ui.t("effect.end"), months, index=len(months) - 1, key="e_end")
    method_labels = {m: ui.t(f"effect.method.{m}") for m in effects.METHODS}
    method = c3.radio(ui.t("effect.method"), list(effects.METHODS), format_func=method_labels.get, key="e_method")
    excluded = st.multiselect(ui.t("effect.exclude"), list(labels), format_func=labels.get, key="e_excluded",
                              help=ui.t("effect.exclude_help"), placeholder=ui.t("f.choose"))
    submitted = st.form_submit_button(ui.t("effect.run"))

args = (ui.stamp(), reg_key, tuple(codes), event_key, None if event_key else start, end, method,
        tuple(excluded), title, lang)
bar = st.progress(0.0, text=ui.t("effect.progress", step=ui.t("effect.step.panel")))
fractions = {"effect.step.panel": 0.1, "effect.step.estimate": 0.3, "effect.step.done": 1.0}
try:
    run = _estimate(*args, progress=lambda k: bar.progress(fractions[k], text=ui.t("effect.progress", step=ui.t(k))))
except EffectError as exc:
    bar.empty()
    st.error(f"**{ui.t('err.input')}**\n\n{exc.text(lang)}")
    st.stop()
bar.empty()
result = run.result

st.info(ui.t("effect.event_shown", label=run.event["label"], month=result.start)
        + (f" — {run.event['source_url']}" if run.event.get("source_url") else ""))
if run.excluded:
    st.caption(ui.t("effect.auto_excluded", n=len(run.excluded)) + ": " + ", ".join(labels.get(c, c) for c in run.excluded[:20]))
for w in result.warnings:
    st.warning(w.text(lang))
st.subheader(ui.t("effect.estimate"))
st.dataframe(effects.estimate_table(result, lang), hide_index=True, width="stretch",
             column_config={"item": ui.t("effect.item"), "value": ui.t("effect.value")})

main_chart, gap_chart = effect_report.charts(run, lang)
st.subheader(ui.t("effect.chart"))
st.caption(ui.t("effect.chart_caption"))
st.altair_chart(main_chart, width="stretch")
st.subheader(ui.t("effect.gap_chart"))
st.altair_chart(gap_chart, width="stretch")

st.subheader(ui.t("effect.donors"))
st.dataframe(effects.donors_frame(result, munis, lang), hide_index=True, width="stretch", column_config={
    "muni_code": ui.t("col.muni_code"), "name": ui.t("col.municipality"),
    "weight": st.column_config.NumberColumn(ui.t("effect.weight"), format="%.3f")})
if result.event_study is not None:
    with st.expander(ui.t("effect.event_study")):
        st.dataframe(result.event_study, hide_index=True, width="stretch", column_config={
            "bin": None, "months_from": ui.t("effect.es.months_from"), "estimate": ui.t("effect.es.estimate"),
            "se": ui.t("effect.es.se"), "p_value": ui.t("effect.es.p")})

st.subheader(ui.t("effect.kpis"))
st.dataframe(effects.kpi_table(result, lang), hide_index=True, width="stretch")

st.subheader(ui.t("effect.money"))
st.caption(ui.t("effect.money_caption"))
m1, m2 = st.columns(2)
spend = m1.number_input(ui.t("effect.spend"), min_value=1.0, value=float(effects.SPEND_DAY_TRIP_YEN), step=100.0,
                        key="e_spend")
mult = m2.number_input(ui.t("effect.multiplier"), min_value=0.01, value=float(effects.TOURISM_OUTPUT_MULTIPLIER),
                       step=0.01, key="e_mult")
money = effects.money(result, effects.MoneyAssumptions(spend, mult))
st.write(ui.t("effect.money_result", spend=f"{money.spend_yen:,.0f}", output=f"{money.output_yen:,.0f}",
              low=f"{money.ci90_output_yen[0]:,.0f}", high=f"{money.ci90_output_yen[1]:,.0f}"))

st.subheader(ui.t("effect.download"))
files = _files(*args, spend, mult)
stem = f"effect_{'_'.join(result.muni_codes)}_{result.start}_{method}"
d1, d2, d3 = st.columns(3)
for col, fmt in zip((d1, d2, d3), effect_report.FILE_FORMATS):
    col.download_button(ui.t(f"effect.download_{fmt}"), files[fmt], file_name=f"{stem}.{fmt}",
                        mime=effect_report.MIME[fmt], key=f"e_dl_{fmt}")
with st.expander(ui.t("effect.sources")):
    st.text(effects.MONEY_SOURCES)
    st.text(effects.__doc__)
