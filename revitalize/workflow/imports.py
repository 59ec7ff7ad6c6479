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

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from revitalize.core import codes, domain
from revitalize.core.errors import InputError, Problem
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
    return read_bytes(path.read_bytes(), name=name or path.name)


def read_bytes(raw: bytes, *, name: str) -> pd.DataFrame:
    """An uploaded CSV or .xlsx (told apart by ``name``'s extension) as text cells with canonical column names."""
    label = name
    try:
        if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(io.BytesIO(raw), dtype=str, engine="openpyxl")
        else:
            for enc in ("utf-8-sig", "cp932"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise InputError([Problem(label, "a CSV file in UTF-8 or Shift_JIS (CP932)", "undecodable bytes")])
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except InputError:
        raise
    except Exception as exc:  # a broken workbook or CSV: say so, with the reader's words
        raise InputError([Problem(label, "a readable CSV or .xlsx file", f"{type(exc).__name__}: {exc}")]) from exc
    df.columns = [_FROM_JA.get(str(c).strip(), str(c).strip()) for c in df.columns]
    return df.fillna("")


def parse_rows(df: pd.DataFrame, *, file: str, known_munis: set[str] | None,
               existing: set[str]) -> tuple[list[ImportRow], list[Problem]]:
    """Validated rows and every problem found."""
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in df.columns]
    unknown = [c for c in df.columns if c not in COLUMNS]
    if missing:
        problems.append(Problem(file, "columns " + ", ".join(f"{c} ({COLUMNS[c]})" for c in REQUIRED),
                                "missing " + ", ".join(missing)))
    if unknown:
        problems.append(Problem(file, "only the documented columns", "unknown " + ", ".join(unknown)))
    if problems:
        return [], problems
    rows, seen = [], {}
    columns = list(df.columns)
    records = (dict(zip(columns, values)) for values in zip(*(df[c].tolist() for c in columns)))  # fast on 200k rows
    for i, r in enumerate(records, start=1):
        def bad(column: str, expected: str, found: object) -> None:
            problems.append(Problem(file, expected, repr(found), row=i, column=column))

        base_type = domain.base_type_of(r["base_type"])
        status = domain.status_of(r["status"])
        if status is None:
            bad("status", "one of " + ", ".join(domain.STATUSES), r["status"])
        try:
            fy = int(str(r["fiscal_year"]).strip().removesuffix(".0").removesuffix("年度"))
        except ValueError:
            fy = r["fiscal_year"]
        munis, bad_codes = codes.parse_muni_codes(r["muni_codes"])
        for why in bad_codes:
            bad("muni_codes", "5-digit municipality codes (or 6 with the check digit), ';'-separated", why)
        applicants, bad_kinds = domain.parse_applicants(r.get("applicants", ""))
        for part in bad_kinds:
            bad("applicants", "name:kind with kind among " + ", ".join(domain.ORG_KINDS), part)
        on = None
        if str(r.get("designated_on", "")).strip():
            text = str(r["designated_on"]).strip()
            # the whole cell must be the date (Excel date cells read as text end in " 00:00:00")
            try:
                on = dt.date.fromisoformat(text.removesuffix(" 00:00:00")) if _DATE.match(text) else None
            except ValueError:
                on = None
            if on is None:
                bad("designated_on", "a date YYYY-MM-DD (nothing else in the cell)", r["designated_on"])
        if status == "designated" and on is None and not str(r.get("designated_on", "")).strip():
            bad("designated_on", "the designation date for a designated base", "")
        cid = str(r.get("candidate_id", "")).strip() or None
        if cid is not None:
            if cid in seen:
                bad("candidate_id", "each id once in the file", f"{cid} (also row {seen[cid]})")
            seen[cid] = i
            if cid not in existing:
                bad("candidate_id", "the id of an existing candidate (leave empty to create one)", cid)
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
    return import_bytes(con, user, path.read_bytes(), name=name or path.name, known_munis=known_munis)


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
        raise InputError([Problem(name, "at least one data row", "none")])
    created, updated = candidates.apply_import(con, user, rows, label=name, known_munis=known_munis, checked=True)
    return ImportReport(tuple(created), tuple(updated))


def template() -> pd.DataFrame:
    """An empty import sheet with the Japanese headers (what the page offers to download)."""
    return pd.DataFrame(columns=list(COLUMNS.values()))
