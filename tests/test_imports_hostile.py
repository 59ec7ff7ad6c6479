"""Hostile import files (duplicate headers, trailing garbage, control characters) and problem texts in
both languages: every problem reported like any other (file, row, column, expected, found)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from revitalize.analysis import portfolio
from revitalize.core import i18n
from revitalize.core.errors import ConfigError, InputError
from revitalize.data import curated, db
from revitalize.workflow import candidates as C
from revitalize.workflow import imports
from revitalize.workflow.auth import User

BAD = Path(__file__).parent / "data" / "bad"
ADMIN = User("boss", "admin")
_LATIN_WORDS = re.compile(r"\b(expected|found|one of|missing|unknown|a date|each|column|header|"
                          r"cells|control|readable)\b", re.IGNORECASE)


def problems_of(raw: bytes, name: str) -> list:
    wf = db.connect_workflow(":memory:")
    try:
        with pytest.raises(InputError) as exc:
            imports.import_bytes(wf, ADMIN, raw, name=name)
        assert C.table(wf).empty  # nothing written
        return exc.value.problems
    finally:
        wf.close()


def test_two_headers_for_one_column_are_reported_not_silently_merged():
    (p,) = problems_of((BAD / "duplicate_headers.csv").read_bytes(), "dup.csv")
    assert p.file == "dup.csv" and p.column == "name_ja" and p.key == "pb.imp.header_once"
    assert "'名称' (column 1)" in p.found and "'name_ja' (column 6)" in p.found


def test_trailing_garbage_and_control_characters_are_each_a_problem():
    problems = problems_of((BAD / "trailing_garbage.csv").read_bytes(), "junk.csv")
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {"pb.imp.header_blank", "pb.imp.extra_cells"}  # the file's shape first, all at once
    assert by_key["pb.imp.header_blank"].column == "7"
    assert by_key["pb.imp.extra_cells"].row == 3 and "'合計'" in by_key["pb.imp.extra_cells"].found
    # with the shape mended, the NUL is reported with its row and column
    text = (BAD / "trailing_garbage.csv").read_text(encoding="utf-8").splitlines()
    mended = "\r\n".join(line.split(",,")[0] for line in text[:3]) + "\r\n"
    (p,) = problems_of(mended.encode(), "junk.csv")
    assert (p.key, p.row, p.column, p.found) == ("pb.imp.control", 1, "name_ja", repr("函館\x00アニメ"))


def test_empty_rows_and_empty_trailing_columns_of_a_spreadsheet_are_ignored(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "類型", "年度", "市区町村コード", "状況", None])
    ws.append(["函館アニメ聖地めぐり", "tourism", "2025", "01202", "applied", None])
    ws.append([None] * 6)
    buf = io.BytesIO()
    wb.save(buf)
    df = imports.read_bytes(buf.getvalue(), name="list.xlsx")
    assert list(df.columns) == ["name_ja", "base_type", "fiscal_year", "muni_codes", "status"] and len(df) == 1


@hsettings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1f, exclude_characters="\t\n\r"), min_size=1,
               max_size=3), st.text(alphabet="函館abc", min_size=1, max_size=5))
def test_any_control_character_in_a_cell_is_reported(ctrl, around):
    raw = f"名称,類型,年度,市区町村コード,状況\r\n{around}{ctrl}{around},tourism,2025,01202,applied\r\n".encode()
    problems = problems_of(raw, "c.csv")
    assert [(p.key, p.row, p.column) for p in problems] == [("pb.imp.control", 1, "name_ja")]


def _japanese(p) -> str:
    return i18n.problem_line(p, "ja")


def test_japanese_rendering_of_a_real_import_problem_has_no_english_expected_text(tmp_path):
    raw = ("名称,類型,年度,市区町村コード,状況,申請者,選定日\r\n"
           ",tour,2050,011003;99999,done,X:club,2026-13-01\r\n"
           "沼津,tourism,2025,22203,designated,,\r\n").encode("cp932")
    problems = problems_of(raw, "list.csv")
    assert len(problems) >= 7 and all(p.key for p in problems)
    for p in problems:
        expected_ja, found_ja = i18n.problem_texts(p, "ja")
        expected_en, _ = i18n.problem_texts(p, "en")
        assert expected_en == p.expected  # English unchanged
        assert expected_ja != expected_en and not _LATIN_WORDS.search(expected_ja), expected_ja
        line = _japanese(p).replace(found_ja, "")  # found is data (the cell, a code checker's note)
        assert "expected" not in line and "found" not in line and "求められる内容" in line
    en = [i18n.problem_line(p, "en") for p in problems]
    assert en == [str(p) for p in problems]  # the English line is what str() always said


def test_problem_shape_errors_render_in_both_languages():
    problems = problems_of((BAD / "duplicate_headers.csv").read_bytes(), "dup.csv")
    assert "どちらも name_ja です" in i18n.problem_line(problems[0], "ja")
    assert "are both name_ja" in i18n.problem_line(problems[0], "en")
    text = i18n.error_text(InputError(problems), "ja")
    assert text.startswith("1 件の問題") and "求められる内容" in text


def test_every_issue_16_key_has_both_languages_and_the_same_fields():
    for key, (ja, en) in i18n.STRINGS.items():
        if key.startswith(("pb.", "fail.", "err.")):
            assert ja.strip() and en.strip() and set(re.findall(r"{(\w+)", ja)) == set(re.findall(r"{(\w+)", en)), key


def test_portfolio_constraint_problems_in_both_languages():
    with pytest.raises(ConfigError) as e:
        portfolio.Constraints(k=-1, min_km=float("nan"), min_type_share={"tourism": 2})
    ja, en = i18n.error_text(e.value, "ja"), i18n.error_text(e.value, "en")
    assert "0以上の整数" in ja and "0から1までの割合" in ja and not _LATIN_WORDS.search(ja.replace("found", ""))
    assert "an integer >= 0 or None" in en and "column 'k': expected an integer >= 0 or None, found -1" in str(e.value)


def test_curated_file_problems_in_both_languages(tmp_path):
    layer = curated.LAYERS_BY_KEY["film_commissions"]
    header = [c.name for c in layer.columns]
    bad = tmp_path / "fc.csv"
    bad.write_text(",".join(header) + "\n" + "x,y\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        curated.read_layer(layer, bad)
    (p,) = e.value.problems
    assert i18n.problem_line(p, "ja") == f"fc.csv 1 行目：求められる内容 {len(header)} 個の項目／実際の値 2 個の項目"
    assert i18n.problem_line(p, "en") == str(p) == f"fc.csv, row 1: expected {len(header)} fields, found 2 fields"
    bad.write_text("name\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        curated.read_layer(layer, bad)
    assert all(i18n.problem_texts(p, "ja")[0].startswith("列 ") for p in e.value.problems)
