"""Explorer data: filters follow the data, municipality search, the map and its payload."""

import json

import pytest

from revitalize.outputs import explorer, maps


@pytest.fixture(scope="module")
def data(built_db):
    from revitalize.data import db

    c = db.connect(built_db, read_only=True)
    d = explorer.load_data(c)
    c.close()
    return d


def _layer_counts(table):
    return table.groupby("layer").size().to_dict()


def test_prefecture_filter_matches_the_database(data, built_db):
    from revitalize.data import db

    c = db.connect(built_db, read_only=True)
    expected = {t: c.execute(f"SELECT count(*) FROM {t} WHERE pref_code = '13'").fetchone()[0]
                for t in ("anime_sites", "filming_locations", "film_commissions")}
    c.close()
    view = explorer.apply_filters(data, explorer.Filters(pref_codes=("13",)))
    assert len(view.anime_sites) == expected["anime_sites"] > 0
    assert len(view.filming_locations) == expected["filming_locations"] > 0
    assert len(view.film_commissions) == expected["film_commissions"]
    assert set(view.munis["pref_code"]) == {"13"}


def test_work_filter_keeps_matching_titles_only(data):
    view = explorer.apply_filters(data, explorer.Filters(work="ラブライブ"))
    assert len(view.anime_sites) > 0
    assert view.anime_sites["work_title_ja"].str.contains("ラブライブ").all()
    assert len(view.film_commissions) == 0 and len(view.heritage) == 0


def test_edition_filter(data):
    e2018 = explorer.apply_filters(data, explorer.Filters(edition=2018)).anime_sites
    assert len(e2018) < len(data.anime_sites)
    assert e2018["editions"].str.contains("2018").all()


def test_an_edition_filter_that_leaves_nothing_keeps_the_columns(data, published):
    """Found by benchmarks/browser.py: 北海道 + ざつ旅 + 2025 left no anime row and the map raised KeyError 'lat'."""
    _, ol, ps = published
    f = explorer.Filters(pref_codes=("01",), work="ざつ旅", edition=2025)
    view = explorer.apply_filters(data, f)
    assert view.anime_sites.empty and list(view.anime_sites.columns) == list(data.anime_sites.columns)
    spec = explorer.build_map(view, f, outlines=ol, sources=ps)
    assert next(p for p in spec["points"] if p["key"] == "anime_sites")["idx"] == []


def test_layer_choice_empties_unchosen_layers(data):
    view = explorer.apply_filters(data, explorer.Filters(layers=("anime_sites",)))
    t = _layer_counts(explorer.items_table(view, "en"))
    assert set(t) == {"Anime places"}


def test_gi_class_filter(data):
    cls = data.gi_products["product_class"].dropna().iloc[0]
    view = explorer.apply_filters(data, explorer.Filters(gi_class=cls))
    assert (view.gi_products["product_class"] == cls).all()
    assert set(view.gi_areas["gi_id"]) <= set(view.gi_products["gi_id"])


@pytest.mark.parametrize("query", ["札幌", "さっぽろ", "サッポロ", "sapporo", "Sapporo"])
def test_municipality_search_by_kanji_kana_or_romaji(data, query):
    hits = explorer.search_municipalities(data.munis, query)
    assert "01100" in set(hits["muni_code"])


def test_search_with_no_query_returns_nothing(data):
    assert explorer.search_municipalities(data.munis, "  ").empty


def test_table_is_localised(data):
    ja = explorer.items_table(explorer.apply_filters(data, explorer.Filters(pref_codes=("01",))), "ja")
    en = explorer.items_table(explorer.apply_filters(data, explorer.Filters(pref_codes=("01",))), "en")
    assert len(ja) == len(en) and "アニメ聖地" in set(ja["layer"]) and "Anime places" in set(en["layer"])


@pytest.fixture(scope="module")
def published(data, tmp_path_factory):
    """Outlines and point layers published into a temporary static folder (what the app does once)."""
    static = tmp_path_factory.mktemp("static")
    return static, maps.outlines(data.munis, static_dir=static), explorer.point_sources(data, "ja", static_dir=static)


def _file(static, url):
    return json.loads((static / "geo" / url.rsplit("/", 1)[1]).read_text(encoding="utf-8"))


def test_explorer_map_has_every_layer_and_a_rerun_sends_little(data, published):
    static, ol, ps = published
    f = explorer.Filters(layers=explorer.ALL_LAYERS)
    spec = explorer.build_map(data, f, outlines=ol, sources=ps, lang="ja")
    titles = [c["title"] for c in spec["choropleths"]]
    for label in ("GI産品の生産地", "人口（2020年）", "年間観光来訪者数", "道の駅"):
        assert any(t.startswith(label) for t in titles), (label, titles)
    assert spec["active"] == "visitors"  # the last chosen choropleth is shown
    layers_file = _file(static, ps.url)["layers"]
    assert [layers_file[p["layer"]]["name"] for p in spec["points"]] == [
        "アニメ聖地", "ロケ地", "フィルムコミッション", "日本遺産 構成文化財"]
    assert all(p["idx"] is None for p in spec["points"])  # unfiltered: every row, no list sent
    assert len(maps.spec_json(spec).encode()) < 200_000  # the polygons and points are not in it
    placed = data.munis[data.munis.geometry.notna() & ~data.munis.geometry.is_empty]
    assert len(_file(static, ol.url)["features"]) == len(placed) > 1700  # 8 small islands have no polygon


