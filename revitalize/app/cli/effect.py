"""``python -m revitalize effect``: did an event bring visitors, compared with similar municipalities?"""

from __future__ import annotations

import argparse
import json
import re
import sys

from revitalize.data import db
from revitalize.core import i18n
from revitalize.analysis import effects, panel
from revitalize.core.errors import EffectError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("effect", help="effect of an event on visitors against a counterfactual (効果検証)")
    p.add_argument("--muni", required=True,
                   help="municipality code(s); several (;-separated) are summed as one subject, e.g. 13101;13102")
    p.add_argument("--start", required=True, help="first month of the event, YYYY-MM")
    p.add_argument("--end", default=None, help="last month of the post period, YYYY-MM (default: last in the data)")
    p.add_argument("--method", choices=list(effects.METHODS), default="synth")
    p.add_argument("--exclude", default="",
                   help="codes that share the event and must not be comparison municipalities (;-separated)")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.set_defaults(func=run)


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[;,；、\s]+", text.strip()) if c]


def run(args: argparse.Namespace) -> int:
    con = db.connect(read_only=True)
    try:
        long = panel.visitor_panel(con)
        munis = panel.municipalities(con)
        wards = panel.ward_cities(con)
    finally:
        con.close()
    try:
        prepared = effects.prepare_panel(long, _codes(args.muni), args.start, args.end,
                                         known_codes=munis["muni_code"], ward_cities=wards)
        result = effects.estimate(prepared, method=args.method, excluded=_codes(args.exclude))
    except EffectError as exc:
        print(f"error: {exc.text(args.lang)}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(result.to_dict(args.lang), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    t = lambda key: i18n.t(key, args.lang)  # noqa: E731
    d = result.to_dict(args.lang)
    lo, hi = d["ci90_pct"]
    lines = [
        f"{t('effect.title')}: {';'.join(d['muni_codes'])}  {d['start']} – {d['end']}  "
        f"({t('effect.method.' + d['method'])})",
        f"{t('effect.effect')}: {d['effect_pct']:+.1f} %  [{t('effect.ci90')}: {lo:+.1f} … {hi:+.1f} %]",
        f"{t('effect.visitors')}: {d['effect_visitors']:+,.0f}",
        f"{t('effect.p_value')}: {d['p_value']:.3f}" if d["p_value"] is not None else f"{t('effect.p_value')}: –",
        f"{t('effect.pre_rmspe')}: {d['pre_rmspe_pct']:.1f} %",
        f"{t('effect.months')}: {d['pre_months']} / {d['post_months']}",
        f"{t('effect.donors')}: " + ", ".join(f"{x['muni_code']} {x['weight']:.3f}" for x in d["donors"][:10]),
    ]
    if d["warnings"]:
        lines.append(f"{t('effect.warnings')}:")
        lines += [f"  - {w}" for w in d["warnings"]]
    print("\n".join(lines))
    return 0
