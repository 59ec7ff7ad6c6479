"""``python -m revitalize score``: print the ranking with every indicator and contribution."""

from __future__ import annotations

import argparse
import json
import sys

from revitalize import db, exports, scoring


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="rank municipalities with transparent scores")
    p.add_argument("--weights", help="TOML file with a [weights] table (indicator = weight)")
    p.add_argument("--top", type=int, default=None, help="only the first N rows")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help="language of the reason column")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    weights = scoring.Weights.from_toml(args.weights) if args.weights else scoring.Weights()
    con = db.connect(read_only=True)
    try:
        ind, raw, sub = scoring.inputs(con)
    finally:
        con.close()
    table = scoring.ranking(ind, raw, sub, weights, lang=args.lang).reset_index()
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
        sys.stdout.buffer.write(exports.to_csv_bytes(table))
    return 0
