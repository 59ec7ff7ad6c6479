"""The Candidates and Progress pages in Streamlit's AppTest: what a reviewer does, end to end."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from revitalize.core import settings
from revitalize.data import db, layers
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

APP = str(settings.PROJECT_ROOT / "app.py")
ADMIN = User("boss", "admin")


def seed(rows) -> list[str]:
    con = db.connect_workflow()
    try:
        return [C.create(con, ADMIN, C.CandidateData(name, "tourism", 2025, (muni,)), status=status, origin="import",
                         designated_on=dt.date(2026, 3, 1) if status == "designated" else None)
                for name, muni, status in rows]
    finally:
        con.close()


def open_page(page: str) -> AppTest:
    """The page script on its own. (Inside app.py's navigation, AppTest drops form submissions on pages whose
    url_path equals their file name in pages/ — a test-harness quirk: a real browser submits them, see
    test_browser.py — so interactions are tested on the page script; navigation is tested in test_app.py.)"""
    at = AppTest.from_file(str(settings.PROJECT_ROOT / page), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_candidates_page_lists_filters_and_moves_a_candidate_with_a_reason(app_env):
    ids = seed([("函館アニメ聖地めぐり", "01202", "applied"), ("沖縄ロケ誘致", "47201", "draft")])
    at = open_page("pages/candidates.py")
    table = at.dataframe[0].value
    assert set(table["候補ID"]) == set(ids)
    scores = table.set_index("候補ID")["スコア（対象市区町村の人口加重平均）"]
    assert scores.between(0, 1).all() and scores.nunique() == 2  # each candidate scored from its municipality
    at.multiselect(key="cd_f_pref").set_value(["47"]).run()  # prefecture filter: 沖縄県 only
    assert at.dataframe[0].value["候補ID"].tolist() == [ids[1]]
    at.multiselect(key="cd_f_pref").set_value([]).run()
    at.selectbox(key="cd_pick").set_value(ids[0]).run()
    form_to = next(s for s in at.selectbox if s.label == "変更後の状況")
    form_to.set_value("under_review")
    next(t for t in at.text_input if t.label == "理由（必須）").set_value("書類審査を開始")
    next(b for b in at.button if b.label == "変更する").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    con = db.connect_workflow()
    try:
        assert C.get(con, ids[0]).status == "under_review"
        assert C.history(con, ids[0])["reason"].iloc[-1] == "書類審査を開始"
    finally:
        con.close()


def test_a_viewer_is_refused_by_the_package_and_nothing_changes(app_env, monkeypatch):
    monkeypatch.setenv("REVITALIZE_ROLE", "viewer")
    ids = seed([("函館アニメ聖地めぐり", "01202", "applied")])
    at = open_page("pages/candidates.py")
    next(s for s in at.selectbox if s.label == "変更後の状況").set_value("under_review")
    next(t for t in at.text_input if t.label == "理由（必須）").set_value("見たいだけ")
    next(b for b in at.button if b.label == "変更する").click().run()
    assert at.error and "権限がありません" in at.error[0].value
    con = db.connect_workflow()
    try:
        assert C.get(con, ids[0]).status == "applied" and len(C.history(con, ids[0])) == 1
    finally:
        con.close()


def test_progress_page_shows_the_designated_count_and_prefectures_without(app_env):
    seed([("函館", "01202", "designated"), ("京都", "26100", "designated"), ("沖縄", "47201", "applied")])
    at = open_page("pages/progress.py")
    assert at.metric[0].value == "2 / 200"
    assert at.metric[1].value == "1"
    text = " ".join(m.value for m in at.markdown)
    assert "青森県" in text and "北海道、" not in text and "京都府" not in text


def test_pages_in_english(app_env):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.sidebar.radio(key="lang_radio").set_value("English").run()
    at.switch_page("pages/progress.py").run()
    assert at.title[0].value == "About 200 bases by 2033: progress"
    at.switch_page("pages/candidates.py").run()
    assert at.title[0].value.startswith("Candidates")


def test_a_suggestion_becomes_a_draft_and_leaves_the_suggestions(app_env):
    at = open_page("pages/candidates.py")
    first = at.selectbox(key="cd_sug_pick").value
    next(b for b in at.button if b.label == "提案を下書きにする").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    con = db.connect_workflow()
    try:
        table = C.table(con)
    finally:
        con.close()
    assert len(table) == 1 and table["origin"].iloc[0] == "suggestion" and table["status"].iloc[0] == "draft"
    assert set(table["muni_codes"].iloc[0]) == set(first.removeprefix("S-").split("-"))
    at.run()
    assert at.selectbox(key="cd_sug_pick").value != first  # the covered municipality is no longer suggested


def test_a_candidate_evidence_sheet_names_it_and_cites_its_assets(app_env, con):
    from revitalize.outputs import evidence

    catalog = layers.asset_catalog(con)
    linked = layers.assets_in(catalog, ["01202"]).head(3)
    wf = db.connect_workflow()
    try:
        cid = C.create(wf, ADMIN, C.CandidateData("函館アニメ聖地めぐり", "tourism", 2025, ("01202",),
                                                  assets=tuple(zip(linked["layer"], linked["asset_id"], strict=False))))
        cand = C.get(wf, cid)
    finally:
        wf.close()
    page = evidence.evidence_html(con, evidence.candidate_subject(cand, catalog), lang="ja")
    assert f"{cid} 函館アニメ聖地めぐり" in page and "2025年度公募" in page
    for url in linked["source_url"]:
        assert url.split(";")[0].replace("&", "&amp;") in page
    at = open_page("pages/candidates.py")
    at.radio(key="cd_ev_fmt").set_value("html")
    at.button(key="cd_ev_go").click().run()
    assert not at.exception and not at.error
    assert "根拠シートをダウンロード（html）" in [e.proto.label for e in at.get("download_button")]


def test_progress_page_says_how_to_start_when_the_register_is_empty(app_env):
    at = open_page("pages/progress.py")
    assert at.info and "まだ登録されていません" in at.info[0].value
    assert at.metric[0].value == "0 / 200"


def test_bad_input_is_listed_as_a_table_of_problems_and_nothing_is_written(app_env):
    at = open_page("pages/candidates.py")
    next(b for b in at.button if b.key == "FormSubmitter:cd_new-保存").click().run()  # empty form
    assert not at.exception and at.error and "2 件の問題" in at.error[0].value
    problems = next(d.value for d in at.dataframe if "ファイル" in d.value.columns)
    assert list(problems.columns) == ["ファイル", "行（見出しを除く）", "列", "求められる内容", "実際の値"]
    assert set(problems["列"]) == {"name_ja", "muni_codes"}
    con = db.connect_workflow()
    try:
        assert C.table(con).empty
    finally:
        con.close()
