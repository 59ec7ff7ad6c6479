"""効果検証 / Effect verification: did content bring visitors, compared with similar municipalities?"""

import altair as alt
import streamlit as st

from revitalize.app import ui
from revitalize.analysis import effects, panel
from revitalize.core.errors import EffectError

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


@st.cache_data(show_spinner=False, max_entries=32)
def _estimate(stamp, codes, start, end, method, excluded):
    long, munis, wards = _panel(stamp)
    prepared = effects.prepare_panel(long, list(codes), start, end, known_codes=munis["muni_code"],
                                     ward_cities=wards)
    return effects.estimate(prepared, method=method, excluded=list(excluded))


long, munis, _ = _panel(ui.stamp())
if long.empty:
    st.info(ui.t("effect.err.no_panel"))
    st.stop()
name_col = "name_en" if lang == "en" else "name_ja"
labels = dict(zip(munis["muni_code"], munis["muni_code"] + " " + munis[name_col].fillna("")))
months = [f"{y:04d}-{m:02d}" for y, m in sorted(set(zip(long["year"], long["month"])))]
preset = [c for c in st.query_params.get("muni", "").split(";") if c in labels]

with st.form("effect_form"):
    codes = st.multiselect(ui.t("effect.subject"), list(labels), default=preset, format_func=labels.get,
                           key="e_codes", help=ui.t("effect.subject_help"))
    c1, c2, c3 = st.columns(3)
    start = c1.selectbox(ui.t("effect.start"), months, index=min(39, len(months) - 1), key="e_start")
    end = c2.selectbox(ui.t("effect.end"), months, index=len(months) - 1, key="e_end")
    method_labels = {m: ui.t(f"effect.method.{m}") for m in effects.METHODS}
    method = c3.radio(ui.t("effect.method"), list(effects.METHODS), format_func=method_labels.get, key="e_method")
    excluded = st.multiselect(ui.t("effect.exclude"), list(labels), format_func=labels.get, key="e_excluded",
                              help=ui.t("effect.exclude_help"))
    submitted = st.form_submit_button(ui.t("effect.run"))

if not codes:
    st.info(ui.t("effect.pick"))
    st.stop()
try:
    with st.spinner(ui.t("effect.running")):
        result = _estimate(ui.stamp(), tuple(codes), start, end, method, tuple(excluded))
except EffectError as exc:
    st.error(f"**{ui.t('err.input')}**\n\n{exc.text(lang)}")
    st.stop()

for w in result.warnings:
    st.warning(w.text(lang))
st.subheader(ui.t("effect.estimate"))
st.dataframe(effects.estimate_table(result, lang), hide_index=True, width="stretch",
             column_config={"item": ui.t("effect.item"), "value": ui.t("effect.value")})

frame = effects.chart_frame(result)
event = alt.Chart(frame.head(1).assign(month=frame["month"][frame["month"] >= start].min())).mark_rule(
    color="red", strokeDash=[4, 4]).encode(x="month:T")
base = alt.Chart(frame).encode(x=alt.X("month:T", title=None))
band = base.mark_area(opacity=0.25, color="gray").encode(y=alt.Y("band_low:Q", title=ui.t("effect.visitors_month")),
                                                         y2="band_high:Q")
observed = base.mark_line(color="#1f77b4").encode(y="observed:Q", tooltip=["month:T", "observed:Q"])
counterfactual = base.mark_line(color="gray", strokeDash=[6, 3]).encode(y="counterfactual:Q",
                                                                        tooltip=["month:T", "counterfactual:Q"])
st.subheader(ui.t("effect.chart"))
st.caption(ui.t("effect.chart_caption"))
st.altair_chart(band + counterfactual + observed + event, width="stretch")
st.subheader(ui.t("effect.gap_chart"))
st.altair_chart(base.mark_bar().encode(y=alt.Y("gap:Q", title=ui.t("effect.gap")),
                                       color=alt.condition(alt.datum.gap > 0, alt.value("#2ca02c"),
                                                           alt.value("#d62728"))) + event, width="stretch")

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
with st.expander(ui.t("effect.sources")):
    st.text(effects.MONEY_SOURCES)
    st.text(effects.__doc__)
