"""Map building: escaping, local assets only, classes, performance-relevant structure."""

import re

import pandas as pd
import pytest

from revitalize.outputs import maps


def _points(n=3, name="x"):
    return pd.DataFrame({"lat": [35.0 + i * 0.01 for i in range(n)], "lon": [139.0] * n, "name": [name] * n,
                         "src": ["https://example.org/a"] * n})


def test_safe_json_cannot_close_a_script_tag():
    text = maps.safe_json({"a": "</script><script>alert(1)</script>&"})
    assert "<" not in text and ">" not in text and "&" not in text


def test_user_text_in_popups_is_escaped():
    m = maps.base_map()
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    maps.PointLayer(_points(name=evil), name="layer <b>", color="#f00", credit="c", title_col="name",
                    fields={"n": "name"}, url_col="src").add_to(m)
    html = maps.to_html(m)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "\\u003cscript\\u003ealert" in html  # the text is still there, as data
    assert "textContent" in html  # and reaches the page as text


def test_no_cdn_or_external_asset_when_tiles_are_off():
    m = maps.base_map(tiles="none")
    maps.PointLayer(_points(), name="p", color="#f00", credit="c", title_col="name").add_to(m)
    html = maps.to_html(m)
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/app/static/vendor/") for s in srcs), srcs
    assert "cdn" not in html.lower() and "tile.openstreetmap" not in html


@pytest.mark.parametrize("key", ["gsi_std", "gsi_pale", "gsi_photo", "osm"])
def test_tile_layers_carry_attribution(key):
    html = maps.to_html(maps.base_map(tiles=key))
    url, attribution, _ = maps.TILES[key]
    assert url.split("{")[0] in html
    expected = "地理院タイル" if key.startswith("gsi") else "OpenStreetMap"
    assert expected.encode("unicode_escape").decode() in html or expected in html


def test_unknown_tiles_rejected():
    with pytest.raises(ValueError, match="tiles"):
        maps.base_map(tiles="google")


def test_quantile_classes_cover_the_data_and_classify():
    v = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    c = maps.quantile_classes(v)
    assert c.breaks[-1] == 10 and len(c.colors) == len(c.breaks) == len(c.labels)
    idx = maps.classify(v, c)
    assert idx[-1] == -1 and idx[0] == 0 and idx[9] == len(c.breaks) - 1
    assert idx == sorted(idx[:-1]) + [-1]  # monotone in the value


def test_assets_are_installed_for_the_app():
    assert maps.assets_available(), "run `make assets` (npm) to install Leaflet into static/vendor"
