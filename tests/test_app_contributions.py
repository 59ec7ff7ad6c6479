"""The Contributions page in Streamlit's AppTest on the synthetic database: a municipality proposes, a reviewer
accepts, the profile's count and table show the row with its provenance (issue 23)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from revitalize.core import settings
from revitalize.data import db
from revitalize.workflow import contributions as ct


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(settings.PROJECT_ROOT / page), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def as_user(monkeypatch, user: str, role: str, munis: str = "") -> None:
    monkeypatch.setenv("REVITALIZE_USER", user)
    monkeypatch.setenv("REVITALIZE_ROLE", role)
    monkeypatch.setenv("REVITALIZE_USER_MUNIS", munis)


def test_propose_review_and_see_it_in_the_profile(fixture_db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("REVITALIZE_DB", str(fixture_db_path))
    as_user(monkeypatch, "hakodate", "municipality", "01202")
    at = open_page("pages/contributions.py")
    at.text_input(key="ct_work_title_ja").set_value("函館の新作")
    at.text_input(key="ct_place_name_ja").set_value("<script>alert(1)</script>坂")
    at.text_input(key="ct_kind").set_value("setting")
    at.text_input(key="ct_source").set_value("javascript:alert(1)")
    at.button(key="ct_submit_propose").click().run()
    assert at.error and "1 件の問題" in at.error[0].value  # refused, said in Japanese, nothing written
    assert any("source_url" in d.value.to_string() and "http" in d.value.to_string() for d in at.dataframe)
    with db.connect_workflow() as con:
        assert ct.table(con).empty
    at.text_input(key="ct_source").set_value("https://www.city.hakodate.hokkaido.jp/a")
    at.button(key="ct_submit_propose").click().run()
    assert not at.exception and at.success and "K-00001" in at.success[0].value

    as_user(monkeypatch, "rev", "reviewer")
    at = open_page("pages/contributions.py")
    at.text_area(key="ct_reason").set_value("市の公式ページで確認")
    at.radio(key="ct_decision").set_value("accept")
    at.button(key="ct_submit_review").click().run()
    assert not at.exception and at.success
    with db.connect_workflow() as con:
        assert ct.get(con, "K-00001")["status"] == "accepted"

    monkeypatch.setenv("REVITALIZE_LANG", "ja")
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages/profile.py"), default_timeout=120)
    at.query_params["muni"] = "01202"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    anime = next(m for m in at.metric if m.label.startswith("アニメ聖地"))
    assert anime.value == "2"  # the fixture's one place + the accepted contribution
    tables = [d.value for d in at.dataframe if "provenance" in d.value.columns]
    given = tables[0]
    assert given["provenance"].notna().sum() == 1
    assert given.loc[given["provenance"].notna(), "place_name_ja"].iloc[0] == "<script>alert(1)</script>坂"
