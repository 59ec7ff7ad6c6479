"""Uploads: limits first, encodings, header/row/cell checks, GIS formats, standard datasets, real files, speed."""

from __future__ import annotations

import datetime as dt
import io
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from revitalize.core import i18n
from revitalize.core.errors import InputError
from revitalize.data import uploads
from revitalize.data.uploads import Limits

BAD = Path(__file__).parent / "data" / "bad"
sys.path.insert(0, str(BAD))
import make_corpus  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import MIRROR  # noqa: E402

from benchmarks.uploads import entity_bombs, standard_csv  # noqa: E402

MUNICIPAL = MIRROR / "municipal_open_data"  # conftest.MIRROR: honours REVITALIZE_TEST_NO_MIRROR

SHIMABARA = [("島原城", 130.36723, 32.78926), ("武家屋敷", 130.36284, 32.79273), ("雲仙岳", 130.2883, 32.7612)]


def places(crs: int = 4326) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame({"名称": [n for n, _, _ in SHIMABARA], "種別": ["城", "町並み", "山"]},
                         geometry=[shapely.Point(x, y) for _, x, y in SHIMABARA], crs=4326)
    return g.to_crs(crs)


def write(g: gpd.GeoDataFrame, driver: str) -> bytes:
    out = io.BytesIO()
    g.to_file(out, driver=driver)
    return out.getvalue()


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def shapefile_zip(g: gpd.GeoDataFrame, tmp_path: Path, *, encoding: str = "utf-8", drop: tuple[str, ...] = ()) -> bytes:
    g.to_file(tmp_path / "places.shp", encoding=encoding)
    return zipped({p.name: p.read_bytes() for p in sorted(tmp_path.iterdir()) if p.suffix not in drop})


def problem_texts(upload: uploads.Upload) -> str:
    return "\n".join(str(p) for p in upload.problems)


# ---------------------------------------------------------------------------------------------- corpus

class TestCorpus:
    """Every committed malformed file gives the problem its README row names, at that row and column."""

    def test_corpus_is_up_to_date(self):
        made = make_corpus.files()
        assert len(made) >= 30
        for name, data in made.items():
            if data.startswith(b"PK"):  # zips carry the time they were made: only their presence is checked
                assert (BAD / name).exists(), f"{name} missing: run tests/data/bad/make_corpus.py"
            else:
                assert (BAD / name).read_bytes() == data, f"{name} differs: run tests/data/bad/make_corpus.py"
        assert (BAD / "README.md").read_text(encoding="utf-8") == make_corpus.readme()

    @pytest.mark.parametrize("case", make_corpus.CASES, ids=lambda c: c.file)
    def test_file_gives_its_problem(self, case):
        up = uploads.inspect_upload((BAD / case.file).read_bytes(), case.file, **dict(case.options))
        assert not up.ok
        hits = [p for p in up.problems if case.problem in f"{p.expected} {p.found}"
                and (case.row is None or p.row == case.row) and (case.column is None or p.column == case.column)]
        assert hits, problem_texts(up)
        assert all(p.file == case.file for p in up.problems)
        with pytest.raises(InputError) as exc:
            uploads.read_upload((BAD / case.file).read_bytes(), case.file, **dict(case.options))
        assert case.problem in str(exc.value)

    def test_all_problems_at_once(self):
        data = make_corpus.csv("名称,住所,緯度,経度,開始日", ",長崎県\x00島原市,130.3,32.7,2025-04-01 (tentative)",
                               "島原城,長崎県島原市,51.5,-0.12,令和7年").encode("utf-8")
        up = uploads.inspect_upload(data, "many.csv")
        kinds = {(p.row, p.column, p.expected.split(" ")[0]) for p in up.problems}
        assert (1, "名称", "a") in kinds                      # empty name
        assert any(p.row == 1 and p.column == "住所" and "NUL" in p.found for p in up.problems)
        assert any(p.row == 1 and "swapped" in p.found for p in up.problems)
        assert any(p.row == 2 and "outside Japan" in p.found for p in up.problems)
        assert {p.row for p in up.problems if p.column == "開始日"} == {1, 2}

    def test_problems_are_capped_with_a_count(self):
        rows = ["名称,住所"] + [",x"] * 50
        up = uploads.inspect_upload(("\n".join(rows) + "\n").encode(), "empty_names.csv",
                                    limits=Limits(max_problems=10))
        assert len(up.problems) == 11
        assert "40 more problem(s)" in up.problems[-1].found


