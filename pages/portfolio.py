"""Portfolio: choose K more bases maximising the total score under constraints, beside a greedy pick."""

import streamlit as st

from revitalize.analysis import pool as pool_mod
from revitalize.analysis import portfolio, weightsets
from revitalize.app import ui
from revitalize.core.errors import InfeasibleError, RevitalizeError
from revitalize.data import credits
from revitalize.outputs import formats, geo, map_html, maps, shortlists, tables
from revitalize.workflow import candidates

ui.through_app()
lang = ui.lang()
st.title(ui.t("nav.portfolio"))
data = ui.require_data()
st.caption(ui.t("pf.intro"))


@st.cache_data(show_spinner=False, max_entries=8)
def _pool(stamp, weights_name, register):
    """The selection pool (designated, candidates, suggestions); ``register`` keys the cache to the candidates."""
    with ui.workflow() as work:
        cands = candidates.table(work)
    return pool_mod.portfolio_pool(ui.connection(), cands, weightsets.resolve(weights_name),
                                   inputs=ui.scoring_inputs(stamp))


@st.cache_data(show_spinner=False, max_entries=16)
def _compare(stamp, weights_name, register, constraints, _pool):
    """The exact and greedy selections; the pool is a function of the other keys (see ``_pool``), so a second
    visit with the same settings shows the result without solving again."""
    return portfolio.compare(_pool, constraints)


@st.cache_resource(show_spinner=False)
def _places(stamp, polygons=False):
    return geo.municipality_places(ui.connection(), polygons=polygons)


with st.sidebar:
    saved = weightsets.list_weight_sets()
    weights_name = st.selectbox(ui.t("pf.weights"), [None] + saved,
                                format_func=lambda v: ui.t("pf.weights_default") if v is None else v, key="pf_weights")
    tiles = ui.tiles_choice()

register = ui.register_key()
try:
    pool = _pool(ui.stamp(), weights_name, register)
except RevitalizeError as exc:
    ui.show_error(exc)
    st.stop()
kinds = pool["kind"].value_counts()
st.caption(ui.t("pf.pool_note", designated=int(kinds.get("designated", 0)), candidates=int(kinds.get("candidate", 0)),
                suggestions=int(kinds.get("suggestion", 0)), dropped=len(pool.attrs.get("left_out", []))))

type_label = {t: ui.t(f"pf.type.{t}") for t in portfolio.BASE_TYPES}
with st.form("pf_form"):
    c1, c2, c3, c4, c5 = st.columns(5)
    free = int((~pool["fixed"]).sum())
    d = portfolio.PLANNING_DEFAULTS
    k = c1.number_input(ui.t("pf.k"), 0, free, min(portfolio.default_k(pool), free), key="pf_k")
    max_pp = c2.number_input(ui.t("pf.max_per_pref"), 0, 200, d.max_per_pref or 0, key="pf_max_per_pref")
    min_region = c3.number_input(ui.t("pf.min_per_region"), 0, 100, d.min_per_region, key="pf_min_per_region")
    min_pref = c4.number_input(ui.t("pf.min_per_pref"), 0, 20, d.min_per_pref, key="pf_min_per_pref")
    min_km = c5.number_input(ui.t("pf.min_km"), 0.0, 300.0, d.min_km, step=1.0, key="pf_min_km")
    st.caption(ui.t("pf.shares"))
    share_cols = st.columns(len(portfolio.BASE_TYPES))
    shares = {t: col.slider(type_label[t], 0.0, 1.0, 0.0, 0.05, key=f"pf_share_{t}")
              for col, t in zip(share_cols, portfolio.BASE_TYPES, strict=False)}
    # a flag set by the callback survives a rerun (ui.through_app may rerun before this line is reached)
    st.form_submit_button(ui.t("pf.solve"), type="primary", key="pf_solve",
                          on_click=lambda: st.session_state.update(pf_submitted=True))
submitted = st.session_state.pop("pf_submitted", False)


def _solve() -> None:
    constraints = portfolio.Constraints(k=int(k), max_per_pref=int(max_pp) or None, min_per_region=int(min_region),
                                        min_per_pref=int(min_pref), min_km=float(min_km), min_type_share=shares)
    st.session_state["pf_result"] = (weights_name, _compare(ui.stamp(), weights_name, register, constraints, pool))


stored = st.session_state.get("pf_result")
opened = not submitted and (stored is None or stored[0] != weights_name)
if submitted:
    st.session_state.pop("pf_result", None)
    try:
        _solve()
    except InfeasibleError as exc:
        st.error(f"**{ui.t('pf.infeasible')}**\n\n{exc.text(lang)}")
    except RevitalizeError as exc:
        ui.show_error(exc)
