"""User administration: who may do what when people sign in (kept in the workflow store). Admins only."""

import streamlit as st

from revitalize.app import ui
from revitalize.core import domain
from revitalize.core.errors import RevitalizeError
from revitalize.workflow import users

ui.through_app()
st.title(ui.t("wf.users"))
user = ui.current_user()
if user.role != "admin":
    st.info(ui.t("wf.users_admins_only", role=user.role))
    st.stop()
st.caption(ui.t("wf.users_note"))
try:
    with ui.workflow() as con:
        st.dataframe(users.table(con), hide_index=True, width="stretch")
except Exception as exc:  # busy, unreachable, damaged: ui.show_error says it in the user's language
    ui.show_error(exc)
    st.stop()
with st.form("wf_user"):
    email = st.text_input(ui.t("wf.user_email"))
    role = st.selectbox(ui.t("wf.user_role"), list(domain.ROLES))
    munis = st.text_input(ui.t("wf.user_munis"))
    name = st.text_input(ui.t("wf.user_name"))
    c_save, c_remove = st.columns(2)
    do_save = c_save.form_submit_button(ui.t("wf.user_save"))
    do_remove = c_remove.form_submit_button(ui.t("wf.user_remove"))
try:
    if do_save:
        with ui.workflow() as con:
            users.save(con, user, email, role, munis, name)
        st.success(ui.t("wf.user_saved", email=email.strip().lower()))
    elif do_remove:
        with ui.workflow() as con:
            users.remove(con, user, email)
        st.success(ui.t("wf.user_removed", email=email.strip().lower()))
except RevitalizeError as exc:
    ui.show_error(exc)
