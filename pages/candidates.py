"""Candidates: list with filters, detail, edit, status changes with reasons, history, suggestions, import."""

from dataclasses import dataclass

import streamlit as st

from revitalize.analysis import pool, scoring, suggestions, weightsets
from revitalize.app import ui
from revitalize.core import codes, domain
from revitalize.core.domain import BASE_TYPES, FIRST_FY, LAST_FY, ORG_KINDS, STATUSES
from revitalize.core.errors import RevitalizeError
from revitalize.data import layers
from revitalize.outputs import effect_report, evidence, formats, tables
from revitalize.outputs import user_layers as layer_views
from revitalize.workflow import candidates, imports

ui.through_app()
lang = ui.lang()
L = 0 if lang == "ja" else 1
st.title(ui.t("cd.title"))
user = ui.current_user()
st.sidebar.caption(ui.t("cd.user", user=user.name or user.user_id, role=user.role))
chosen_weights = st.sidebar.selectbox(ui.t("s.weights"), [None] + weightsets.list_weight_sets(), key="cd_weights",
                                      format_func=lambda v: ui.t("pf.weights_default") if v is None else v)
weights = weightsets.resolve(chosen_weights)
ref = ui.connection()
if ref is None:
    st.info(ui.t("cd.no_ref"))


@st.cache_data(show_spinner=False)
def _reference(stamp):
    con = ui.connection()
    if con is None:
        return None, None, None
    points = pool.municipality_points(con)
    return points, layers.asset_catalog(con), set(points["muni_code"])


@st.cache_data(show_spinner=False, max_entries=16)
def _muni_scores(stamp, weight_items):
    _, _, sub = ui.scoring_inputs(stamp)
    return (scoring.score(sub, scoring.Weights(dict(weight_items)))["score"],
            pool.municipality_points(ui.connection()).set_index("muni_code")["population"])


@st.cache_data(show_spinner=False, max_entries=16)
def _suggest(stamp, weight_items, covered, lang):
    return suggestions.from_databases(ui.connection(), set(covered), scoring.Weights(dict(weight_items)), lang=lang,
                                      inputs=ui.scoring_inputs(stamp))


# --- effect verification (issue 12): the one function; cached per (candidate version, event, method) --------
@dataclass(frozen=True)
class _EffectRequest:
    """What an effect section depends on (the cache key): the database and candidate versions, the register,
    the subject (municipalities, designation date: two registers with the same ids never share), the chosen
    event and method, whether to estimate, the language."""

    stamp: tuple[str, float]
    candidate_id: str
    version: int
    register_key: tuple
    subject: tuple
    event_key: str | None
    method: str
    estimate: bool
    lang: str


@st.cache_data(show_spinner=False, max_entries=16)
def _effect_section(req: _EffectRequest, _cand, _table, _catalog):
    return effect_report.candidate_section(ui.connection(), _cand, _table, key=req.event_key, method=req.method,
                                           estimate=req.estimate, catalog=_catalog, lang=req.lang)
# --- end of effect verification ---


points, catalog, known = _reference(ui.stamp())
muni_label = layers.municipality_labels(points, lang)
pick_many = dict(placeholder=ui.t("f.choose"))
label = lambda table, key: domain.label(table, key, lang)  # noqa: E731
reads = st.session_state.setdefault("cd_read_version", {})

try:
    with ui.workflow() as con:
        table = candidates.table(con)
except Exception as exc:  # busy, unreachable, damaged: ui.show_error says it in the user's language
    ui.show_error(exc)
    st.stop()

tab_list, tab_detail, tab_new, tab_suggest, tab_import = st.tabs(
    [ui.t("cd.list"), ui.t("cd.detail"), ui.t("cd.new"), ui.t("cd.suggest"), ui.t("cd.import")])