# ---------------------------------------------------------------------------------------------- limits

class TestLimits:
    def test_oversized_upload_is_refused_before_reading(self, monkeypatch):
        monkeypatch.setattr(uploads, "decode_text", lambda *a, **k: pytest.fail("decoded an oversized upload"))
        data = b"a" * (50 * 1024 * 1024 + 1)
        up = uploads.inspect_upload(data, "big.csv")
        assert [p.expected for p in up.problems] == ["a file of at most 50.0 MB (52,428,800 bytes) (max_upload_bytes)"]
        assert up.problems[0].found == "50.0 MB (52,428,801 bytes)"

    def test_zip_bomb_is_refused_from_its_declared_sizes(self, monkeypatch):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, z.open("doc.kml", "w") as fh:
            block = b"\0" * (1024 * 1024)
            for _ in range(210):
                fh.write(block)
        data = out.getvalue()
        assert len(data) < 1024 * 1024
        monkeypatch.setattr(uploads.gis, "read_zip_member", lambda *a, **k: pytest.fail("extracted a bomb"))
        up = uploads.inspect_upload(data, "bomb.kmz")
        text = problem_texts(up)
        assert "max_decompressed_bytes" in text and "210.0 MB (220,200,960 bytes) declared by the zip" in text
        assert "max_ratio" in text and "for member 'doc.kml'" in text

    def test_xlsx_bomb_is_refused_before_openpyxl_opens_it(self, monkeypatch):
        base = io.BytesIO()
        openpyxl.Workbook().save(base)
        src = zipfile.ZipFile(io.BytesIO(base.getvalue()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in src.infolist():
                z.writestr(info.filename, src.read(info))
            with z.open("xl/sharedStrings.xml", "w") as fh:
                fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
                for _ in range(205):
                    fh.write(b"A" * (1024 * 1024))
                fh.write(b"</t></si></sst>")
        monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl opened a bomb"))
        up = uploads.inspect_upload(out.getvalue(), "bomb.xlsx")
        text = problem_texts(up)
        assert "max_decompressed_bytes" in text and "max_ratio" in text and "'xl/sharedStrings.xml'" in text

    def test_streaming_stops_past_the_budget(self):
        data = zipped({"doc.kml": b"<kml>" + b" " * 5000 + b"</kml>"})
        zf = zipfile.ZipFile(io.BytesIO(data))
        with pytest.raises(InputError, match="at most 1,000 bytes from member 'doc.kml'"):
            uploads.read_zip_member(zf, zf.infolist()[0], file="x.kmz", budget=1000, chunk=256)

    def test_a_zip_that_lies_about_its_sizes_is_cut_at_the_declared_size(self):
        data = bytearray(zipped({"doc.kml": b"<kml>" + b" " * 100_000 + b"</kml>"}))
        struct.pack_into("<I", data, 22, 1000)  # local header: uncompressed size
        struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 1000)  # central directory
        up = uploads.inspect_upload(bytes(data), "liar.kmz")
        assert [(p.column, p.expected) for p in up.problems] == [
            ("doc.kml", "member 'doc.kml' as its zip header declares it (1,000 bytes, CRC-32)")]
        assert "CRC" in up.problems[0].found

    def test_small_xml_parts_are_exempt_from_the_ratio(self):
        # an .xlsx's tiny parts compress far beyond 100:1 and must not trip the check
        data = zipped({"a.xml": b"<x/>" * 100_000})  # 400 kB, ratio ~ 400:1, under the 1 MB floor
        assert uploads.check_zip(data, file="ok.zip")

    def test_too_many_rows_stops_reading(self):
        data = ("名称\n" + "x\n" * 200_001).encode()
        up = uploads.inspect_upload(data, "rows.csv")
        assert [(p.expected, p.found) for p in up.problems] == [
            ("at most 200,000 rows (max_rows)", "more than 200,000 rows (reading stopped there)")]
        assert uploads.inspect_upload(("名称\n" + "x\n" * 200_000).encode(), "rows.csv").ok

    def test_too_many_rows_in_xlsx_and_gis(self):
        wb = openpyxl.Workbook()
        for i in range(12):
            wb.active.append([f"r{i}"])
        buf = io.BytesIO()
        wb.save(buf)
        small = Limits(max_rows=10)
        assert "max_rows" in problem_texts(uploads.inspect_upload(buf.getvalue(), "rows.xlsx", limits=small))
        gj = write(places(), "GeoJSON")
        assert "at most 2 features (max_rows)" in problem_texts(
            uploads.inspect_upload(gj, "p.geojson", limits=Limits(max_rows=2)))

    def test_entity_expansion_bombs_are_refused(self):
        # how long the refusal takes is measured by benchmarks/uploads.py (bench_entity_bombs), not asserted here
        kml, xlsx = entity_bombs()
        assert "a readable KML file" in problem_texts(uploads.inspect_upload(kml, "laughs.kml"))
        up = uploads.inspect_upload(xlsx, "laughs.xlsx")
        assert "a readable .xlsx worksheet" in problem_texts(up) and "amplification" in problem_texts(up)

    def test_limits_validate_themselves(self):
        with pytest.raises(ValueError, match="max_rows=0"):
            Limits(max_rows=0)


# ---------------------------------------------------------------------------------------------- encodings

def _lead(ch: str) -> bool:
    try:
        b = ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0x81 <= b[0] <= 0x9F and b.decode("cp932") == ch



ROWS = "名称,住所,緯度,経度\r\n島原城～天守,長崎県島原市城内一丁目,32.78926,130.36723\r\n①武家屋敷,長崎県島原市下の丁,32.79273,130.36284\r\n"


class TestEncoding:
    def test_cp932_with_microsoft_characters(self):
        up = uploads.read_upload(ROWS.encode("cp932"), "sjis.csv")
        assert up.encoding.name == "cp932" and "CP932" in up.encoding.reason
        assert up.records["name"].tolist() == ["島原城～天守", "①武家屋敷"]  # ～ is U+FF5E
        assert "\uff5e" in up.records["name"].iloc[0]

    def test_utf8_with_and_without_bom(self):
        bom = uploads.read_upload(ROWS.encode("utf-8-sig"), "bom.csv")
        plain = uploads.read_upload(ROWS.encode("utf-8"), "plain.csv")
        assert (bom.encoding.name, bom.encoding.reason) == ("utf-8-sig", "UTF-8 byte-order mark")
        assert plain.encoding.name == "utf-8" and "without byte-order mark" in plain.encoding.reason
        assert bom.columns == plain.columns == ("名称", "住所", "緯度", "経度")
        pd.testing.assert_frame_equal(bom.records, plain.records)

    def test_explicit_encoding_wins(self):
        data = ROWS.replace("～", "-").replace("①", "1").encode("euc_jp")
        assert "EUC-JP" in problem_texts(uploads.inspect_upload(data, "euc.csv"))
        up = uploads.read_upload(data, "euc.csv", encoding="euc_jp")
        assert up.encoding.name == "euc_jp" and up.encoding.reason == "given explicitly (euc_jp)"
        assert up.records["name"].iloc[0] == "島原城-天守"
        assert "not utf-8" in problem_texts(uploads.inspect_upload(data, "euc.csv", encoding="utf-8"))
        assert "a known text encoding" in problem_texts(uploads.inspect_upload(data, "x.csv", encoding="klingon"))

    def test_utf16_tab_separated_from_excel(self):
        up = uploads.read_upload(ROWS.replace(",", "\t").encode("utf-16"), "unicode.txt")
        assert up.encoding.reason == "UTF-16 byte-order mark" and up.columns == ("名称", "住所", "緯度", "経度")
        assert up.records["name"].tolist() == ["島原城～天守", "①武家屋敷"]

    def test_half_width_katakana_readings_are_not_mojibake(self):
        text = "名称,名称_カナ\r\n島原城,ｼﾏﾊﾞﾗｼﾞｮｳ\r\n武家屋敷,ﾌﾞｹﾔｼｷ･ﾄﾞｵﾘ\r\n"
        up = uploads.read_upload(text.encode("cp932"), "hw.csv")
        assert up.encoding.name == "cp932"
        assert up.table["名称_カナ"].tolist() == ["ｼﾏﾊﾞﾗｼﾞｮｳ", "ﾌﾞｹﾔｼｷ･ﾄﾞｵﾘ"]

    # Characters whose CP932 form starts with a byte 0x81–0x9F (symbols, full-width letters, kana, JIS level 1
    # kanji, NEC specials) can never start a UTF-8 sequence, so such text is never mistaken for UTF-8;
    # half-width katakana alone can be (ﾃｱ is the UTF-8 of ñ), so they are left out of this rule.
    JAPANESE = st.sampled_from([chr(c) for c in range(0x3000, 0xA000) if _lead(chr(c))])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(JAPANESE, st.sampled_from([chr(c) for c in range(0x20, 0x7F)])), min_size=1,
                    max_size=80).map("".join).filter(lambda s: not s.isascii()))
    def test_cp932_text_round_trips(self, text):
        data = text.encode("cp932")
        decoded, enc = uploads.decode_text(data, file="h.csv")
        assert enc.name == "cp932"
        assert decoded == text

    @settings(max_examples=100, deadline=None)
    @given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffd\x00"), max_size=60))
    def test_utf8_text_round_trips(self, text):
        decoded, enc = uploads.decode_text(text.encode("utf-8"), file="h.csv")
        assert decoded == text and enc.name == "utf-8"


