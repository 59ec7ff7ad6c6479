"""The interactive map as one offline HTML file (issue 24): built on the fixture database, read as text and
opened in headless Chromium with the network off."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from revitalize.core import settings
from revitalize.core.errors import ExportError
from revitalize.outputs import explorer, formats, geo, map_html, maps, shortlists
from revitalize.outputs import user_layers as layer_views

EVIL = "<script>window.rvPwned=1</script><img src=x onerror=\"window.rvPwned=2\">"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = settings.PROJECT_ROOT / "artifacts" / "browser"
needs_assets = pytest.mark.skipif(not maps.assets_available(), reason="static/vendor not installed (make)")


@pytest.fixture()
def fixture_data(fixture_con) -> explorer.ExplorerData:
    return explorer.load_data(fixture_con)


def _placed(name: str) -> pd.DataFrame:
    """Two candidates as ``progress.places`` places them: one designated base, one in the pipeline."""
    return pd.DataFrame({"candidate_id": ["C-1", "C-2"], "name_ja": [name, "函館みなと拠点"], "name_en": [None, None],
                         "status": ["designated", "applied"], "base_type": ["tourism", "composite"],
                         "group": ["designated", "pipeline"], "muni_codes": ["01202", "13101"],
                         "lat": [41.8, 35.65], "lon": [140.75, 139.75]})


def _user_layer(name: str) -> list[dict]:
    features = pd.DataFrame({"name": [name, "札幌の店"], "category": ["店", "店"], "muni_code": ["01202", "01100"],
                             "lat": [41.79, 43.05], "lon": [140.73, 141.3], "geometry": [None, None]})
    return layer_views.map_points([layer_views.MapLayer(name="shops", title=f"店舗{EVIL}", credit=f"自作{EVIL}",
                                                        features=features)])


@pytest.fixture()
def explorer_html(fixture_data) -> str:
    f = explorer.Filters(layers=explorer.POINT_LAYERS + ("population", "gi_areas"))
    data = map_html.explorer_document(fixture_data, f, lang="ja", candidates=_placed(f"拠点{EVIL}"),
                                      extra_points=_user_layer(f"店{EVIL}"))
    return data.decode("utf-8")


# ------------------------------------------------------------------------------------------ the file as text


@pytest.mark.parametrize("text, found", [
    ('<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>', True),
    ('<script src="leaflet.js"></script>', True),  # a file beside it is not in the file either
    ('<link rel="stylesheet" href="//cdn.example/x.css">', True),
    ("<style>@import 'x.css';</style>", True),
    ("<style>.a { background: url(images/layers.png) }</style>", True),
    ("<style>.a { background: url(data:image/png;base64,AA==) }</style>", False),
    ('<a href="https://www.openstreetmap.org/copyright">OSM</a>', False),  # a link to follow, not to load
    ("<script>L.Icon.Default.prototype._getIconUrl('icon')</script>", False),
])
def test_external_references_finds_what_a_browser_would_load(text, found):
    assert bool(map_html.external_references(text)) is found


@needs_assets
def test_the_file_has_no_external_script_or_stylesheet_and_carries_leaflet_itself(explorer_html):
    assert map_html.external_references(explorer_html) == []
    assert not re.search(r"""<(script|link)[^>]+(src|href)\s*=\s*["']?https?:""", explorer_html, re.IGNORECASE)
    assert "cdn.jsdelivr" not in explorer_html and "code.jquery" not in explorer_html
    assert "bootstrap" not in explorer_html.lower() and "awesome-markers" not in explorer_html
    assert "Leaflet 1.9" in explorer_html and "markerClusterGroup" in explorer_html  # inlined from static/vendor
    assert "url(images/" not in explorer_html and "data:image/png;base64," in explorer_html
    assert explorer_html.count("<script") == explorer_html.count("</script>")


@needs_assets
def test_utf8_meta_language_header_and_japanese_names_survive(explorer_html):
    assert '<meta charset="utf-8">' in explorer_html and '<html lang="ja">' in explorer_html
    assert "函館の坂" in explorer_html and "函館市" in explorer_html  # not \\u-escaped or mojibake
    assert "revitalize 地図エクスプローラー" in explorer_html  # header title
    assert "絞り込み" in explorer_html  # the filters line
    assert "国土数値情報" in explorer_html  # the boundaries' credit line in the header


@needs_assets
def test_user_text_never_reaches_the_page_as_markup(explorer_html):
    # the only <script> elements are ours: the names arrive escaped (JSON with \\u003c, or HTML entities)
    assert "<script>window.rvPwned" not in explorer_html
    assert "onerror=\"window.rvPwned" not in explorer_html
    assert "&lt;script&gt;window.rvPwned=1&lt;/script&gt;" in explorer_html  # layer name and credit, escaped


