"""Explorer data: filters follow the data, municipality search, the map and its payload."""

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


def test_explorer_map_has_every_layer_and_stays_small(data):
    m = explorer.build_map(data, explorer.Filters(layers=explorer.ALL_LAYERS), lang="ja")
    html = maps.to_html(m)
    for label in ("アニメ聖地", "ロケ地", "フィルムコミッション", "日本遺産 構成文化財", "GI産品の生産地", "人口（2020年）",
                  "年間観光来訪者数", "道の駅"):
        assert label.encode("unicode_escape").decode().replace("\\u", "\\\\u") in html.replace("\\u", "\\\\u") \
            or label in html
    assert len(html.encode()) < 2_000_000


def test_gi_popup_lists_the_products_of_a_municipality(data):
    mf = explorer.municipality_frame(data, "ja")
    row = mf.set_index("muni_code").loc["02201"]  # 青森市: あおもりカシス (第1号) is registered there
    assert "あおもりカシス" in row["gi_names"] and row["gi_count"] >= 1
    html = maps.to_html(explorer.build_map(data, explorer.Filters()))
    assert "gi_names" in html


def test_a_map_of_one_municipality_can_take_its_finer_outline(data, con):
    from revitalize.analysis import profile

    p = profile.load(con, "13362")  # 利島村: only the finer files have its polygon
    one = explorer.with_outline(explorer.apply_filters(data, explorer.Filters(muni_code="13362")), p.muni)
    assert len(one.munis) == 1 and one.munis.geometry.iloc[0].equals(p.muni.geometry.iloc[0])
    assert list(one.munis.columns) == list(data.munis.columns)
    hakodate = data.munis.set_index("muni_code").geometry["01202"]
    untouched = explorer.with_outline(data, p.muni).munis.set_index("muni_code").geometry["01202"]
    assert untouched.equals(hakodate)  # only the municipalities given change
