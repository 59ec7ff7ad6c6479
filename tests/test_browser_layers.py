"""User layers in headless Chromium: the Import data page shows a preview of an upload; an imported layer is
a toggle on the explorer map whose popups show HTML in names as text, with the layer's credit line."""

from __future__ import annotations

import time

import geopandas as gpd
import pytest
import shapely
from test_browser import CHROMIUM, browser, page, streamlit_app  # noqa: F401  (fixtures)

from revitalize.data import db
from revitalize.workflow import user_layers
from revitalize.workflow.auth import User

pytestmark = pytest.mark.browser
CSV = ("名称,緯度,経度\n"
       "\"<img src=x onerror=\"\"window.pwned=1\"\">島原城\",32.78926,130.36723\n"
       "武家屋敷,32.79273,130.36284\n").encode("cp932")


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    work_path = tmp_path_factory.mktemp("wf") / "workflow.duckdb"
    work = db.connect_workflow(work_path)
    try:
        user_layers.confirm(work, User("admin", "admin"), user_layers.preview(CSV, "shimabara.csv", name="sights",
                                                                            title="島原の見どころ"),
                            credit="出典：島原市オープンデータ（テスト）")
        areas = gpd.GeoDataFrame({"名称": ["<i>公園</i>"]}, crs=4326,
                                 geometry=[shapely.box(130.30, 32.75, 130.35, 32.80)]).to_json().encode()
        user_layers.confirm(work, User("admin", "admin"), user_layers.preview(areas, "parks.geojson", name="parks",
                                                                            title="<u>公園</u>"))
    finally:
        work.close()
    with streamlit_app({"REVITALIZE_DB": str(built_db), "REVITALIZE_WORKFLOW_DB": str(work_path)}) as url:
        yield url


def test_import_page_shows_the_preview_of_an_upload(server, page):
    page.goto(server + "/import_data")
    page.get_by_text("上限：ファイル 50 MB").wait_for(timeout=60_000)
    box = page.get_by_label("レイヤー名（英小文字・数字・_）")
    box.fill("kesennuma")
    box.press("Enter")
    page.wait_for_timeout(1500)  # the rerun for the name, before the upload starts its own
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "kesennuma.csv", "mimeType": "text/csv", "buffer": CSV}])  # from memory, no file
    page.get_by_text("文字コード cp932").wait_for(timeout=60_000)
    assert page.get_by_text("2 行（ファイル内の記録 2 件）").is_visible()
    assert page.get_by_role("button", name="この内容で取り込む").is_enabled()
    assert page.evaluate("() => window.pwned") is None


def test_an_imported_layer_is_a_toggle_on_the_map_with_escaped_popups_and_its_credit(server, page):
    page.goto(server + "/explorer")
    deadline = time.time() + 90
    frame = None
    while time.time() < deadline and frame is None:
        for f in page.frames:
            if "mapview" in f.url:
                try:
                    if f.evaluate("() => !!(window.rvLayers && window.rvLayers['島原の見どころ'])"):
                        frame = f
                except Exception:  # frame still loading
                    pass
        page.wait_for_timeout(300)
    assert frame is not None, "the user layer did not appear on the map"
    toggle = frame.locator(".leaflet-control-layers-overlays label", has_text="島原の見どころ").locator("input")
    assert toggle.is_checked()
    html = frame.evaluate("""() => new Promise(done => {
        const g = window.rvLayers['島原の見どころ'];
        const m = g.getLayers().find(x => x.options.title.includes('島原城'));
        const open = () => { m.openPopup();
                             setTimeout(() => done(document.querySelector('.leaflet-popup-content').innerHTML), 300); };
        g.zoomToShowLayer ? g.zoomToShowLayer(m, open) : open();
    })""")
    assert "&lt;img src=x" in html and "出典：島原市オープンデータ（テスト）" in html
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert frame.evaluate("() => window.pwned") is None
    labels = frame.evaluate("() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
                            ".map(l => l.textContent.trim())")
    assert "<u>公園</u>" in labels  # the areas' layer has its own toggle, its name as text
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-control-layers u').length") == 0
    toggle.uncheck()
    assert not frame.evaluate("() => window.rvMap ? window.rvMap.hasLayer(window.rvLayers['島原の見どころ']) : "
                              "Object.values(window).some(v => v && v.hasLayer && "
                              "v.hasLayer(window.rvLayers['島原の見どころ']))")
