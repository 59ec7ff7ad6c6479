"""Municipality profile: outline, what it holds, trends, neighbours and similar municipalities."""

import altair as alt
import pandas as pd
import streamlit as st

from revitalize.analysis import profile
from revitalize.app import ui
from revitalize.core import i18n
from revitalize.data import coverage
from revitalize.outputs import explorer, map_html, maps
from revitalize.outputs import user_layers as layer_views

ui.through_app()
lang = ui.lang()
st.title(ui.t("nav.profile"))
data = ui.require_data()
con = ui.connection()


@st.cache_data(show_spinner=False, max_entries=2)
def _labels(stamp, _munis) -> dict:
    return {r.muni_code: f"{r.muni_code} {r.pref_name_ja}{r.name_ja}（{r.name_kana or ''}） {r.name_en or ''}"
            for r in _munis.sort_values("muni_code").itertuples()}


@st.cache_data(show_spinner=False, max_entries=32)
def _profile(stamp, code: str, _ind) -> profile.Profile:
    """A municipality's profile, per data version (what the database holds does not change between reruns)."""
    return profile.load(ui.connection(), code, _ind)


labels = _labels(ui.stamp(), data.munis)
codes = list(labels)
wanted = st.query_params.get("muni")
index = codes.index(wanted) if wanted in labels else 0
code = st.selectbox(ui.t("p.pick"), codes, index=index, format_func=labels.get, key="p_muni")
if code != wanted:
    st.query_params["muni"] = code
ind = data.munis.drop(columns="geometry")
p = _profile(ui.stamp(), code, ind)
overlay = ui.contribution_overlay(ui.stamp(), lang)  # accepted contributions, marked with who gave them
laid = {layer: explorer.overlay_rows(getattr(p, layer), overlay, layer, muni_code=code)
        for layer in ("anime_sites", "filming_locations", "film_commissions")}
row = p.indicators
st.header(f"{i18n.localized(row, 'pref_name', lang)} {i18n.localized(row, 'name', lang)}")

c = st.columns(6)
for col, key, value, change in ((c[0], "layer.population", row["pop_2020"], row["pop_change_pct"]),
                                (c[1], "layer.visitors", row["visitors_latest"], row["visitors_change_pct"])):
    known = pd.notna(value)  # abbreviated (万/億, k/M) so it fits; the full number on hover
    col.metric(ui.t(key), i18n.compact_number(value, lang) if known else "—",
               f"{change:+.1f} %" if pd.notna(change) else None, help=f"{value:,.0f}" if known else None)
held = ui.layer_coverage(ui.stamp())
for col, layer, df in ((c[2], "anime_sites", laid["anime_sites"]), (c[3], "filming_locations", laid["filming_locations"]),
                       (c[4], "gi_products", p.gi_products)):
    note = coverage.layer_note(held, layer, lang)  # beside the count: how complete the layer is
    col.metric(ui.t(f"layer.{layer}") + (" ⚠" if note else ""), len(df), help=note or None)
c[5].metric(ui.t("layer.roadside_stations"), len(p.roadside_stations))

left, right = st.columns([3, 2])
with left:
    if maps.assets_available() and p.muni.geometry.iloc[0] is not None:
        one = explorer.with_outline(explorer.apply_filters(data, explorer.Filters(muni_code=code)), p.muni)
        only = explorer.Filters(muni_code=code)
        spec = explorer.build_map(one, only, outlines=ui.map_outlines(), sources=ui.map_points(), lang=lang,
                                  tiles=ui.tiles_choice(), compact=True, frame=ui.municipality_frame(one, only))
        ui.show_map(spec, height=420, key="profile_map")
        title = ui.t("mh.title_profile", name=f"{i18n.localized(row, 'pref_name', lang)} "
                                              f"{i18n.localized(row, 'name', lang)}")
        ui.map_html_download(lambda spec=spec, title=title: map_html.spec_document(
            spec, data.munis, title=title, point_layers=explorer.point_layers(data, lang)),
            name=f"revitalize_profile_{code}", key="p_map_html")
with right:
    if len(p.population):
        st.subheader(ui.t("p.population"))
        st.altair_chart(alt.Chart(p.population).mark_line(point=True).encode(
            x=alt.X("year:O", title=None), y=alt.Y("total:Q", title=None)), width="stretch")
    if len(p.visitors):
        st.subheader(ui.t("p.visitors"))
        v = p.visitors.assign(date=pd.to_datetime(dict(year=p.visitors.year, month=p.visitors.month, day=1)))
        st.altair_chart(alt.Chart(v).mark_line().encode(x=alt.X("date:T", title=None),
                                                        y=alt.Y("visitors:Q", title=None)), width="stretch")

for key, df, cols in [
    ("layer.anime_sites", laid["anime_sites"], ["work_title_ja", "work_title_en", "place_name_ja", "kind", "editions",
                                                "source_url", "provenance"]),
    ("layer.filming_locations", laid["filming_locations"], ["work_title_ja", "work_title_en", "work_type",
                                                            "release_year", "place_name_ja", "source_url", "provenance"]),
    ("layer.film_commissions", laid["film_commissions"], ["name_ja", "name_en", "level", "jfc_member", "source_url",
                                                          "provenance"]),
    ("layer.gi_products", p.gi_products, ["registry", "reg_number", "name_ja", "name_en", "product_class",
                                          "coverage", "registered_on", "source_url"]),
    ("layer.heritage", p.heritage, ["name_ja", "story_ja", "status_ja", "url"]),
    ("layer.roadside_stations", p.roadside_stations, ["name_ja", "location_ja", "registered_year", "url"]),
]:
    st.subheader(f"{ui.t(key)} ({len(df)})")
    if note := coverage.layer_note(held, key.removeprefix("layer."), lang):
        st.caption(note)
    if len(df):
        st.dataframe(df[cols], hide_index=True, width="stretch",
                     column_config={c: st.column_config.LinkColumn(c) for c in ("source_url", "url")})

with ui.workflow() as work:
    user_counts, user_features = layer_views.in_municipalities(work, [code], lang=lang)
st.subheader(f"{ui.t('ul.profile')} ({len(user_features)})")
if len(user_features):
    st.dataframe(user_counts[["title", "rows", "credit"]].rename(columns={
        "title": ui.t("ul.col.title"), "rows": ui.t("ul.col.rows"), "credit": ui.t("ul.col.credit")}),
        hide_index=True, width="stretch")
    st.dataframe(user_features[["title", "name", "category", "credit"]].rename(columns={
        "title": ui.t("ul.col.title"), "name": ui.t("col.name"), "category": ui.t("upl.field.category"),
        "credit": ui.t("ul.col.credit")}), hide_index=True, width="stretch")
else:
    st.caption(ui.t("ul.profile_none"))

n1, n2 = st.columns(2)
with n1:
    km = st.slider(ui.t("p.distance"), 0, 50, 10, key="p_km")
    st.subheader(ui.t("p.neighbours", km=km))
    st.dataframe(profile.neighbours(con, code, within_km=km).round({"distance_km": 1}), hide_index=True,
                 width="stretch")
with n2:
    st.subheader(ui.t("p.similar"))
    if not row["is_disputed"]:
        st.dataframe(profile.most_similar(ind, code), hide_index=True, width="stretch")
