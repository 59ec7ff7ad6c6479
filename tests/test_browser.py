"""Real-browser tests in headless Chromium (Debian's chromium, driven by Playwright).

Screenshots go to artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from revitalize.core import settings

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = settings.PROJECT_ROOT / "artifacts" / "browser"
LOCAL = ("http://localhost", "http://127.0.0.1", "data:", "blob:", "about:", "chrome-error:")

if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_app(env_extra: dict[str, str]):
    """The app served by a real Streamlit process on a free port (its URL), stopped afterwards."""
    port = _free_port()
    # never the user's own workflow database: module fixtures start before the per-test environment
    private = {"REVITALIZE_WORKFLOW_DB": str(Path(tempfile.mkdtemp(prefix="rv-app-")) / "workflow.duckdb"),
               "REVITALIZE_WEIGHTS_DIR": tempfile.mkdtemp(prefix="rv-weights-")}
    env = {**os.environ, "REVITALIZE_TILES": "none", **private, **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(built_db):
    with streamlit_app({"REVITALIZE_DB": str(built_db)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"])
        yield b
        b.close()


@pytest.fixture()
def page(browser, request):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.external = []  # every request to a host other than localhost
    ctx.on("request", lambda r: None if r.url.startswith(LOCAL) else pg.external.append(r.url))
    yield pg
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    ctx.close()


def _map_frame(pg, timeout_s: float = 60, *, after: int = 0):
    """The map view's iframe once its Leaflet map has drawn a spec (the ``after``-th or later) with markers."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for f in pg.frames:
            if "mapview" in f.url:
                try:
                    if f.evaluate(f"() => (window.rvRenderSeq || 0) > {after} && "
                                  "document.querySelectorAll('.leaflet-marker-icon').length > 0"):
                        return f
                except Exception:  # frame still loading
                    pass
        pg.wait_for_timeout(200)
    pytest.fail("no Leaflet map with markers appeared")


def _markers(frame) -> int:
    return frame.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length")


def _view(frame) -> dict:
    return frame.evaluate("() => ({seq: window.rvRenderSeq, zoom: window.rvMap.getZoom(),"
                          " center: window.rvMap.getCenter(), bounds: window.rvMap.getBounds().toBBoxString(),"
                          " tag: window.rvMap._rvTag || null})")


