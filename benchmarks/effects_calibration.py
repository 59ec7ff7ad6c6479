"""Calibration and power of effect verification on the real visitor data (printed and written, never asserted).

Run: `.venv/bin/python benchmarks/effects_calibration.py [--draws 200] [--inject-draws 40] [--regional-draws 30]
[--methods synth,augsynth,did] [--workers 2] [--out revitalize/analysis/calibration.json]`

(a) **Calibration**: ``--draws`` placebo (municipality, month) pairs — a municipality with a complete series drawn
    at random and a fake start drawn from 2022-07 … 2025-06 (seeded) — estimated as the page does (hygiene on,
    placebo-in-space inference): the share with p ≤ 0.05 / 0.10 (should be 5 % / 10 %) and the share whose 90 %
    interval covers 0 (should be 90 %). Real shocks at drawn towns push the rejections up.
(b) **Power**: ``--inject-draws`` pairs with a known effect (+10 %, +20 %, +50 %, −30 %) multiplied into the
    subject's visitors from the start: the share detected at p ≤ 0.10 and the mean bias (estimate − truth, in
    percentage points).
(c) **Regional shock**: ``--regional-draws`` subjects with at least two neighbours (outlines within
    ``effects.SPILLOVER_KM``) with complete series; +20 % is injected into the subject *and* two neighbours from
    the same month; bias with every hygiene rule on, and with the neighbour and own-shock rules off.

The figures go to stdout and, as JSON, to ``--out`` (the page's "how reliable is this?" reads it).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import datetime as dt
import json
import math
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks._timing import on_reference_db  # noqa: E402
from revitalize.analysis import effects, events, panel  # noqa: E402
from revitalize.core.errors import EffectError  # noqa: E402

EFFECTS = (0.10, 0.20, 0.50, -0.30)
REGIONAL_EFFECT = 0.20
SEED = 12
FIRST_START, LAST_START = "2022-07", "2025-06"
_STATE: dict = {}


def _setup(long, found, near):
    _STATE.update(long=long, wide=effects.wide_panel(long), found=found, near=near)


def _one(task: dict) -> dict:
    """One estimate of a (subject, start, injected effect, neighbours injected, hygiene, method) task."""
    wide, found, near = _STATE["wide"], _STATE["found"], _STATE["near"]
    try:
        prepared = effects.prepare_panel(_STATE["long"], [task["code"]], task["start"], wide=wide)
        post = prepared.subject.index >= prepared.start
        subject = prepared.subject.where(~post, prepared.subject * (1.0 + task["effect"]))
        visitors = prepared.visitors.copy()
        for nb in task["injected"]:
            visitors.loc[post, nb] = visitors.loc[post, nb] * (1.0 + task["effect"])
        prepared = dataclasses.replace(prepared, visitors=visitors, subject=subject)
        flags = events.donor_flags(found, str(prepared.start), str(prepared.end))
        rules = events.rule_exclusions(found, None, prepared.muni_codes, flags, near)
        hygiene = effects.Hygiene(own_shock=task["hygiene"], neighbours=task["hygiene"])
        t = time.perf_counter()
        r = effects.estimate(prepared, method=task["method"], rule_exclusions=rules, hygiene=hygiene,
                             donor_flags=flags, time_placebo=False, robustness=False)
        secs = time.perf_counter() - t
    except EffectError as exc:
        return {**task, "error": exc.key}
    lo, hi = r.ci90_pct
    truth = 100.0 * task["effect"]
    return {**task, "effect_pct": r.effect_pct, "p": r.p_value, "lo": lo, "hi": hi, "secs": secs,
            "covers": bool(lo <= truth <= hi) if math.isfinite(lo) else None, "n_excluded": len(r.excluded_donors)}


def _tasks(args, wide: pd.DataFrame, near: dict) -> list[dict]:
    rng = np.random.default_rng(SEED)
    complete = wide.columns[wide.notna().all() & (wide > 0).all()].tolist()
    months = [str(m) for m in pd.period_range(FIRST_START, LAST_START, freq="M")]
    methods = args.methods.split(",")
    tasks = []

    def draw(n: int, need_neighbours: bool = False):
        out = []
        while len(out) < n:
            code = complete[rng.integers(len(complete))]
            nbs = [c for c in near.get(code, ()) if c in complete]
            if need_neighbours and len(nbs) < 2:
                continue
            out.append((code, months[rng.integers(len(months))], sorted(nbs)[:2]))
        return out

    for code, start, _ in draw(args.draws):
        for m in methods:
            tasks.append({"part": "calibration", "code": code, "start": start, "effect": 0.0, "injected": [],
                          "hygiene": True, "method": m})
    for code, start, _ in draw(args.inject_draws):
        for e in EFFECTS:
            for m in methods:
                tasks.append({"part": "power", "code": code, "start": start, "effect": e, "injected": [],
                              "hygiene": True, "method": m})
    for code, start, nbs in draw(args.regional_draws, need_neighbours=True):
        for hyg in (True, False):
            for m in methods:
                tasks.append({"part": "regional", "code": code, "start": start, "effect": REGIONAL_EFFECT,
                              "injected": nbs, "hygiene": hyg, "method": m})
    return tasks


def summarise(rows: list[dict]) -> dict:
    """Per method: calibration (fpr05, fpr10, coverage), power and bias per injected effect, regional bias."""
    frame = pd.DataFrame(rows)
    ok = frame[frame.get("error").isna()] if "error" in frame else frame
    out: dict = {}
    for m, g in ok.groupby("method"):
        cal = g[g["part"] == "calibration"]
        res = {"n_calibration": int(len(cal)), "median_abs_effect_pct": float(cal["effect_pct"].abs().median()),
               "fpr05": float((cal["p"] <= 0.05).mean()), "fpr10": float((cal["p"] <= 0.10).mean()),
               "coverage90": float(cal["covers"].dropna().mean()),
               "median_seconds": float(g["secs"].median())}
        power = {}
        for e in EFFECTS:
            pe = g[(g["part"] == "power") & (np.isclose(g["effect"], e))]
            if len(pe):
                err = pe["effect_pct"] - 100 * e
                power[f"{e:+.0%}"] = {"n": int(len(pe)), "detected10": float((pe["p"] <= 0.10).mean()),
                                      "bias_pp": float(err.mean()), "median_bias_pp": float(err.median()),
                                      "coverage90": float(pe["covers"].dropna().mean())}
        res["power"] = power
        regional = {}
        for hyg in (True, False):
            rg = g[(g["part"] == "regional") & (g["hygiene"] == hyg)]
            if len(rg):
                err = rg["effect_pct"] - 100 * REGIONAL_EFFECT
                regional["on" if hyg else "off"] = {"n": int(len(rg)), "bias_pp": float(err.mean()),
                                                    "median_bias_pp": float(err.median()),
                                                    "detected10": float((rg["p"] <= 0.10).mean())}
        res["regional"] = regional
        out[m] = res
    out["_errors"] = int(frame["error"].notna().sum()) if "error" in frame else 0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--inject-draws", type=int, default=40)
    ap.add_argument("--regional-draws", type=int, default=30)
    ap.add_argument("--methods", default=",".join(effects.METHODS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "revitalize" / "analysis" / "calibration.json"))
    args = ap.parse_args()

    def run(con) -> None:
        long = panel.visitor_panel(con)
        found = events.all_events(con)
        near = panel.neighbours(con, effects.SPILLOVER_KM)
        _setup(long, found, near)
        tasks = _tasks(args, _STATE["wide"], near)
        print(f"{len(tasks)} estimates on {args.workers} worker(s) …", file=sys.stderr)
        t0 = time.perf_counter()
        rows = []
        ctx = multiprocessing.get_context("fork")  # the workers inherit the panel; nothing re-imports a page
        with cf.ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
            for i, row in enumerate(pool.map(_one, tasks, chunksize=4), start=1):
                rows.append(row)
                if i % 50 == 0:
                    print(f"  {i}/{len(tasks)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        summary = summarise(rows)
        # every estimate, for looking into the tails (derived from the reference data: kept out of git)
        pd.DataFrame(rows).to_csv(Path(args.out).with_suffix(".rows.csv.gz"), index=False)
        summary["_meta"] = {"date": dt.date.today().isoformat(), "seconds": round(time.perf_counter() - t0),
                            "draws": args.draws, "inject_draws": args.inject_draws,
                            "regional_draws": args.regional_draws, "seed": SEED,
                            "starts": f"{FIRST_START} … {LAST_START}", "data_end": str(_STATE["wide"].index.max())}
        Path(args.out).write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps(summary, indent=1, ensure_ascii=False))

    on_reference_db(run)


if __name__ == "__main__":
    main()
