"""Looking after the workflow store: migrate, back up, restore, check — the same on DuckDB and PostgreSQL.

A backup is one JSON document (gzip-compressed when the file name ends in ``.gz``) holding every row of
every workflow table, the audit events included, with the schema version it was written at. It restores
into either backend, which is how a pilot on the DuckDB file moves to PostgreSQL for production:

    REVITALIZE_WORKFLOW_DB=pilot.duckdb python -m revitalize workflow backup pilot.json.gz
    REVITALIZE_WORKFLOW_URL=postgresql://… python -m revitalize workflow restore pilot.json.gz

A restore writes in one transaction and refuses a store that already holds candidates, events or users
unless told to replace it (then the old schema is dropped and laid anew inside the same transaction).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path

from revitalize.core import i18n
from revitalize.core.errors import DatabaseMissingError, InputError, Problem, RevitalizeError, StoreRefusedError
from revitalize.data import db, store
from revitalize.data.store import Store

FORMAT = "revitalize-workflow-backup"
FORMAT_VERSION = 1

# Every workflow table and its columns, in the order a restore writes them (parents before children).
TABLES: dict[str, tuple[str, ...]] = {
    "candidates": ("candidate_id", "name_ja", "name_en", "base_type", "fiscal_year", "status", "summary", "contact",
                   "designated_on", "origin", "source_url", "version", "created_at", "created_by", "updated_at",
                   "updated_by"),
    "candidate_applicants": ("candidate_id", "ord", "org_name", "org_kind"),
    "candidate_municipalities": ("candidate_id", "muni_code"),
    "candidate_assets": ("candidate_id", "layer", "asset_id"),
    "candidate_events": ("event_id", "candidate_id", "happened_at", "actor", "actor_role", "action", "from_status",
                         "to_status", "reason", "version_after", "changes"),
    "candidate_id_counters": ("fiscal_year", "last_n"),
    "workflow_users": ("email", "role", "muni_codes", "name", "updated_at", "updated_by"),
}
_DATES = {"designated_on"}
_TIMESTAMPS = {"created_at", "updated_at", "happened_at"}


def _q(name: str, con: Store) -> str:
    return db.sql_for(f"workflow_store/{name}", con.dialect)


def migrate(con: Store) -> tuple[int, list[int]]:
    """Bring the store's schema up to date; returns (version now, versions applied)."""
    applied = db.migrate_workflow(con)
    return db.workflow_schema_version(con), applied


# ---- backup and restore ------------------------------------------------------------------------------------

def _plain(v: object) -> object:
    return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat() if isinstance(v, dt.date) else v


def dump(con: Store) -> dict:
    """Every row of every workflow table as a JSON-ready document."""
    tables = {}
    for name, columns in TABLES.items():
        cols = ", ".join(db.ident(c) for c in columns)
        rows = con.execute(db.template("workflow_store/select_all").format(table=db.ident(name), columns=cols))
        tables[name] = {"columns": list(columns), "rows": [[_plain(v) for v in r] for r in rows.fetchall()]}
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": db.workflow_schema_version(con),
            "written_from": con.dialect, "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": tables}


def backup(con: Store, path: Path | str) -> dict[str, int]:
    """Write the backup document to ``path`` (``.gz``: compressed); returns the row count of each table.

    The file is written next to its final name and moved into place, so a failed backup never leaves half a file."""
    path = Path(path)
    doc = dump(con)
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_name(path.name + ".partial")
    with (gzip.open(tmp, "wb") if path.name.endswith(".gz") else open(tmp, "wb")) as f:
        f.write(data)
    os.replace(tmp, path)
    return {name: len(t["rows"]) for name, t in doc["tables"].items()}


def read_backup(path: Path | str) -> dict:
    """The backup document at ``path``; an ``InputError`` listing every problem when it is not one."""
    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
        doc = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError([Problem(file, found=f"{type(exc).__name__}: {exc}", **i18n.expect("pb.bk.backup"))]) from exc
    problems = []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else doc
        problems.append(Problem(file, column="format", found=repr(found), **i18n.expect("pb.bk.format", format=FORMAT)))
    else:
        if doc.get("format_version") != FORMAT_VERSION:
            problems.append(Problem(file, column="format_version", found=repr(doc.get("format_version")),
                                    **i18n.expect("pb.bk.format_version", version=FORMAT_VERSION)))
        for name, t in (doc.get("tables") or {}).items():
            if name not in TABLES:
                problems.append(Problem(file, column="tables", found=repr(name),
                                        **i18n.expect("pb.bk.tables", tables=", ".join(TABLES))))
            elif not set(t.get("columns", [])) <= set(TABLES[name]):
                problems.append(Problem(file, column=name, found=", ".join(t.get("columns", [])),
                                        **i18n.expect("pb.bk.columns", table=name, columns=", ".join(TABLES[name]))))
        if "candidates" not in (doc.get("tables") or {}):
            problems.append(Problem(file, column="tables", found="", found_key="pb.none",
                                    **i18n.expect("pb.bk.candidates")))
    if problems:
        raise InputError(problems, dataset=FORMAT)
    return doc


def _typed(column: str, v: object) -> object:
    if v is None:
        return None
    if column in _DATES:
        return dt.date.fromisoformat(str(v)[:10])
    if column in _TIMESTAMPS:
        return dt.datetime.fromisoformat(str(v))
    return v


def counts(con: Store) -> tuple[int, int, int]:
    """(candidates, audit events, users) in the store."""
    return tuple(int(n) for n in con.execute(_q("count_rows", con)).fetchone())


