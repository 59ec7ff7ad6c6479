"""Export: a shortlist (scoring ranking, explorer filter, portfolio, candidates) to CSV, Excel, GIS formats, or
printable evidence sheets (HTML, PDF). Every export carries scores, reasons, sources and credit lines."""

import streamlit as st

from revitalize.analysis import scoring, weightsets
from revitalize.app import ui
from revitalize.core import codes
from revitalize.core.errors import ConfigError, RevitalizeError
from revitalize.outputs import evidence, explorer, formats, geo, shortlists

ui.through_app()
lang = ui.lang()
st.title(ui.t("ex.nav"))
st.caption(ui.t("ex.intro"))
data = ui.require_data()


@st.cache_data(show_spinner=False, max_entries=16)
def _shortlist(stamp, source, weight_items, top, prefs, filters, header_lang, register):
    return shortlists.shortlist_for(source, ui.connection(), lang=header_lang, top=top,
                                 weights=scoring.Weights(dict(weight_items)), pref_codes=prefs, filters=filters,
                                 data=ui.explorer_data(stamp) if source == "explorer" else None)


@st.cache_resource(show_spinner=False)
def _places(stamp, polygons):
    return geo.municipality_places(ui.connection(), polygons=polygons)


source = st.radio(ui.t("ex.source"), shortlists.SOURCE_KINDS, format_func=lambda k: ui.t(f"ex.src.{k}"),
                  horizontal=True, key="ex_source")
c1, c2, c3 = st.columns(3)
prefs = c1.multiselect(ui.t("f.pref"), list(codes.PREF_CODES), format_func=lambda c: codes.pref_name(c, lang),
                       key="ex_pref",
                       placeholder=ui.t("f.choose"))
top = c2.number_input(ui.t("ex.top"), min_value=0, max_value=100_000, value=50, step=10, key="ex_top")
header_lang = c3.radio(ui.t("ex.headers"), ["ja", "en"], index=1 if lang == "en" else 0, horizontal=True,
                       format_func=lambda v: "日本語" if v == "ja" else "English", key="ex_lang")
filters = None
if source == "explorer":
    e1, e2 = st.columns(2)
    work = e1.text_input(ui.t("f.work"), key="ex_work")
    layer_labels = {k: ui.t(f"layer.{k}") for k in explorer.ALL_LAYERS if k != "score"}
    chosen = e2.multiselect(ui.t("f.layers"), list(layer_labels), default=list(explorer.Filters().layers),
                            format_func=layer_labels.get, key="ex_layers")
    filters = explorer.Filters(pref_codes=tuple(prefs), work=work, layers=tuple(chosen))

w_options = ["default", "saved", "upload"]
w_choice = st.radio(ui.t("ex.weights"), w_options, format_func=lambda k: ui.t(f"ex.w.{k}"), horizontal=True,
                    key="ex_w_choice")
try:
    weights = scoring.Weights()
    if w_choice == "saved" and weightsets.list_weight_sets():
        weights = weightsets.load_weight_set(st.selectbox(ui.t("s.load"), weightsets.list_weight_sets(),
                                                          key="ex_w_saved"))
    elif w_choice == "upload":
        upload = st.file_uploader(ui.t("s.upload"), type=["toml"], key="ex_w_upload")
        if upload is not None:
            weights = scoring.Weights.from_toml_bytes(upload.getvalue(), source=upload.name)
except ConfigError as exc:
    ui.show_error(exc)
    st.stop()

try:
    sl = _shortlist(ui.stamp(), source, tuple(weights.values.items()), int(top) or None, tuple(prefs), filters,
                    header_lang, ui.register_key() if source in ("portfolio", "candidates") else None)
except RevitalizeError as exc:  # export problems and storage failures (the register), in the user's language
    ui.show_error(exc)
    st.stop()
if not len(sl):
    st.info(ui.t("ex.empty"))
    st.stop()

st.subheader(sl.title)
st.caption(" · ".join(sl.notes))
st.dataframe(sl.table.head(200), hide_index=True, width="stretch", height=260, column_config={
    **shortlists.headers(sl.table.columns, lang), "source_urls": st.column_config.LinkColumn(ui.t("ex.col.source_urls"))})
st.caption(ui.t("ex.preview", n=len(sl)))

f1, f2 = st.columns(2)
fmt = f1.selectbox(ui.t("ex.format"), list(formats.REGISTRY), format_func=lambda k: ui.t(f"ex.fmt.{k}"),
                   key="ex_format")
polygons = (f2.checkbox(ui.t("ex.polygons"), key="ex_polygons")
            if formats.get(fmt).needs_places and not formats.get(fmt).polygons else False)  # map-html: always
rows = None
if formats.get(fmt).document:
    labels = {i: f"{i + 1}. {sl.table['name'].iloc[i]}" for i in range(min(len(sl), 500))}
    rows = st.multiselect(ui.t("ex.sheets"), list(labels), default=[0], format_func=labels.get, key="ex_rows")
    if fmt == "pdf" and evidence.pdf_problem():
        st.error(ui.t("ex.pdf_missing"))
        st.stop()

# what the prepared file was made from: a changed choice hides an outdated download
signature = (source, fmt, tuple(prefs), int(top), header_lang, filters, tuple(weights.values.items()), polygons,
             tuple(rows or ()))
# a flag set by the callback survives a rerun (ui.through_app may rerun before this line is reached)
st.button(ui.t("ex.prepare"), type="primary", key="ex_prepare", on_click=lambda: st.session_state.update(ex_go=True))
if st.session_state.pop("ex_go", False):
    try:
        with st.spinner():
            if formats.get(fmt).document:
                subjects = evidence.subjects_from_shortlist(sl, rows or [0])
                payload = evidence.render(ui.connection(), subjects, fmt, weights=weights, lang=header_lang,
                                          progress=ui.evidence_progress(len(subjects), fmt))
                warnings = []
            else:
                f = formats.get(fmt)
                places = _places(ui.stamp(), polygons or f.polygons) if f.needs_places else None
                payload, warnings = formats.export(sl, fmt, places=places)
        st.session_state["ex_result"] = (formats.export_filename(sl, fmt), payload, formats.MIME[fmt],
                                         [str(w) for w in warnings], signature)
    except RevitalizeError as exc:
        ui.show_error(exc)

result = st.session_state.get("ex_result")
if result and result[4] == signature:
    name, payload, mime, warnings, _ = result
    if warnings:
        key = "ex.cp932_warn" if fmt == "csv-cp932" else "ex.gaps_warn"
        st.warning(ui.t(key, n=len(warnings)) + "\n\n" + "\n".join(f"- {w}" for w in warnings[:50]))
    st.download_button(ui.t("ex.download", name=name), payload, file_name=name, mime=mime, key="ex_download")
