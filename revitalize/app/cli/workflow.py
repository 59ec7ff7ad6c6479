"""``python -m revitalize progress``, ``candidates list|import`` and ``workflow migrate|backup|restore|check``."""

from __future__ import annotations

import argparse
import json
import sys

from revitalize.analysis import progress
from revitalize.core import domain
from revitalize.core.errors import DatabaseMissingError
from revitalize.data import db, layers
from revitalize.outputs import tables
from revitalize.workflow import auth, candidates, imports, maintenance


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help=f"designated bases against the goal of about {domain.TARGET_BASES} by "
                                        f"{domain.TARGET_FY}")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.set_defaults(func=_progress)
    p = sub.add_parser("candidates", help="list candidates, or import an official list (CSV/xlsx, admin)")
    csub = p.add_subparsers(dest="action", required=True)
    q = csub.add_parser("list", help="every candidate, one row each")
    q.add_argument("--format", choices=["csv", "json"], default="csv")
    q.add_argument("--all", action="store_true", help="also withdrawn candidates (the default list leaves them out)")
    q.set_defaults(func=_list)
    q = csub.add_parser("import", help="import a CSV or Excel list all-or-nothing (see revitalize/imports.py)")
    q.add_argument("file")
    q.set_defaults(func=_import)
    p = sub.add_parser("workflow", help="look after the workflow store (DuckDB file or PostgreSQL): migrate, "
                                        "backup, restore, check")
    wsub = p.add_subparsers(dest="action", required=True)
    store_help = ("the store: a postgresql:// URL or a DuckDB file (default: REVITALIZE_WORKFLOW_URL, else "
                  "REVITALIZE_WORKFLOW_DB)")
    q = wsub.add_parser("migrate", help="create the store or bring its schema up to date")
    q.add_argument("--store", help=store_help)
    q.add_argument("--sync-ids", action="store_true", help="also move the id counters past the ids given out")
    q.set_defaults(func=_migrate)
    q = wsub.add_parser("backup", help="write every table (audit events included) to FILE (JSON; .gz compressed)")
    q.add_argument("file")
    q.add_argument("--store", help=store_help)
    q.set_defaults(func=_backup)
    q = wsub.add_parser("restore", help="load a backup into an empty store (either backend), in one transaction")
    q.add_argument("file")
    q.add_argument("--store", help=store_help)
    q.add_argument("--replace", action="store_true", help="replace everything in a store that is not empty")
    q.set_defaults(func=_restore)
    q = wsub.add_parser("check", help="readable, writable, schema current, consistent; exit 0 ok, 2 problems")
    q.add_argument("--store", help=store_help)
    q.set_defaults(func=_check)


def _target(args: argparse.Namespace) -> dict:
    """``db.connect_workflow`` keywords for --store (a URL or a DuckDB path), else the settings."""
    value = getattr(args, "store", None)
    if not value:
        return {}
    return {"url": value} if value.startswith(("postgresql://", "postgres://")) else {"path": value}


def _migrate(args: argparse.Namespace) -> int:
    with db.connect_workflow(**_target(args), migrate_schema=False) as con:
        version, applied = maintenance.migrate(con)
        if args.sync_ids:
            maintenance.sync_id_counters(con)
        print(f"{con.label}: workflow schema version {version}"
              + (f" (applied {', '.join(map(str, applied))})" if applied else " (already current)"))
    return 0


def _backup(args: argparse.Namespace) -> int:
    with db.connect_workflow(**_target(args)) as con:
        n = maintenance.backup(con, args.file)
        print(f"{con.label} → {args.file}: " + ", ".join(f"{k} {v}" for k, v in n.items()))
    return 0


def _restore(args: argparse.Namespace) -> int:
    with db.connect_workflow(**_target(args)) as con:
        n = maintenance.restore(con, args.file, replace=args.replace)
        print(f"{args.file} → {con.label}: " + ", ".join(f"{k} {v}" for k, v in n.items()))
    return 0


def _check(args: argparse.Namespace) -> int:
    findings = maintenance.check(**_target(args))
    for f in findings:
        print(f"{'ok ' if f.ok else 'BAD'} {f.name}: {f.detail}")
        if not f.ok and f.fix:
            print(f"    fix: {f.fix}")
    bad = sum(not f.ok for f in findings)
    print(f"{len(findings) - bad} ok, {bad} problem(s)")
    return 0 if bad == 0 else 2


def _progress(args: argparse.Namespace) -> int:
    with db.connect_workflow() as con:
        report = progress.compute(candidates.table(con))
    if args.format == "json":
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        print(progress.text_report(report, args.lang))
    return 0


def _list(args: argparse.Namespace) -> int:
    with db.connect_workflow() as con:
        table = candidates.filter_table(candidates.table(con), candidates.CandidateFilter(include_withdrawn=args.all))
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, date_format="iso", indent=1) + "\n")
    else:
        sys.stdout.buffer.write(tables.to_csv_bytes(table))
    return 0


def _import(args: argparse.Namespace) -> int:
    user = auth.local_user()
    try:
        ref = db.connect(read_only=True)
        known = layers.known_municipalities(ref)
        ref.close()
    except DatabaseMissingError:
        known = None
        print("note: no reference database; municipality codes are checked for form only", file=sys.stderr)
    with db.connect_workflow() as con:
        report = imports.import_file(con, user, args.file, known_munis=known)
    print(f"imported {args.file}: {len(report.created)} created, {len(report.updated)} updated")
    for cid in report.created:
        print(f"  + {cid}")
    for cid in report.updated:
        print(f"  ~ {cid}")
    return 0