with tab_list:
    c1, c2, c3, c4 = st.columns(4)
    f = candidates.CandidateFilter(
        statuses=tuple(c1.multiselect(ui.t("cd.filter_status"), list(STATUSES),
                                      format_func=lambda s: label(STATUSES, s), key="cd_f_status", **pick_many)),
        fiscal_years=tuple(c2.multiselect(ui.t("cd.filter_fy"), sorted(table["fiscal_year"].unique().tolist()),
                                          key="cd_f_fy", **pick_many)),
        base_types=tuple(c3.multiselect(ui.t("cd.filter_type"), list(BASE_TYPES),
                                        format_func=lambda s: label(BASE_TYPES, s), key="cd_f_type", **pick_many)),
        pref_codes=tuple(c4.multiselect(ui.t("cd.filter_pref"), list(codes.PREF_CODES),
                                        format_func=lambda c: codes.pref_name(c, lang), key="cd_f_pref", **pick_many)),
        text=st.text_input(ui.t("cd.filter_text"), key="cd_f_text"),
        include_withdrawn=st.checkbox(ui.t("cd.show_withdrawn"), key="cd_f_withdrawn"))
    shown = candidates.filter_table(table, f)
    scores = None
    if ref is not None and not shown.empty:
        scores = pool.candidate_scores(shown, *_muni_scores(ui.stamp(), tuple(sorted(weights.values.items()))))
    if shown.empty:
        st.info(ui.t("cd.none"))
    else:
        st.dataframe(candidates.list_view(shown, lang=lang, muni_labels=muni_label, scores=scores), hide_index=True,
                     width="stretch")
        ui.download(ui.t("s.download"), lambda: tables.to_csv_bytes(shown), file_name="candidates.csv",
                    mime="text/csv", key="cd_dl")

