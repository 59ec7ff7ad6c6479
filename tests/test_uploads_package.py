"""data/uploads/ as a package (issue 25): the public names as before, keyed messages with no English in the
Japanese text, and the two refusals that used to slip (EUC-JP read as CP932; a missing file or a folder)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from revitalize.core import i18n
from revitalize.core.errors import InputError
from revitalize.data import uploads
from revitalize.workflow import imports

# Latin letters inside a Japanese message, apart from the names a user types or sees on the file
# (CSV, UTF-8, BOM, Shift_JIS, CP932, EUC-JP, ZIP, .xlsx, charset-normalizer, max_* limits, a file name)
_ALLOWED = re.compile(r"UTF-8|UTF-16|BOM|Shift_JIS|CP932|cp932|EUC-JP|CSV|ZIP|xlsx|csv|charset-normalizer|"
                      r"max_\w+|CRC-32|0x[0-9a-f]+|[\w./-]+\.(csv|xlsx|zip|kmz|geojson)|KMZ|KML|GeoJSON|"
                      r"GeoPackage|Shapefile|MB|bytes|utf-8|euc_jp|ascii|ISO|YYYY-MM-DD|NUL|U\+[0-9A-F]{4}|"
                      r"Latin-1/CP1252|[\w-]*\.(shp|shx|dbf|prj|kml|xml)|EPSG:\d+|JGD\d+|mapping=\{'name'|"
                      r"'xl/\w+\.xml'|[\w.-]+\.[a-z]{2,4}\b|\bname\b")


def _japanese(exc: InputError) -> str:
    return i18n.error_text(exc, "ja")


def _english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", _ALLOWED.sub("", text))


def test_the_public_names_are_importable_from_the_package():
    for name in ("read_upload", "inspect_upload", "decode_text", "check_size", "check_zip", "read_zip_member",
                 "map_columns", "normalise_header", "check_coordinates", "Limits", "DEFAULT_LIMITS", "Upload",
                 "FIELDS", "MiB", "read_file", "sniff_format"):
        assert hasattr(uploads, name), name
    assert {"limits", "encoding", "columns", "checks", "tables", "gis"} <= {
        m for m in ("limits", "encoding", "columns", "checks", "tables", "gis") if hasattr(uploads, m)}
    assert not hasattr(uploads, "_Stop")  # one way to refuse: InputError


def test_euc_jp_that_also_decodes_as_cp932_is_refused_not_stored_as_mojibake():
    data = "名称,市区町村コード\n函館ロケ地,01202\n".encode("euc_jp")
    assert data.decode("cp932")  # the trap: these bytes are valid CP932 ('ﾈ｡ｴﾛ･愠ｱﾃﾏ')
    with pytest.raises(InputError) as exc:
        uploads.decode_text(data, file="cands.csv")
    assert exc.value.problems[0].found_key == "pb.up.euc_found"
    ja = _japanese(exc.value)
    assert "EUC-JP" in ja and "UTF-8 で保存し直してください" in ja and not _english_words(ja), ja
    # and through the candidates import, which used to store it
    with pytest.raises(InputError) as exc:
        imports.read_bytes(data, name="cands.csv")
    assert "EUC-JP" in _japanese(exc.value)


def test_plausible_cp932_with_half_width_kana_is_still_read():
    text = "名称,名称_カナ\n札幌市時計台,ｻｯﾎﾟﾛｼﾄｹｲﾀﾞｲ\n函館山,ﾊｺﾀﾞﾃﾔﾏ\n"
    decoded, enc = uploads.decode_text(text.encode("cp932"), file="hw.csv")
    assert decoded == text and enc.name == "cp932"


def test_cp932_that_is_mostly_half_width_kana_and_rare_kanji_is_refused():
    # half-width kana with level-2 kanji and no common ones: what EUC-like garbage looks like
    text = "ﾌｾｾﾎ,ｻﾔｶ霪ｮﾂｼｳ｡ｼﾉ\nﾈ｡ｴﾛ愠ｱﾃﾏ,1\n"
    data = text.encode("cp932")
    with pytest.raises(InputError) as exc:
        uploads.decode_text(data, file="x.csv")
    assert exc.value.problems[0].found_key in {"pb.up.implausible_found", "pb.up.euc_found"}


@pytest.mark.parametrize("make, found_key", [
    (lambda tmp: tmp / "absent.csv", "pb.up.no_file"),
    (lambda tmp: (tmp / "folder.csv").mkdir() or tmp / "folder.csv", "pb.up.folder"),
])
def test_a_missing_file_or_a_folder_says_what_was_expected(tmp_path, make, found_key):
    path = make(tmp_path)
    for read in (uploads.read_file, imports.read_table):
        with pytest.raises(InputError) as exc:
            read(path)
        p = exc.value.problems[0]
        assert p.key == "pb.up.file" and p.found_key == found_key
        ja = _japanese(exc.value)
        assert "読み込めるファイル" in ja and str(path) in ja


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(InputError) as exc:
        uploads.read_file(path, limits=uploads.Limits(max_upload_bytes=1024))
    assert exc.value.problems[0].key == "pb.up.max_size" and "2,048 bytes" in _japanese(exc.value)


def test_not_a_zip_is_keyed_without_the_library_words_in_japanese():
    with pytest.raises(InputError) as exc:
        uploads.check_zip(b"not a zip at all", file="x.xlsx")
    assert "BadZipFile" in str(exc.value)  # the English text keeps the library's words (logs, --debug)
    ja = _japanese(exc.value)
    assert "ZIP として読めない" in ja and "BadZipFile" not in ja


def test_an_xlsx_that_is_not_a_zip_speaks_japanese_in_the_candidates_import():
    with pytest.raises(InputError) as exc:
        imports.read_bytes(b"plain text, not a workbook", name="list.xlsx")
    ja = _japanese(exc.value)
    assert "BadZipFile" not in ja and "File is not a zip file" not in ja


def test_a_csv_cell_over_the_parser_limit_is_keyed():
    raw = ('名称,種別\n"' + "x" * 140_000 + ',a\n').encode()
    with pytest.raises(InputError) as exc:
        imports.read_bytes(raw, name="long.csv")
    ja = _japanese(exc.value)
    assert "field larger than field limit" not in ja and ("131,072" in ja or "10,000" in ja), ja


def test_every_encoding_refusal_is_keyed_in_both_languages():
    cases = [b"\xef\xbb\xbfok,\xff\xfe\n", "名称\n函館ロケ地\n".encode("euc_jp"), bytes(range(128, 256)) * 4]
    for data in cases:
        with pytest.raises(InputError) as exc:
            uploads.decode_text(data, file="e.csv")
        p = exc.value.problems[0]
        assert p.key in i18n.STRINGS and (p.found_key is None or p.found_key in i18n.STRINGS)
        assert not _english_words(i18n.problem_line(p, "ja")), i18n.problem_line(p, "ja")


def test_the_zip_limits_are_keyed(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(InputError) as exc:
        uploads.check_zip(out.getvalue(), file="b.kmz", limits=uploads.Limits(max_decompressed_bytes=1024 * 1024))
    keys = {p.key for p in exc.value.problems}
    assert keys == {"pb.up.unzipped", "pb.up.ratio"}
    assert "圧縮率" in _japanese(exc.value)


def test_a_broken_workbook_is_keyed():
    base = io.BytesIO()
    openpyxl.Workbook().save(base)
    src = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info.filename, b"<broken" if info.filename == "xl/workbook.xml" else src.read(info))
    up = uploads.inspect_upload(out.getvalue(), "broken.xlsx")
    assert [p.key for p in up.problems] == ["pb.up.xlsx"] and up.problems[0].found_key == "pb.up.xlsx_found"


CORPUS = sorted(p for p in (Path(__file__).parent / "data" / "bad").iterdir() if p.suffix not in (".md", ".py"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_problem_of_the_hostile_corpus_is_keyed_and_japanese(path):
    up = uploads.inspect_upload(path.read_bytes(), path.name)
    for p in (*up.problems, *up.warnings):
        assert p.key in i18n.STRINGS, p
        assert p.found_key is None or p.found_key in i18n.STRINGS, p
        expected, found = i18n.problem_texts(p, "ja")
        assert not _english_words(expected), expected
        if p.found_key is not None:  # a found text without a key is the data itself
            assert not _english_words(found), found


def test_why_an_encoding_was_assumed_is_said_in_both_languages():
    text = "名称\n札幌市時計台\n"
    _, enc = uploads.decode_text(text.encode("cp932"), file="s.csv")
    assert enc.reason.startswith("not UTF-8 (byte 0x") and "CP932 (Shift_JIS)" in enc.reason
    assert enc.text("ja").startswith("UTF-8 ではない") and "文字化けなく読める" in enc.text("ja")
    _, enc = uploads.decode_text("名称\n函館\n".encode("utf-8-sig"), file="b.csv")
    assert (enc.reason, enc.text("ja")) == ("UTF-8 byte-order mark", "UTF-8 の BOM")
    _, enc = uploads.decode_text(b"a,b\n", file="a.csv", encoding="utf-8")
    assert enc.reason == "given explicitly (utf-8)" and enc.text("ja") == "指定どおり（utf-8）"
