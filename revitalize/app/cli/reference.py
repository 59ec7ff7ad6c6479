"""``python -m revitalize build | check | sources``: the reference database and its files."""

from __future__ import annotations

import argparse
import json
import sys

from tqdm import tqdm

from revitalize.core import i18n, settings
from revitalize.data import build as build_mod
from revitalize.data import check as check_mod
from revitalize.data import coverage, db, sources


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the database from the reference files and curated layers")
    p.add_argument("--if-needed", action="store_true", help="only when missing or older than its inputs")
    p.add_argument("--allow-missing", action="store_true",
                   help="build with the datasets that are available; record the others as missing")
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser("check", help="validate the database and print a summary; exit 1 on failure")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("coverage", help="rows held of each curated layer against its official or documented total")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=i18n.LANGS, default=None, help="language of the text (default REVITALIZE_LANG)")
    p.set_defaults(func=_cmd_coverage)
    p = sub.add_parser("sources", help="list the reference datasets and whether each is available locally")
    p.set_defaults(func=_cmd_sources)


def _cmd_build(args: argparse.Namespace) -> int:
    if args.if_needed and not build_mod.needs_build():
        print(f"database {settings.db_path()} is up to date")
        return 0
    steps = len(sources.DATASETS) + 3
    with tqdm(total=steps, desc="build", unit="step", file=sys.stderr) as bar:
        def progress(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)

        report = build_mod.build(allow_missing=args.allow_missing, progress=progress)
    print(f"built {settings.db_path()}")
    for table, n in report.counts.items():
        print(f"  {table:<22} {n:>8,} rows")
    for key, reason in report.missing.items():
        print(f"  MISSING {key}: {reason}")
    if report.issues:
        kinds: dict[tuple[str, str], int] = {}
        for ds, kind, _, _ in report.issues:
            kinds[(ds, kind)] = kinds.get((ds, kind), 0) + 1
        for (ds, kind), n in sorted(kinds.items()):
            print(f"  note: {ds} {kind}: {n} (see `python -m revitalize check`)")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    con = db.connect(read_only=True)
    try:
        findings = check_mod.run_checks(con)
    finally:
        con.close()
    marks = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}
    for f in findings:
        print(f"{marks[f.level]} {f.topic:<18} {f.message}")
    failed = sum(f.level == "fail" for f in findings)
    print(f"\n{len(findings)} checks, {failed} failed")
    return 1 if failed else 0


def _cmd_sources(args: argparse.Namespace) -> int:
    for a in sources.availability():
        state = "ok" if a.ok else ("CORRUPT" if a.errors else "missing")
        print(f"{a.dataset.key:<14} {state:<8} {a.dataset.as_of}  {a.dataset.credit_en}")
        for e in a.errors:
            print(f"    {e}")
        for m in a.missing:
            print(f"    not available locally: {m}")
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    with db.connect(read_only=True) as con:
        rows = coverage.coverage(con)
    if args.format == "json":
        print(json.dumps([c.as_dict() for c in rows], ensure_ascii=False, indent=1))
    else:
        print(coverage.text(rows, args.lang or settings.cli_lang()))
    return 0
