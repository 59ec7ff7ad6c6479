"""The Import data page (and the Scoring page's user indicators) in Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from revitalize.core import settings
from revitalize.data import db
from revitalize.workflow import user_layers

CSV = ("名称,緯度,経度,来訪者数\n"
       "<b>島原城</b>,32.78926,130.36723,1200\n"
       "武家屋敷,32.79273,130.36284,300\n").encode("cp932")
BAD = "名称,緯度,経度\n島原城,130.36,32.78\n,32.79,130.36\n".encode()


def open_page(page: str) -> AppTest:
    """The page script on its own (see test_app_workflow.open_page for why not through app.py)."""
    at = AppTest.from_file(str(settings.PROJECT_ROOT / page), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def uploaded(at: AppTest, data: bytes, file_name: str, name: str) -> AppTest:
    at.file_uploader(key="ul_file").set_value((file_name, data, "text/csv"))
    at.text_input(key="ul_name").set_value(name)
    at.text_input(key="ul_credit").set_value("出典：島原市オープンデータ")
    at.text_input(key="ul_source").set_value("https://www.city.shimabara.lg.jp/")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stored():
    con = db.connect_workflow()
    try:
        return user_layers.layers(con), user_layers.history(con)
    finally:
        con.close()


def test_upload_preview_confirm_then_rename_hide_and_delete_with_history(app_env):
    at = open_page("pages/import_data.py")
    assert "50 MB" in at.caption[1].value and "200,000" in at.caption[1].value  # the limits are stated
    uploaded(at, CSV, "shimabara.csv", "shimabara")
    facts = at.markdown[0].value
    assert "cp932" in facts and "CP932" in facts and "2 行" in facts  # encoding with the reason, rows
    mapping, first = at.dataframe[0].value, at.dataframe[1].value
    assert dict(zip(mapping["項目"], mapping["ファイルの列"], strict=False))["緯度"] == "緯度"
    assert first["名称"].tolist() == ["<b>島原城</b>", "武家屋敷"] and "来訪者数" in first.columns
    assert first["市区町村コード"].tolist() == ["42203", "42203"]
    assert stored()[0].empty  # a preview writes nothing
    at.button(key="ul_confirm").click().run()
    assert not at.exception and at.success[0].value.startswith("レイヤー「shimabara」を取り込みました")
    layers, history = stored()
    assert layers[["name", "rows", "credit", "source"]].values.tolist() == [
        ["shimabara", 2, "出典：島原市オープンデータ", "https://www.city.shimabara.lg.jp/"]]
    at.text_input(key="ul_new_shimabara").set_value("shimabara_sights").run()
    at.button(key="ul_rename").click().run()
    assert stored()[0]["name"].tolist() == ["shimabara_sights"]
    at.button(key="ul_toggle").click().run()
    assert stored()[0]["hidden"].tolist() == [True]
    assert not at.exception
    hist = at.dataframe[-1].value
    assert hist["操作"].tolist() == ["import", "rename", "hide"]
    assert at.get("download_button")  # the per-layer export
    at.checkbox(key="ul_sure_shimabara_sights").check().run()
    at.button(key="ul_delete").click().run()
    layers, history = stored()
    assert layers.empty and history["action"].tolist() == ["import", "rename", "hide", "delete"]


def test_every_problem_is_listed_and_the_import_is_refused(app_env):
    at = uploaded(open_page("pages/import_data.py"), BAD, "bad.csv", "bad")
    assert at.error and "2 件の問題" in at.error[0].value
    problems = at.dataframe[2].value
    assert list(problems.columns) == ["ファイル", "行（見出しを除く）", "列", "求められる内容", "実際の値"]
    assert sorted(problems["行（見出しを除く）"]) == [1, 2] and set(problems["ファイル"]) == {"bad.csv"}
    assert at.button(key="ul_confirm").disabled


def test_a_non_standard_table_can_be_mapped_by_hand(app_env):
    data = "施設名,Y,X\n島原城,32.78926,130.36723\n".encode()
    at = uploaded(open_page("pages/import_data.py"), data, "odd.csv", "odd")
    at.selectbox(key="ul_map_lat").set_value("Y")
    at.selectbox(key="ul_map_lon").set_value("X").run()
    assert not at.exception
    assert at.dataframe[1].value["緯度"].tolist() == [32.78926]
    at.button(key="ul_confirm").click().run()
    assert stored()[0]["rows"].tolist() == [1]


def test_scoring_page_offers_a_layer_as_an_indicator(app_env):
    at = uploaded(open_page("pages/import_data.py"), CSV, "shimabara.csv", "shimabara")
    at.button(key="ul_confirm").click().run()
    at = open_page("pages/scoring.py")
    labels = at.selectbox(key="ul_ind_pick").options
    assert any("市区町村ごとの件数" in o for o in labels) and any("来訪者数 の合計" in o for o in labels)
    before = at.dataframe[1].value.set_index("muni_code")["rank"]
    at.button(key="ul_ind_add").click().run()
    at.sidebar.slider(key="ul_ind_w_shimabara_None_count").set_value(5.0).run()
    assert not at.exception, [e.value for e in at.exception]
    after = at.dataframe[1].value.set_index("muni_code")
    assert "取り込んだデータ" in after.columns
    assert after.loc["42203", "rank"] < before.loc["42203"]


def test_profile_lists_the_layers_features_in_the_municipality(app_env):
    at = uploaded(open_page("pages/import_data.py"), CSV, "shimabara.csv", "shimabara")
    at.button(key="ul_confirm").click().run()
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages/profile.py"), default_timeout=120)
    at.query_params["muni"] = "42203"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "取り込んだレイヤー (2)" for s in at.subheader)
    frames = [d.value for d in at.dataframe if "表示名" in d.value.columns]
    assert frames[0].values.tolist() == [["shimabara", 2, "出典：島原市オープンデータ"]]
    assert frames[1]["名称"].tolist() == ["<b>島原城</b>", "武家屋敷"]


def test_reimport_replaces_the_rows_and_is_audited(app_env):
    at = uploaded(open_page("pages/import_data.py"), CSV, "shimabara.csv", "shimabara")
    at.button(key="ul_confirm").click().run()
    at.run()  # the next rerun offers the layer for re-import
    at.checkbox(key="ul_replace").check().run()
    at.selectbox(key="ul_replace_name").set_value("shimabara")
    more = CSV + "湧水庭園,32.7880,130.3700,10\n".encode("cp932")
    at.file_uploader(key="ul_file").set_value(("shimabara2.csv", more, "text/csv"))
    at.run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="ul_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    layers, history = stored()
    assert layers[["name", "rows", "version"]].values.tolist() == [["shimabara", 3, 2]]
    assert history["action"].tolist() == ["import", "reimport"]
