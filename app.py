"""revitalize: the Streamlit entry point (navigation and the home page)."""

import streamlit as st

from revitalize.app import ui
from revitalize.core import domain, i18n
from revitalize.outputs import explorer, maps

st.set_page_config(page_title="revitalize", page_icon="🗾", layout="wide")
lang = ui.language_toggle()


def home() -> None:
    st.title(ui.t("app.title"))
    st.write(ui.t("app.tagline") + " " + ui.t("home.goal", target=domain.TARGET_BASES, fy=domain.TARGET_FY))
    if not ui.show_missing():
        return
    status = ui.dataset_status(ui.stamp())
    cols = st.columns(5)
    for col, key in zip(cols, ["anime_sites", "filming_locations", "film_commissions", "gi_products", "heritage"], strict=False):
        row = status[status["dataset"] == key].iloc[0]
        col.metric(row[f"title_{lang}"], f"{row['rows']:,}")
        col.caption(f"{ui.t('ds.as_of')}: {row['as_of']}")
    data = ui.explorer_data(ui.stamp())
    st.subheader(ui.t("home.map"))
    if data is None:
        st.info(ui.t("ds.no_map"))
    elif not maps.assets_available():
        st.warning(ui.t("map.assets_missing"))
    else:
        if data.munis.empty:
            st.info(ui.t("ds.no_outlines"))
        everything = explorer.Filters()
        spec = explorer.build_map(data, everything, outlines=ui.map_outlines(), sources=ui.map_points(),
                                  lang=lang, tiles=ui.tiles_choice(), profile_link=f"/profile?muni={{code}}&lang={lang}",
                                  candidates=ui.candidate_places(), frame=ui.municipality_frame(data, everything))
        ui.show_map(spec, height=560, key="home_map")
    st.subheader(ui.t("home.pages"))
    c1, c2, c3, c4 = st.columns(4)
    c1.page_link(explorer_page, label=ui.t("nav.explorer"), icon=":material/map:")
    c2.page_link(profile_page, label=ui.t("nav.profile"), icon=":material/location_city:")
    c3.page_link(scoring_page, label=ui.t("nav.scoring"), icon=":material/leaderboard:")
    c4.page_link(data_page, label=ui.t("nav.data"), icon=":material/menu_book:")
    st.subheader(ui.t("home.loaded"))
    st.dataframe(status[[f"title_{lang}", "as_of", "rows", "loaded", f"credit_{lang}"]].rename(columns={
        f"title_{lang}": ui.t("ds.dataset"), "as_of": ui.t("ds.as_of"), "rows": ui.t("ds.rows"),
        "loaded": ui.t("ds.status"), f"credit_{lang}": ui.t("ds.credit")}), hide_index=True, width="stretch")


home_page = st.Page(home, title=i18n.t("nav.home", lang), icon=":material/home:", default=True, url_path="home")
explorer_page = st.Page("pages/explorer.py", title=i18n.t("nav.explorer", lang), icon=":material/map:", url_path="explorer")
profile_page = st.Page("pages/profile.py", title=i18n.t("nav.profile", lang), icon=":material/location_city:", url_path="profile")
scoring_page = st.Page("pages/scoring.py", title=i18n.t("nav.scoring", lang), icon=":material/leaderboard:", url_path="scoring")
candidates_page = st.Page("pages/candidates.py", title=i18n.t("nav.candidates", lang), icon=":material/assignment:",
                          url_path="candidates")
progress_page = st.Page("pages/progress.py", title=i18n.t("nav.progress", lang), icon=":material/trending_up:",
                        url_path="progress")
portfolio_page = st.Page("pages/portfolio.py", title=i18n.t("nav.portfolio", lang), icon=":material/hub:",
                         url_path="portfolio")
export_page = st.Page("pages/export.py", title=i18n.t("ex.nav", lang), icon=":material/download:", url_path="export")
effects_page = st.Page("pages/effects.py", title=i18n.t("effect.title", lang), icon=":material/query_stats:",
                       url_path="effects")
import_page = st.Page("pages/import_data.py", title=i18n.t("ul.nav", lang), icon=":material/upload_file:",
                      url_path="import_data")
users_page = st.Page("pages/users.py", title=i18n.t("wf.users", lang), icon=":material/manage_accounts:",
                     url_path="users")
data_page = st.Page("pages/data.py", title=i18n.t("nav.data", lang), icon=":material/menu_book:", url_path="data")
contributions_page = st.Page("pages/contributions.py", title=i18n.t("ct.nav", lang), icon=":material/rate_review:",
                             url_path="contributions")
navigation = st.navigation([home_page, explorer_page, profile_page, scoring_page, candidates_page, progress_page,
                            portfolio_page, effects_page, export_page, import_page, contributions_page, users_page,
                            data_page])
with ui.error_boundary():  # a busy or unreachable store says so in the user's language, never a traceback
    navigation.run()
