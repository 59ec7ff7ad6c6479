"""Progress toward about 200 bases by 2033: by fiscal year against the pace needed, pipeline, spread."""

import altair as alt
import streamlit as st

from revitalize.analysis import progress
from revitalize.app import ui
from revitalize.core import codes, domain
from revitalize.core.errors import RevitalizeError
from revitalize.outputs import map_html, maps
from revitalize.workflow import candidates

ui.through_app()
lang = ui.lang()
L = 0 if lang == "ja" else 1
st.title(ui.t("pg.title", target=domain.TARGET_BASES, fy=domain.TARGET_FY))
try:
    with ui.workflow() as con:
        table = candidates.table(con)
    report = progress.compute(table)
except RevitalizeError as exc:  # storage failures arrive translated (ui.workflow)
    ui.show_error(exc)
    st.stop()

if table.empty:
    st.info(ui.t("pg.empty"))
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("pg.col_designated"), f"{report.designated} / {report.target}")
c2.metric(ui.t("pg.pipeline"), sum(report.pipeline.values()))
c3.metric("FY", report.current_fy)
st.write(ui.t("pg.headline", designated=report.designated, target=report.target, fy=report.target_fy))
st.write(ui.t("pg.needed", n=f"{report.needed_per_year:.1f}") if report.needed_per_year is not None
         else ui.t("pg.needed_none"))
st.write(ui.t("pg.projection", fy=report.projected_fy, pace=f"{report.pace_per_year:.1f}", target=report.target) if report.projected_fy
         else ui.t("pg.projection_none"))
(st.success if report.on_track else st.warning)(ui.t("pg.on_track") if report.on_track else ui.t("pg.off_track"))

st.subheader(ui.t("pg.by_year"))
series = progress.chart_series(report, labels={"actual": ui.t("pg.series_actual"), "needed": ui.t("pg.series_needed"),
                                               "projection": ui.t("pg.series_projection")})
chart = alt.Chart(series).mark_line(point=True).encode(
    x=alt.X("fiscal_year:O", title="FY"), y=alt.Y("bases:Q", title=ui.t("pg.count")),
    color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
    strokeDash=alt.StrokeDash("series:N", legend=None))
rule = alt.Chart(series.head(1)).mark_rule(color="grey", description=ui.t("pg.target_line", n=report.target)).encode(
    y=alt.datum(report.target))  # the description is the rule's text alternative (axe: svg-img-alt)
st.altair_chart(chart + rule, width="stretch")
st.dataframe(report.by_year.rename(columns={
    "fiscal_year": "FY", "designated": ui.t("pg.col_designated"), "cumulative": ui.t("pg.col_cumulative"),
    "needed_cumulative": ui.t("pg.col_needed"), **{s: domain.STATUSES[s][L] for s in domain.PIPELINE}}),
    hide_index=True, width="stretch")

cols = {"pref_code": ui.t("col.muni_code"), f"name_{lang}": ui.t("col.name"), f"region_{lang}": ui.t("pg.by_region"),
        "designated": ui.t("pg.col_designated"), "pipeline": ui.t("pg.pipeline")}
left, right = st.columns(2)
with left:
    st.subheader(ui.t("pg.by_region"))
    reg = report.by_region.rename(columns={"designated": ui.t("pg.col_designated"), "pipeline": ui.t("pg.pipeline")}
                                  ).melt(id_vars=[f"region_{lang}"], value_vars=[ui.t("pg.col_designated"),
                                                                                 ui.t("pg.pipeline")],
                                         var_name="kind", value_name="n")
    st.altair_chart(alt.Chart(reg).mark_bar().encode(
        y=alt.Y(f"region_{lang}:N", sort=None, title=None), x=alt.X("n:Q", title=ui.t("pg.count")),
        color=alt.Color("kind:N", title=None)), width="stretch")
with right:
    st.subheader(ui.t("pg.by_type"))
    st.dataframe(report.by_type[[f"name_{lang}", "designated", "pipeline"]].rename(columns=cols), hide_index=True,
                 width="stretch")
data = ui.explorer_data(ui.stamp()) if ui.connection() is not None else None
placed = ui.candidate_places()
if data is not None and placed is not None and maps.assets_available():
    st.subheader(ui.t("pg.map"))
    pg_spec = maps.progress_spec(placed, ui.map_outlines(), lang=lang, tiles=ui.tiles_choice())
    ui.show_map(pg_spec, height=520, key="pg_map")
    pg_title = ui.t("mh.title_progress", designated=report.designated, target=report.target)
    ui.map_html_download(lambda: map_html.spec_document(pg_spec, data.munis, title=pg_title),
                         name="revitalize_progress_map", key="pg_map_html")
names = {c: (ja, en)[L] for c, ja, en, *_ in codes.PREFECTURES}
st.subheader(ui.t("pg.without", n=len(report.prefectures_without)))
st.write("、".join(names[c] for c in report.prefectures_without) or "—")
st.subheader(ui.t("pg.by_prefecture"))
st.dataframe(report.by_prefecture[["pref_code", f"name_{lang}", f"region_{lang}", "designated", "pipeline"]]
             .rename(columns=cols), hide_index=True, width="stretch")