# ---------------------------------------------------------------------------------------------- tables

class TestTables:
    def test_xlsx_good_with_dates_and_numbers(self):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["名称", "開始日", "緯度", "経度", "市区町村コード", "定員"])
        ws.append(["島原城まつり", dt.datetime(2025, 4, 1), 32.78926, 130.36723, "42203", 120])
        buf = io.BytesIO()
        wb.save(buf)
        up = uploads.read_upload(buf.getvalue(), "events.xlsx")
        assert up.format == "xlsx"
        assert up.table.loc[1, "開始日"] == "2025-04-01" and up.table.loc[1, "定員"] == "120"
        assert up.records.loc[1, ["lat", "lon"]].tolist() == [32.78926, 130.36723]

    def test_blank_rows_are_dropped_and_counted(self):
        text = "名称,住所,緯度\n島原城,島原市,32.7\n,,\n武家屋敷,島原市,32.79\n,,\n,,\n"
        up = uploads.read_upload(text.encode(), "blank.csv")
        assert up.records_in_file == 5 and up.records.index.tolist() == [1, 3]
        assert "3 blank row(s) (dropped): rows 2, 4, 5" in up.warnings[0].found

    def test_trailing_empty_columns_from_excel_are_dropped(self):
        up = uploads.read_upload("名称,住所,,\n島原城,島原市,,\n".encode(), "trail.csv")
        assert up.columns == ("名称", "住所")
        assert "2 empty trailing column(s)" in up.warnings[0].found

    def test_row_numbers_survive_multiline_cells_and_bad_lines(self):
        text = '名称,説明\n"島原城","一行目\n二行目"\n武家屋敷,a,余分\n雲仙,"x"\n,空の名前\n'
        up = uploads.inspect_upload(text.encode(), "rows.csv")
        assert {(p.row, p.column) for p in up.problems} == {(2, None), (4, "名称")}
        assert up.table.loc[1, "説明"] == "一行目\n二行目"

    def test_strict_dates_only_where_asked_or_standard(self):
        text = "名称,指定日,開始日\n島原城,1970-08,2025-04-01\n"
        assert uploads.inspect_upload(text.encode(), "d.csv").ok  # 指定日 is free text unless asked
        up = uploads.inspect_upload(text.encode(), "d.csv", date_columns=["指定日"])
        assert [(p.row, p.column, p.found) for p in up.problems] == [(1, "指定日", "'1970-08'")]

    def test_coordinates_vectorised_rule(self):
        lat = pd.Series(["35.68", "139.69", "51.5", "", "35.0", "３５．６８"], index=range(1, 7))
        lon = pd.Series(["139.69", "35.68", "-0.12", "139.0", "", "１３９．６９"], index=range(1, 7))
        la, lo, problems, warns = uploads.check_coordinates(lat, lon, file="c.csv", lat_column="緯度",
                                                            lon_column="経度")
        assert {p.row: p.found.split(": ")[-1] for p in problems} == {2: "latitude and longitude look swapped",
                                                                       3: "outside Japan"}
        assert {w.row for w in warns} == {4, 5}
        assert la.notna().tolist() == [True, False, False, False, False, True]
        assert lo[6] == pytest.approx(139.69)


