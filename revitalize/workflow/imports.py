"""Import lists of applications and designated bases (CSV or Excel) into the workflow database.

All or nothing: every row is read and checked first and every problem is reported at once (file,
row, column, what was expected, what was found); only a clean file is written, in one transaction.
A row whose ``candidate_id`` exists updates that candidate (status included, as the official list
says) and appends an ``import`` event; other rows create candidates. Admins only. Statuses move only
forward along the lifecycle (a list may record an application straight as designated, never back).
The writing is ``candidates.apply_import``: the one write path of the register.

Columns (English or Japanese header; ``*`` required):
name_ja* (名称), base_type* (類型), fiscal_year* (年度), muni_codes* (市区町村コード, ``;``-separated),
status* (状況), candidate_id (候補ID), name_en (英語名称), applicants (申請者, ``name:kind;…``),
designated_on (選定日, required when designated), summary (概要), contact (連絡先), source_url (出典URL).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from revitalize.core import codes, domain, i18n
from revitalize.core.errors import InputError, Problem
from revitalize.data import uploads
from revitalize.workflow import auth, candidates
from revitalize.workflow.auth import User
from revitalize.workflow.candidates import CandidateData, ImportRow

COLUMNS: dict[str, str] = {
    "candidate_id": "候補ID", "name_ja": "名称", "name_en": "英語名称", "base_type": "類型", "fiscal_year": "年度",
    "status": "状況", "applicants": "申請者", "muni_codes": "市区町村コード", "designated_on": "選定日",
    "summary": "概要", "contact": "連絡先", "source_url": "出典URL",
}
REQUIRED = ("name_ja", "base_type", "fiscal_year", "muni_codes", "status")
_FROM_JA = {ja: en for en, ja in COLUMNS.items()}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$")


@dataclass(frozen=True)
class ImportReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]


def read_table(path: Path | str, *, name: str | None = None) -> pd.DataFrame:
    """A CSV (UTF-8 with or without BOM, else CP932) or Excel file as text cells with canonical column names."""
    path = Path(path)
    return read_bytes(uploads.read_file(path, formats="CSV, .xlsx"), name=name or path.name)


def _decode(raw: bytes, name: str) -> str:
    """The text of an uploaded CSV, decoded by the shared upload reader (``data.uploads.decode_text``):
    UTF-8 with or without BOM, or CP932; EUC-JP, stray bytes and mojibake are refused, naming the file."""
    text, _ = uploads.decode_text(raw, file=name)
    return text


def _cells(raw: bytes, name: str, limits: uploads.Limits = uploads.DEFAULT_LIMITS) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV or .xlsx as text; every cell kept, so extra cells can be reported.

    The upload's size, an .xlsx's declared zip sizes and ratios (a decompression bomb), the number of rows
    and the length of every cell are checked against ``limits`` before or while reading."""
    uploads.check_size(raw, file=name, limits=limits)
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        if zipfile.is_zipfile(io.BytesIO(raw)):  # a broken workbook is reported by the reader below
            uploads.check_zip(raw, file=name, limits=limits)
        sheet = pd.read_excel(io.BytesIO(raw), dtype=str, engine="openpyxl", header=None,
                              nrows=limits.max_rows + 2).fillna("")
        table = [[str(v) for v in row] for row in sheet.itertuples(index=False)]
    else:
        table = list(csv.reader(io.StringIO(_decode(raw, name), newline="")))
    if len(table) - 1 > limits.max_rows:
        raise InputError([Problem(name, f"at most {limits.max_rows:,} data rows (the import's row limit)",
                                  f"more than {limits.max_rows:,}")])
    long = [(i, j) for i, row in enumerate(table) for j, v in enumerate(row) if len(v) > limits.max_cell_chars]
    if long:
        raise InputError([Problem(name, f"at most {limits.max_cell_chars:,} characters in a cell",
                                  f"{len(table[i][j]):,} characters", row=i or None,
                                  column=str(table[0][j]) if j < len(table[0]) else None)
                          for i, j in long[:limits.max_problems]])
    if not table:
        return [], []
    return [str(c) for c in table[0]], table[1:]


