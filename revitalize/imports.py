"""Import lists of applications and designated bases (CSV or Excel) into the workflow database.

All or nothing: every row is read and checked first and every problem is reported at once (file,
row, column, what was expected, what was found); only a clean file is written, in one transaction.
A row whose ``candidate_id`` exists updates that candidate (status included, as the official list
says) and appends an ``import`` event; other rows create candidates. Admins only.

Columns (English or Japanese header; ``*`` required):
name_ja* (名称), base_type* (類型), fiscal_year* (年度), muni_codes* (市区町村コード, ``;``-separated),
status* (状況), candidate_id (候補ID), name_en (英語名称), applicants (申請者, ``name:kind;…``),
designated_on (選定日, required when designated), summary (概要), contact (連絡先), source_url (出典URL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from revitalize import auth, candidates, codes, db
from revitalize.auth import User
from revitalize.candidates import CandidateData
from revitalize.errors import InputError, Problem

COLUMNS: dict[str, str] = {
    "candidate_id": "候補ID", "name_ja": "名称", "name_en": "英語名称", "base_type": "類型", "fiscal_year": "年度",
    "status": "状況", "applicants": "申請者", "muni_codes": "市区町村コード", "designated_on": "選定日",
    "summary": "概要", "contact": "連絡先", "source_url": "出典URL",
}
REQUIRED = ("name_ja", "base_type", "fiscal_year", "muni_codes", "status")
_FROM_JA = {ja: en for en, ja in COLUMNS.items()}


@dataclass(frozen=True)
class ImportReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]


def read_table(path: Path | str, *, name: str | None = None) -> pd.DataFrame:
    """A CSV (UTF-8 with or without BOM, else CP932) or Excel sheet as text cells with canonical column names."""
    path = Path(path)
    label = name or path.name
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, dtype=str, engine="openpyxl")
        else:
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "cp932"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise InputError([Problem(label, "a CSV file in UTF-8 or Shift_JIS (CP932)", "undecodable bytes")])
            import io

            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except InputError:
        raise
    except Exception as exc:  # a broken workbook or CSV: say so, with the reader's words
        raise InputError([Problem(label, "a readable CSV or .xlsx file", f"{type(exc).__name__}: {exc}")]) from exc
    df.columns = [_FROM_JA.get(str(c).strip(), str(c).strip()) for c in df.columns]
    return df.fillna("")


def parse_rows(df: pd.DataFrame, *, file: str, known_munis: set[str] | None,
               existing: set[str]) -> tuple[list[tuple[str | None, CandidateData, str, dt.date | None]], list[Problem]]:
    """Validated rows: (candidate_id or None, data, status, designated_on) and every problem found."""
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
    for i, r in enumerate(df.to_dict("records"), start=1):
        def bad(column: str, expected: str, found: object) -> None:
            problems.append(Problem(file, expected, repr(found), row=i, column=column))

        base_type = candidates._TYPE_ALIASES.get(r["base_type"].strip(),
                                                 candidates._TYPE_ALIASES.get(r["base_type"].strip().lower()))
        status = candidates._STATUS_ALIASES.get(r["status"].strip(),
                                                candidates._STATUS_ALIASES.get(r["status"].strip().lower()))
        if status is None:
            bad("status", "one of " + ", ".join(candidates.STATUSES), r["status"])
        try:
            fy = int(str(r["fiscal_year"]).strip().removesuffix(".0").removesuffix("年度"))
        except ValueError:
            fy = r["fiscal_year"]
        munis = []
        for part in [p for p in str(r["muni_codes"]).replace("；", ";").split(";") if p.strip()]:
            code, why = codes.parse_muni_code(part)
            if code is None:
                bad("muni_codes", "5-digit municipality codes (or 6 with the check digit), ';'-separated", why)
            else:
                munis.append(code)
        applicants, bad_kinds = candidates.parse_applicants(r.get("applicants", ""))
        for part in bad_kinds:
            bad("applicants", "name:kind with kind among " + ", ".join(candidates.ORG_KINDS), part)
        on = None
        if str(r.get("designated_on", "")).strip():
            try:
                on = dt.date.fromisoformat(str(r["designated_on"]).strip()[:10])
            except ValueError:
                bad("designated_on", "a date YYYY-MM-DD", r["designated_on"])
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
        rows.append((cid, data, status, on))
    return rows, problems


def import_file(con: duckdb.DuckDBPyConnection, user: User, path: Path | str, *,
                known_munis: set[str] | None = None, name: str | None = None) -> ImportReport:
    """Import ``path`` all or nothing; raises InputError listing every problem (nothing written then)."""
    auth.require_import(user)
    label = name or Path(path).name
    df = read_table(path, name=label)
    existing = {c for (c,) in con.execute("SELECT candidate_id FROM candidates").fetchall()}
    rows, problems = parse_rows(df, file=label, known_munis=known_munis, existing=existing)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([Problem(label, "at least one data row", "none")])
    created, updated = [], []
    now = candidates._now()
    with db.transaction(con):
        for cid, data, status, on in rows:
            if cid is None:
                created.append(candidates.insert.__wrapped__(
                    con, user, data, status=status, origin="import", known_munis=known_munis, designated_on=on,
                    reason=f"import {label}"))
                continue
            old = candidates.get(con, cid)
            diff = candidates._diff(old.data, data)
            if old.status != status:
                diff["status"] = (old.status, status)
            if old.designated_on != on:
                diff["designated_on"] = (str(old.designated_on) if old.designated_on else None, str(on) if on else None)
            if not diff:
                continue
            version = old.version + 1
            con.execute(
                "UPDATE candidates SET name_ja = ?, name_en = ?, base_type = ?, fiscal_year = ?, summary = ?, "
                "contact = ?, source_url = ?, status = ?, designated_on = ?, version = ?, updated_at = ?, "
                "updated_by = ? WHERE candidate_id = ?",
                [data.name_ja, data.name_en or None, data.base_type, data.fiscal_year, data.summary or None,
                 data.contact or None, data.source_url or None, status, on, version, now, user.user_id, cid])
            candidates._write_lists(con, cid, data)
            candidates._event(con, cid, user, "import", version, frm=old.status, to=status,
                              reason=f"import {label}", changes=diff, at=now)
            updated.append(cid)
    return ImportReport(tuple(created), tuple(updated))


def template() -> pd.DataFrame:
    """An empty import sheet with the Japanese headers (what the page offers to download)."""
    return pd.DataFrame(columns=list(COLUMNS.values()))