# ---------------------------------------------------------------------------------------------- mapping

class TestMapping:
    def test_standard_layout_needs_no_questions(self):
        header = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "名称_英語", "POIコード",
                  "住所", "方書", "緯度", "経度", "利用可能曜日", "開始時間", "終了時間", "URL"]
        m, clashes = uploads.map_columns(header)
        assert m.standard and m.dataset == "観光施設一覧" and not clashes
        assert dict(m.fields) == {
            "muni_code": ("都道府県コード又は市区町村コード",), "pref_name": ("都道府県名",), "muni_name": ("市区町村名",),
            "name": ("名称",), "kana": ("名称_カナ",), "name_en": ("名称_英語",), "address": ("住所",),
            "lat": ("緯度",), "lon": ("経度",), "url": ("URL",), "hours": ("利用可能曜日", "開始時間", "終了時間")}

    def test_width_and_case_do_not_matter(self):
        m, _ = uploads.map_columns(["名称", "名称（カナ）", "ｕｒｌ", "緯度", "経度", "市区町村名"])
        assert m.standard and m.column("kana") == "名称（カナ）" and m.column("url") == "ｕｒｌ"

    def test_other_layouts_get_a_proposal_the_caller_can_override(self):
        text = "施設名,所在市町村,Y座標(緯度),X座標(経度),メモ\n島原城,島原市,32.78926,130.36723,x\n"
        up = uploads.inspect_upload(text.encode(), "own.csv")
        assert not up.mapping.standard
        assert up.mapping.column("name") == "施設名" and up.mapping.column("muni_name") == "所在市町村"
        assert (up.mapping.column("lat"), up.mapping.column("lon")) == ("Y座標(緯度)", "X座標(経度)")
        assert up.ok and up.records.loc[1, "lat"] == pytest.approx(32.78926)
        over = uploads.read_upload(text.encode(), "own.csv", mapping={"name": "メモ"})
        assert over.records.loc[1, "name"] == "x" and over.mapping.column("lat") == "Y座標(緯度)"
        missing = uploads.inspect_upload(text.encode(), "own.csv", mapping={"name": "無い列"})
        assert any("a column '無い列'" in p.expected for p in missing.problems)

    def test_hours_are_composed(self):
        text = "名称,住所,市区町村名,利用可能曜日,開始時間,終了時間\nA,x,y,月火水,9:00,17:00\nB,x,y,,10:00,\nC,x,y,土日,,\n"
        up = uploads.read_upload(text.encode(), "h.csv")
        assert up.records["hours"].tolist() == ["月火水 9:00–17:00", "10:00", "土日"]


