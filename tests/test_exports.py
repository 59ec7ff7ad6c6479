"""Exports: CSV (UTF-8 BOM, CP932), Excel, GeoJSON, GeoPackage, KML and evidence sheets, read back by
independent readers (pandas, openpyxl, pyogrio/GDAL, sqlite3, xml.etree, pdftotext/pdfinfo).

The PDF tests need poppler-utils (pdftotext, pdfinfo); .ci/run installs it. They skip only where it is
absent (a developer machine without it), saying so.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import open_app_page
from hypothesis import given, settings
from hypothesis import strategies as st

from revitalize.analysis import scoring
from revitalize.core import i18n
from revitalize.core import settings as rv_settings
from revitalize.core.errors import ExportError
from revitalize.data import credits as credits_mod
from revitalize.outputs import evidence, explorer, formats, geo, shortlists, tables

needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                   reason="pdftotext/pdfinfo (poppler-utils) not installed; CI installs them")
FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=1+1"]


# ------------------------------------------------------------------------------------------- tiny fixtures

def _places(polygons: bool = False) -> gpd.GeoDataFrame:
    """Three municipalities as 0.1° boxes (two sharing an edge) with points inside."""
    boxes = {"13101": shapely.box(139.7, 35.6, 139.8, 35.7), "13102": shapely.box(139.8, 35.6, 139.9, 35.7),
             "01100": shapely.box(141.2, 43.0, 141.4, 43.1)}
    geoms = list(boxes.values()) if polygons else [g.centroid for g in boxes.values()]
    return gpd.GeoDataFrame({"name_ja": ["千代田区", "中央区", "札幌市"]}, geometry=geoms, crs="EPSG:4326",
                            index=pd.Index(list(boxes), name="muni_code"))


def _shortlist(lang: str = "ja", **table_overrides) -> shortlists.Shortlist:
    table = pd.DataFrame({
        "rank": [1, 2, 3, 4], "item_id": ["01100", "C-1", "13101", "99"],
        "name": ["札幌市", "候補・東京", FORMULAS[0], "位置なし"], "pref_name": ["北海道", "東京都", "東京都", ""],
        "muni_codes": ["01100", "13101;13102", "13101", ""], "score": [0.9, 0.5, -0.25, np.nan],
        "reason": ["「コンテンツ」が強い", "+強い", "@理由", ""],
        "source_urls": ["https://example.org/a", "", "https://example.org/c?q=1", ""], **table_overrides})
    return shortlists.Shortlist(table=table, kind="candidates", title="テスト一覧", lang=lang,
                             weights={"anime": 3.0, "filming": 0.0}, credits=("出典：テストA", "出典：テストB"),
                             sources=shortlists.source_table(["boundaries", "anime_sites"], lang))


def _csv_back(data: bytes, encoding: str, n: int) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding=encoding, nrows=n, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------------------------------------ file names

@given(st.text(max_size=300))
@settings(deadline=None, max_examples=300)
def test_safe_filename_rules(name):
    out = formats.safe_filename(name)
    assert out and len(out.encode()) <= 200
    assert not set(out) & set('/\\:*?"<>|')
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in out)
    assert out.split(".")[0].strip().upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert not out.startswith((".", " ")) and not out.endswith((".", " "))
    assert formats.safe_filename(out) == out  # idempotent


@pytest.mark.parametrize("name,expected", [
    ("札幌市_スコア上位50.xlsx", "札幌市_スコア上位50.xlsx"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("a\u202etxt.exe", "a_txt.exe"),
    ("候補:東京/大阪?.csv", "候補_東京_大阪_.csv"),
    ("  ...  ", "export"),
])
def test_safe_filename_examples(name, expected):
    assert formats.safe_filename(name) == expected


def test_safe_filename_cuts_long_japanese_names_and_keeps_the_extension():
    out = formats.safe_filename("北海道" * 200 + ".xlsx", max_bytes=100)
    assert out.endswith(".xlsx") and len(out.encode()) <= 100 and out.startswith("北海道")


# ------------------------------------------------------------------------------------------------------ CSV

def test_csv_utf8_and_cp932_read_back_to_the_same_values():
    sl = _shortlist()
    utf8, w1 = tables.to_csv(sl)
    sjis, w2 = tables.to_csv(sl, encoding="cp932")
    assert utf8.startswith("\ufeff".encode()) and not w1 and not w2
    a, b = _csv_back(utf8, "utf-8-sig", len(sl)), _csv_back(sjis, "cp932", len(sl))
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns[:4]) == ["順位", "ID", "名称", "都道府県"]
    assert a["名称"].tolist()[:2] == ["札幌市", "候補・東京"]
    assert a["団体コード"].tolist() == ["01100", "13101;13102", "13101", ""]  # leading zeros kept
    assert pd.to_numeric(a["スコア"]).tolist()[:3] == [0.9, 0.5, -0.25]  # numbers stay numbers
    text = utf8.decode("utf-8-sig")
    for line in ("出典：テストA", "出典：テストB", "重み：", "テスト一覧"):
        assert line in text


def test_csv_english_headers():
    a = _csv_back(tables.to_csv(_shortlist("en"))[0], "utf-8-sig", 4)
    assert list(a.columns[:4]) == ["Rank", "ID", "Name", "Prefecture"]


def test_cp932_replaces_unrepresentable_characters_and_lists_them_with_row_and_column():
    sl = _shortlist(name=["𠮷野家", "Café — 東京", "普通の名前", "波〜ダッシュ"])
    data, warnings = tables.to_csv(sl, encoding="cp932")
    back = _csv_back(data, "cp932", 4)
    assert back["名称"].tolist() == ["?野家", "Caf? ― 東京", "普通の名前", "波～ダッシュ"]
    where = {(w.row, w.column) for w in warnings}
    assert where == {(1, "名称"), (2, "名称"), (4, "名称")}
    msg = " ".join(str(w) for w in warnings)
    assert "U+20BB7" in msg and "U+00E9" in msg and "U+2014" in msg and "U+301C" in msg


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
@settings(deadline=None, max_examples=150)
def test_cp932_never_fails_and_reports_exactly_the_changed_cells(names):
    n = len(names)
    sl = shortlists.Shortlist(table=pd.DataFrame({"name": names, "muni_codes": ["01100"] * n}), kind="t", title="t")
    data, warnings = tables.to_csv(sl, encoding="cp932")
    expected = [tables.cp932_text(tables.neutralise(s))[0] for s in names]
    changed_rows = {i + 1 for i, s in enumerate(names) if tables.cp932_text(tables.neutralise(s))[1]}
    assert {w.row for w in warnings if w.column == "名称"} == changed_rows
    # cells that hold newlines or are empty do not survive a CSV round trip as-is; the rest must
    if all(s and "\n" not in s and "\r" not in s and s.strip() == s for s in expected):
        back = pd.read_csv(io.BytesIO(data), encoding="cp932", nrows=n, dtype=str, keep_default_na=False)
        assert back["名称"].tolist() == expected


class TestCsvReadsBackAsItsRows:
    """Issue 13: credit lines as trailing '#' rows were read as data by pandas, QGIS and Excel's filters."""

    @pytest.mark.parametrize("enc,codec", [("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")])
    def test_shortlist_csv_has_exactly_its_rows_and_the_credits_in_a_column(self, enc, codec):
        sl = _shortlist()
        data, _ = tables.to_csv(sl, encoding=enc)
        back = pd.read_csv(io.BytesIO(data), encoding=codec, dtype=str, keep_default_na=False)  # no nrows, no comment
        assert len(back) == len(sl) and data.endswith(b"\r\n")
        credit = back["出典"].unique()
        assert len(credit) == 1 and "出典：テストA" in credit[0] and "テスト一覧" in credit[0]
        assert not any(line.startswith(b"#") for line in data.splitlines())

    def test_english_credit_column(self):
        back = pd.read_csv(io.BytesIO(tables.to_csv(_shortlist("en"))[0]), encoding="utf-8-sig")
        assert back.columns[-1] == "credits" and len(back) == 4

    def test_cp932_credit_problems_are_reported_once(self):
        sl = replace(_shortlist(), credits=("出典：𠮷田",))
        data, warnings = tables.to_csv(sl, encoding="cp932")
        assert [w.column for w in warnings if "U+20BB7" in str(w)] == ["出典"]

    @given(st.lists(st.text(max_size=15), min_size=0, max_size=40), st.lists(st.text(min_size=1, max_size=30),
                                                                              max_size=4))
    @settings(deadline=None, max_examples=100)
    def test_any_table_reads_back_with_as_many_rows(self, names, credits):
        df = pd.DataFrame({"name": names, "n": range(len(names))})
        data = tables.to_csv_bytes(df, credits=credits)
        back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert len(back) == len(df) and back["n"].astype(int).tolist() == list(range(len(names)))
        assert ("出典" in back.columns) == bool(credits)
        if credits and len(back):
            assert back["出典"].nunique() == 1  # the same credit text on every row


