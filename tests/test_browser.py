"""Real-browser tests in headless Chromium (Debian's chromium, driven by Playwright).

Screenshots go to artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

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


@pytest.fixture(scope="module")
def server(built_db):
    port = _free_port()
    env = {**os.environ, "REVITALIZE_DB": str(built_db), "REVITALIZE_TILES": "none"}
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
    yield url
    proc.terminate()
    proc.wait(timeout=20)


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


def _map_frame(pg, timeout_s: float = 60):
    """The streamlit-folium iframe once its Leaflet map has markers."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for f in pg.frames:
            if "streamlit_folium" in f.url:
                try:
                    if f.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length") > 0:
                        return f
                except Exception:  # frame still loading
                    pass
        pg.wait_for_timeout(300)
    pytest.fail("no Leaflet map with markers appeared")


def _markers(frame) -> int:
    return frame.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length")


def test_explorer_renders_leaflet_with_markers_and_nothing_external(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    assert frame.evaluate("() => typeof L") == "object"
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-container').length") == 1
    assert _markers(frame) > 10
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-tile').length") == 0  # tiles: none
    page.wait_for_timeout(1000)
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


def test_clicking_a_municipality_opens_its_profile(server, page):
    page.goto(server + "/explorer")
    frame = _map_frame(page)
    # hide the point layers so the click lands on the municipality polygon
    for label in ("アニメ聖地", "ロケ地", "フィルムコミッション", "日本遺産 構成文化財"):
        frame.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input").uncheck()
    # 函館市 (01202): centre of its polygon in screen coordinates, after zooming to it
    xy = frame.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        let target = null;
        window.rvLayers['市区町村'].eachLayer(l => { if (l.feature && l.getTooltip && l.getTooltip() &&
            String(l.getTooltip()._content).length >= 0 && l.feature.properties.i !== undefined) {
              const t = l.getTooltip()._content; const s = typeof t === 'function' ? t(l) : t;
              if (s.indexOf('函館市') >= 0) target = l; } });
        map.fitBounds(target.getBounds(), {animate: false});
        const p = map.latLngToContainerPoint(target.getCenter());
        return [p.x, p.y];
    }""")
    iframe = page.locator("iframe[title*='streamlit_folium']").first
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
