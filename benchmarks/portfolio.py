"""Portfolio selection figures (printed, not asserted). Run: `.venv/bin/python benchmarks/portfolio.py`.

Target: K = 200 new bases from all scored municipalities with every constraint on, exact solve ≤ 0.5 s.
Uses the database at REVITALIZE_DB (or the default path); builds one in a temporary folder when it is missing.
The scored pool has no base types (suggestions), so for the type-share constraint each municipality gets a
seeded random type (40 % tourism, 30 % industry, 30 % composite) — synthetic, for timing only.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks._timing import on_reference_db, timed  # noqa: E402
from revitalize.analysis import portfolio, scoring
from revitalize.analysis.portfolio import Constraints  # noqa: E402


def bench_portfolio(con, *, repeat: int = 5) -> None:
    t0 = time.perf_counter()
    ind, _, sub = scoring.inputs(con)
    pool = portfolio.pool_from_scores(scoring.score(sub, scoring.Weights()), ind)
    t_pool = time.perf_counter() - t0
    rng = np.random.default_rng(20251125)
    pool["base_type"] = pd.Series(rng.choice(np.array(portfolio.BASE_TYPES, dtype=object), len(pool),
                                             p=[0.4, 0.3, 0.3]), dtype=object)
    print(f"portfolio: pool of {len(pool):,} scored municipalities ({len(pool.attrs['left_out'])} without a point "
          f"left out), built in {t_pool:.2f} s")
    cases = [
        ("all constraints", Constraints(k=200, max_per_pref=8, min_per_region=1, min_km=10.0,
                                        min_type_share={"tourism": 0.3, "industry": 0.2})),
        ("+ one per prefecture, 20 km", Constraints(k=200, max_per_pref=8, min_per_region=1, min_per_pref=1,
                                                    min_km=20.0, min_type_share={"tourism": 0.35, "industry": 0.3})),
        ("tight: max 5, 30 km, one per prefecture", Constraints(k=200, max_per_pref=5, min_per_region=3, min_per_pref=1,
                                                                min_km=30.0,
                                                                min_type_share={"tourism": 0.4, "industry": 0.3})),
    ]
    for label, c in cases:
        pairs, _ = portfolio.close_pairs(pool["lat"].to_numpy(), pool["lon"].to_numpy(), c.min_km)
        t_exact, ex = timed(lambda c=c: portfolio.solve(pool, c), repeat)
        t_greedy, gr = timed(lambda c=c: portfolio.greedy(pool, c), repeat)
        if gr.ok:
            gap = ex.total - gr.total
            greedy_text = (f"greedy {gr.total:,.2f} in {t_greedy * 1000:.0f} ms, gap {gap:,.2f} "
                           f"({100 * gap / ex.total:.2f} %)")
        else:
            greedy_text = f"greedy failed ({gr.message.en if gr.message else gr.status}) in {t_greedy * 1000:.0f} ms"
        why = ex.table.loc[~ex.table["selected"], "why"].value_counts().to_dict()
        print(f"portfolio: K=200, {label} ({len(pairs):,} pairs closer than {c.min_km:g} km): exact {ex.total:,.2f} "
              f"({ex.status}) in {t_exact:.3f} s (median of {repeat}, incl. validation and explanations); "
              f"{greedy_text}; left-out reasons {why}")


def main() -> None:
    on_reference_db(lambda con: bench_portfolio(con))


if __name__ == "__main__":
    main()
