"""Command line: ``python -m revitalize build | check | sources | score | progress | candidates | portfolio |
export``."""

from __future__ import annotations

import argparse
import sys

from revitalize import build as build_mod
from revitalize import check as check_mod
from revitalize import db, settings, sources
from revitalize.errors import RevitalizeError


def _cmd_build(args: argparse.Namespace) -> int:
    if args.if_needed and not build_mod.needs_build():
        print(f"database {settings.db_path()} is up to date")
        return 0
    from tqdm import tqdm

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revitalize", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build the database from the reference files and curated layers")
    p.add_argument("--if-needed", action="store_true", help="only when missing or older than its inputs")
    p.add_argument("--allow-missing", action="store_true",
                   help="build with the datasets that are available; record the others as missing")
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser("check", help="validate the database and print a summary; exit 1 on failure")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("sources", help="list the reference datasets and whether each is available locally")
    p.set_defaults(func=_cmd_sources)
    _register_more(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RevitalizeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _register_more(sub: argparse._SubParsersAction) -> None:
    """Sub-commands of other modules (score, progress, candidates, portfolio, export) register here."""
    from revitalize import effect_cli, export_cli, portfolio_cli, scoring_cli, workflow_cli

    for module in (scoring_cli, workflow_cli, portfolio_cli, export_cli, effect_cli):
        module.register(sub)