def test_unknown_encoding_is_refused():
    with pytest.raises(ExportError, match="cp932"):
        tables.to_csv(_shortlist(), encoding="latin-1")


def test_formula_injection_comes_back_inert_from_csv():
    sl = _shortlist(reason=FORMULAS[1:5])
    for enc, codec in (("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")):
        back = _csv_back(tables.to_csv(sl, encoding=enc)[0], codec, 4)
        for col in ("名称", "理由"):
            for v in back[col]:
                assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), (col, v)
        assert back["名称"].iloc[2] == "'" + FORMULAS[0]


# ---------------------------------------------------------------------------------------------------- Excel

def test_xlsx_sheets_types_frozen_header_filters_and_credits():
    sl = _shortlist()
    wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(sl)))
    assert wb.sheetnames == ["候補一覧", "基準と重み", "出典"]
    ws = wb["候補一覧"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["順位", "ID", "名称"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(sl) + 1}"
    col = {h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[col["スコア"]] for r in rows] == [0.9, 0.5, -0.25, None]
    assert all(isinstance(r[col["順位"]], int) for r in rows)
    assert rows[0][col["団体コード"]] == "01100"
    assert ws.cell(row=2, column=col["出典URL"] + 1).hyperlink.target == "https://example.org/a"
    crit = wb["基準と重み"]
    crit_header = [c.value for c in crit[1]]
    weights = {r[crit_header.index("キー")]: r[crit_header.index("使用した重み")]
               for r in crit.iter_rows(min_row=2, values_only=True) if r[0]}
    assert weights["anime"] == 3.0 and weights["filming"] == 0.0 and set(weights) == set(scoring.KEYS)
    texts = [c for row in wb["出典"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    for line in ("出典：テストA", "出典：テストB", "テスト一覧"):
        assert line in texts
    assert any("国土数値情報" in t for t in texts)  # the sources table


def test_xlsx_english_and_formula_injection_inert():
    sl = _shortlist("en", reason=FORMULAS[3:7])
    wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(sl)))
    assert wb.sheetnames == ["Shortlist", "Criteria and weights", "Sources"]
    ws = wb["Shortlist"]
    assert [c.value for c in ws[1]][:3] == ["Rank", "ID", "Name"]
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert ws.cell(row=4, column=3).value == "'" + FORMULAS[0]


@given(st.text(max_size=30))
@settings(deadline=None, max_examples=100)
def test_xlsx_keeps_any_text_as_text(s):
    sl = shortlists.Shortlist(table=pd.DataFrame({"name": [s], "muni_codes": ["01100"]}), kind="t", title="t")
    ws = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(sl))).active
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    expected = ILLEGAL_CHARACTERS_RE.sub("", tables.neutralise(s))
    # line ends are kept as they are: openpyxl writes a carriage return as _x000D_ and reads it back
    assert (ws.cell(row=2, column=1).value or "") == expected