with tab_detail:
    ids = shown["candidate_id"].tolist() if not shown.empty else []
    if not ids:
        st.info(ui.t("cd.none"))
    else:
        names = dict(zip(table["candidate_id"], table["name_ja"], strict=False))
        cid = st.selectbox(ui.t("cd.pick"), ids, key="cd_pick", format_func=lambda c: f"{c} {names.get(c, '')}")
        with ui.workflow() as con:
            cand = candidates.get(con, cid)
            hist = candidates.history(con, cid)
        reads.setdefault(cid, cand.version)
        d = cand.data
        st.subheader(f"{d.name_ja}" + (f" / {d.name_en}" if d.name_en else ""))
        st.markdown(" ｜ ".join(f"**{ui.t(k)}**: {v}" for k, v in [
            ("cd.status", label(STATUSES, cand.status)), ("cd.base_type", label(BASE_TYPES, d.base_type)),
            ("cd.fiscal_year", d.fiscal_year), ("cd.designated_on", cand.designated_on or "—"),
            ("cd.version", cand.version), ("cd.origin", cand.origin)]))
        st.write(f"**{ui.t('cd.munis')}**: " + "、".join(muni_label.get(m, m) for m in d.muni_codes))
        st.write(f"**{ui.t('cd.col_applicants')}**: " + "; ".join(f"{n}（{label(ORG_KINDS, k)}）"
                                                              for n, k in d.applicants))
        if d.summary:
            st.write(f"**{ui.t('cd.summary')}**: {d.summary}")
        if catalog is not None and d.assets:
            st.write(f"**{ui.t('cd.assets')}**")
            st.dataframe(layers.asset_labels(catalog, d.assets), hide_index=True, width="stretch",
                         column_config={"source_url": st.column_config.LinkColumn()})
        if reads[cid] != cand.version:
            st.warning(ui.t("cd.conflict"))
            if st.button("↻", key="cd_reload"):
                reads[cid] = cand.version
                st.rerun()

        st.markdown(f"#### {ui.t('cd.transition')}")
        nxt = domain.allowed_next(cand.status)
        if not nxt:
            st.caption(ui.t("cd.no_next"))
        else:
            with st.form("cd_transition"):
                to = st.selectbox(ui.t("cd.to"), nxt, format_func=lambda s: label(STATUSES, s))
                reason = st.text_input(ui.t("cd.reason"))
                on = st.date_input(ui.t("cd.designated_on"), value=None)
                if st.form_submit_button(ui.t("cd.apply")):
                    try:
                        with ui.workflow() as con:
                            reads[cid] = candidates.transition(con, user, cid, to, reason=reason,
                                                               read_version=reads[cid], designated_on=on)
                        st.success(ui.t("cd.saved", version=reads[cid]))
                        st.rerun()
                    except RevitalizeError as exc:
                        ui.show_error(exc)

        st.markdown(f"#### {ui.t('cd.edit')}")
        with st.form("cd_edit"):
            name_ja = st.text_input(ui.t("cd.name_ja"), d.name_ja)
            name_en = st.text_input(ui.t("cd.name_en"), d.name_en)
            base_type = st.selectbox(ui.t("cd.base_type"), list(BASE_TYPES),
                                     index=list(BASE_TYPES).index(d.base_type),
                                     format_func=lambda s: label(BASE_TYPES, s))
            fy = st.number_input(ui.t("cd.fiscal_year"), FIRST_FY, LAST_FY, d.fiscal_year)
            munis = st.multiselect(ui.t("cd.munis"), sorted(set(muni_label) | set(d.muni_codes)), list(d.muni_codes),
                                   format_func=lambda m: muni_label.get(m, m), **pick_many)
            apps = st.text_area(ui.t("cd.applicants"), "\n".join(f"{n}:{k}" for n, k in d.applicants))
            opt_label = layers.asset_choices(catalog, d.muni_codes, d.assets)
            assets = st.multiselect(ui.t("cd.assets"), list(opt_label), list(d.assets), format_func=opt_label.get,
                                    **pick_many)
            summary = st.text_area(ui.t("cd.summary"), d.summary)
            contact = st.text_input(ui.t("cd.contact"), d.contact)
            source_url = st.text_input(ui.t("cd.source_url"), d.source_url)
            if st.form_submit_button(ui.t("cd.save")):
                applicants, _ = domain.parse_applicants(apps)
                try:
                    with ui.workflow() as con:
                        reads[cid] = candidates.update(
                            con, user, cid, reads[cid],
                            {"name_ja": name_ja, "name_en": name_en, "base_type": base_type, "fiscal_year": int(fy),
                             "muni_codes": tuple(munis), "applicants": applicants, "assets": tuple(assets),
                             "summary": summary, "contact": contact, "source_url": source_url},
                            known_munis=known)
                    st.success(ui.t("cd.saved", version=reads[cid]))
                    st.rerun()
                except RevitalizeError as exc:
                    ui.show_error(exc)

        st.markdown(f"#### {ui.t('cd.history')}")
        st.dataframe(candidates.history_view(hist, lang), hide_index=True, width="stretch")

        # --- effect verification (issue 12): the one call site ---------------------------------------------
        st.markdown(f"#### {ui.t('effect.section')}")
        st.caption(ui.t("effect.section_caption"))
        if ref is not None:
            e1, e2 = st.columns(2)
            eff_method = e2.radio(ui.t("effect.method"), ["synth", "did"], horizontal=True, key="cd_eff_method",
                                  format_func=lambda m: ui.t(f"effect.method.{m}"))
            st.button(ui.t("effect.section_run"), key="cd_eff_go",
                      on_click=lambda c=cid: st.session_state.update(cd_eff=c))
            with st.spinner(ui.t("effect.running")):
                req = _EffectRequest(ui.stamp(), cid, cand.version, ui.register_key(),
                                     (tuple(d.muni_codes), str(cand.designated_on)),
                                     st.session_state.get("cd_eff_event"), eff_method,
                                     st.session_state.get("cd_eff") == cid, lang)
                sec = _effect_section(req, cand, table, catalog)
            if sec.options:
                e1.selectbox(ui.t("effect.event"), list(sec.options), format_func=sec.options.get,
                             key="cd_eff_event", help=ui.t("effect.event_help"))
            if sec.error:
                st.error(sec.error)
            if sec.run is not None:
                st.info(ui.t("effect.event_shown", label=sec.run.event["label"], month=sec.run.result.start))
                for w in sec.run.result.warnings:
                    st.warning(w.text(lang))
                st.dataframe(effect_report.estimate_rows(sec.run, lang=lang), hide_index=True, width="stretch")
                eff_main, eff_gap = effect_report.charts(sec.run, lang)
                st.altair_chart(eff_main, width="stretch")
                st.altair_chart(eff_gap, width="stretch")
                eff_fmt = st.session_state.get("cd_ev_fmt", "pdf")
                st.button(ui.t("effect.with_evidence", fmt=eff_fmt), key="cd_eff_ev",
                          on_click=lambda: st.session_state.update(cd_eff_ev=True))
                if st.session_state.pop("cd_eff_ev", False):
                    try:
                        st.download_button(ui.t("cd.evidence_download", fmt=eff_fmt),
                                           evidence.render(ref, sec.subject, eff_fmt, lang=lang),
                                           mime=formats.MIME[eff_fmt], key="cd_eff_ev_dl",
                                           file_name=formats.safe_filename(f"revitalize_{cid}_effect.{eff_fmt}"))
                    except RevitalizeError as exc:
                        ui.show_error(exc)
        # --- end of effect verification ---

        st.markdown(f"#### {ui.t('cd.evidence')}")
        ev_fmt = st.radio(ui.t("ex.format"), ["pdf", "html"], horizontal=True, key="cd_ev_fmt")
        # a flag set by the callback survives a rerun (see ui.through_app)
        st.button(ui.t("ex.prepare"), key="cd_ev_go", on_click=lambda: st.session_state.update(cd_ev=True))
        if st.session_state.pop("cd_ev", False) and ref is not None:
            try:
                with ui.workflow() as work:
                    mine = layer_views.in_municipalities(work, cand.data.muni_codes, lang=lang)[1]
                data = evidence.render(ref, evidence.candidate_subject(cand, catalog, lang=lang, user_features=mine),
                                       ev_fmt, lang=lang)
                st.download_button(ui.t("cd.evidence_download", fmt=ev_fmt), data, mime=formats.MIME[ev_fmt],
                                   file_name=formats.safe_filename(f"revitalize_{cid}_{d.name_ja}.{ev_fmt}"),
                                   key="cd_ev_dl")
            except RevitalizeError as exc:
                ui.show_error(exc)