# ---------------------------------------------------------------------------------------------- GIS

class TestGIS:
    def check_places(self, up: uploads.Upload, fmt: str):
        assert up.ok, problem_texts(up)
        assert up.format == fmt and up.geometry.crs.to_epsg() == 4326
        assert up.records["name"].tolist() == [n for n, _, _ in SHIMABARA]
        np.testing.assert_allclose(up.records["lon"], [x for _, x, _ in SHIMABARA], atol=1e-6)
        np.testing.assert_allclose(up.records["lat"], [y for _, _, y in SHIMABARA], atol=1e-6)

    def test_geojson(self):
        self.check_places(uploads.read_upload(write(places(), "GeoJSON"), "p.geojson"), "geojson")

    def test_geopackage_in_jgd2011(self):
        up = uploads.read_upload(write(places(6668), "GPKG"), "p.gpkg")
        self.check_places(up, "gpkg")
        assert up.source_crs == "EPSG:6668 (JGD2011)"

    def test_kml_and_kmz(self):
        kml = write(places(), "KML")
        self.check_places(uploads.read_upload(kml, "p.kml"), "kml")
        self.check_places(uploads.read_upload(zipped({"doc.kml": kml}), "p.kmz"), "kmz")

    def test_zipped_shapefile_in_a_plane_rectangular_system(self, tmp_path):
        data = shapefile_zip(places(6670), tmp_path)  # JGD2011 plane rectangular zone II (Nagasaki)
        up = uploads.read_upload(data, "p.zip")
        self.check_places(up, "shp")
        assert up.source_crs == "EPSG:6670 (JGD2011 plane rectangular zone 2)"

    def test_shapefile_in_cp932_without_cpg(self, tmp_path):
        data = shapefile_zip(places(2444), tmp_path, encoding="cp932", drop=(".cpg",))  # JGD2000 zone II
        up = uploads.read_upload(data, "sjis.zip")
        self.check_places(up, "shp")
        assert up.encoding.name == "cp932" and up.source_crs.startswith("EPSG:2444 (JGD2000")

    def test_tokyo_datum_is_reprojected(self):
        g = gpd.GeoDataFrame({"名称": ["島原城"]}, geometry=[shapely.Point(130.3700, 32.7865)], crs=4301)
        up = uploads.read_upload(write(g, "GPKG"), "tokyo.gpkg")
        assert up.source_crs == "EPSG:4301 (Tokyo Datum)"
        # the Tokyo Datum differs from WGS 84 by a few hundred metres in Kyushu
        assert abs(up.records.loc[1, "lon"] - 130.3700) > 1e-4

    def test_polygons_get_a_point_inside(self):
        poly = shapely.Point(130.36723, 32.78926).buffer(0.01)
        g = gpd.GeoDataFrame({"name": ["area"]}, geometry=[poly], crs=4326)
        up = uploads.read_upload(write(g, "GeoJSON"), "a.geojson")
        assert shapely.Point(up.records.loc[1, "lon"], up.records.loc[1, "lat"]).within(poly)

    def test_kml_folders_are_all_read(self):
        kml = (make_corpus.KML_HEAD + "<Folder><name>A</name><Placemark><name>島原城</name><Point><coordinates>"
               "130.36723,32.78926</coordinates></Point></Placemark></Folder><Folder><name>B</name><Placemark>"
               "<name>武家屋敷</name><Point><coordinates>130.36284,32.79273</coordinates></Point></Placemark>"
               "</Folder></Document></kml>").encode()
        up = uploads.read_upload(kml, "two.kml")
        assert up.records["name"].tolist() == ["島原城", "武家屋敷"] and up.table["layer"].tolist() == ["A", "B"]

    def test_a_second_geopackage_layer_is_noted(self, tmp_path):
        path = tmp_path / "two.gpkg"  # the test writes a file; the reader gets bytes
        places().to_file(path, layer="sights", driver="GPKG")
        places().head(1).to_file(path, layer="other", driver="GPKG")
        up = uploads.read_upload(path.read_bytes(), "two.gpkg")
        assert len(up.records) == 3 and any("2 layers; read the first, 'sights'" in w.found for w in up.warnings)

    def test_no_temp_files(self, tmp_path, monkeypatch):
        monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: pytest.fail("a temp file"))
        monkeypatch.setattr(tempfile, "NamedTemporaryFile", lambda *a, **k: pytest.fail("a temp file"))
        data = shapefile_zip(places(6670), tmp_path)
        assert uploads.read_upload(data, "p.zip").ok


