"""効果検証 / Effect verification: the national evidence of what works, and one place or base at a time."""

import collections
import threading

import streamlit as st

from revitalize.analysis import cohorts, effects, events, panel
from revitalize.app import ui
from revitalize.core.errors import EffectError, RevitalizeError
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


@st.cache_data(show_spinner=False)
def _neighbours(stamp):
    return panel.neighbours(ui.connection(), effects.SPILLOVER_KM)


@st.cache_data(show_spinner=False, max_entries=8)
def _events(stamp, register_key):
    return events.all_events(ui.connection(), _register())


@st.cache_data(show_spinner=False)
def _cohorts(stamp, lang):
    con = ui.connection()
    content = events.content_events(con)
    dramas, awards = events.cohort_dramas(con), events.cohort_awards(con)
    first, last = effect_report.data_months(_panel(stamp)[0])
    return {n: cohorts.builtin(n, content, dramas, awards, lang=lang)
            for n in cohorts.builtin_names(content, first=first, last=last)}


def _register():
    try:
        with ui.workflow() as con:
            return candidates.table(con)
    except RevitalizeError:  # the register is optional here: without it, no designations as events
        return None


@st.cache_resource(show_spinner=False)
def _store():
    """Estimates shared by every session (newest last) and the lock that guards them: a plain store, so
    progress can be shown while computing, and two sessions never compute the same estimate at once."""
    return collections.OrderedDict(), threading.Lock()


def _cached(args, compute, limit=64):
    store, lock = _store()
    with lock:
        if args in store:
            store.move_to_end(args)
            return store[args]
        value = compute()
        store[args] = value
        while len(store) > limit:
            store.popitem(last=False)
        return value


def _cohort_result(stamp, name, method, lang, progress=None):
    long, munis, wards = _panel(stamp)

    def compute():
        return effect_report.cohort_cached(
            name, method, lang, lambda: cohorts.estimate(_cohorts(stamp, lang)[name], long, munis, wards,
                                                         _events(stamp, ()), method=method,
                                                         neighbours=_neighbours(stamp), lang=lang, progress=progress))

    return _cached(("cohort", stamp, name, method, lang), compute)


def _computed(stamp, names, method, lang):
    """The cohorts already computed: in this server's memory, else on disk (the command line fills it too)."""
    store, lock = _store()
    out = {}
    for n in names:
        key = ("cohort", stamp, n, method, lang)
        if key not in store:
            found = effect_report.cohort_cached(n, method, lang)
            if found is None:
                continue
            with lock:
                store[key] = found
        out[n] = store[key]
    return out


long, munis, _ = _panel(ui.stamp())
if long.empty:
    st.info(ui.t("effect.err.no_panel"))
    st.stop()
name_col = "name_en" if lang == "en" else "name_ja"
labels = dict(zip(munis["muni_code"], munis["muni_code"] + " " + munis[name_col].fillna(""), strict=False))
method_labels = {m: ui.t(f"effect.method.{m}") for m in effects.METHODS}
tab_national, tab_single, tab_reliable = st.tabs([ui.t("effect.national"), ui.t("effect.single"),
                                                  ui.t("effect.reliability")])

# --- national evidence -----------------------------------------------------------------------------------------
with tab_national:
    st.caption(ui.t("effect.national_intro"))
    measured = effects.calibration_figures() or {}
    if "synth" in measured:  # what the calibration found, where the table is read
        st.warning(ui.t("effect.national_caveat", fpr=f"{100 * measured['synth']['fpr05']:.1f}",
                        cover=f"{100 * measured['synth']['coverage90']:.0f}"))
    builtins = _cohorts(ui.stamp(), lang)
    names = list(builtins)
    done = _computed(ui.stamp(), names, "synth", lang)
    missing = [n for n in names if n not in done]
    if missing:
        st.info(ui.t("effect.national_missing", names=", ".join(builtins[n].label(lang) for n in missing)))
        if st.button(ui.t("effect.national_compute", n=len(missing)), key="e_national", type="primary"):
            bar = st.progress(0.0)
            for k, name in enumerate(missing):
                def tick(i, n, name=name, k=k):
                    bar.progress(min(1.0, (k + i / max(n, 1)) / len(missing)),
                                 text=ui.t("effect.national_progress", cohort=builtins[name].label(lang), i=i, n=n))
                try:
                    done[name] = _cohort_result(ui.stamp(), name, "synth", lang, progress=tick)
                except EffectError as exc:
                    st.warning(f"{builtins[name].label(lang)}: {exc.text(lang)}")
            bar.empty()
    results = [done[n] for n in names if n in done]
    if results:
        st.dataframe(effect_report.national_frame(results, lang), hide_index=True, width="stretch")
        ui.download(ui.t("effect.download_national"), lambda: effect_report.cohorts_xlsx(results, lang),
                    file_name="effects_national.xlsx", mime=effect_report.MIME["xlsx"], key="e_dl_national")
        pick = st.selectbox(ui.t("effect.cohort_pick"), [r.cohort for r in results], key="e_cohort",
                            format_func=lambda c: builtins[c].label(lang) if c in builtins else c)
        chosen = next(r for r in results if r.cohort == pick)
        for w in chosen.warnings:
            st.warning(w.text(lang))
        st.subheader(ui.t("effect.places", cohort=chosen.label))
        st.dataframe(effect_report.cohort_places_frame(chosen, lang), hide_index=True, width="stretch")