def read_bytes(raw: bytes, *, name: str) -> pd.DataFrame:
    """An uploaded CSV or .xlsx (told apart by ``name``'s extension) as text cells with canonical column names.

    Every cell is read; fully empty rows and empty unnamed trailing columns (what spreadsheets leave) are
    dropped. Raises InputError listing every problem of the file's shape at once: a header naming the
    same column twice (名称 and name_ja), a column with values but no header, a row with more cells
    than the header.
    """
    label = name
    try:
        header, rows = _cells(raw, name)
    except InputError:
        raise
    except csv.Error as exc:  # e.g. "field larger than field limit (131072)": keyed, the words kept in English
        raise InputError([uploads.csv_problem(label, exc)]) from exc
    except Exception as exc:  # a broken workbook or CSV: say so (the reader's words in the English text only)
        raise InputError([Problem(label, found=f"{type(exc).__name__}: {exc}", found_key="pb.up.contents_found",
                                  **i18n.expect("pb.imp.readable"))]) from exc
    problems: list[Problem] = []
    width = len(header)
    while width and not header[width - 1].strip() and not any(len(r) >= width and r[width - 1].strip() for r in rows):
        width -= 1  # an empty trailing column without a header
    rows = [r for r in rows if any(str(v).strip() for v in r)]  # fully empty rows
    canonical = [_FROM_JA.get(str(c).strip(), str(c).strip()) for c in header[:width]]
    first: dict[str, int] = {}
    for j, c in enumerate(canonical):
        if not c:
            if any(len(r) > j and str(r[j]).strip() for r in rows):
                problems.append(Problem(label, found=f"no header in column {j + 1}", found_key="pb.imp.header_blank_found",
                                        column=str(j + 1), **i18n.expect("pb.imp.header_blank", n=j + 1)))
            canonical[j] = f"_blank_{j + 1}"
            continue
        if c in first:
            names = f"{header[first[c]].strip()!r} (column {first[c] + 1}), {header[j].strip()!r} (column {j + 1})"
            problems.append(Problem(label, found=f"{names} are both {c}", found_key="pb.imp.header_twice",
                                    column=c, **i18n.expect("pb.imp.header_once", names=names, column=c)))
        else:
            first[c] = j
    for i, r in enumerate(rows, start=1):
        extra = [str(v) for v in r[width:] if str(v).strip()]
        if extra:
            shown = ", ".join(repr(v) for v in extra[:3]) + (" …" if len(extra) > 3 else "")
            problems.append(Problem(label, found=f"{len(r)} cells (extra: {shown})", found_key="pb.imp.extra_cells_found",
                                    row=i, **i18n.expect("pb.imp.extra_cells", n=width, count=len(r), extra=shown)))
    if problems:
        raise InputError(problems)
    data = [[str(v) for v in (list(r[:width]) + [""] * (width - len(r)))] for r in rows]
    return pd.DataFrame(data, columns=canonical, dtype=object).fillna("") if data else pd.DataFrame(
        columns=canonical, dtype=object)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, newline, return are allowed in cells


def cell_problems(df: pd.DataFrame, *, file: str) -> list[Problem]:
    """Cells holding control characters (NUL, escape …): invisible, and they break later exports."""
    out = []
    for column in df.columns:
        for i, v in enumerate(df[column].tolist(), start=1):
            if isinstance(v, str) and _CONTROL.search(v):
                out.append(Problem(file, found=repr(v), row=i, column=str(column), **i18n.expect("pb.imp.control")))
    return out