def test_explorer_renders_leaflet_with_markers_and_nothing_external(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    assert frame.evaluate("() => typeof L") == "object"
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-container').length") == 1
    assert _markers(frame) > 10
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-tile').length") == 0  # tiles: none
    page.wait_for_timeout(1000)
    assert page.external == []


def test_japan_is_framed_with_okinawa_and_ogasawara(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    w, s, e, n = (float(v) for v in _view(frame)["bounds"].split(","))
    assert w <= 122.95 and s <= 24.1 and e >= 142.3 and n >= 45.5  # 与那国, 波照間, 小笠原, 稚内


def test_the_map_stays_mounted_keeps_the_zoom_and_refits_only_for_a_new_extent(server, page):
    """Issue 13: a filter that keeps the extent redraws the layers in place; a prefecture refits."""
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    frame.evaluate("() => { window.rvMap._rvTag = 'same map'; window.rvMap.setView([35.68, 139.76], 9, {animate: false}); }")
    before = _view(frame)
    layers = page.locator("section[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="表示するレイヤー")
    layers.locator("input").click()
    page.keyboard.press("Backspace")  # drops the last chosen layer (GI areas)
    page.keyboard.press("Escape")
    frame = _map_frame(page, after=before["seq"])
    after = _view(frame)
    assert after["tag"] == "same map" and after["zoom"] == 9 and after["center"] == before["center"]
    pref = page.locator("section[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="都道府県")
    pref.locator("input").click()
    pref.locator("input").fill("北海道")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    frame = _map_frame(page, after=after["seq"])
    hokkaido = _view(frame)
    w, s, e, n = (float(v) for v in hokkaido["bounds"].split(","))
    assert hokkaido["tag"] == "same map" and 40 < s < 42 and 45 < n < 47 and 138 < w < 140.5  # Hokkaido only
    assert page.external == []


def test_a_layer_can_be_toggled_off_and_on(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    before = _markers(frame)
    box = frame.locator(".leaflet-control-layers-overlays label", has_text="アニメ聖地").locator("input")
    box.uncheck()
    frame.wait_for_timeout(500)
    off = _markers(frame)
    box.check()
    frame.wait_for_timeout(500)
    assert off < before and _markers(frame) == before
    assert page.external == []


def test_choropleths_switch_in_the_map_with_a_legend(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    legend = frame.locator(".rv-legend")
    assert "GI産品の生産地" in legend.inner_text()
    frame.locator(".leaflet-control-layers-base label", has_text="市区町村").locator("input").check()
    frame.wait_for_timeout(300)
    assert not legend.is_visible()


def test_clicking_a_municipality_opens_its_profile(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    # hide the point layers so the click lands on the municipality polygon
    for label in ("アニメ聖地", "ロケ地", "フィルムコミッション", "日本遺産 構成文化財"):
        frame.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input").uncheck()
    # 函館市 (01202): centre of its polygon in screen coordinates, after zooming to it
    xy = frame.evaluate("""() => {
        const map = window.rvMap;
        let target = null;
        window.rvLayers['市区町村'].eachLayer(l => { if (l.feature && l.feature.properties.c === '01202') target = l; });
        map.fitBounds(target.getBounds(), {animate: false});
        const p = map.latLngToContainerPoint(target.getCenter());
        return [p.x, p.y];
    }""")
    iframe = page.locator("iframe[title*='mapview']").first
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    link = frame.locator(".leaflet-popup-content a", has_text="市区町村プロフィール")
    link.wait_for(timeout=10000)
    assert "函館市" in frame.locator(".leaflet-popup-content").inner_text()
    with page.context.expect_page() as new:  # the profile opens in a new tab
        link.click()
    profile = new.value
    profile.wait_for_url("**/profile?muni=01202*", timeout=30000)
    profile.get_by_role("heading", name="北海道 函館市").wait_for(timeout=60000)
    profile.screenshot(path=str(ARTIFACTS / "profile_of_hakodate.png"), full_page=True)
    assert page.external == []


def test_profile_metrics_fit_and_give_the_full_number_on_hover(server, page):
    page.goto(server + "/profile?muni=01100")
    page.get_by_role("heading", name="北海道 札幌市").wait_for(timeout=60000)
    values = page.locator("[data-testid=stMetricValue]")
    values.first.wait_for(timeout=30000)
    shown = values.all_inner_texts()
    assert shown[0].endswith("万") and shown[1].endswith("万"), shown  # population, visitors
    assert all(not t.endswith(("…", "...")) for t in shown)
    assert values.evaluate_all("els => els.every(e => e.scrollWidth <= e.clientWidth + 1)")
    page.locator("[data-testid=stMetric]").nth(1).locator("[data-testid=stTooltipHoverTarget]").first.hover()
    page.get_by_text(re.compile(r"^\d{1,3}(,\d{3}){2,}$")).first.wait_for(timeout=10000)  # e.g. 11,618,…


def test_map_view_shows_data_as_text_only(server, page):
    """The map view on its own page, given a spec with markup in every text: nothing runs, the text shows."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/component/revitalize.app.ui.mapview/index.html")
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    spec = {"lang": "ja", "label": "map", "tiles": None, "choropleths": [], "active": None, "scope": None,
            "highlight": None, "fit": [[35, 139], [36, 140]], "extentKey": "k", "link": None, "collapsed": False,
            "text": {"missing": "—", "link": "profile", "source": evil, "outlines": evil},
            "outlines": {"url": None, "credit": evil, "data": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"c": "00000", "ja": evil, "en": evil},
                 "geometry": {"type": "Polygon", "coordinates": [[[139, 35], [140, 35], [140, 36], [139, 35]]]}}]}},
            "points": [{"key": "p", "cluster": False, "show": True, "sig": "1", "data": {
                "name": evil, "color": "#d6336c", "credit": evil, "lat": [35.5], "lon": [139.5], "title": [evil],
                "fields": [evil], "values": {evil: [evil]}, "url": ["javascript:alert(3)"]}}]}
    page.evaluate("s => window.postMessage({type: 'streamlit:render', args: {spec: JSON.stringify(s), height: 400}},"
                  " '*')", spec)
    page.wait_for_function("() => window.rvRenderSeq === 1", timeout=10000)
    page.locator(".leaflet-marker-icon").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "<script>" in popup.inner_text() and popup.locator("img, script").count() == 0
    assert popup.locator("a").count() == 0  # a javascript: URL is not a link
    page.wait_for_timeout(500)
    assert dialogs == [] and page.locator("body img[src=x]").count() == 0


AXE = settings.PROJECT_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
PAGES = ["/home", "/explorer", "/profile?muni=01202", "/scoring", "/candidates", "/progress", "/portfolio",
         "/export", "/data", "/home?lang=en", "/explorer?lang=en"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_no_serious_accessibility_violation(server, page, path):
    """axe-core (WCAG 2.0/2.1 A and AA rules — the level JIS X 8341-3:2016 AA asks of public bodies)."""
    if not AXE.exists():
        pytest.fail("run `make assets`: axe-core is copied to static/vendor/axe-core from the npm registry")
    page.goto(server + path)
    page.wait_for_function("() => { const a = document.querySelector('[data-testid=stApp]');"
                           " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
                           " && document.querySelector('h1'); }", timeout=90000)
    page.wait_for_timeout(1500)  # charts and the map settle
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' +
             n.failureSummary.replace(/\\s+/g, ' ')).join(' | '))""")
    assert found == [], "\n".join(found)


def test_home_language_toggle_in_the_browser(server, page):
    page.goto(server + "/")
    page.get_by_role("heading", name="revitalize — コンテンツ地方創生拠点 GIS").wait_for(timeout=60000)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="revitalize — Content Regional Revitalization Bases GIS").wait_for(timeout=60000)
    _map_frame(page)
    assert page.external == []


def test_candidate_form_submits_in_the_browser_and_lists_every_problem(server, page):
    """A real browser submits the Candidates page's forms (AppTest cannot inside app.py's navigation)."""
    page.goto(server + "/candidates")
    page.get_by_role("tab", name="新規作成").wait_for(timeout=60000)
    page.get_by_role("tab", name="新規作成").click()
    page.get_by_label("名称（日本語）").last.fill("ブラウザからの下書き")
    page.get_by_role("button", name="保存").last.click()
    page.get_by_text("1 件の問題").wait_for(timeout=30000)  # the problems follow as a table (row, column, …)
    assert page.get_by_text("入力に問題があります").count() >= 1