# ------------------------------------------------------------------------------------------------------ geo

def test_geojson_rfc7946_points_and_multipoints_read_by_gdal(tmp_path):
    sl = _shortlist()
    places = _places()
    data = geo.to_geojson(sl, places)
    doc = json.loads(data)
    assert "crs" not in doc and doc["credits"] == ["出典：テストA", "出典：テストB"]
    path = tmp_path / "x.geojson"
    path.write_bytes(data)
    back = pyogrio.read_dataframe(path)
    assert len(back) == len(sl)
    assert back["name"].tolist()[:2] == ["札幌市", "候補・東京"]
    assert back["muni_codes"].tolist() == ["01100", "13101;13102", "13101", ""]
    assert back["score"].tolist()[:3] == [0.9, 0.5, -0.25]
    g = back.geometry
    assert g.iloc[0].equals_exact(places.geometry["01100"], 1e-6)
    assert g.iloc[1].geom_type == "MultiPoint" and len(g.iloc[1].geoms) == 2
    assert g.iloc[3] is None
    lon, lat = g.iloc[0].x, g.iloc[0].y
    assert 122 < lon < 154 and 20 < lat < 46  # lon/lat order


def test_geojson_polygons_are_dissolved_and_counter_clockwise(tmp_path):
    doc = json.loads(geo.to_geojson(_shortlist(), _places(polygons=True)))
    two = shapely.geometry.shape(doc["features"][1]["geometry"])
    assert two.geom_type == "Polygon" and two.area == pytest.approx(0.02, rel=1e-9)  # two boxes, one outline
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw


