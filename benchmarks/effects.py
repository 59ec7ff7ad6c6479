"""Effect verification figures (printed, not asserted). Run: `.venv/bin/python benchmarks/effects.py [--n 100]`.

1. Timing: one estimate with placebo-in-space inference (target ≤ 5 s on the 2-core machine), for Chiyoda
   (13101) from 2024-04, synthetic control and DiD, first call in the process (cold: pyfixest's lazy imports)
   and the median of 3 warm calls; with and without the placebo-in-time.
2. Calibration: placebo pairs from the real data — a municipality drawn at random with a fake event month
   drawn from 2022-07 … 2025-06 (seeded). With no real event, p ≤ 0.05 should happen about 5 % of the time
   and the 90 % interval should cover 0 about 90 % of the time. Some drawn towns will have had real shocks
   (events, disasters), which push the rejection rate up; the figures are printed, never asserted.

Uses the database at REVITALIZE_DB (or the default path); builds one in a temporary folder when it is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks._timing import on_reference_db, timed  # noqa: E402
from revitalize.analysis import effects, events, panel  # noqa: E402
from revitalize.outputs import effect_report  # noqa: E402


def bench_timing(long: pd.DataFrame) -> None:
    prepared = effects.prepare_panel(long, ["13101"], "2024-04")
    for method in effects.METHODS:
        t = time.perf_counter()
        effects.estimate(prepared, method=method, time_placebo=False)
        cold = time.perf_counter() - t
        warm, r = timed(lambda: effects.estimate(prepared, method=method, time_placebo=False), repeat=3)
        both, _ = timed(lambda: effects.estimate(prepared, method=method), repeat=3)
        print(f"timing {method:<5}: one estimate with placebo-in-space ({len(r.placebos)} placebos) "
              f"{warm:.2f} s warm (median of 3), {cold:.2f} s first call; with placebo-in-time too {both:.2f} s "
              f"(target 5 s); effect {r.effect_pct:+.1f} % [{r.ci90_pct[0]:+.1f}, {r.ci90_pct[1]:+.1f}], "
              f"p = {r.p_value:.3f}")


def bench_event_run(con, long: pd.DataFrame) -> None:
    """An estimate from a curated event (13113, the 2025 Anime Tourism 88 edition): events read, places sharing
    the edition excluded, donors flagged; then the exports (what the page computes once per subject/event/method)."""
    t = time.perf_counter()
    found = events.content_events(con)
    load = time.perf_counter() - t
    munis, wards = panel.municipalities(con), panel.ward_cities(con)
    secs, run = timed(lambda: events.run(long, munis, wards, found, ["13113"], key="anime88:2025"), repeat=3)
    print(f"event run: events of every municipality {load * 1000:.0f} ms ({len(found)} rows); one estimate from "
          f"anime88:2025 with placebo-in-space ({len(run.result.placebos)} placebos) and -in-time {secs:.2f} s "
          f"(median of 3, target 5 s); {len(run.excluded)} municipalities sharing the edition left out")
    for fmt in effect_report.FILE_FORMATS:
        secs, data = timed(lambda: effect_report.export(run, fmt, munis=munis), repeat=3)
        print(f"export {fmt}: {secs:.2f} s, {len(data) / 1024:.0f} kB")


def bench_calibration(long: pd.DataFrame, *, n: int, methods=effects.METHODS, seed: int = 20261201) -> None:
    rng = np.random.default_rng(seed)
    wide = effects.wide_panel(long)
    complete = wide.columns[wide.notna().all() & (wide > 0).all()]
    months = pd.period_range("2022-07", "2025-06", freq="M")
    for method in methods:
        rows = []
        t0 = time.perf_counter()
        for _ in range(n):
            code = str(rng.choice(complete))
            start = months[rng.integers(len(months))]
            end = start + 11  # a year of "effect"
            r = effects.estimate(effects.prepare_panel(long, [code], str(start), str(end)), method=method,
                                 time_placebo=False)
            rows.append({"code": code, "start": str(start), "p": r.p_value, "lo": r.ci90_pct[0],
                         "hi": r.ci90_pct[1], "effect": r.effect_pct, "fit": r.pre_rmspe_pct})
        df = pd.DataFrame(rows)
        secs = time.perf_counter() - t0
        reject = (df["p"] <= 0.05).mean()
        reject10 = (df["p"] <= 0.10).mean()
        cover = ((df["lo"] <= 0) & (df["hi"] >= 0)).mean()
        good = df[df["fit"] <= effects.POOR_FIT_PCT]
        print(f"calibration {method:<5}: {n} placebo pairs (random municipality × fake event, 12 post months): "
              f"p ≤ 0.05 in {reject:.1%} (nominal 5 %), p ≤ 0.10 in {reject10:.1%} (nominal 10 %), "
              f"90 % interval covers 0 in {cover:.1%} (nominal 90 %); median |effect| "
              f"{df['effect'].abs().median():.1f} %, median interval width {(df['hi'] - df['lo']).median():.1f} pp; "
              f"good pre-fit (≤ {effects.POOR_FIT_PCT:g} %) {len(good)}/{n}: p ≤ 0.05 in "
              f"{(good['p'] <= 0.05).mean():.1%}, covers 0 in {((good['lo'] <= 0) & (good['hi'] >= 0)).mean():.1%}; "
              f"{secs:.0f} s")


def run(con, *, n: int, methods=effects.METHODS, timing: bool = True) -> None:
    long = panel.visitor_panel(con)
    if timing:
        bench_timing(long)
        bench_event_run(con, long)
    bench_calibration(long, n=n, methods=methods)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100, help="placebo pairs per method")
    parser.add_argument("--method", choices=effects.METHODS, action="append", help="only this method (repeatable)")
    parser.add_argument("--no-timing", action="store_true", help="calibration only")
    args = parser.parse_args()
    kw = {"n": args.n, "methods": tuple(args.method or effects.METHODS), "timing": not args.no_timing}
    on_reference_db(lambda con: run(con, **kw))


if __name__ == "__main__":
    main()
