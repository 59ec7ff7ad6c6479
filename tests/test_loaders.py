"""Reference-file readers on tiny inline fixtures."""

import pandas as pd
import pytest
from conftest import box, write_geojson

from revitalize.core.errors import InputError
from revitalize.data import loaders

CENSUS_HEAD = ('"","","","","/項目 コード","A1101","A1301","A1302","A1303"\n'
               '"地域 コード","地域","調査年 コード","調査年","/項目","A1101_総人口【人】","x","y","z"\n')


def test_census_parses_thousands_separators_and_codes(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(CENSUS_HEAD + '"01100","北海道 札幌市","2020100000","2020年度","","1,973,395","215,366","1,185,724",'
                 '"541,242"\n"1202","北海道 函館市","2015100000","2015年度","","265,979","-","1","2"\n', encoding="utf-8")
    df = loaders.read_census(p)
    assert list(df["muni_code"]) == ["01100", "01202"]
    assert df.loc[0, "total"] == 1973395 and df.loc[0, "age_65_plus"] == 541242
    assert pd.isna(df.loc[1, "age_0_14"])  # '-' is missing, not zero


def test_census_with_changed_header_names_the_dataset(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(CENSUS_HEAD.replace("A1303", "A9999") + '"01100","x","y","2020年度","","1","1","1","1"\n',
                 encoding="utf-8")
    with pytest.raises(InputError) as exc:
        loaders.read_census(p)
    assert exc.value.dataset == "population" and "A1303" in str(exc.value) and "c.csv" in str(exc.value)


def test_census_reports_every_bad_row_at_once(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(CENSUS_HEAD + '"ABCDE","x","y","2020年度","","1","1","1","1"\n'
                 '"01100","x","y","twenty","","1","1","1","1"\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        loaders.read_census(p)
    rows = sorted(pr.row for pr in exc.value.problems)
    assert rows == [3, 4]


def test_tourism_pads_codes_and_skips_placeholder_rows(tmp_path):
    p = tmp_path / "all.csv"
    p.write_text("\ufeffmonth,lgcode,n\n202401,1101,10\n202401,13101,5\n0,NaN,NaN\n", encoding="utf-8")
    df = loaders.read_tourism(p)
    assert list(df["code"]) == ["01101", "13101"] and list(df["visitors"]) == [10, 5]
    assert df.attrs["placeholder_rows_skipped"] == 1


def test_tourism_changed_header_is_an_error(tmp_path):
    p = tmp_path / "all.csv"
    p.write_text("month,code,n\n202401,1101,10\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        loaders.read_tourism(p)
    assert exc.value.dataset == "tourism" and "lgcode" in str(exc.value)


def test_municipalities_kinds_codes_and_uncoded_areas(tiny_boundaries):
    m = loaders.read_municipalities(tiny_boundaries["munis"], tiny_boundaries["wards"])
    assert list(m["muni_code"]) == ["01100", "13101", "13102", "13308"]  # 所属未定地 dropped
    kinds = dict(zip(m["muni_code"], m["kind"], strict=False))
    assert kinds == {"01100": "designated_city", "13101": "special_ward", "13102": "special_ward", "13308": "town"}
    assert m.crs.to_epsg() == 4326
    assert m.set_index("muni_code").loc["13308", "county_ja"] == "西多摩郡"


def test_wards_link_to_their_city(tiny_boundaries):
    m = loaders.read_municipalities(tiny_boundaries["munis"])
    w = loaders.read_wards(tiny_boundaries["wards"], m)
    assert dict(zip(w["ward_code"], w["muni_code"], strict=False)) == {"01101": "01100", "01102": "01100"}


def test_prefectures_get_codes_and_english_names(tiny_boundaries):
    p = loaders.read_prefectures(tiny_boundaries["prefs"])
    assert list(p["pref_code"]) == ["01", "13"] and list(p["name_en"]) == ["Hokkaido", "Tokyo"]


@pytest.mark.parametrize("pref,text,expected", [
    ("13", "西多摩郡奥多摩町", "13308"),      # county stripped
    ("13", "奥多摩", "13308"),               # name without its 町
    ("01", "札幌市中央区", "01100"),          # ward text → its designated city
    ("13", "東京都千代田区", "13101"),        # prefecture prefix
    ("13", "札幌市", None),                  # wrong prefecture: no match
])
def test_station_location_matching(tiny_boundaries, pref, text, expected):
    m = loaders.read_municipalities(tiny_boundaries["munis"])
    assert loaders.match_municipality_name(pref, text, m) == expected


def test_county_named_city_is_matched_before_stripping(tiny_boundaries):
    m = pd.DataFrame({"muni_code": ["21219", "21220"], "pref_code": ["21", "21"], "name_ja": ["郡上市", "下呂市"]})
    assert loaders.match_municipality_name("21", "郡上市", m) == "21219"


def test_stations_json_with_missing_keys_lists_rows(tmp_path):
    p = tmp_path / "s.json"
    p.write_text('[{"i": "a", "p": "北海道", "n": "x", "l": "三笠市"}, {"i": "b", "p": "北海道"}]', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        loaders.read_roadside_stations(p)
    assert [pr.row for pr in exc.value.problems] == [2]


def test_outlines_dissolve_wards_into_their_city_and_fill_lost_polygons(tiny_boundaries, tmp_path):
    """The finer files are ward level: 札幌市's two wards become one outline; a polygon the nationwide file
    lost (奥多摩町 here) is taken from them."""
    m = loaders.read_municipalities(tiny_boundaries["munis"], tiny_boundaries["wards"])
    n = lambda pref, county, name, code: {"N03_001": pref, "N03_002": None, "N03_003": county,  # noqa: E731
                                          "N03_004": name, "N03_007": code}
    tokyo = write_geojson(tmp_path / "N03-21_13_210101.json", [
        (n("東京都", None, "千代田区", "13101"), box(139.7, 35.6, 139.8, 35.7)),
        (n("東京都", None, "中央区", "13102"), box(139.8, 35.6, 139.9, 35.7)),
        (n("東京都", "西多摩郡", "奥多摩町", "13308"), box(139.0, 35.7, 139.1, 35.8)),
        (n("東京都", None, "所属未定地", None), box(139.9, 35.6, 140.0, 35.7)),
    ])
    hokkaido = write_geojson(tmp_path / "N03-21_01_210101.json", [
        (n("北海道", "札幌市", "中央区", "01101"), box(141.2, 43.0, 141.3, 43.1)),
        (n("北海道", "札幌市", "北区", "01102"), box(141.3, 43.0, 141.4, 43.1)),
    ])
    out = loaders.read_outlines([tokyo, hokkaido], m)
    assert list(out["muni_code"]) == ["01100", "13101", "13102", "13308"] and out.crs.to_epsg() == 4326
    sapporo = out.set_index("muni_code").geometry["01100"]
    assert sapporo.geom_type == "Polygon" and sapporo.area == pytest.approx(0.02)
    lost = m.copy()
    lost.loc[lost["muni_code"] == "13308", "geometry"] = None
    filled, codes_ = loaders.fill_lost_polygons(lost, out)
    assert codes_ == ["13308"] and filled.geometry.notna().all()
    assert lost.geometry.isna().sum() == 1  # the input is not changed


def test_outlines_with_an_unknown_code_name_file_row_and_column(tiny_boundaries, tmp_path):
    m = loaders.read_municipalities(tiny_boundaries["munis"], tiny_boundaries["wards"])
    bad = write_geojson(tmp_path / "N03-21_13_210101.json", [
        ({"N03_001": "東京都", "N03_002": None, "N03_003": None, "N03_004": "千代田区", "N03_007": "13101"},
         box(139.7, 35.6, 139.8, 35.7)),
        ({"N03_001": "東京都", "N03_002": None, "N03_003": None, "N03_004": "架空村", "N03_007": "13999"},
         box(139.0, 35.0, 139.1, 35.1)),
    ])
    with pytest.raises(InputError) as exc:
        loaders.read_outlines([bad], m)
    assert exc.value.dataset == "boundaries_fine"
    (p,) = exc.value.problems
    assert (p.file, p.row, p.column) == ("N03-21_13_210101.json", 2, "N03_007") and "13999" in p.found