def test_gpkg_layers_attributes_crs_and_description(tmp_path):
    sl = _shortlist()
    path = tmp_path / "x.gpkg"
    path.write_bytes(geo.to_gpkg(sl, _places()))
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"shortlist", "credits", "criteria", "fields"}
    back = pyogrio.read_dataframe(path, layer="shortlist")
    assert len(back) == len(sl) and back.crs.to_epsg() == 4326
    assert back["name"].tolist()[2] == FORMULAS[0] and back["score"].tolist()[:2] == [0.9, 0.5]
    assert back.geometry.iloc[1].geom_type == "MultiPoint"
    credits = pyogrio.read_dataframe(path, layer="credits", read_geometry=False)
    assert credits["credit"].tolist() == list(sl.credits)
    with sqlite3.connect(path) as db:
        (desc,) = db.execute("SELECT description FROM gpkg_contents WHERE table_name = 'shortlist'").fetchone()
    assert "出典：テストA" in desc and "重み" in desc


def test_kml_placemarks_attributes_and_document_credits(tmp_path):
    sl = _shortlist()
    data = geo.to_kml(sl, _places(polygons=True))
    path = tmp_path / "x.kml"
    path.write_bytes(data)
    back = pyogrio.read_dataframe(path)
    assert len(back) == len(sl)
    assert back["Name"].tolist()[:2] == ["札幌市", "候補・東京"]
    assert back["muni_codes"].tolist() == ["01100", "13101;13102", "13101", ""]
    assert back["score"].tolist()[:2] == [0.9, 0.5]
    assert back.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.fromstring(data)
    desc = root.find("k:Document/k:description", ns).text
    assert "出典：テストA" in desc and "出典：テストB" in desc
    balloon = root.findall(".//k:Placemark/k:description", ns)[0].text
    assert "https://example.org/a" in balloon and "0.900" in balloon


def test_geometry_gaps_name_the_rows_without_a_location():
    gaps = geo.geometry_gaps(_shortlist(), _places())
    assert [g.row for g in gaps] == [4]


# --------------------------------------------------------------------------------------------- the table

def test_shortlist_checks_every_problem_at_once():
    with pytest.raises(ExportError) as exc:
        shortlists.Shortlist(table=pd.DataFrame({"x": [1]}), kind="", title="t", lang="fr")
    msg = str(exc.value)
    assert "name" in msg and "muni_codes" in msg and "lang" in msg and "kind" in msg


def test_shortlist_from_table_takes_a_candidate_table():
    df = pd.DataFrame({"candidate_id": ["FY2026-001", "FY2026-002"], "name_ja": ["候補A", "候補B"],
                       "name_en": ["Candidate A", None], "muni_codes": ["13101;13102", "01100"],
                       "score": [0.4, 0.3], "status": ["applied", "draft"], "source_url": ["https://a", None]})
    sl = shortlists.shortlist_from_table(df, kind="candidates", lang="en")
    assert sl.table["name"].tolist() == ["Candidate A", "候補B"]
    assert sl.table["item_id"].tolist() == ["FY2026-001", "FY2026-002"]
    assert "status" in sl.table.columns and sl.title == "Candidate list"
    assert any("MLIT" in c for c in sl.credits)
    kml = geo.to_kml(sl, _places())
    assert b"<MultiGeometry>" in kml


def test_shortlist_from_table_lists_every_bad_row():
    df = pd.DataFrame({"name": ["a", "b", "c"], "muni_code": ["0110", "01100", "x1234"], "score": ["hi", "", ""]})
    with pytest.raises(ExportError) as exc:
        shortlists.shortlist_from_table(df, kind="portfolio")
    msg = str(exc.value)
    assert "row 1" in msg and "row 3" in msg and "row 2," not in msg and "score" in msg


def test_headers_translate_every_score_column():
    cols = ["rank", "score", "coverage", "k_content", "c_anime", "raw_visitors", "missing", "lon"]
    ja = shortlists.headers(cols, "ja")
    assert ja["k_content"] == "基準：コンテンツの求心力" and ja["c_anime"] == "寄与：アニメ聖地"
    assert ja["lon"] == "lon"  # unknown columns keep their name
    assert len(set(ja.values())) == len(cols)


def test_sources_are_a_plain_registry(monkeypatch):
    assert set(shortlists.SOURCES) == {"score", "explorer", "portfolio", "candidates"}
    with pytest.raises(ExportError, match="expected one of"):
        shortlists.shortlist_for("nowhere", None)
    monkeypatch.setitem(shortlists.SOURCES, "portfolio", lambda con, *, lang, top, weights, **_: _shortlist(lang))
    assert shortlists.shortlist_for("portfolio", None, lang="en").lang == "en"


