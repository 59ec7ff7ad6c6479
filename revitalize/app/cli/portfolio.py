"""``python -m revitalize portfolio``: choose K more bases maximising the total score under constraints.

Prints the chosen set of the exact solution (CSV or JSON) on stdout, and the greedy total and the gap on
stderr. JSON also explains why each left-out candidate was left out (every left-out item with --explain-all).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

import pandas as pd

from revitalize.analysis import pool, portfolio, scoring
from revitalize.app.cli import options
from revitalize.core import i18n
from revitalize.core.domain import TARGET_BASES
from revitalize.core.errors import ConfigError, Problem
from revitalize.data import credits, db
from revitalize.outputs import tables
from revitalize.workflow import candidates


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("portfolio", help="choose K more bases maximising the total score under constraints")
    add_constraint_args(p)
    options.add_weights(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    options.add_lang(p, what="reasons")
    p.add_argument("--explain-all", action="store_true",
                   help="JSON: explain every left-out item, not only the candidates")
    p.add_argument("--time-limit", type=float, default=30.0, help="seconds the exact solver may use")
    p.set_defaults(func=run)


def add_constraint_args(p: argparse.ArgumentParser) -> None:
    """The portfolio constraints as options (shared by ``portfolio`` and ``export --from portfolio``)."""
    d = portfolio.PLANNING_DEFAULTS
    p.add_argument("--k", type=int, default=None, help=f"new bases to add (default: {TARGET_BASES} − designated bases)")
    p.add_argument("--max-per-pref", type=int, default=None,
                   help=f"at most M selected per prefecture (0 = off; default {d.max_per_pref})")
    p.add_argument("--min-km", type=float, default=None,
                   help=f"no two selected bases closer than D km (0 = off; default {d.min_km:g})")
    p.add_argument("--min-per-region", type=int, default=None,
                   help=f"at least N in each of the 8 regions (0 = off; default {d.min_per_region})")
    p.add_argument("--min-per-pref", type=int, default=None,
                   help=f"at least N in each prefecture (0 = off; default {d.min_per_pref})")
    p.add_argument("--min-share", action="append", default=[], metavar="TYPE=SHARE",
                   help="minimum share of a base type in the whole set, e.g. tourism=0.3 (repeatable)")


def constraints_from_args(args: argparse.Namespace) -> portfolio.Constraints:
    """The planning defaults (``portfolio.PLANNING_DEFAULTS``, as on the page) with the options given."""
    given = {"k": args.k, "min_per_region": args.min_per_region, "min_per_pref": args.min_per_pref,
             "min_km": args.min_km}
    changes = {k: v for k, v in given.items() if v is not None}
    if args.max_per_pref is not None:
        changes["max_per_pref"] = args.max_per_pref or None  # 0 = no cap, as on the page
    if args.min_share:
        changes["min_type_share"] = parse_shares(args.min_share)
    return replace(portfolio.PLANNING_DEFAULTS, **changes)


def parse_shares(items: list[str]) -> dict[str, float]:
    """``["tourism=0.3", ...]`` → ``{"tourism": 0.3}``; every malformed item is reported at once."""
    shares, problems = {}, []
    for item in items:
        key, sep, value = item.partition("=")
        try:
            shares[key.strip()] = float(value)
        except ValueError:
            problems.append(Problem("--min-share", found=repr(item), **i18n.expect("cfg.min_share")))
            continue
        if not sep:
            problems.append(Problem("--min-share", found=repr(item), **i18n.expect("cfg.min_share")))
    if problems:
        raise ConfigError(problems)
    return shares


def load_pool(weights: scoring.Weights) -> pd.DataFrame:
    """The selection pool with these weights: designated bases (fixed), open candidates and, as
    suggestions, every scored municipality no candidate holds (``pool.portfolio_pool``)."""
    work = db.connect_workflow()
    try:
        cands = candidates.table(work)
    finally:
        work.close()
    ref = db.connect(read_only=True)
    try:
        return pool.portfolio_pool(ref, cands, weights)
    finally:
        ref.close()


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records", force_ascii=False))


def run(args: argparse.Namespace) -> int:
    weights = options.weights(args)
    constraints = constraints_from_args(args)
    items = load_pool(weights)
    dropped = items.attrs.get("left_out", [])
    if dropped:
        print(f"note: {len(dropped)} municipalities not in the pool: "
              + ", ".join(f"{code} ({why})" for code, why in dropped), file=sys.stderr)
    cmp = portfolio.compare(items, constraints, time_limit=args.time_limit)
    ex, gr = cmp.exact, cmp.greedy
    c = ex.constraints
    n_fixed = int(ex.table["fixed"].sum())
    print(f"exact: total {ex.total:.3f} ({len(ex.selected_ids)} bases = {n_fixed} fixed + {c.k} new), "
          f"status {ex.status}, {ex.seconds:.3f} s", file=sys.stderr)
    if gr.ok:
        print(f"greedy: total {gr.total:.3f}, {gr.seconds:.3f} s; gap {cmp.gap:.3f} ({cmp.gap_pct:.2f} % of exact)",
              file=sys.stderr)
    else:
        print(f"greedy: failed: {gr.message.text(args.lang) if gr.message else gr.status}", file=sys.stderr)
    reason = "why_ja" if args.lang == "ja" else "why_en"
    cols = [col for col in ex.table.columns if col not in ("why_ja", "why_en", "why_all")]
    chosen = ex.table.set_index("item_id").loc[list(ex.selected_ids)].reset_index()[cols]
    if args.format == "csv":
        sys.stdout.buffer.write(tables.to_csv_bytes(chosen, credits=[
            f"constraints: {c.as_dict()}", f"weights: {weights.values}",
            *credits.credits(credits.SCORING_SOURCES, args.lang)], lang=args.lang))
        return 0
    left = ex.table[~ex.table["selected"]]
    if not args.explain_all:
        left = left[left["kind"].eq("candidate")]
    left = left.assign(reason=left[reason])[cols + ["why_all", "reason"]].sort_values("score", ascending=False)
    out = {"constraints": c.as_dict(), "weights": weights.values,
           "exact": {"status": ex.status, "total": ex.total, "objective": ex.objective, "seconds": ex.seconds,
                     "selected": _records(chosen)},
           "greedy": {"status": gr.status, "total": gr.total if gr.ok else None, "seconds": gr.seconds,
                      "gap": cmp.gap, "gap_pct": cmp.gap_pct,
                      "message": gr.message.text(args.lang) if gr.message else None},
           "left_out": _records(left)}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0