elif opened:  # a first visit (or other weights): the form's values, solved at once; cached, so usually instant
    try:
        _solve()
        st.caption(ui.t("pf.opened_with_defaults"))
    except RevitalizeError:  # e.g. too few candidates for the defaults: the user sets the constraints
        st.session_state.pop("pf_result", None)
stored = st.session_state.get("pf_result")
cmp = stored[1] if stored is not None and stored[0] == weights_name else None  # a result of other weights is stale
if cmp is None:
    if not submitted:
        st.info(ui.t("pf.press_solve"))
    st.stop()

ex, gr = cmp.exact, cmp.greedy
m1, m2, m3, m4 = st.columns(4)
m1.metric(ui.t("pf.exact_total"), f"{ex.total:,.1f}")
m2.metric(ui.t("pf.greedy_total"), f"{gr.total:,.1f}" if gr.ok else ui.t("pf.greedy_failed_metric"))
m3.metric(ui.t("pf.gap"), f"{cmp.gap:,.1f} ({cmp.gap_pct:.2f} %)" if cmp.gap is not None else "—")
m4.metric(ui.t("pf.solve_time"), f"{ex.seconds:.2f} s")
if gr.message is not None:
    st.warning(gr.message.text(lang))

if maps.assets_available():
    pf_spec = maps.portfolio_spec(ex.table[ex.table["selected"]], ui.map_outlines(), lang=lang, tiles=tiles)
    ui.show_map(pf_spec, height=520, key="pf_map")
    pf_head = {"title": ui.t("mh.title_portfolio", n=int(ex.table["selected"].sum())),
               "lines": [f"{ui.t('mh.constraints')}: {ex.constraints.as_dict()}",
                         f"{ui.t('pf.weights')}: {weights_name or ui.t('pf.weights_default')}"]}
    ui.map_html_download(lambda: map_html.spec_document(pf_spec, data.munis, **pf_head),
                         name="revitalize_portfolio_map", key="pf_map_html")
else:
    st.warning(ui.t("map.assets_missing"))

table = portfolio.display_table(ex, lang)
config = {"item_id": ui.t("pf.col.item_id"), "name": ui.t("col.name"), "kind": ui.t("pf.col.kind"),
          "base_type": ui.t("pf.base_type"),
          "pref": ui.t("col.prefecture"), "region": ui.t("pf.col.region"), "score": ui.t("layer.score"),
          "fixed": ui.t("pf.col.fixed"), "selected": ui.t("pf.col.selected"), "why": ui.t("pf.col.why"),
          "reason": ui.t("pf.col.reason")}
chosen = table[table["selected"]]
st.subheader(ui.t("pf.chosen", n=len(chosen)))
st.dataframe(chosen.drop(columns=["selected", "why", "reason"]), hide_index=True, width="stretch", height=320,
             column_config=config)
st.subheader(ui.t("pf.left_out"))
st.caption(ui.t("pf.diagnosis_note"))
st.dataframe(table[~table["selected"]].drop(columns=["selected", "fixed"]), hide_index=True, width="stretch",
             height=360, column_config=config)
d1, d2 = st.columns([1, 2])
fmt = d1.selectbox(ui.t("ex.format"), list(formats.TABLE_FORMATS),
                   format_func=lambda k: ui.t(f"ex.fmt.{k}"), key="pf_fmt")
weights = weightsets.resolve(weights_name)
sl = shortlists.result_shortlist(ex, lang=lang, weights=weights)
fmt_def = formats.get(fmt)
places = _places(ui.stamp(), fmt_def.polygons) if fmt_def.needs_places else None
payload, warnings = formats.export(sl, fmt, places=places)
d2.download_button(ui.t("pf.download_fmt", fmt=fmt), payload, file_name=formats.export_filename(sl, fmt),
                   mime=formats.MIME[fmt], key="pf_download")
if warnings:
    st.caption("; ".join(str(w) for w in warnings[:10]))
all_credits = ([f"constraints: {ex.constraints.as_dict()}", f"weights: {weights_name or 'default'}"]
               + credits.credits(credits.SCORING_SOURCES, lang))
ui.download(ui.t("pf.download"), lambda: tables.to_csv_bytes(table, credits=all_credits, lang=lang),
            file_name="revitalize_portfolio_all.csv", mime="text/csv", key="pf_download_all")