# ----------------------------------------------------------------------------------------- real database

def test_score_shortlist_matches_the_ranking(con):
    w = scoring.Weights.from_mapping({"anime": 5.0})
    sl = shortlists.shortlist_from_score(con, w, top=25, lang="ja")
    _, _, sub = scoring.inputs(con)
    expected = scoring.score(sub, w).sort_values(["rank"]).head(25)
    assert sl.table["muni_codes"].tolist() == expected.index.tolist()
    assert np.allclose(sl.table["score"], expected["score"])
    contrib = sl.table[[f"c_{k}" for k in scoring.KEYS]].sum(axis=1)
    assert np.allclose(contrib, sl.table["score"])
    assert sl.weights["anime"] == 5.0
    for line in credits_mod.credits(credits_mod.SCORING_SOURCES, "ja"):
        assert line in sl.credits
    okinawa = shortlists.shortlist_from_score(con, w, lang="ja", pref_codes=["47"])
    n47 = con.execute("SELECT count(*) FROM municipalities WHERE pref_code = '47' AND NOT is_disputed").fetchone()[0]
    assert len(okinawa) == n47 and okinawa.table["muni_codes"].str.startswith("47").all()


def test_explorer_shortlist_rows_and_coordinates_follow_the_filter(con):
    data = explorer.load_data(con)
    f = explorer.Filters(pref_codes=("13",), layers=("anime_sites", "filming_locations"))
    sl = shortlists.shortlist_from_explorer(data, f, "ja")
    n = con.execute("SELECT (SELECT count(*) FROM anime_sites WHERE pref_code = '13') + "
                    "(SELECT count(*) FROM filming_locations WHERE pref_code = '13')").fetchone()[0]
    gi = len(explorer.items_table(explorer.apply_filters(data, f), "ja")) - n
    assert len(sl) == n + gi
    pts = con.execute("SELECT 'anime_sites:' || site_id AS id, lon, lat FROM anime_sites WHERE pref_code = '13' "
                      "UNION ALL SELECT 'filming_locations:' || location_id, lon, lat FROM filming_locations "
                      "WHERE pref_code = '13'").df().set_index("id")
    mine = sl.table.set_index("item_id").loc[pts.index]
    assert np.allclose(mine["lon"].astype(float), pts["lon"], equal_nan=True)
    assert np.allclose(mine["lat"].astype(float), pts["lat"], equal_nan=True)
    assert any("東京都" in n for n in sl.notes)


def test_real_exports_round_trip(con, tmp_path):
    sl = shortlists.shortlist_from_score(con, top=40, lang="ja")
    places = geo.municipality_places(con)
    for fmt in ("geojson", "gpkg", "kml"):
        data, gaps = formats.export(sl, fmt, places=places)
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(data)
        back = pyogrio.read_dataframe(path, layer="shortlist" if fmt == "gpkg" else None)
        assert len(back) == 40 and back.geometry.notna().sum() == 40 - len(gaps)
        codes = back["muni_codes"].tolist()
        assert codes == sl.table["muni_codes"].tolist()
        pts = places.geometry.loc[codes]
        assert all(a.distance(b) < 1e-5 for a, b in zip(back.geometry, pts, strict=False) if a is not None)
    wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(sl)))
    assert wb.active.max_row == 41


# -------------------------------------------------------------------------------------------------- evidence

@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), st.floats(-1e6, 1e6))
@settings(deadline=None)
def test_national_percentile_bounds_and_order(values, x):
    p = evidence.national_percentile(pd.Series(values), x)
    assert 0 <= p <= 100
    assert evidence.national_percentile(pd.Series(values), x + 1e7) >= p
    assert evidence.national_percentile(pd.Series(values), float("nan")) is None


def _small_munis(con, n):
    """Municipalities with a polygon and at most two assets in all (their sheet fits one page)."""
    return con.execute(
        "SELECT m.muni_code, m.name_ja FROM municipalities m WHERE m.geom IS NOT NULL AND NOT m.is_disputed "
        "AND (SELECT count(*) FROM anime_sites a WHERE a.muni_code = m.muni_code) "
        "  + (SELECT count(*) FROM filming_locations f WHERE f.muni_code = m.muni_code) "
        "  + (SELECT count(*) FROM heritage_properties h WHERE h.muni_code = m.muni_code) "
        "  + (SELECT count(*) FROM roadside_stations r WHERE r.muni_code = m.muni_code) "
        "  + (SELECT count(*) FROM gi_areas g WHERE g.muni_code = m.muni_code) "
        "  + (SELECT count(*) FROM film_commissions c WHERE c.pref_code = m.pref_code) <= 2 "
        "ORDER BY m.muni_code LIMIT ?", [n]).fetchall()


