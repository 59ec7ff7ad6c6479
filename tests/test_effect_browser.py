"""The Effects page once in headless Chromium: the estimate's charts are drawn (Vega canvases), the event is named."""

from __future__ import annotations

import pytest
from test_browser import browser, page, server  # noqa: F401  (fixtures: a Streamlit server, Chromium, a page)

pytestmark = pytest.mark.browser


def test_effects_page_draws_the_charts(server, page):  # noqa: F811
    page.goto(server + "/effects?muni=13101")
    page.get_by_role("tab", name="1つの地・拠点の効果を推定する").click(timeout=120000)
    page.get_by_role("button", name="推定する", exact=True).click(timeout=60000)  # estimates only on submit
    page.get_by_text("来訪者数：実績と反実仮想").wait_for(timeout=180000)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for(timeout=60000)
    assert charts.count() >= 2
    canvas = page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first
    canvas.wait_for(timeout=60000)
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.get_by_text("イベント：開始月を入力（2024-04）").count() == 1
    page.get_by_role("button", name="Excel（系列・比較対象・推定・仮定・出典）").wait_for(timeout=60000)
    assert page.external == []