# --- one place or base -----------------------------------------------------------------------------------------
with tab_single:
    register = _register()
    # the register's content, not only its (id, version) pairs: designations are events
    reg_key = () if register is None else tuple(zip(register["candidate_id"], register["status"],
                                                    register["designated_on"].astype(str), register["muni_codes"], strict=False))
    found = _events(ui.stamp(), reg_key)
    months = [f"{y:04d}-{m:02d}" for y, m in sorted(set(zip(long["year"], long["month"], strict=False)))]
    preset = [c for c in st.query_params.get("muni", "").split(";") if c in labels]
    kinds = {"munis": ui.t("effect.subject_kind.munis"), "candidate": ui.t("effect.subject_kind.candidate")}
    kind = st.radio(ui.t("effect.subject_kind"), list(kinds), format_func=kinds.get, horizontal=True, key="e_kind")
    title, own_key, codes = "", None, []
    if kind == "candidate":
        if register is None or register.empty:
            st.info(ui.t("effect.no_candidates"))
        else:
            names_ja = dict(zip(register["candidate_id"], register["name_ja"], strict=False))
            cid = st.selectbox(ui.t("effect.candidate"), register["candidate_id"].tolist(), key="e_candidate",
                               format_func=lambda c: f"{c} {names_ja.get(c, '')}")
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
    else:
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
            method = c3.radio(ui.t("effect.method"), list(effects.METHODS), format_func=method_labels.get,
                              key="e_method")
            st.markdown(f"**{ui.t('effect.rules')}**", help=ui.t("effect.rules_help"))
            r1, r2 = st.columns(2)
            rules = {r: col.checkbox(ui.t(f"effect.rule.{r}"), value=True, key=f"e_rule_{r}")
                     for r, col in zip(effects.HYGIENE_RULES, (r1, r2, r1, r2), strict=False)}
            excluded = st.multiselect(ui.t("effect.exclude"), list(labels), format_func=labels.get,
                                      key="e_excluded", help=ui.t("effect.exclude_help"),
                                      placeholder=ui.t("f.choose"))
            if st.form_submit_button(ui.t("effect.run"), type="primary"):
                st.session_state["e_args"] = (tuple(codes), event_key, None if event_key else start, end, method,
                                              tuple(excluded), title, tuple(sorted(rules.items())))
        args = st.session_state.get("e_args")
        if args is None or args[0] != tuple(codes):
            st.info(ui.t("effect.press_run"))
        else:
            s_codes, s_key, s_start, s_end, s_method, s_excluded, s_title, s_rules = args
            hygiene = effects.Hygiene(**dict(s_rules))
            bar = st.progress(0.0, text=ui.t("effect.progress", step=ui.t("effect.step.panel")))
            fractions = {"effect.step.panel": 0.1, "effect.step.estimate": 0.3, "effect.step.done": 1.0}

            def compute():
                p_long, p_munis, p_wards = _panel(ui.stamp())
                return events.run(p_long, p_munis, p_wards, found, list(s_codes), key=s_key or None,
                                  start=s_start, end=s_end, method=s_method, excluded=s_excluded, lang=lang,
                                  title=s_title, hygiene=hygiene, neighbours=_neighbours(ui.stamp()),
                                  progress=lambda k: bar.progress(fractions[k], text=ui.t(
                                      "effect.progress", step=ui.t(k))))

            try:
                run = _cached(("single", ui.stamp(), reg_key, *args, lang), compute)
            except EffectError as exc:
                bar.empty()
                st.error(f"**{ui.t('err.input')}**\n\n{exc.text(lang)}")
                run = None
            bar.empty()
            if run is not None:
                result = run.result
                st.info(ui.t("effect.event_shown", label=run.event["label"], month=result.start)
                        + (f" — {run.event['source_url']}" if run.event.get("source_url") else ""))
                for w in result.warnings:
                    st.warning(w.text(lang))
                st.subheader(ui.t("effect.estimate"))
                st.dataframe(effects.estimate_table(result, lang), hide_index=True, width="stretch",
                             column_config={"item": ui.t("effect.item"), "value": ui.t("effect.value")})
                st.caption(ui.t("effect.interval_note"))
                main_chart, gap_chart = effect_report.charts(run, lang)
                st.subheader(ui.t("effect.chart"))
                st.caption(ui.t("effect.chart_caption"))
                st.altair_chart(main_chart, width="stretch")
                st.subheader(ui.t("effect.gap_chart"))
                st.altair_chart(gap_chart, width="stretch")

                st.subheader(ui.t("effect.robustness"))
                rob = result.robustness
                if rob:
                    st.caption(ui.t("effect.rob.range", low=f"{rob['range_pct'][0]:+.1f}",
                                    high=f"{rob['range_pct'][1]:+.1f}"))
                st.dataframe(effect_report.robustness_frame(result, lang, labelled=True), hide_index=True,
                             width="stretch")

                st.subheader(ui.t("effect.donors"))
                st.dataframe(effects.donors_frame(result, munis, lang), hide_index=True, width="stretch",
                             column_config={"muni_code": ui.t("col.muni_code"), "name": ui.t("col.municipality"),
                                            "weight": st.column_config.NumberColumn(ui.t("effect.weight"),
                                                                                    format="%.3f")})
                st.subheader(ui.t("effect.excluded_title", n=len(result.excluded_donors)))
                outlines = ui.map_outlines()
                if outlines is not None:
                    st.caption(ui.t("effect.excluded_map"))
                    ui.show_map(effect_report.donor_map_spec(result, outlines, lang=lang, tiles=ui.tiles_choice()),
                                key="e_map", height=460)
                st.dataframe(effect_report.excluded_frame(result, munis, lang, labelled=True), hide_index=True,
                             width="stretch")
                if result.event_study is not None:
                    with st.expander(ui.t("effect.event_study")):
                        st.dataframe(result.event_study, hide_index=True, width="stretch", column_config={
                            "bin": None, "months_from": ui.t("effect.es.months_from"),
                            "estimate": ui.t("effect.es.estimate"), "se": ui.t("effect.es.se"),
                            "p_value": ui.t("effect.es.p")})

                st.subheader(ui.t("effect.kpis"))
                st.dataframe(effects.kpi_table(result, lang), hide_index=True, width="stretch")

                st.subheader(ui.t("effect.money"))
                st.caption(ui.t("effect.money_caption"))
                m1, m2 = st.columns(2)
                spend = m1.number_input(ui.t("effect.spend"), min_value=1.0, value=float(effects.SPEND_DAY_TRIP_YEN),
                                        step=100.0, key="e_spend")
                mult = m2.number_input(ui.t("effect.multiplier"), min_value=0.01,
                                       value=float(effects.TOURISM_OUTPUT_MULTIPLIER), step=0.01, key="e_mult")
                money_in = effects.MoneyAssumptions(spend, mult)
                money = effects.money(result, money_in)
                st.write(ui.t("effect.money_result", spend=f"{money.spend_yen:,.0f}", output=f"{money.output_yen:,.0f}",
                              low=f"{money.ci90_output_yen[0]:,.0f}", high=f"{money.ci90_output_yen[1]:,.0f}"))

                st.subheader(ui.t("effect.download"))
                stem = f"effect_{'_'.join(result.muni_codes)}_{result.start}_{result.method}"
                cols = st.columns(len(effect_report.FILE_FORMATS))
                for col, fmt in zip(cols, effect_report.FILE_FORMATS, strict=False):
                    ui.download(ui.t(f"effect.download_{fmt}"),
                                lambda fmt=fmt: effect_report.export(run, fmt, munis=munis, assumptions=money_in,
                                                                     lang=lang),
                                file_name=f"{stem}.{fmt}", mime=effect_report.MIME[fmt], key=f"e_dl_{fmt}",
                                container=col)
                with st.expander(ui.t("effect.sources")):
                    st.text(effects.MONEY_SOURCES)
                    st.text(effects.__doc__)

# --- how reliable is this? -------------------------------------------------------------------------------------
with tab_reliable:
    st.markdown(ui.t("effect.reliability_intro"))
    st.dataframe(effect_report.calibration_frame(lang), hide_index=True, width="stretch")
    st.caption(ui.t("effect.reliability_source"))
