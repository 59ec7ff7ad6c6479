"""Make the corpus of small malformed uploads in this folder, and its README table.

Run ``python tests/data/bad/make_corpus.py`` after changing a case; the files it writes are committed
(all small). CASES is also read by tests/test_uploads.py: each file must give the problem named here.
Files that must be large (the zip bomb, the oversized upload, too many rows) are made inside the tests.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely

HERE = Path(__file__).resolve().parent

HEAD = "名称,住所,緯度,経度,市区町村コード"
ROW1 = "島原城,長崎県島原市城内一丁目1183-1,32.78926,130.36723,42203"
ROW2 = "武家屋敷,長崎県島原市下の丁,32.79273,130.36284,42203"
JA = "コンテンツ地方創生拠点のまち、島原城と武家屋敷"


@dataclass(frozen=True)
class Case:
    file: str
    problem: str                 # a part of the problem's text (expected or found) the file must produce
    row: int | None = None       # the data row the problem names (None: file level or not checked)
    column: str | None = None    # the column it names
    options: tuple = ()          # keyword options for inspect_upload, as (name, value) pairs
    why: str = ""


CASES: list[Case] = [
    Case("euc_jp.csv", "EUC-JP text", why="EUC-JP: decodes, but is neither UTF-8 nor CP932"),
    Case("utf8_stray_byte.csv", "invalid byte sequence(s) in otherwise UTF-8", why="UTF-8 with one stray 0xFF"),
    Case("utf8_bom_stray_byte.csv", "invalid byte sequence(s) in otherwise UTF-8", why="BOM, then a stray byte"),
    Case("cp932_mojibake.csv", "decodes as CP932 but is mojibake",
         why="CP932 bytes of text that was already UTF-8-read-as-CP932 mojibake"),
    Case("mojibake_utf8_as_cp932.csv", "UTF-8 read as CP932", row=1, column="名称",
         why="valid UTF-8 holding 縺/繧/繝 mojibake"),
    Case("mojibake_euc_as_cp932.csv", "EUC-JP read as CP932", row=1, column="住所",
         why="valid UTF-8 holding half-width ､｢ mojibake"),
    Case("mojibake_latin1.csv", "UTF-8 read as Latin-1", row=2, column="名称", why="ã\\x81 … mojibake"),
    Case("replacement_chars.csv", "U+FFFD", row=1, column="住所", why="U+FFFD from an earlier lossy conversion"),
    Case("binary_garbage.csv", "undecodable bytes", why="random bytes"),
    Case("empty.csv", "an empty file"),
    Case("header_only.csv", "at least one data row"),
    Case("duplicate_header.csv", "each column name once", column="名称"),
    Case("duplicate_header_normalised.csv", "the same after normalising", column="料金（基本）",
         why="料金（基本） and 料金(基本)"),
    Case("duplicate_alias.csv", "both map to it", column="name_ja", options=(("aliases", {"name_ja": "name"}),),
         why="名称 and name_ja both mean name (alias table given)"),
    Case("empty_header.csv", "an empty header above data", column="#2"),
    Case("trailing_garbage_columns.csv", "values past the last column", row=2),
    Case("trailing_garbage_rows.csv", "single value", row=3, column="名称", why="合計 and a note below the table"),
    Case("nul_byte.csv", "NUL (U+0000)", row=2, column="住所"),
    Case("control_char.csv", "U+0007", row=1, column="名称"),
    Case("long_cell.csv", "max_cell_chars", row=1, column="住所"),
    Case("bad_date_tentative.csv", "ISO date", row=1, column="開始日", why="'2025-04-01 (tentative)'"),
    Case("bad_date_invalid_day.csv", "ISO date", row=1, column="開始日", why="'2025-02-30'"),
    Case("bad_date_japanese_era.csv", "ISO date", row=2, column="終了日", why="'令和7年4月1日'"),
    Case("coords_outside_japan.csv", "outside Japan", row=2, column="緯度/経度", why="London"),
    Case("coords_swapped.csv", "look swapped", row=1, column="緯度/経度"),
    Case("coords_not_number.csv", "decimal degrees", row=1, column="緯度", why="'北緯32度47分'"),
    Case("empty_name.csv", "a name", row=2, column="名称"),
    Case("no_name_column.csv", "a name column"),
    Case("not_a_zip.xlsx", "a readable zip container"),
    Case("xlsx_bomb_ratio.xlsx", "max_ratio", why="sharedStrings.xml: 4 MB of one letter, ~1000:1"),
    Case("xlsx_bad_date.xlsx", "ISO date", row=1, column="開始日"),
    Case("xlsx_duplicate_header.xlsx", "each column name once", column="緯度"),
    Case("shp_no_prj.zip", ".prj", why="a zipped Shapefile without its coordinate system"),
    Case("shp_no_dbf.zip", ".dbf", why="a zipped Shapefile without its attribute table"),
    Case("zip_without_shapefile.zip", "a zip holding a Shapefile"),
    Case("kml_no_placemarks.kml", "at least one placemark", why="a Document with no Placemark"),
    Case("kml_empty_folder.kml", "at least one placemark", why="a Folder with no Placemark"),
    Case("geojson_outside_japan.geojson", "outside Japan", row=1, column="geometry y/geometry x"),
    Case("geojson_swapped.geojson", "look swapped", row=2, column="geometry y/geometry x"),
    Case("geojson_truncated.geojson", "a readable GeoJSON file"),
]


def csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_bomb() -> bytes:
    """A workbook whose sharedStrings.xml expands 4 MB of one letter from a few kB (ratio ~1000:1)."""
    base = _xlsx([["名称"], ["島原城"]])
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>\xe5\x90\x8d\xe7\xa7\xb0</t></si>'
           b"<si><t>" + b"A" * (4 * 1024 * 1024) + b"</t></si></sst>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("xl/sharedStrings.xml", sst, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _shapefile_zip(drop: str | None) -> bytes:
    g = gpd.GeoDataFrame({"名称": ["島原城", "武家屋敷"]},
                         geometry=[shapely.Point(130.36723, 32.78926), shapely.Point(130.36284, 32.79273)],
                         crs=4326).to_crs(6670)  # JGD2011 plane rectangular zone II (Nagasaki)
    with tempfile.TemporaryDirectory() as tmp:
        g.to_file(Path(tmp) / "places.shp", encoding="utf-8")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(Path(tmp).iterdir()):
                if drop is None or p.suffix != drop:
                    z.write(p, p.name)
    return out.getvalue()


def _geojson(coords: list[tuple[float, float]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": f"地点{i + 1}"}, "geometry": {"type": "Point", "coordinates": list(c)}}
        for i, c in enumerate(coords)]}, ensure_ascii=False).encode("utf-8")


KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>地点</name>'


def files() -> dict[str, bytes]:
    u = lambda s: s.encode("utf-8")  # noqa: E731
    good = csv(HEAD, ROW1, ROW2)
    mojibake = JA.encode("utf-8").decode("cp932", errors="replace")
    euc_moji = JA.encode("euc_jp").decode("cp932", errors="replace")
    latin = "島原城".encode().decode("latin-1")
    strayed = bytearray(u(good))
    strayed[len(u(HEAD)) + 8] = 0xFF
    out = {
        "euc_jp.csv": good.encode("euc_jp"),
        "utf8_stray_byte.csv": bytes(strayed),
        "utf8_bom_stray_byte.csv": b"\xef\xbb\xbf" + bytes(strayed),
        "cp932_mojibake.csv": csv(HEAD, f"{mojibake[:12]},{mojibake[12:30]},32.78926,130.36723,42203").encode(
            "cp932", errors="replace"),
        "mojibake_utf8_as_cp932.csv": u(csv(HEAD, f"{mojibake[:14]},長崎県島原市,32.78926,130.36723,42203", ROW2)),
        "mojibake_euc_as_cp932.csv": u(csv(HEAD, f"島原城,{euc_moji[:16]},32.78926,130.36723,42203", ROW2)),
        "mojibake_latin1.csv": u(csv(HEAD, ROW1, f"{latin},長崎県島原市,32.79,130.36,42203")),
        "replacement_chars.csv": u(csv(HEAD, "島原城,長崎県島原市城内\ufffd\ufffd,32.78926,130.36723,42203", ROW2)),
        "binary_garbage.csv": bytes((i * 97 + 13) % 256 for i in range(600)),
        "empty.csv": b"",
        "header_only.csv": u(csv(HEAD)),
        "duplicate_header.csv": u(csv("名称,住所,名称,緯度,経度", "a,b,c,32.7,130.3")),
        "duplicate_header_normalised.csv": u(csv("名称,料金（基本）,料金(基本),住所", "島原城,550,550円,長崎県島原市")),
        "duplicate_alias.csv": u(csv("名称,name_ja,住所", "島原城,Shimabara,長崎県島原市")),
        "empty_header.csv": u(csv("名称,,住所,緯度,経度", "島原城,メモ,長崎県島原市,32.78926,130.36723")),
        "trailing_garbage_columns.csv": u(csv(HEAD, ROW1, ROW2 + ",,余分な値", ROW1)),
        "trailing_garbage_rows.csv": u(csv(HEAD, ROW1, ROW2, "合計 2 件,,,,", "※出典：島原市,,,,")),
        "nul_byte.csv": u(csv(HEAD, ROW1, "武家屋敷,長崎県\x00島原市,32.79273,130.36284,42203")),
        "control_char.csv": u(csv(HEAD, "島原\x07城,長崎県島原市,32.78926,130.36723,42203")),
        "long_cell.csv": u(csv(HEAD, f"島原城,{'長' * 10_001},32.78926,130.36723,42203")),
        "bad_date_tentative.csv": u(csv("名称,開始日,終了日", "島原城まつり,2025-04-01 (tentative),2025-04-02")),
        "bad_date_invalid_day.csv": u(csv("名称,開始日,終了日", "島原城まつり,2025-02-30,2025-03-01")),
        "bad_date_japanese_era.csv": u(csv("名称,開始日,終了日", "島原城まつり,2025-04-01,2025-04-02",
                                           "武家屋敷まつり,2025-04-01,令和7年4月1日")),
        "coords_outside_japan.csv": u(csv(HEAD, ROW1, "大英博物館,London,51.5194,-0.1270,42203")),
        "coords_swapped.csv": u(csv(HEAD, "島原城,長崎県島原市,130.36723,32.78926,42203", ROW2)),
        "coords_not_number.csv": u(csv(HEAD, "島原城,長崎県島原市,北緯32度47分,130.36723,42203", ROW2)),
        "empty_name.csv": u(csv(HEAD, ROW1, ",長崎県島原市下の丁,32.79273,130.36284,42203")),
        "no_name_column.csv": u(csv("住所,緯度,経度", "長崎県島原市,32.78926,130.36723")),
        "not_a_zip.xlsx": b"this is not a workbook\n" * 10,
        "xlsx_bomb_ratio.xlsx": _xlsx_bomb(),
        "xlsx_bad_date.xlsx": _xlsx([["名称", "開始日"], ["島原城まつり", "2025-04-01 (tentative)"]]),
        "xlsx_duplicate_header.xlsx": _xlsx([["名称", "緯度", "緯度", "経度"], ["島原城", 32.78926, 32.78926, 130.36723]]),
        "shp_no_prj.zip": _shapefile_zip(".prj"),
        "shp_no_dbf.zip": _shapefile_zip(".dbf"),
        "zip_without_shapefile.zip": _zip({"readme.txt": b"no data here"}),
        "kml_no_placemarks.kml": u(KML_HEAD + "</Document></kml>"),
        "kml_empty_folder.kml": u(KML_HEAD + "<Folder><name>空</name></Folder></Document></kml>"),
        "geojson_outside_japan.geojson": _geojson([(-0.1270, 51.5194), (130.36284, 32.79273)]),
        "geojson_swapped.geojson": _geojson([(130.36723, 32.78926), (32.79273, 130.36284)]),
        "geojson_truncated.geojson": _geojson([(130.36723, 32.78926)])[:60],
    }
    assert set(out) == {c.file for c in CASES}, set(out) ^ {c.file for c in CASES}
    return out


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def readme() -> str:
    lines = ["# Malformed uploads (test corpus)", "",
             "Made by `make_corpus.py` (run it after changing a case); `tests/test_uploads.py` checks that each",
             "file gives the problem below (a part of its text), at the row and column named. The zip bomb, the",
             "oversized upload and the file with too many rows are made inside the tests, not committed.", "",
             "| file | problem it must produce | row | column | what is wrong |", "|---|---|---|---|---|"]
    for c in CASES:
        opts = f" (with {dict(c.options)})" if c.options else ""
        lines.append(f"| `{c.file}` | {c.problem}{opts} | {c.row or ''} | {c.column or ''} | {c.why} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    for name, data in files().items():
        (HERE / name).write_bytes(data)
    (HERE / "README.md").write_text(readme(), encoding="utf-8")
    print(f"wrote {len(CASES)} files and README.md to {HERE}")
