"""Import data: a municipality's open-data lists or any GIS file as a map layer — preview, then confirm;
the imported layers with rename, hide/show, re-import, delete (each audited, history shown) and export."""

import streamlit as st

from revitalize.app import ui
from revitalize.core.errors import RevitalizeError
from revitalize.outputs import formats
from revitalize.outputs import user_layers as layer_views
from revitalize.workflow import user_layers

ui.through_app()
lang = ui.lang()
st.title(ui.t("ul.nav"))
st.caption(ui.t("ul.intro"))
user = ui.current_user()
ENCODINGS = ["", "utf-8", "utf-8-sig", "cp932", "euc_jp", "utf-16"]

with ui.workflow() as work:
    existing = user_layers.layers(work)

# ---- upload → preview → confirm -----------------------------------------------------------------------------
st.subheader(ui.t("upl.preview"))
st.caption(layer_views.limits_text(lang))
up = st.file_uploader(ui.t("ul.file"), type=["csv", "txt", "xlsx", "geojson", "json", "gpkg", "kml", "kmz", "zip"],
                      key="ul_file")
c1, c2 = st.columns(2)
replace = c1.checkbox(ui.t("ul.replace"), key="ul_replace", disabled=existing.empty)
if replace and not existing.empty:
    name = c1.selectbox(ui.t("ul.pick"), list(existing["name"]), key="ul_replace_name")
else:
    name = c1.text_input(ui.t("ul.name"), key="ul_name", placeholder="kanko_shisetsu")
title = c2.text_input(ui.t("ul.title"), key="ul_title")
c3, c4, c5 = st.columns(3)
source = c3.text_input(ui.t("ul.source"), key="ul_source")
licence = c4.text_input(ui.t("ul.licence"), key="ul_licence", placeholder="CC BY 4.0")
credit = c5.text_input(ui.t("ul.credit"), key="ul_credit", placeholder="出典：○○市オープンデータ")
encoding = st.selectbox(ui.t("ul.encoding_choice"), ENCODINGS, key="ul_encoding",
                        format_func=lambda e: e or ui.t("ul.encoding_auto"))
mapping = {field: st.session_state[f"ul_map_{field}"] for field in ("name", "lat", "lon", "muni_code", "muni_name")
           if st.session_state.get(f"ul_map_{field}")}

if up is not None and name:
    data = up.getvalue()
    with ui.workflow() as work:
        p = user_layers.preview(data, up.name, name=name, title=title or None, ref_con=ui.connection(),
                                work_con=work, replace=replace, encoding=encoding or None, mapping=mapping or None)
    facts, mapping_table, first = layer_views.preview_view(p, lang)
    st.markdown("\n".join(f"- {line}" for line in facts))
    m1, m2 = st.columns([1, 2])
    m1.caption(ui.t("upl.mapping"))
    m1.dataframe(mapping_table, hide_index=True, width="stretch")
    m2.caption(ui.t("ul.first_rows"))
    m2.dataframe(first, hide_index=True, width="stretch")
    if p.upload.columns:
        with st.expander(ui.t("ul.map_cols"), expanded=not p.upload.mapping.standard):
            cols = ["", *p.upload.columns]
            mc = st.columns(5)
            for box, field in zip(mc, ("name", "lat", "lon", "muni_code", "muni_name"), strict=False):
                box.selectbox(ui.t(f"upl.field.{field}"), cols, key=f"ul_map_{field}",
                              format_func=lambda c: c or ui.t("ul.proposal"))
    if p.problems:
        st.error(ui.t("upl.problems", n=len(p.problems)))
        st.dataframe(ui.problems_table(p.problems), hide_index=True, width="stretch")
    if p.warnings:
        st.warning(ui.t("upl.warnings", n=len(p.warnings)))
        st.dataframe(ui.problems_table(p.warnings), hide_index=True, width="stretch")
    if st.button(ui.t("upl.confirm"), key="ul_confirm", disabled=not p.ok, type="primary"):
        try:
            with ui.workflow() as work:
                read = existing.set_index("name")["version"].get(name) if replace else None
                user_layers.confirm(work, user, p, licence=licence or None, credit=credit or None,
                                    source=source or None, replace=replace,
                                    read_version=int(read) if read is not None else None)
            st.success(ui.t("upl.done", name=p.title, n=len(p.features)))
            with ui.workflow() as work:
                existing = user_layers.layers(work)
        except RevitalizeError as exc:
            ui.show_error(exc)

# ---- the user's layers --------------------------------------------------------------------------------------
st.subheader(ui.t("ul.layers"))
if existing.empty:
    st.info(ui.t("ul.none"))
    st.stop()
with ui.workflow() as work:
    st.dataframe(layer_views.layer_table(work, lang), hide_index=True, width="stretch")
pick = st.selectbox(ui.t("ul.pick"), list(existing["name"]), key="ul_pick")
layer = existing.set_index("name").loc[pick]
a1, a2, a3 = st.columns(3)
new_name = a1.text_input(ui.t("ul.new_name"), value=pick, key=f"ul_new_{pick}")
new_title = a1.text_input(ui.t("ul.title"), value=layer["title"], key=f"ul_newtitle_{pick}")
rename = a1.button(ui.t("upl.layer.rename"), key="ul_rename")
toggle = a2.button(ui.t("upl.layer.show") if layer["hidden"] else ui.t("upl.layer.hide"), key="ul_toggle")
sure = a3.checkbox(ui.t("ul.delete_sure"), key=f"ul_sure_{pick}")
remove = a3.button(ui.t("upl.layer.delete"), key="ul_delete", disabled=not sure)
if rename or toggle or remove:
    try:
        with ui.workflow() as work:
            if rename:
                user_layers.rename(work, user, pick, new_name, title=new_title, read_version=int(layer["version"]))
            elif toggle:
                user_layers.set_hidden(work, user, pick, not bool(layer["hidden"]), read_version=int(layer["version"]))
            else:
                user_layers.delete(work, user, pick, read_version=int(layer["version"]))
        st.rerun()
    except RevitalizeError as exc:
        ui.show_error(exc)

with st.expander(ui.t("ul.history")):
    with ui.workflow() as work:
        st.dataframe(layer_views.history_table(work, pick, lang), hide_index=True, width="stretch")

st.caption(ui.t("ul.export"))
e1, e2 = st.columns([1, 2])
fmt = e1.selectbox(ui.t("ul.export_fmt"), list(formats.TABLE_FORMATS), key="ul_fmt")
try:
    with ui.workflow() as work:
        data, file_name, mime, notes = layer_views.export_layer(work, ui.connection(), pick, fmt, lang=lang)
    e2.download_button(ui.t("ul.download"), data, file_name=file_name, mime=mime, key="ul_download")
    for note in notes:
        st.caption(str(note))
except RevitalizeError as exc:
    ui.show_error(exc)