def test_evidence_html_lists_every_asset_with_its_source_and_the_credits(con):
    code = con.execute("SELECT muni_code FROM anime_sites WHERE muni_code IS NOT NULL GROUP BY 1 "
                       "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    page = evidence.evidence_html(con, evidence.Subject((code,)), lang="ja")
    name = con.execute("SELECT name_ja FROM municipalities WHERE muni_code = ?", [code]).fetchone()[0]
    assert name in page and "<svg" in page and "<circle" in page
    urls = con.execute("SELECT source_url FROM anime_sites WHERE muni_code = ? UNION ALL "
                       "SELECT source_url FROM filming_locations WHERE muni_code = ? UNION ALL "
                       "SELECT url FROM heritage_properties WHERE muni_code = ? AND url IS NOT NULL",
                       [code, code, code]).fetchall()
    import html as html_mod

    for (cell,) in urls:  # a cell may hold several ';'-separated URLs: each becomes its own link
        for u in cell.split(";"):
            assert f'href="{html_mod.escape(u.strip())}"' in page
    for line in credits_mod.credits(credits_mod.SCORING_SOURCES, "ja"):
        assert html_mod.escape(line) in page
    for ind in scoring.INDICATORS:
        assert ind.label_ja in page


def test_evidence_percentiles_and_contributions_agree_with_scoring(con):
    ctx = evidence.context(con)
    code = "01100"
    rows = evidence.indicator_rows(ctx, code).set_index("key")
    _, raw, sub = scoring.inputs(con)
    s = scoring.score(sub, scoring.Weights())
    assert rows["contribution"].sum() == pytest.approx(s.loc[code, "score"])
    vis = raw["visitors"].dropna()
    v = raw.loc[code, "visitors"]
    expected = 100 * ((vis < v).sum() + 0.5 * (vis == v).sum()) / len(vis)
    assert rows.loc["visitors", "percentile"] == pytest.approx(expected)


def test_evidence_map_draws_the_finer_outline_even_for_an_island_the_nationwide_file_lost(con):
    """利島村 (13362) has no polygon in the 0.1 % file: its sheet's map fills the 1 % outline."""
    ctx = evidence.context(con)
    empty = pd.DataFrame(columns=["layer", "lon", "lat", "label"])
    svg = evidence.map_svg(ctx, ["13362"], empty)
    assert svg.startswith("<svg") and 'fill="#ffd8a8"' in svg
    fine = ctx.polygons.geometry["01202"]
    coarse = con.execute("SELECT ST_NPoints(geom) FROM municipalities WHERE muni_code = '01202'").fetchone()[0]
    assert shapely.get_num_coordinates(fine) > 2 * coarse


def test_evidence_for_a_group_shows_its_title_members_linked_assets_and_population_weighted_score(con):
    site = con.execute("SELECT site_id, muni_code, source_url FROM anime_sites WHERE muni_code = '13101' LIMIT 1"
                       ).fetchone()
    assets = pd.DataFrame({"layer": ["anime_sites"], "asset_id": [site[0]], "label": ["リンクした聖地"],
                           "source_url": [site[2]]})
    ctx = evidence.context(con)
    sheet = evidence.gather(con, evidence.Subject(("13101", "13102"), title="候補テスト", assets=assets), ctx)
    assert sheet.linked and len(sheet.assets) == 1 and pd.notna(sheet.assets["lon"].iloc[0])
    pop = con.execute("SELECT muni_code, total FROM population WHERE year = 2020 AND muni_code IN ('13101','13102')"
                      ).df().set_index("muni_code")["total"].astype(float)
    sc = ctx.scores.loc[["13101", "13102"], "score"]
    assert sheet.group_score == pytest.approx(float((sc * pop).sum() / pop.sum()))
    page = evidence.sheet_html(sheet, ctx)
    assert "候補テスト" in page and "千代田区" in page and "中央区" in page and "リンクした聖地" in page


def test_subjects_from_shortlists():
    sl = _shortlist()
    subs = evidence.subjects_from_shortlist(sl, top=3)
    assert [s.muni_codes for s in subs] == [("01100",), ("13101", "13102"), ("13101",)]
    assert subs[1].title == "候補・東京"
    with pytest.raises(ExportError):
        evidence.Subject(("1234",))


@needs_poppler
def test_evidence_pdf_pages_names_and_cjk_fonts(con, tmp_path):
    picks = _small_munis(con, 3)
    assert len(picks) == 3
    pdf = evidence.evidence_pdf(con, [evidence.Subject((c,)) for c, _ in picks], lang="ja")
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           3" in info
    for page, (_, name) in enumerate(picks, start=1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert name in text and "全国百分位" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


@needs_poppler
def test_a_long_sheet_names_its_municipality_on_every_page(con, tmp_path):
    code, name = con.execute("SELECT h.muni_code, m.name_ja FROM heritage_properties h JOIN municipalities m "
                             "USING (muni_code) GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1").fetchone()
    path = tmp_path / "long.pdf"
    path.write_bytes(evidence.evidence_pdf(con, evidence.Subject((code,))))
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert pages > 1
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    chunks = text.split("\f")[:pages]
    assert all(name in chunk for chunk in chunks)


@needs_poppler
def test_evidence_progress_reports_every_sheet_and_every_page(con, tmp_path):
    picks = _small_munis(con, 3)
    seen = []
    pdf = evidence.render(con, [evidence.Subject((c,)) for c, _ in picks], "pdf",
                          progress=lambda stage, done, total: seen.append((stage, done, total)))
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert [x for x in seen if x[0] == "sheets"] == [("sheets", 1, 3), ("sheets", 2, 3), ("sheets", 3, 3)]
    laid = [done for stage, done, _ in seen if stage == "pages"]
    assert laid == list(range(1, pages + 1))
    assert not logging.getLogger("weasyprint.progress").handlers  # the counter is removed afterwards


def test_export_cli_shows_no_progress_bar_when_stderr_is_not_a_terminal(built_db, tmp_path):
    out = tmp_path / "s.html"
    r = subprocess.run([sys.executable, "-m", "revitalize", "export", "--from", "score", "--top", "3", "--format",
                        "html", "-o", str(out)], capture_output=True, text=True, cwd=rv_settings.PROJECT_ROOT,
                       env={**os.environ, "REVITALIZE_DB": str(built_db)})
    assert r.returncode == 0, r.stderr
    assert "sheets:" not in r.stderr and "it/s" not in r.stderr and out.read_text().count('class="sheet"') == 3


def test_missing_pdf_engine_is_a_clear_error_and_html_still_works(con, monkeypatch):
    monkeypatch.setattr(evidence, "pdf_problem", lambda: "ImportError: no module named weasyprint")
    with pytest.raises(ExportError, match="WeasyPrint"):
        evidence.evidence_pdf(con, evidence.Subject(("01100",)))
    assert "札幌市" in evidence.evidence_html(con, evidence.Subject(("01100",)))


# -------------------------------------------------------------------------------------------------------- CLI

def _cli(args, built_db, cwd=None):
    import os

    env = {**os.environ, "REVITALIZE_DB": str(built_db)}
    return subprocess.run([sys.executable, "-m", "revitalize", "export", *args], capture_output=True, env=env,
                          cwd=cwd or rv_settings.PROJECT_ROOT, timeout=300, check=False)


def test_cli_xlsx_and_cp932_and_default_file_name(built_db, tmp_path):
    r = _cli(["--from", "score", "--top", "7", "--format", "xlsx", "-o", str(tmp_path / "s.xlsx")], built_db)
    assert r.returncode == 0, r.stderr.decode()
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert wb.active.max_row == 8 and isinstance(wb.active["F2"].value, float)
    r = _cli(["--from", "score", "--top", "3", "--format", "csv-cp932", "--lang", "en", "-o", str(tmp_path)], built_db)
    assert r.returncode == 0, r.stderr.decode()
    (made,) = list(tmp_path.glob("*.csv"))
    assert made.name.startswith("revitalize_score_") and formats.safe_filename(made.name) == made.name
    back = pd.read_csv(made, encoding="cp932", nrows=3, dtype={"Municipality codes": str})
    assert list(back["Rank"]) == [1, 2, 3]


def test_cli_explorer_kml_and_errors(built_db, tmp_path):
    r = _cli(["--from", "explorer", "--pref", "47", "--layers", "anime_sites,filming_locations", "--format", "kml",
              "-o", str(tmp_path / "o.kml")], built_db)
    assert r.returncode == 0, r.stderr.decode()
    back = pyogrio.read_dataframe(tmp_path / "o.kml")
    assert len(back) > 0 and (back["muni_codes"].str.startswith("47") | back["muni_codes"].eq("")).all()
    r = _cli(["--from", "candidates"], built_db)  # an empty register: a clear message, no traceback
    assert r.returncode == 2 and "出力する拠点候補がありません".encode() in r.stderr and b"Traceback" not in r.stderr
    r = _cli(["--top", "0", "--pref", "99", "--layers", "bogus"], built_db)
    err = r.stderr.decode()
    assert r.returncode == 2 and "--top" in err and "--pref" in err and "--layers" in err


@needs_poppler
def test_cli_pdf_for_one_municipality(built_db, tmp_path):
    r = _cli(["--muni", "01100", "--format", "pdf", "--lang", "en", "-o", str(tmp_path / "s.pdf")], built_db)
    assert r.returncode == 0, r.stderr.decode()
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Sapporo" in text and "National percentile" in text


# ------------------------------------------------------------------------------------------------------- page

def _page():
    return open_app_page("pages/export.py")


def _download_labels(at) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


def test_page_exports_score_as_cp932_csv_and_xlsx(app_env):
    at = _page()
    assert at.title[0].value == i18n.t("ex.nav", "ja") and at.dataframe
    at.number_input(key="ex_top").set_value(10)
    at.selectbox(key="ex_format").set_value("csv-cp932").run()
    assert not _download_labels(at)  # nothing prepared yet
    at.button(key="ex_prepare").click().run()
    assert not at.exception and not at.error
    (label,) = _download_labels(at)
    assert label.endswith(".csv") and "スコア上位 10" in label
    at.selectbox(key="ex_format").set_value("xlsx").run()
    assert not _download_labels(at)  # the CSV is not offered as the workbook
    at.button(key="ex_prepare").click().run()
    assert _download_labels(at)[0].endswith(".xlsx")


def test_page_explorer_kml_pdf_and_an_empty_candidate_register(app_env):
    at = _page()
    at.radio(key="ex_source").set_value("candidates").run()
    assert not at.exception and at.error and "出力する拠点候補がありません" in at.error[0].value
    assert not _download_labels(at)
    from revitalize.data import db
    from revitalize.workflow import candidates as C
    from revitalize.workflow.auth import User

    wf = db.connect_workflow()
    C.create(wf, User("boss", "admin"), C.CandidateData("函館アニメ聖地めぐり", "tourism", 2025, ("01202",)))
    wf.close()
    at.run()  # the register changed: the page must not serve the cached empty answer
    assert not at.error and "函館アニメ聖地めぐり" in at.dataframe[0].value.to_string()
    at.radio(key="ex_source").set_value("explorer").run()
    at.multiselect(key="ex_pref").set_value(["47"]).run()
    assert not at.exception and "地図で探す" in at.subheader[0].value
    at.selectbox(key="ex_format").set_value("kml").run()
    at.button(key="ex_prepare").click().run()
    assert _download_labels(at)[0].endswith(".kml")
    at.selectbox(key="ex_format").set_value("pdf").run()
    at.button(key="ex_prepare").click().run()
    assert not at.exception and not at.error
    assert _download_labels(at)[0].endswith(".pdf")


def test_gpkg_takes_points_and_polygons_together(tmp_path):
    sl = _shortlist(lon=[141.3, None, None, None], lat=[43.05, None, None, None])  # row 1 has its own point
    path = tmp_path / "mixed.gpkg"
    path.write_bytes(geo.to_gpkg(sl, _places(polygons=True)))
    back = pyogrio.read_dataframe(path, layer="shortlist")
    assert back.geometry.iloc[0].geom_type == "Point"
    assert back.geometry.iloc[1].geom_type in ("Polygon", "MultiPolygon") and back.geometry.iloc[3] is None


def test_a_kml_too_large_for_google_my_maps_says_so(con, monkeypatch):
    sl = shortlists.shortlist_from_score(con, top=20)
    places = geo.municipality_places(con)
    data, warnings = formats.export(sl, "kml", places=places)
    assert not any("My Maps" in str(w) for w in warnings)
    monkeypatch.setattr(geo, "KML_MY_MAPS_LIMIT", len(data) - 1)
    data2, warnings = formats.export(sl, "kml", places=places)
    assert data2 == data and any("Google My Maps" in str(w) and f"{len(data) / 1e6:.1f} MB" in str(w)
                                 for w in warnings)