def parse_rows(df: pd.DataFrame, *, file: str, known_munis: set[str] | None,  # noqa: C901 (listed in NOTES.md: to split)
               existing: set[str]) -> tuple[list[ImportRow], list[Problem]]:
    """Validated rows and every problem found."""
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in df.columns]
    unknown = [c for c in df.columns if c not in COLUMNS and not c.startswith("_blank_")]
    if missing:
        columns = ", ".join(f"{c} ({COLUMNS[c]})" for c in REQUIRED)
        problems.append(Problem(file, found="missing " + ", ".join(missing), found_key="pb.imp.missing",
                                **i18n.expect("pb.imp.columns", columns=columns, names=", ".join(missing))))
    if unknown:
        problems.append(Problem(file, found="unknown " + ", ".join(unknown), found_key="pb.imp.unknown",
                                **i18n.expect("pb.imp.only_documented", names=", ".join(unknown))))
    problems.extend(cell_problems(df, file=file))
    if missing or unknown:
        return [], problems
    rows, seen = [], {}
    columns = list(df.columns)
    records = (dict(zip(columns, values, strict=False)) for values in zip(*(df[c].tolist() for c in columns), strict=False))  # fast on 200k rows
    for i, r in enumerate(records, start=1):
        def bad(column: str, key: str, found: object, *, found_key: str | None = None, **params: object) -> None:
            problems.append(Problem(file, found=repr(found) if found_key is None else str(found), row=i,  # noqa: B023 (called in this iteration)
                                    column=column, found_key=found_key, **i18n.expect(key, **params)))

        base_type = domain.base_type_of(r["base_type"])
        status = domain.status_of(r["status"])
        if status is None:
            bad("status", "pb.imp.status", r["status"], choices=", ".join(domain.STATUSES))
        try:
            fy = int(str(r["fiscal_year"]).strip().removesuffix(".0").removesuffix("年度"))
        except ValueError:
            fy = r["fiscal_year"]
        munis, bad_codes = codes.parse_muni_codes(r["muni_codes"])
        for why in bad_codes:
            bad("muni_codes", "pb.imp.muni_codes", i18n.say(why, "en"), found_key="pb.why", why=why)
        applicants, bad_kinds = domain.parse_applicants(r.get("applicants", ""))
        for part in bad_kinds:
            bad("applicants", "pb.imp.applicants", part, kinds=", ".join(domain.ORG_KINDS))
        on = None
        if str(r.get("designated_on", "")).strip():
            text = str(r["designated_on"]).strip()
            # the whole cell must be the date (Excel date cells read as text end in " 00:00:00")
            try:
                on = dt.date.fromisoformat(text.removesuffix(" 00:00:00")) if _DATE.match(text) else None
            except ValueError:
                on = None
            if on is None:
                bad("designated_on", "pb.imp.date", r["designated_on"])
        if status == "designated" and on is None and not str(r.get("designated_on", "")).strip():
            bad("designated_on", "pb.imp.designated_on", "")
        cid = str(r.get("candidate_id", "")).strip() or None
        if cid is not None:
            if cid in seen:
                bad("candidate_id", "pb.imp.id_once", f"{cid} (also row {seen[cid]})", found_key="pb.imp.id_also",
                    cid=cid, other=seen[cid])
            seen[cid] = i
            if cid not in existing:
                bad("candidate_id", "pb.imp.id_exists", cid)
        data = CandidateData(name_ja=r["name_ja"].strip(), base_type=base_type or r["base_type"], fiscal_year=fy,
                             muni_codes=tuple(munis), applicants=applicants, name_en=r.get("name_en", "").strip(),
                             summary=r.get("summary", "").strip(), contact=r.get("contact", "").strip(),
                             source_url=r.get("source_url", "").strip())
        already = {q.column for q in problems if q.row == i}  # do not report a cell twice
        problems.extend(q for q in data.problems(known_munis=known_munis, where=file, row=i)
                        if not (q.column in ("muni_codes", "applicants") and q.column in already))
        rows.append(ImportRow(cid, data, status, on))
    return rows, problems


def import_file(con: duckdb.DuckDBPyConnection, user: User, path: Path | str, *,
                known_munis: set[str] | None = None, name: str | None = None) -> ImportReport:
    """Import the file at ``path`` all or nothing (see ``import_bytes``)."""
    path = Path(path)
    return import_bytes(con, user, uploads.read_file(path, formats="CSV, .xlsx"), name=name or path.name, known_munis=known_munis)


def import_bytes(con: duckdb.DuckDBPyConnection, user: User, raw: bytes, *, name: str,
                 known_munis: set[str] | None = None) -> ImportReport:
    """Import an uploaded list all or nothing; raises InputError listing every problem (nothing written then).

    ``name`` is the file's name as the user gave it (its extension tells CSV from Excel)."""
    auth.require_import(user)
    df = read_bytes(raw, name=name)
    rows, problems = parse_rows(df, file=name, known_munis=known_munis, existing=candidates.existing_ids(con))
    if not problems:
        problems = candidates.import_problems(con, rows, file=name)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([Problem(name, found="none", found_key="pb.none", **i18n.expect("pb.imp.rows"))])
    created, updated = candidates.apply_import(con, user, rows, label=name, known_munis=known_munis, checked=True)
    return ImportReport(tuple(created), tuple(updated))


def template() -> pd.DataFrame:
    """An empty import sheet with the Japanese headers (what the page offers to download)."""
    return pd.DataFrame(columns=list(COLUMNS.values()))
