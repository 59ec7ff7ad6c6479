"""Effect verification timings (printed, not asserted). Run: `.venv/bin/python benchmarks/effects.py [--cohort NAME]`.

1. One estimate as the page makes it (hygiene, placebo-in-space and -in-time, robustness) for Chiyoda (13101)
   from 2024-04, each method, first call and the median of 3 warm calls (target ≤ 3 s).
2. An estimate from a curated event and its exports.
3. A national cohort (default: the places newly listed in the 2025 Anime Tourism 88 edition; target ≤ 60 s for
   ~100 places).

Calibration and power are measured by `benchmarks/effects_calibration.py`.
Uses the database at REVITALIZE_DB (or the default path); builds one in a temporary folder when it is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from benchmarks._timing import on_reference_db, timed  # noqa: E402
from revitalize.analysis import cohorts, effects, events, panel  # noqa: E402
from revitalize.outputs import effect_report  # noqa: E402


def bench_timing(con, long: pd.DataFrame) -> None:
    """One estimate as the page makes it: hygiene (events, own shocks, neighbours), placebo-in-space inference,
    placebo-in-time and the robustness re-estimates (target ≤ 3 s on the 2-core machine)."""
    munis, wards, found = panel.municipalities(con), panel.ward_cities(con), events.all_events(con)
    near = panel.neighbours(con, effects.SPILLOVER_KM)
    for method in effects.METHODS:
        t = time.perf_counter()
        events.run(long, munis, wards, found, ["13101"], start="2024-04", method=method, neighbours=near)
        cold = time.perf_counter() - t
        warm, run = timed(lambda: events.run(long, munis, wards, found, ["13101"], start="2024-04", method=method,
                                             neighbours=near), repeat=3)
        r = run.result
        print(f"timing {method:<8}: one estimate with hygiene ({len(r.excluded_donors)} left out), placebo-in-space "
              f"({len(r.placebos)} placebos), -in-time and robustness {warm:.2f} s warm (median of 3), {cold:.2f} s "
              f"first call (target 3 s); effect {r.effect_pct:+.1f} % [{r.ci90_pct[0]:+.1f}, {r.ci90_pct[1]:+.1f}], "
              f"p = {r.p_value:.3f}")


def bench_cohort(con, long: pd.DataFrame, name: str) -> None:
    """A national cohort as the page computes it (target ≤ 60 s for ~100 places)."""
    munis, wards, found = panel.municipalities(con), panel.ward_cities(con), events.all_events(con)
    near = panel.neighbours(con, effects.SPILLOVER_KM)
    content = events.content_events(con)
    cohort = cohorts.builtin(name, content, events.cohort_dramas(con), events.cohort_awards(con))
    t = time.perf_counter()
    r = cohorts.estimate(cohort, long, munis, wards, found, neighbours=near)
    secs = time.perf_counter() - t
    print(f"cohort {name}: {r.n_places} places estimated ({len(r.dropped)} dropped) in {secs:.1f} s "
          f"({secs / max(r.n_places, 1):.2f} s a place; target 60 s for ~100); ATT {r.att_pct:+.1f} % "
          f"[{r.ci90_pct[0]:+.1f}, {r.ci90_pct[1]:+.1f}], p = {r.p_value}")


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


def run(con, *, cohort: str) -> None:
    long = panel.visitor_panel(con)
    bench_timing(con, long)
    bench_event_run(con, long)
    bench_cohort(con, long, cohort)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cohort", default="anime88-2025", help="the built-in cohort to time")
    args = parser.parse_args()
    on_reference_db(lambda con: run(con, cohort=args.cohort))


if __name__ == "__main__":
    main()