def test_a_filter_sends_the_positions_of_its_rows_in_the_published_layer(data, published):
    static, ol, ps = published
    f = explorer.Filters(pref_codes=("13",))
    view = explorer.apply_filters(data, f)
    spec = explorer.build_map(view, f, outlines=ol, sources=ps)
    anime = next(p for p in spec["points"] if p["key"] == "anime_sites")
    full = _file(static, ps.url)["layers"]["anime_sites"]
    assert anime["src"] == ps.url  # the same cached file
    shown = sorted(zip([full["lat"][i] for i in anime["idx"]], [full["lon"][i] for i in anime["idx"]], strict=False))
    pts = view.anime_sites.dropna(subset=["lat", "lon"])
    assert shown == sorted(zip(pts["lat"].round(5), pts["lon"].round(5), strict=False))
    assert set(spec["scope"]) == set(view.munis["muni_code"])
    (s, w), (n, e) = spec["fit"]
    assert 20 < s < 35.6 and 35.6 < n < 36 and 136 < w < 139.6 < e  # Tokyo incl. its islands


def test_only_an_extent_change_moves_the_view(data, published):
    _, ol, ps = published
    keys = {}
    for name, f in {"all": explorer.Filters(), "layers": explorer.Filters(layers=("anime_sites",)),
                    "work": explorer.Filters(work="ラブライブ"), "edition": explorer.Filters(edition=2018),
                    "pref": explorer.Filters(pref_codes=("01",)), "muni": explorer.Filters(muni_code="01202")}.items():
        keys[name] = explorer.build_map(explorer.apply_filters(data, f), f, outlines=ol, sources=ps)["extentKey"]
    assert keys["all"] == keys["layers"] == keys["work"] == keys["edition"]
    assert len({keys["all"], keys["pref"], keys["muni"]}) == 3


def test_japan_is_framed_with_okinawa_and_ogasawara(data, published):
    _, ol, ps = published
    spec = explorer.build_map(data, explorer.Filters(), outlines=ol, sources=ps)
    (s, w), (n, e) = spec["fit"]
    for code in ("47382", "47375", "13421", "01100"):  # 与那国町, 竹富町 (波照間), 小笠原村, 札幌市
        b = ol.bounds.loc[code]
        assert s <= b["s"] and b["n"] <= n and w <= b["w"] and b["e"] <= e, code
    assert s < 24.5 and w < 123.1


def test_without_a_writable_static_folder_the_points_travel_inline(data, tmp_path):
    blocker = tmp_path / "static"
    blocker.write_text("")
    ps = explorer.point_sources(data, "en", static_dir=blocker)
    ol = maps.outlines(data.munis, static_dir=blocker)
    f = explorer.Filters(pref_codes=("01",), layers=("film_commissions",))
    spec = explorer.build_map(explorer.apply_filters(data, f), f, outlines=ol, sources=ps, lang="en")
    (fc,) = spec["points"]
    assert ps.url is None and "src" not in fc and fc["data"]["name"] == "Film commissions"
    assert len(fc["data"]["lat"]) == int(data.film_commissions["pref_code"].eq("01").sum())


def test_gi_popup_lists_the_products_of_a_municipality(data):
    mf = explorer.municipality_frame(data, "ja")
    row = mf.set_index("muni_code").loc["02201"]  # 青森市: あおもりカシス (第1号) is registered there
    assert "あおもりカシス" in row["gi_names"] and row["gi_count"] >= 1
def test_a_map_of_one_municipality_can_take_its_finer_outline(data, con):
    from revitalize.analysis import profile

    p = profile.load(con, "13362")  # 利島村: only the finer files have its polygon
    one = explorer.with_outline(explorer.apply_filters(data, explorer.Filters(muni_code="13362")), p.muni)
    assert len(one.munis) == 1 and one.munis.geometry.iloc[0].equals(p.muni.geometry.iloc[0])
    assert list(one.munis.columns) == list(data.munis.columns)
    hakodate = data.munis.set_index("muni_code").geometry["01202"]
    untouched = explorer.with_outline(data, p.muni).munis.set_index("muni_code").geometry["01202"]
    assert untouched.equals(hakodate)  # only the municipalities given change

def test_gi_choropleth_popup_lists_the_products(data, published):
    _, ol, ps = published
    spec = explorer.build_map(data, explorer.Filters(), outlines=ol, sources=ps)
    (gi,) = spec["choropleths"]
    i = ol.codes.index("02201")
    assert "あおもりカシス" in gi["detail"][i] and gi["cls"][i] != "-"
