"""Map specs: escaping, local assets only, classes, static files published once, what a rerun sends."""

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from revitalize.core import settings
from revitalize.outputs import maps

FRONTEND = settings.PROJECT_ROOT / "revitalize" / "app" / "frontend" / "mapview"


def _points(n=3, name="x"):
    return pd.DataFrame({"lat": [35.0 + i * 0.01 for i in range(n)], "lon": [139.0] * n, "name": [name] * n,
                         "src": ["https://example.org/a"] * n})


def _munis():
    return gpd.GeoDataFrame({
        "muni_code": ["47382", "01100", "13421"], "name_ja": ["与那国町", "札幌市", "小笠原村"],
        "name_en": ["Yonaguni", "Sapporo", "Ogasawara"], "pref_name_ja": ["沖縄県", "北海道", "東京都"],
        "pref_name_en": ["Okinawa", "Hokkaido", "Tokyo"], "pop_2020": [1676, 1973395, 2929]},
        geometry=[shapely.box(122.93, 24.43, 123.05, 24.48), shapely.box(141.1, 42.9, 141.5, 43.2),
                  shapely.box(142.1, 26.5, 142.3, 27.8)], crs="EPSG:4326")


def test_safe_json_cannot_close_a_script_tag():
    text = maps.safe_json({"a": "</script><script>alert(1)</script>&"})
    assert "<" not in text and ">" not in text and "&" not in text


def test_user_text_reaches_the_spec_as_data_only(tmp_path):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    ol = maps.outlines(_munis(), static_dir=tmp_path)
    pts = [maps.inline_points("p", maps.point_payload(_points(name=evil), name="layer <b>", color="#f00", credit="c",
                                                      title_col="name", fields={"n": "name"}, url_col="src"))]
    text = maps.spec_json(maps.spec(ol, points=pts))
    assert "<script>alert" not in text and "<img src=x" not in text
    assert json.loads(text)["points"][0]["data"]["title"][0] == evil  # the text is still there, as data


def test_the_map_view_draws_data_as_text_only():
    js = (FRONTEND / "index.html").read_text()  # the view's script is inline there
    # every innerHTML the script builds goes through esc() (textContent) or is a fixed string / colour
    for line in js.splitlines():
        if "innerHTML =" in line:
            assert "esc(" in line or "= ''" in line, line
    assert "eval(" not in js and "new Function" not in js


def test_no_cdn_or_external_asset_in_the_map_view():
    html = (FRONTEND / "index.html").read_text()
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/app/static/vendor/") or "/" not in s for s in srcs), srcs
    assert "cdn" not in html.lower() and not re.search(r"https?://\w", html)  # no URL to load anything from
    assert maps.tiles_spec("none") is None


@pytest.mark.parametrize("key", ["gsi_std", "gsi_pale", "gsi_photo", "osm"])
def test_tile_layers_carry_attribution(key):
    spec = maps.tiles_spec(key)
    expected = "地理院タイル" if key.startswith("gsi") else "OpenStreetMap"
    assert expected in spec["attribution"] and spec["url"] == maps.TILES[key][0]


def test_unknown_tiles_rejected():
    with pytest.raises(ValueError, match="tiles"):
        maps.tiles_spec("google")


def test_quantile_classes_cover_the_data_and_classify():
    v = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    c = maps.quantile_classes(v)
    assert c.breaks[-1] == 10 and len(c.colors) == len(c.breaks) == len(c.labels)
    idx = maps.classify(v, c)
    assert idx[-1] == -1 and idx[0] == 0 and idx[9] == len(c.breaks) - 1
    assert idx == sorted(idx[:-1]) + [-1]  # monotone in the value


def test_assets_are_installed_for_the_app():
    assert maps.assets_available(), "run `make assets` (npm) to install Leaflet into static/vendor"


class TestStaticFiles:
    def test_published_once_under_a_name_that_changes_with_the_content(self, tmp_path):
        a = maps.publish("x", {"v": 1}, static_dir=tmp_path)
        assert a == maps.publish("x", {"v": 1}, static_dir=tmp_path)
        b = maps.publish("x", {"v": 2}, static_dir=tmp_path)
        assert a != b and a.startswith("/app/static/geo/x-") and a.endswith(".json")
        files = sorted(p.name for p in (tmp_path / "geo").iterdir())
        assert len(files) == 2 and not any(f.endswith(".tmp") for f in files)
        assert json.loads((tmp_path / "geo" / a.rsplit("/", 1)[1]).read_text()) == {"v": 1}

    def test_an_unwritable_folder_means_inline_data(self, tmp_path):
        blocker = tmp_path / "static"
        blocker.write_text("a file where the folder should be")
        ol = maps.outlines(_munis(), static_dir=blocker)
        assert ol.url is None and len(ol.data["features"]) == 3
        assert maps.spec(ol)["outlines"]["data"]["features"][0]["properties"]["c"] == "01100"

    def test_outlines_are_sorted_named_and_framed(self, tmp_path):
        ol = maps.outlines(_munis(), static_dir=tmp_path)
        fc = json.loads((tmp_path / "geo" / ol.url.rsplit("/", 1)[1]).read_text())
        assert [f["properties"]["c"] for f in fc["features"]] == list(ol.codes) == ["01100", "13421", "47382"]
        assert fc["features"][0]["properties"] == {"c": "01100", "ja": "北海道 札幌市", "en": "Hokkaido Sapporo"}
        (s, w), (n, e) = ol.extent()
        assert (s, w, n, e) == pytest.approx((24.43, 122.93, 43.2, 142.3))  # Yonaguni and Ogasawara inside
        assert sum(ol.extent(["13421"]), []) == pytest.approx([26.5, 142.1, 27.8, 142.3])


def test_choropleth_classes_follow_the_outline_order(tmp_path):
    munis = _munis()
    ol = maps.outlines(munis, static_dir=tmp_path)
    c = maps.Choropleth("population", "人口", "pop_2020", maps.fixed_classes(
        (2000, 10000, float("inf")), ("#a", "#b", "#c"), ("s", "m", "l")), "census")
    p = maps.choropleth_payload(c, munis, ol.codes)
    assert p["cls"] == "210" and p["text"] == ["1,973,395", "2,929", "1,676"]
    missing = maps.choropleth_payload(c, munis.iloc[:1], ol.codes)  # only 与那国町 has a value
    assert missing["cls"] == "--0" and missing["text"][:2] == [None, None]


def test_static_points_signature_follows_the_rows():
    a = maps.static_points("anime_sites", "/app/static/geo/p.json", None)
    b = maps.static_points("anime_sites", "/app/static/geo/p.json", [1, 2])
    c = maps.static_points("anime_sites", "/app/static/geo/p.json", [1, 2])
    assert a["idx"] is None and b["idx"] == [1, 2] and a["sig"] != b["sig"] == c["sig"]
