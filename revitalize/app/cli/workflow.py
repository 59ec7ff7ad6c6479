"""``python -m revitalize progress`` and ``python -m revitalize candidates list|import``."""

from __future__ import annotations

import argparse
import json
import sys

from revitalize.workflow import auth, candidates, imports
from revitalize.data import db, layers
from revitalize.outputs import tables
from revitalize.analysis import progress
from revitalize.core.errors import DatabaseMissingError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="designated bases against the goal of about 200 by 2033")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.set_defaults(func=_progress)
    p = sub.add_parser("candidates", help="list candidates, or import an official list (CSV/xlsx, admin)")
    csub = p.add_subparsers(dest="action", required=True)
    q = csub.add_parser("list", help="every candidate, one row each")
    q.add_argument("--format", choices=["csv", "json"], default="csv")
    q.set_defaults(func=_list)
    q = csub.add_parser("import", help="import a CSV or Excel list all-or-nothing (see revitalize/imports.py)")
    q.add_argument("file")
    q.set_defaults(func=_import)


def _progress(args: argparse.Namespace) -> int:
    con = db.connect_workflow()
    try:
        report = progress.compute(candidates.table(con))
    finally:
        con.close()
    if args.format == "json":
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        print(progress.text_report(report, args.lang))
    return 0


def _list(args: argparse.Namespace) -> int:
    con = db.connect_workflow()
    try:
        table = candidates.table(con)
    finally:
        con.close()
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
    con = db.connect_workflow()
    try:
        report = imports.import_file(con, user, args.file, known_munis=known)
    finally:
        con.close()
    print(f"imported {args.file}: {len(report.created)} created, {len(report.updated)} updated")
    for cid in report.created:
        print(f"  + {cid}")
    for cid in report.updated:
        print(f"  ~ {cid}")
    return 0
