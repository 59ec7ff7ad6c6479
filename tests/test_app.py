"""Every page runs in Streamlit's AppTest; filters and the language toggle do what they say."""

import pytest
from streamlit.testing.v1 import AppTest

from revitalize.core import settings

APP = str(settings.PROJECT_ROOT / "app.py")
TIMEOUT = 120


def _open(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_home(app_env):
    at = _open()
    assert "revitalize" in at.title[0].value
    labels = [m.label for m in at.metric]
    assert any("アニメ聖地" in lab for lab in labels)
    assert not at.warning  # everything is loaded


@pytest.mark.parametrize("page", ["pages/explorer.py", "pages/profile.py", "pages/scoring.py", "pages/effects.py", "pages/data.py"])
def test_every_page_runs(app_env, page):
    at = _open(page)
    assert at.title and not at.error


def test_language_toggle_changes_labels_and_persists_across_pages(app_env):
    at = _open()
    assert at.title[0].value.startswith("revitalize — コンテンツ")
    at.sidebar.radio(key="lang_radio").set_value("English").run()
    assert at.title[0].value.startswith("revitalize — Content Regional")
    at.switch_page("pages/explorer.py").run()
    assert at.title[0].value == "Map explorer"


def _table_rows(at) -> int:
    return len(at.dataframe[0].value)


def test_explorer_prefecture_filter_changes_rows_as_data_says(app_env, con):
    at = _open("pages/explorer.py")
    all_rows = _table_rows(at)
    at.sidebar.multiselect(key="f_pref").set_value(["47"]).run()
    okinawa = _table_rows(at)
    q = lambda t: con.execute(f"SELECT count(*) FROM {t} WHERE pref_code = '47'").fetchone()[0]  # noqa: E731
    heritage = con.execute("SELECT count(*) FROM heritage_properties WHERE muni_code LIKE '47%' AND location_ok "
                           "AND lat IS NOT NULL").fetchone()[0]
    gi = con.execute("SELECT count(DISTINCT gi_id) FROM gi_areas WHERE muni_code LIKE '47%'").fetchone()[0]
    nationwide = con.execute("SELECT count(*) FROM gi_areas WHERE note = 'nationwide'").fetchone()[0]
    expected = q("anime_sites") + q("filming_locations") + q("film_commissions") + heritage + gi + nationwide
    assert okinawa == expected < all_rows


def test_explorer_layer_and_work_filters(app_env, con):
    at = _open("pages/explorer.py")
    at.sidebar.multiselect(key="f_layers").set_value(["anime_sites"]).run()
    n_anime = con.execute("SELECT count(*) FROM anime_sites").fetchone()[0]
    assert _table_rows(at) == n_anime
    at.sidebar.text_input(key="f_work").set_value("ゆるキャン").run()
    n_work = con.execute("SELECT count(*) FROM anime_sites WHERE work_title_ja LIKE '%ゆるキャン%'").fetchone()[0]
    assert 0 < _table_rows(at) == n_work


def test_explorer_municipality_search(app_env):
    at = _open("pages/explorer.py")
    at.sidebar.text_input(key="f_muni_q").set_value("はこだて").run()
    assert at.sidebar.selectbox(key="f_muni").value == "01202"
    rows = at.dataframe[0].value
    assert len(rows) > 0 and set(rows["muni_code"].dropna()) == {"01202"}


def test_profile_from_query_parameter(app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["muni"] = "01202"
    at.run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception
    assert at.selectbox(key="p_muni").value == "01202"
    assert "函館市" in at.header[0].value


def _ranking(at):
    return next(d.value for d in at.dataframe if "reason" in d.value.columns)


def test_scoring_weight_change_reorders_and_invalid_weights_error(app_env):
    at = _open("pages/scoring.py")
    first = _ranking(at).iloc[0]["muni_code"]
    for key in ["anime", "filming", "film_commission", "gi", "heritage", "stations", "visitors", "visitor_growth",
                "pop_decline", "aging", "visitors_per_resident", "top_visited"]:
        at.sidebar.slider(key=f"w_{key}").set_value(0.0)
    at.run()
    assert at.error  # all zero: a clear error, no crash
    assert not at.exception
    at.sidebar.slider(key="w_aging").set_value(5.0).run()
    assert not at.error
    top = _ranking(at).iloc[0]["muni_code"]
    assert top != first


def test_data_page_lists_every_dataset(app_env):
    at = _open("pages/data.py")
    table = at.dataframe[0].value
    assert len(table) == 11 and table.iloc[:, 0].notna().all()  # 6 reference datasets, 5 curated layers


def test_without_database_the_app_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("REVITALIZE_DB", str(tmp_path / "none.duckdb"))
    for page in (None, "pages/explorer.py", "pages/profile.py", "pages/scoring.py", "pages/data.py"):
        at = _open(page)
        text = " ".join(w.value for w in at.warning)
        assert "python -m revitalize build" in text


def test_database_built_without_reference_data_still_works(monkeypatch, tmp_path):
    """Offline with no mirror: the build records the reference data as missing and every page says so; the
    curated layers shipped in geodata/ still load, and the home page and explorer show their counts and rows."""
    from revitalize.data import build

    monkeypatch.setenv("REVITALIZE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("REVITALIZE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("REVITALIZE_OFFLINE", "1")
    path = tmp_path / "empty.duckdb"
    report = build.build(path, allow_missing=True)
    assert set(report.missing) >= {"boundaries", "population"} and "anime_sites" not in report.missing
    monkeypatch.setenv("REVITALIZE_DB", str(path))
    for page in (None, "pages/explorer.py", "pages/profile.py", "pages/scoring.py", "pages/data.py"):
        at = _open(page)
        assert any("REVITALIZE_DATA_MIRROR" in w.value for w in at.warning), page
        if page is None:
            counts = {m.label: int(m.value.replace(",", "")) for m in at.metric}
            assert counts["アニメ聖地（訪れてみたい日本のアニメ聖地88）"] > 200 and counts["ロケ地（映画・ドラマ）"] > 600
        if page == "pages/explorer.py":
            assert len(at.dataframe[0].value) > 1000 and any("境界データ" in i.value for i in at.info)
