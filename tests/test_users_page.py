"""pages/users.py: user administration as its own page (split from the candidates page, issue 25).

It needs only the workflow store, so it runs without the reference data (no mirror)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from revitalize.core import settings
from revitalize.data import db
from revitalize.workflow import users

PAGE = str(settings.PROJECT_ROOT / "pages" / "users.py")


def _open() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_admin_adds_and_removes_a_user(tmp_path, monkeypatch):
    monkeypatch.setenv("REVITALIZE_DB", str(tmp_path / "no-reference.duckdb"))
    at = _open()
    assert at.title[0].value == "利用者と権限（管理者）"
    at.text_input[0].set_value("Tanaka@City.Example.lg.jp")
    at.selectbox[0].set_value("municipality")
    at.text_input[1].set_value("01202")
    at.button[0].click().run()
    assert not at.error and any("tanaka@city.example.lg.jp" in s.value for s in at.success)
    con = db.connect_workflow()
    try:
        saved = users.all_users(con)["tanaka@city.example.lg.jp"]
    finally:
        con.close()
    assert saved.role == "municipality" and saved.muni_codes == frozenset({"01202"})
    at.text_input[0].set_value("tanaka@city.example.lg.jp")
    at.button[1].click().run()
    assert not at.error
    con = db.connect_workflow()
    try:
        assert users.table(con).empty
    finally:
        con.close()


def test_a_bad_entry_is_refused_in_the_users_language(tmp_path, monkeypatch):
    monkeypatch.setenv("REVITALIZE_DB", str(tmp_path / "no-reference.duckdb"))
    at = _open()
    at.text_input[0].set_value("not-an-email")
    at.button[0].click().run()
    assert at.error and not at.exception


def test_a_reviewer_cannot_administer_users(monkeypatch):
    monkeypatch.setenv("REVITALIZE_ROLE", "reviewer")
    at = _open()
    assert any("管理者だけ" in i.value for i in at.info)
    assert not at.text_input and not at.button


def test_the_candidates_page_has_no_users_tab():
    text = (settings.PROJECT_ROOT / "pages" / "candidates.py").read_text(encoding="utf-8")
    assert "wf.users" not in text and "users.save" not in text
    assert '"pages/users.py"' in (settings.PROJECT_ROOT / "app.py").read_text(encoding="utf-8")