with tab_new:
    with st.form("cd_new"):
        name_ja = st.text_input(ui.t("cd.name_ja"))
        name_en = st.text_input(ui.t("cd.name_en"))
        base_type = st.selectbox(ui.t("cd.base_type"), list(BASE_TYPES),
                                 format_func=lambda s: label(BASE_TYPES, s))
        fy = st.number_input(ui.t("cd.fiscal_year"), FIRST_FY, LAST_FY, 2026)
        munis = st.multiselect(ui.t("cd.munis"), sorted(muni_label), format_func=lambda m: muni_label.get(m, m), **pick_many)
        apps = st.text_area(ui.t("cd.applicants"))
        summary = st.text_area(ui.t("cd.summary"))
        contact = st.text_input(ui.t("cd.contact"))
        if st.form_submit_button(ui.t("cd.save")):
            applicants, _ = domain.parse_applicants(apps)
            assets = layers.asset_keys(catalog, munis)
            try:
                with ui.workflow() as con:
                    new_id = candidates.create(con, user, candidates.CandidateData(
                        name_ja=name_ja, name_en=name_en, base_type=base_type, fiscal_year=int(fy),
                        muni_codes=tuple(munis), applicants=applicants, assets=assets, summary=summary,
                        contact=contact), known_munis=known)
                st.success(ui.t("cd.created", cid=new_id))
            except RevitalizeError as exc:
                ui.show_error(exc)

with tab_suggest:
    st.caption(ui.t("cd.suggest_note"))
    if ref is None:
        st.info(ui.t("ds.no_map"))
    else:
        sug = _suggest(ui.stamp(), tuple(sorted(weights.values.items())),
                       tuple(sorted(pool.covered_municipalities(table))), lang)
        sug_cols = {"suggestion_id": "cd.sug_id", f"name_{lang}": "col.name", "pref_name_ja": "col.prefecture",
                    "muni_codes": "col.muni_code", "members": "cd.sug_members", "score": "layer.score",
                    "best_member_score": "cd.sug_best", "reason": "s.reason"}
        st.dataframe(sug[list(sug_cols)].rename(columns={k: ui.t(v) for k, v in sug_cols.items()}), hide_index=True,
                     width="stretch")
        if not sug.empty:
            pick = st.selectbox(ui.t("cd.pick_suggestion"), sug["suggestion_id"].tolist(), key="cd_sug_pick",
                                format_func=lambda s: f"{s} {sug.set_index('suggestion_id').loc[s, 'name_ja']}")
            fy_s = st.number_input(ui.t("cd.fiscal_year"), FIRST_FY, LAST_FY, 2026, key="cd_sug_fy")
            if st.button(ui.t("cd.to_draft")):
                try:
                    with ui.workflow() as con:
                        new_id = candidates.create_from_suggestion(con, user, sug[sug["suggestion_id"] == pick].iloc[0],
                                                      fiscal_year=int(fy_s), catalog=catalog, known_munis=known)
                    st.success(ui.t("cd.created", cid=new_id))
                except RevitalizeError as exc:
                    ui.show_error(exc)

with tab_import:
    st.caption(ui.t("cd.import_note"))
    st.download_button(ui.t("cd.template"), tables.to_csv_bytes(imports.template()), file_name="candidates_template.csv",
                       mime="text/csv", key="cd_tpl")
    up = st.file_uploader(ui.t("cd.import_file"), type=["csv", "xlsx"])
    if up is not None and st.button(ui.t("cd.import_run")):
        try:
            with ui.workflow() as con:
                rep = imports.import_bytes(con, user, up.getvalue(), known_munis=known, name=up.name)
            st.success(ui.t("cd.imported", created=len(rep.created), updated=len(rep.updated)))
        except RevitalizeError as exc:
            ui.show_error(exc)