@needs_assets
def test_english_file_has_english_header_and_names_the_chosen_municipality(fixture_data):
    text = map_html.explorer_document(fixture_data, explorer.Filters(muni_code="01202"), lang="en").decode()
    assert '<html lang="en">' in text and "revitalize map explorer" in text
    assert "Subject: Hokkaido Hakodate City (01202)" in text


def test_missing_leaflet_files_are_a_keyed_export_error(fixture_data, tmp_path):
    with pytest.raises(ExportError) as err:
        map_html.explorer_document(fixture_data, explorer.Filters(), static_dir=tmp_path)
    assert err.value.key == "map.assets_missing"


@needs_assets
def test_map_html_is_an_export_format_of_any_shortlist(fixture_con):
    sl = shortlists.shortlist_from_score(fixture_con, top=3)
    data, gaps = formats.export(sl, "map-html", places=geo.municipality_places(fixture_con, polygons=True))
    text = data.decode()
    assert gaps == [] and map_html.external_references(text) == []
    assert sl.title in text and "重み" in text  # title and weights line in the header
    assert formats.export_filename(sl, "map-html").endswith(".html")
    assert formats.get("map-html").polygons and "map-html" in formats.TABLE_FORMATS


# ------------------------------------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium with the brief's flags (one Playwright per module: a second one cannot start)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def offline_page(chromium):
    """A fresh browser context with the network off."""
    ctx = chromium.new_context(viewport={"width": 1200, "height": 850}, offline=True)
    yield ctx
    ctx.close()


def _open(ctx, path, name: str):
    pg = ctx.new_page()
    pg.requests, pg.errors = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(path.as_uri())
    pg.wait_for_function("() => window.rv && window.rv.map", timeout=60_000)
    pg.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"map_html_{name}.png"))
    return pg


@needs_assets
@pytest.mark.browser
def test_the_file_opens_offline_with_every_layer_and_escaped_popups(explorer_html, offline_page, tmp_path):
    path = tmp_path / "map.html"
    path.write_text(explorer_html, encoding="utf-8")
    pg = _open(offline_page, path, "explorer")
    assert pg.errors == []
    assert [u for u in pg.requests if not u.startswith(("file:", "data:"))] == []
    assert pg.evaluate("() => typeof L.markerClusterGroup") == "function"
    counts = pg.evaluate("() => rv.counts")
    assert counts["市区町村"] == 6  # the fixture's municipalities, every outline drawn
    assert counts["アニメ聖地"] == 2 and counts["ロケ地"] == 2 and counts["フィルムコミッション"] == 1
    assert counts["日本遺産 構成文化財"] == 1 and counts["選定済みの拠点"] == 1
    # every marker of every layer is on the map (clusters count their children)
    on_map = pg.evaluate("""() => Object.values(rv.layers).filter(l => rv.map.hasLayer(l) && l.getLayers)
                                   .reduce((n, l) => n + l.getLayers().length, 0)""")
    assert on_map == 6 + 2 + 2 + 1 + 1 + 2 + 2  # outlines + points + candidates (2 groups) + user layer
    assert pg.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length") > 0
    # the legend of the active choropleth (the last chosen: GI areas) and the layer control
    assert "GI" in pg.inner_text(".rv-legend")
    assert pg.locator(".leaflet-control-layers-base input").count() == 3  # outlines, population, GI areas
    control = pg.inner_text(".leaflet-control-layers")
    assert "店舗<script>" in control  # the user layer's name as text
    # a popup of each hostile name shows it as text and runs nothing
    for title in (f"拠点{EVIL}", f"店{EVIL}"):
        pg.evaluate("""(t) => { for (const l of Object.values(rv.layers)) {
            if (!l.eachLayer) continue;
            l.eachLayer(m => { if (m.options && m.options.title === t) { rv.map.setView(m.getLatLng(), 12);
                                                                      m.openPopup(); } }); } }""", title)
        pg.wait_for_timeout(300)
        assert title in pg.inner_text(".leaflet-popup-content")
    assert pg.evaluate("() => window.rvPwned") is None
    assert pg.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0
    # switching the choropleth recolours and swaps the legend
    pg.locator(".leaflet-control-layers-base label", has_text="人口").click()
    assert pg.evaluate("() => rv.active()") == "population"
    assert "人口" in pg.inner_text(".rv-legend")
    pg.close()


