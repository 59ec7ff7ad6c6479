"""Map explorer: the four content layers and context layers, filtered, with a table below."""

import streamlit as st

from revitalize.app import ui
from revitalize.core import codes
from revitalize.data import coverage, credits
from revitalize.outputs import explorer, map_html, maps, tables

ui.through_app()
lang = ui.lang()
st.title(ui.t("nav.explorer"))
data = ui.require_data(boundaries=False)

pref_options = [c for c, *_ in codes.PREFECTURES]
pref_label = {c: (en if lang == "en" else ja) for c, ja, en, *_ in codes.PREFECTURES}
with st.sidebar:
    prefs = st.multiselect(ui.t("f.pref"), pref_options, format_func=pref_label.get, key="f_pref",
                           placeholder=ui.t("f.choose"))
    query = st.text_input(ui.t("f.muni"), key="f_muni_q")
    muni = None
    if query:
        hits = explorer.search_municipalities(data.munis, query)
        if len(hits):
            labels = {r.muni_code: f"{r.pref_name_ja}{r.name_ja}（{r.name_kana or ''}） {r.name_en or ''}"
                      for r in hits.itertuples()}
            muni = st.selectbox(ui.t("map.muni"), list(labels), format_func=labels.get, key="f_muni")
        else:
            st.caption(ui.t("p.none"))
    work = st.text_input(ui.t("f.work"), key="f_work")
    layer_labels = {k: ui.t(f"layer.{k}") for k in explorer.ALL_LAYERS if k != "score"}
    chosen = st.multiselect(ui.t("f.layers"), list(layer_labels), default=list(explorer.Filters().layers),
                            format_func=layer_labels.get, key="f_layers")
    held = ui.layer_coverage(ui.stamp())
    for layer in chosen:  # how complete each chosen curated layer is, said where the layer is picked
        note = coverage.layer_note(held, layer, lang)
        if note:
            st.caption(f"{layer_labels[layer]}: {note}")
    editions = sorted({int(y) for e in data.anime_sites["editions"].dropna() for y in e.split(";")}, reverse=True)
    edition = st.selectbox(ui.t("f.edition"), [None] + editions,
                           format_func=lambda v: ui.t("f.all") if v is None else str(v), key="f_edition")
    classes = sorted(c for c in data.gi_products["product_class"].dropna().unique())
    gi_class = st.selectbox(ui.t("f.gi_class"), [None] + classes,
                            format_func=lambda v: ui.t("f.all") if v is None else v, key="f_gi_class")
    tiles = ui.tiles_choice()

filters = explorer.Filters(pref_codes=tuple(prefs), muni_code=muni, work=work, layers=tuple(chosen),
                           edition=edition, gi_class=gi_class)
view = explorer.apply_filters(data, filters)
if maps.assets_available():
    spec = explorer.build_map(view, filters, outlines=ui.map_outlines(), sources=ui.map_points(), lang=lang,
                              tiles=tiles, profile_link=f"/profile?muni={{code}}&lang={lang}",
                              candidates=ui.candidate_places(), extra_points=ui.user_map_layers(),
                              frame=ui.municipality_frame(view, filters))
    ui.show_map(spec, height=620, key="explorer_map")
    # texts made here: the file is made on Streamlit's download thread, without the session
    head = {"title": ui.t("mh.title_explorer"), "lines": map_html.filter_lines(data, filters, lang)}
    ui.map_html_download(lambda spec=spec: map_html.spec_document(spec, data.munis, **head,
                                                                  point_layers=explorer.point_layers(data, lang)),
                         name="revitalize_explorer_map", key="f_map_html")
else:
    st.warning(ui.t("map.assets_missing"))
table = ui.items_table(view, filters)
credit_lines = credits.credits(["boundaries", "anime_sites", "filming_locations", "film_commissions", "heritage",
                                "gi_products"], lang)
ui.download(ui.t("s.download"), lambda: tables.to_csv_bytes(table, credits=credit_lines, lang=lang),
            file_name="revitalize_explorer.csv", mime="text/csv", key="f_download")
st.caption(ui.t("f.rows", n=len(table)))
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "source_url": st.column_config.LinkColumn(ui.t("map.source")),
    **{c: ui.t(f"col.{c}") for c in ("layer", "name", "work", "municipality", "prefecture", "muni_code")}})