# ---------------------------------------------------------------------------------------------- real files

# (file, records after the header per SOURCE.md, encoding, records with both 緯度 and 経度, dataset)
REAL = [
    ("130001_cultural_property.csv", 248, "cp932", 245, "文化財一覧"),
    ("122033_102_cultural_property.csv", 76, "cp932", 75, "文化財一覧"),
    ("122033_209_100_best_landscapes.csv", 100, "cp932", 100, "観光施設一覧"),
    ("20220701_kankou_shisetsu.csv", 12, "cp932", 12, "観光施設一覧"),
    ("shimabara_tourism.csv", 28, "utf-8-sig", 28, "観光施設一覧"),
    ("yanai_tourism.csv", 18, "utf-8-sig", 0, "観光施設一覧"),
    ("o1-130001_g1-000304.csv", 31, "utf-8-sig", 21, "イベント"),
]


class TestRealWorld:
    @pytest.mark.parametrize("name,records,encoding,coords,dataset", REAL, ids=[r[0] for r in REAL])
    def test_municipal_open_data_parses(self, name, records, encoding, coords, dataset):
        path = MUNICIPAL / name
        if not path.exists():
            pytest.skip(f"municipal open data not found at {MUNICIPAL} (set REVITALIZE_DATA_MIRROR)")
        up = uploads.read_upload(path.read_bytes(), name)
        assert up.records_in_file == records
        assert up.encoding.name == encoding
        assert up.mapping.standard and up.mapping.dataset == dataset
        assert int(up.records[["lat", "lon"]].notna().all(axis=1).sum()) == coords
        assert (up.records["name"] != "").all()
        # what the publisher's columns say, as text
        assert up.table.shape[1] == len(up.columns)

    def test_tokyo_blank_tail_and_stray_comma(self):
        path = MUNICIPAL / "130001_cultural_property.csv"
        if not path.exists():
            pytest.skip(f"municipal open data not found at {MUNICIPAL}")
        up = uploads.read_upload(path.read_bytes(), path.name)
        assert len(up.records) == 245 and up.records.index.max() == 245
        assert any(w.row == 245 and w.column == "経度" and "', 139.451301', read as '139.451301'" in w.found
                   for w in up.warnings)
        assert up.records.loc[245, "lon"] == pytest.approx(139.451301)

    def test_kesennuma_code_keeps_its_leading_zero(self):
        path = MUNICIPAL / "20220701_kankou_shisetsu.csv"
        if not path.exists():
            pytest.skip(f"municipal open data not found at {MUNICIPAL}")
        up = uploads.read_upload(path.read_bytes(), path.name)
        assert set(up.records["muni_code"]) == {"042056"}