@needs_assets
@pytest.mark.browser
def test_a_progress_map_opens_offline_with_its_two_groups(fixture_data, offline_page, tmp_path):
    ol = maps.outlines(fixture_data.munis, static_dir=tmp_path / "static", lang="en")
    spec = maps.progress_spec(_placed("函館の拠点"), ol, lang="en")
    path = tmp_path / "progress.html"
    path.write_bytes(map_html.spec_document(spec, fixture_data.munis, title="progress <b>map</b>"))
    pg = _open(offline_page, path, "progress")
    assert pg.errors == []
    assert pg.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length") == 2
    assert pg.inner_text("header h1") == "progress <b>map</b>"
    assert pg.evaluate("() => document.documentElement.lang") == "en"
    assert pg.get_attribute(".folium-map", "aria-label") == "Map (municipalities and layers)"
    pg.close()


# ------------------------------------------------------------------------------------------ the command line


@needs_assets
@pytest.mark.parametrize("source", ["score", "explorer"])
def test_cli_writes_the_map_for_a_source(source, fixture_db_path, tmp_path):
    out = tmp_path / "map.html"
    env = {**os.environ, "REVITALIZE_DB": str(fixture_db_path),
           "REVITALIZE_WORKFLOW_DB": str(tmp_path / "workflow.duckdb")}
    tiles = ["--tiles", "gsi_pale"] if source == "explorer" else []
    r = subprocess.run([sys.executable, "-m", "revitalize", "export", "--from", source, "--format", "map-html",
                        "--pref", "01", *tiles, "-o", str(out)], capture_output=True, env=env,
                       cwd=settings.PROJECT_ROOT, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    text = out.read_text(encoding="utf-8")
    assert map_html.external_references(text) == [] and '<meta charset="utf-8">' in text
    assert "函館" in text and "北海道" in text  # the rows and the prefecture filter, in Japanese
    # tiles only when asked for, with their attribution (a tile URL is no script or stylesheet)
    assert ("cyberjapandata.gsi.go.jp" in text and "maps.gsi.go.jp/development" in text) == bool(tiles)


# ------------------------------------------------------------------------------------------ from the app


PAGES = (  # page, file name, what its map file shows: a layer count and the legend's title
    ("explorer", "revitalize_explorer_map.html", ("アニメ聖地", 2), "GI"),
    ("scoring", "revitalize_score_map.html", ("市区町村", 6), "スコア"),
    ("profile?muni=01202", "revitalize_profile_01202.html", ("ロケ地", 1), "GI"),
)


@needs_assets
@pytest.mark.browser
def test_the_download_buttons_give_the_current_view_as_a_file(chromium, fixture_db_path, tmp_path):
    """The buttons in the running app (fixture database): the file is made on the click and opens offline."""
    from test_browser import streamlit_app

    with streamlit_app({"REVITALIZE_DB": str(fixture_db_path)}) as url:
        for page, file_name, (layer, n), legend in PAGES:
            ctx = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            pg = ctx.new_page()
            pg.goto(f"{url}/{page}")
            button = pg.get_by_role("button", name="インタラクティブ地図（HTML）をダウンロード")
            button.wait_for(timeout=120_000)
            with pg.expect_download(timeout=120_000) as dl:
                button.click()
            assert dl.value.suggested_filename == file_name
            path = tmp_path / file_name
            dl.value.save_as(path)
            ctx.close()
            assert map_html.external_references(path.read_text(encoding="utf-8")) == []
            offline = chromium.new_context(offline=True)
            view = offline.new_page()
            view.goto(path.as_uri())
            view.wait_for_function("() => window.rv && window.rv.map", timeout=60_000)
            assert view.evaluate("() => rv.counts")[layer] == n, page
            assert legend in view.inner_text(".rv-legend"), page
            offline.close()


@needs_assets
def test_export_page_offers_the_map_file_for_a_source(fixture_db_path, monkeypatch, tmp_path):
    """The Export page (AppTest, fixture database): map-html is prepared like the other formats."""
    from conftest import open_app_page

    monkeypatch.setenv("REVITALIZE_DB", str(fixture_db_path))
    monkeypatch.setenv("REVITALIZE_WEIGHTS_DIR", str(tmp_path / "weights"))
    at = open_app_page("pages/export.py")
    at.selectbox(key="ex_format").set_value("map-html").run()
    assert not at.checkbox  # the map file always draws the outlines: no points/polygons choice
    at.button(key="ex_prepare").click().run()
    assert not at.exception and not at.error
    (label,) = [e.proto.label for e in at.get("download_button") if e.proto.label.endswith(".html")]
    assert "revitalize_score" in label
