"""``python -m revitalize score``: print the ranking with every indicator and contribution."""

from __future__ import annotations

import argparse
import json
import sys

from revitalize.analysis import scoring
from revitalize.app.cli import options
from revitalize.data import coverage, db
from revitalize.outputs import shortlists, tables


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="rank municipalities with transparent scores")
    options.add_weights(p)
    p.add_argument("--top", type=int, default=None, help="only the first N rows")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    options.add_lang(p, what="reason column")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    weights = options.weights(args)
    con = db.connect(read_only=True)
    try:
        ind, raw, sub = shortlists.contributed_inputs(con)
        shares = coverage.layer_shares(coverage.coverage(con))
    finally:
        con.close()
    table = scoring.ranking(ind, raw, sub, weights, lang=args.lang, layer_shares=shares).reset_index()
    if args.top is not None:
        if args.top < 1:
            print(f"error: --top: expected >= 1, found {args.top}", file=sys.stderr)
            return 2
        table = table.head(args.top)
    if args.format == "json":
        json.dump({"weights": weights.values, "rows": json.loads(table.to_json(orient="records", force_ascii=False))},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.buffer.write(tables.to_csv_bytes(table))
    return 0