# ---------------------------------------------------------------------------------------------- speed

class TestSize:
    def test_200k_valid_rows_are_read(self):
        # the time it takes is a figure of benchmarks/uploads.py (bench_uploads), not a limit asserted here
        up = uploads.read_upload(standard_csv(200_000), "big.csv", limits=Limits(max_upload_bytes=100 * uploads.MiB))
        assert len(up.records) == 200_000 and up.ok


def test_every_canonical_field_has_a_label_in_both_languages():
    for f in uploads.FIELDS:
        assert i18n.t(f"upl.field.{f}", "ja") and i18n.t(f"upl.field.{f}", "en")


CELL = st.lists(st.one_of(TestEncoding.JAPANESE, st.sampled_from([chr(c) for c in range(0x20, 0x7F)] + ["\n", ","])),
                min_size=1, max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELL.filter(lambda s: s.strip()), CELL, CELL), min_size=1, max_size=8),
       st.sampled_from(["cp932", "utf-8-sig", "utf-8"]))
def test_any_table_written_as_csv_reads_back_exactly(rows, encoding):
    """Cells with commas, quotes and line breaks, in CP932 or UTF-8, come back cell for cell, in order."""
    df = pd.DataFrame(rows, columns=["名称", "説明", "備考"])
    data = df.to_csv(index=False, lineterminator="\r\n").encode(encoding)
    up = uploads.read_upload(data, "t.csv")
    assert up.encoding.name == ("utf-8" if encoding == "utf-8" else encoding) or data.isascii()
    assert up.table.index.tolist() == list(range(1, len(rows) + 1))
    assert up.table.values.tolist() == [list(r) for r in rows]
