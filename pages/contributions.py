"""Contributions: propose additions, corrections and removals of the curated layers; review them (issue 23)."""

import datetime as dt

import streamlit as st

from revitalize.app import ui
from revitalize.core.errors import RevitalizeError
from revitalize.data import layers
from revitalize.workflow import contributions as ct

ui.through_app()
lang = ui.lang()
st.title(ui.t("ct.title"))
st.caption(ui.t("ct.intro"))
user = ui.current_user()
st.sidebar.caption(ui.t("ct.user", user=user.name or user.user_id, role=user.role))
ref = ui.connection()
known = set(layers.known_municipalities(ref)) if ref is not None else None

propose_tab, review_tab, list_tab = st.tabs([ui.t("ct.propose"), ui.t("ct.review"), ui.t("ct.list")])
with propose_tab:
    if user.role == "viewer":
        st.info(ui.t("ct.viewer"))
    else:
        with st.form("ct_propose"):
            layer = st.selectbox(ui.t("ct.f.layer"), ct.LAYERS, format_func=lambda k: ui.t(f"cov.layer.{k}")
                                 if k != "gi_areas" else ui.t("layer.gi_products"))
            action = st.selectbox(ui.t("ct.f.action"), ct.ACTIONS, format_func=lambda a: ui.t(f"ct.action.{a}"))
            own = sorted(user.muni_codes) if user.role == "municipality" else None
            muni = st.selectbox(ui.t("ct.f.muni"), own) if own else st.text_input(ui.t("ct.f.muni"), max_chars=6)
            target = st.text_input(ui.t("ct.f.target"), max_chars=ct.MAX_FIELD)
            values = {name: st.text_input(f"{name}{' *' if required else ''}", key=f"ct_{name}",
                                          max_chars=ct.MAX_FIELD)
                      for name, _, required in ct.FIELDS[layer]}
            source = st.text_input(ui.t("ct.f.source"), max_chars=ct.MAX_URL, key="ct_source")
            as_of = st.date_input(ui.t("ct.f.as_of"), value=dt.date.today(), max_value=dt.date.today())
            note = st.text_area(ui.t("ct.f.note"), max_chars=ct.MAX_NOTE, key="ct_note")
            if st.form_submit_button(ui.t("ct.f.submit"), key="ct_submit_propose"):
                p = ct.Proposal(layer=layer, action=action, muni_code=str(muni or ""), source_url=source,
                                as_of=as_of, note=note, target_id=target,
                                fields={k: v for k, v in values.items() if v.strip()})
                try:
                    with ui.workflow() as work:
                        cid = ct.propose(work, user, p, known_munis=known, ref=ref)
                    st.success(ui.t("ct.proposed", id=cid))
                except RevitalizeError as exc:
                    ui.show_error(exc)

    if user.role != "viewer":
        bulk = st.file_uploader(ui.t("ct.f.bulk"), type=["csv", "xlsx"], key="ct_bulk")
        if bulk is not None and st.button(ui.t("ct.f.submit"), key="ct_submit_bulk"):
            try:
                proposals = ct.proposals_from_upload(ct.read_list(bulk.getvalue(), bulk.name))
                with ui.workflow() as work:
                    ids = ct.propose_many(work, user, proposals, file=bulk.name, known_munis=known)
                st.success(ui.t("ct.bulk_done", n=len(ids), ids=", ".join(ids)))
            except RevitalizeError as exc:
                ui.show_error(exc)

with ui.workflow() as work:
    table = ct.table(work)
with review_tab:
    open_rows = table[table["status"].isin(["pending", "accepted"])]
    if user.role not in ct.REVIEW_ROLES:
        st.info(ui.t("ct.err.review_role", user=user.label))
    elif open_rows.empty:
        st.info(ui.t("ct.pending_none"))
    else:
        pick = st.selectbox(ui.t("ct.f.pick"), list(open_rows["contribution_id"]), key="ct_pick")
        row = open_rows.set_index("contribution_id").loc[pick]
        st.dataframe(ct.view(open_rows[open_rows["contribution_id"] == pick], lang), hide_index=True,
                     width="stretch")
        choices = ["accept", "reject"] if row["status"] == "pending" else ["retire"]
        with st.form("ct_review"):
            decision = st.radio(ui.t("ct.f.decision"), choices, format_func=lambda d: ui.t(f"ct.decision.{d}"), key="ct_decision")
            reason = st.text_area(ui.t("ct.f.reason"), max_chars=ct.MAX_NOTE, key="ct_reason")
            if st.form_submit_button(ui.t("ct.f.submit"), key="ct_submit_review"):
                try:
                    with ui.workflow() as work:
                        ct.review(work, user, pick, decision, reason=reason, read_version=int(row["version"]))
                    st.success(ui.t("ct.reviewed", id=pick, status=decision))
                except RevitalizeError as exc:
                    ui.show_error(exc)
with list_tab:
    if table.empty:
        st.caption(ui.t("ct.none"))
    else:
        st.dataframe(ct.view(table, lang), hide_index=True, width="stretch",
                     column_config={ui.t("ct.col.source"): st.column_config.LinkColumn(ui.t("ct.col.source"))})
