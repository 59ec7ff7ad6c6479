"""Data & credits: every dataset with publisher, as-of date, licence, credit line, rows, and what is missing."""

import streamlit as st

from revitalize.app import ui
from revitalize.data import coverage, layers, names

ui.through_app()
lang = ui.lang()
st.title(ui.t("nav.data"))
ui.show_missing()
status = ui.dataset_status(ui.stamp())
table = status.assign(state=status["loaded"].map({True: ui.t("ds.loaded"), False: ui.t("ds.missing")}))
st.dataframe(
    table[[f"title_{lang}", "publisher", "as_of", "licence", f"credit_{lang}", "rows", "state", "url"]].rename(columns={
        f"title_{lang}": ui.t("ds.dataset"), "publisher": ui.t("ds.publisher"), "as_of": ui.t("ds.as_of"),
        "licence": ui.t("ds.licence"), f"credit_{lang}": ui.t("ds.credit"), "rows": ui.t("ds.rows"),
        "state": ui.t("ds.status")}),
    hide_index=True, width="stretch", column_config={"url": st.column_config.LinkColumn("URL")})
st.caption(names.CREDIT_EN if lang == "en" else names.CREDIT_JA)
st.subheader(ui.t("cov.title"))
st.caption(ui.t("cov.intro"))
st.dataframe(coverage.frame(ui.layer_coverage(ui.stamp()), lang), hide_index=True, width="stretch")
con = ui.connection()
if con is not None:
    with st.expander(ui.t("ds.issues")):
        st.dataframe(layers.load_issues(con), hide_index=True, width="stretch")