def restore(con: Store, path: Path | str, *, replace: bool = False) -> dict[str, int]:
    """Load a backup into the store in one transaction; returns the rows written per table.

    Refuses (StoreRefusedError, nothing written) a store holding candidates, events or users unless ``replace``;
    with ``replace`` the workflow schema is dropped and laid anew first, in the same transaction.
    """
    doc = read_backup(path)
    if int(doc.get("schema_version", 0)) > db.workflow_target_version(con.dialect):
        raise StoreRefusedError(key="fail.backup_newer", path=str(path), found=doc["schema_version"],
                                supported=db.workflow_target_version(con.dialect))
    held = counts(con)
    if any(held) and not replace:
        raise StoreRefusedError(key="fail.restore_not_empty", path=con.label, candidates=held[0], events=held[1],
                                users=held[2])
    written: dict[str, int] = {}
    with con.transaction():
        if replace:
            con.execute(_q("reset", con))
            db.migrate_workflow(con)
        for name, _columns in TABLES.items():
            t = doc["tables"].get(name)
            if not t or not t["rows"]:
                written[name] = 0
                continue
            cols = list(t["columns"])
            rows = [tuple(_typed(c, v) for c, v in zip(cols, r, strict=False)) for r in t["rows"]]
            if name == "candidate_id_counters":
                con.execute(db.sql("workflow_store/clear_id_counters"))
            written[name] = con.copy_rows(name, cols, rows, insert_sql=db.template("workflow_store/insert_rows"),
                                          copy_sql=db.template("workflow_store/copy_rows"))
        top = max((r[0] for r in doc["tables"].get("candidate_events", {}).get("rows", [])), default=0)
        if top:
            con.execute(_q("advance_event_ids", con), [top])
        con.execute(_q("sync_id_counters", con))
    return written


# ---- check -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One thing ``check`` looked at: what, whether it is fine, what was found and, when not, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def check(*, path: Path | str | None = None, url: str | None = None) -> list[Finding]:
    """Open the store read-only and report: readable, writable, schema version current, consistent."""
    out: list[Finding] = []
    try:
        con = db.connect_workflow(path, url=url, read_only=True, migrate_schema=False)
    except DatabaseMissingError as exc:
        return [Finding("readable", False, str(exc), "run `python -m revitalize workflow migrate` to create it")]
    except RevitalizeError as exc:
        return [Finding("readable", False, str(exc), "start the database (or free the lock), then run check again")]
    try:
        try:
            n = counts(con)
            out.append(Finding("readable", True, f"{con.label}: {n[0]} candidates, {n[1]} audit events, {n[2]} users"))
        except RevitalizeError as exc:
            out.append(Finding("readable", False, f"{con.label}: {exc}",
                               "run `python -m revitalize workflow migrate` (the tables are missing or older)"))
        out.append(_writable(con))
        have, want = db.workflow_schema_version(con), db.workflow_target_version(con.dialect)
        out.append(Finding("schema version current", have == want, f"version {have}, this program expects {want}",
                           "" if have == want else "run `python -m revitalize workflow migrate`"
                           if have < want else "upgrade revitalize: the store was migrated by a newer version"))
        if out[0].ok:
            out.extend(_consistency(con))
    finally:
        con.close()
    return out


def _writable(con: Store) -> Finding:
    if con.dialect == store.POSTGRESQL:
        try:
            ok = bool(con.execute(_q("can_write", con)).fetchone()[0])
        except RevitalizeError as exc:
            return Finding("writable", False, str(exc), "run `python -m revitalize workflow migrate`")
        return Finding("writable", ok, f"{con.label}: " + ("this login may write the workflow tables" if ok else
                                                           "this login may not write, or the server is a standby"),
                       "" if ok else "GRANT INSERT, UPDATE, DELETE on the workflow tables to this login, or point "
                                     "REVITALIZE_WORKFLOW_URL at the primary")
    p = Path(con.path)
    ok = con.path == ":memory:" or (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK))
    return Finding("writable", ok, f"{p}: " + ("the file and its folder are writable" if ok else "not writable"),
                   "" if ok else f"give this user write access to {p} and {p.parent}")


def _consistency(con: Store) -> list[Finding]:
    out = []
    bad = con.execute(db.sql("workflow_store/version_mismatches")).fetchall()
    shown = "; ".join(f"{c}: version {v}, {e} change events" for c, v, e in bad[:10]) + ("; …" if len(bad) > 10 else "")
    out.append(Finding("consistent: versions = change events", not bad,
                       f"{len(bad)} candidate(s) differ" + (f": {shown}" if bad else ""),
                       "" if not bad else "restore the last good backup (`workflow restore FILE --replace`); a "
                                          "version without its audit row means a write bypassed the package"))
    orphans = con.execute(db.sql("workflow_store/orphan_events")).fetchone()[0]
    out.append(Finding("consistent: every audit row has its candidate", not orphans, f"{orphans} orphan audit row(s)",
                       "" if not orphans else "restore the last good backup (`workflow restore FILE --replace`)"))
    behind = con.execute(db.sql("workflow_store/counters_behind")).fetchall()
    out.append(Finding("consistent: id counters ahead of the ids given out", not behind,
                       "; ".join(f"FY{fy}: highest id {top}, counter {n}" for fy, top, n in behind) or "all ahead",
                       "" if not behind else "run `python -m revitalize workflow migrate --sync-ids`"))
    return out


def sync_id_counters(con: Store) -> None:
    """Move every fiscal year's id counter past the ids already given out."""
    with con.transaction():
        con.execute(_q("sync_id_counters", con))
