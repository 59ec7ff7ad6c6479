"""Portfolio selection: constraints hold, the optimum equals brute force, infeasibility names its cause,
monotonicity (Hypothesis), explanations, the CLI and the page."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from conftest import open_app_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revitalize.analysis import portfolio
from revitalize.analysis.portfolio import Constraints
from revitalize.core import codes
from revitalize.core import settings as rv_settings
from revitalize.core.errors import ConfigError, InfeasibleError, InputError

REGION = {c: r for c, _, _, r, _ in codes.PREFECTURES}
# prefectures spanning all 8 regions (two in Kanto and Kinki so per-prefecture caps bite)
PREFS = ["01", "04", "13", "14", "23", "27", "28", "34", "38", "40"]
TYPES = ["tourism", "industry", "composite", None]
HYP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------ independent helpers
def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance by the haversine formula (km), written apart from the module."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def violations(pool: pd.DataFrame, ids, c: Constraints) -> list[str]:
    """Every constraint the selection breaks (checked from first principles)."""
    sel = pool[pool["item_id"].isin(list(ids))]
    out = []
    if len(sel) != len(set(ids)):
        out.append("unknown or repeated ids")
    n_fixed = int(pool["fixed"].sum())
    if sel["fixed"].sum() != n_fixed:
        out.append("a fixed item is missing")
    k = portfolio.default_k(pool) if c.k is None else c.k
    if int((~sel["fixed"]).sum()) != k:
        out.append(f"{int((~sel['fixed']).sum())} new picks, expected {k}")
    per_pref = sel["pref_code"].value_counts()
    if c.max_per_pref is not None and (per_pref > c.max_per_pref).any():
        out.append("max_per_pref")
    if c.min_per_pref and any(per_pref.get(p, 0) < c.min_per_pref for p, *_ in codes.PREFECTURES):
        out.append("min_per_pref")
    per_region = sel["region"].value_counts()
    if c.min_per_region and any(per_region.get(r, 0) < c.min_per_region for r in set(REGION.values())):
        out.append("min_per_region")
    total = n_fixed + k
    for t, share in c.min_type_share.items():
        if (sel["base_type"] == t).sum() < share * total - 1e-9:
            out.append(f"min_type_share {t}")
    if c.min_km > 0:
        rows = list(sel[["lat", "lon"]].itertuples(index=False))
        for a, b in combinations(rows, 2):
            if haversine_km(a.lat, a.lon, b.lat, b.lon) < c.min_km:
                out.append("min_km")
                break
    return out


def make_pool(seed: int, n: int, *, n_fixed: int = 0, spread: float = 0.4) -> pd.DataFrame:
    """A random pool near Tokyo Bay (distances 0–90 km), prefecture codes across all 8 regions."""
    rng = np.random.default_rng(seed)
    prefs = rng.choice(PREFS, n)
    fixed = np.arange(n) < n_fixed
    return pd.DataFrame({
        "item_id": [f"i{j:03d}" for j in range(n)],
        "name": [f"item {j}" for j in range(n)],
        "kind": np.where(fixed, "designated", rng.choice(["candidate", "suggestion"], n)),
        "base_type": pd.Series(rng.choice(np.array(TYPES, dtype=object), n), dtype=object),
        "pref_code": prefs,
        "region": [REGION[p] for p in prefs],
        "score": rng.uniform(0, 100, n).round(1),  # rounding makes ties happen
        "lat": 35.5 + rng.uniform(-spread, spread, n),
        "lon": 139.7 + rng.uniform(-spread, spread, n),
        "fixed": fixed,
    })


def outcome(fn, pool, c):
    """The total of a solve, or None when it is infeasible."""
    try:
        return fn(pool, c).total
    except InfeasibleError:
        return None


def brute_force(pool: pd.DataFrame, c: Constraints):
    """The best total over every selection of k new items (None when none meets the constraints)."""
    k = portfolio.default_k(pool) if c.k is None else c.k
    fixed = list(pool.loc[pool["fixed"], "item_id"])
    free = list(pool.loc[~pool["fixed"], "item_id"])
    score = dict(zip(pool["item_id"], pool["score"], strict=False))
    best = None
    for combo in combinations(free, k):
        ids = fixed + list(combo)
        if not violations(pool, ids, c):
            total = sum(score[i] for i in ids)
            best = total if best is None else max(best, total)
    return best


@st.composite
def instances(draw, max_n: int = 12, max_k: int = 5):
    n = draw(st.integers(3, max_n))
    n_fixed = draw(st.integers(0, 2))
    pool = make_pool(draw(st.integers(0, 2**32 - 1)), n, n_fixed=n_fixed)
    k = draw(st.integers(0, min(n - n_fixed, max_k)))
    c = Constraints(k=k, max_per_pref=draw(st.one_of(st.none(), st.integers(1, 3))),
                    min_per_region=draw(st.sampled_from([0, 0, 0, 1])),
                    min_km=draw(st.sampled_from([0.0, 5.0, 15.0, 30.0])),
                    min_type_share=draw(st.sampled_from([{}, {"tourism": 0.3}, {"tourism": 0.4, "industry": 0.2},
                                                         {"composite": 0.5}])))
    return pool, c


# ------------------------------------------------------------------------------------ exactness and rules
@HYP
@given(instances())
def test_exact_equals_brute_force_and_respects_every_constraint(inst):
    pool, c = inst
    expected = brute_force(pool, c)
    if expected is None:
        with pytest.raises(InfeasibleError):
            portfolio.solve(pool, c)
        return
    res = portfolio.solve(pool, c)
    assert res.status == "optimal"
    assert res.total == pytest.approx(expected, abs=1e-6)
    assert violations(pool, res.selected_ids, c) == []
    fixed = set(pool.loc[pool["fixed"], "item_id"])
    assert fixed <= set(res.selected_ids)
    assert res.objective == pytest.approx(pool.loc[pool["item_id"].isin(res.selected_ids) & ~pool["fixed"],
                                                   "score"].sum())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(5, 15), max_pp=st.integers(2, 4),
       min_km=st.sampled_from([0.0, 8.0, 15.0]), share=st.sampled_from([0.0, 0.2, 0.3]))
def test_constraints_hold_on_larger_random_instances(seed, k, max_pp, min_km, share):
    pool = make_pool(seed, 80, n_fixed=2, spread=1.5)
    c = Constraints(k=k, max_per_pref=max_pp, min_per_region=1, min_km=min_km,
                    min_type_share={"tourism": share} if share else {})
    try:
        res = portfolio.solve(pool, c)
    except InfeasibleError as exc:
        assert exc.constraints  # named, and greedy cannot do better than nothing
        g = outcome(portfolio.greedy, pool, c)
        assert g is None or not portfolio.greedy(pool, c).ok
        return
    assert violations(pool, res.selected_ids, c) == []
    g = portfolio.greedy(pool, c)
    if g.ok:
        assert violations(pool, g.selected_ids, c) == []
        assert g.total <= res.total + 1e-6


@HYP
@given(instances())
def test_greedy_is_never_better_than_exact_and_is_valid_when_it_succeeds(inst):
    pool, c = inst
    exact = outcome(portfolio.solve, pool, c)
    try:
        g = portfolio.greedy(pool, c)
    except InfeasibleError:
        return
    if g.ok:
        assert exact is not None
        assert violations(pool, g.selected_ids, c) == []
        assert g.total <= exact + 1e-6
    else:
        assert g.message is not None and g.message.constraint


@HYP
@given(instances(max_n=10), st.integers(0, 2**32 - 1))
def test_adding_a_candidate_never_lowers_the_optimum(inst, seed):
    pool, c = inst
    extra = make_pool(seed, 1).assign(item_id="extra", kind="candidate")
    before = outcome(portfolio.solve, pool, c)
    after = outcome(portfolio.solve, pd.concat([pool, extra], ignore_index=True), c)
    if before is not None:
        assert after is not None and after >= before - 1e-6


def _tighter(c: Constraints, which: str) -> Constraints:
    from dataclasses import replace

    if which == "max_per_pref":
        return replace(c, max_per_pref=3 if c.max_per_pref is None else max(1, c.max_per_pref - 1))
    if which == "min_km":
        return replace(c, min_km=c.min_km + 10.0)
    if which == "min_per_region":
        return replace(c, min_per_region=c.min_per_region + 1)
    shares = dict(c.min_type_share) or {"tourism": 0.0}
    t = next(iter(shares))
    shares[t] = min(1.0 - sum(v for u, v in shares.items() if u != t), shares[t] + 0.25)
    return replace(c, min_type_share=shares)


@HYP
@given(instances(max_n=10), st.sampled_from(["max_per_pref", "min_km", "min_per_region", "min_type_share"]))
def test_tightening_a_constraint_never_raises_the_optimum(inst, which):
    pool, c = inst
    loose = outcome(portfolio.solve, pool, c)
    tight = outcome(portfolio.solve, pool, _tighter(c, which))
    if loose is None:
        assert tight is None
    elif tight is not None:
        assert tight <= loose + 1e-6


def test_fixed_items_are_kept_even_with_the_lowest_scores():
    pool = make_pool(1, 12, n_fixed=3)
    pool.loc[pool["fixed"], "score"] = 0.0
    c = Constraints(k=4, min_per_region=0)
    for fn in (portfolio.solve, portfolio.greedy):
        res = fn(pool, c)
        assert set(pool.loc[pool["fixed"], "item_id"]) <= set(res.selected_ids)
        assert len(res.selected_ids) == 7
        assert (res.table.loc[res.table["fixed"], "why"] == "fixed").all()


def test_default_k_is_200_minus_fixed():
    pool = make_pool(2, 30, n_fixed=5)
    assert portfolio.default_k(pool) == 195
    assert portfolio.default_k(pool, target=20) == 15
    assert portfolio.default_k(pool, target=3) == 0
    with pytest.raises(InfeasibleError) as e:  # k defaults to 195 > the 25 free items
        portfolio.solve(pool, Constraints(min_per_region=0))
    assert e.value.constraints == ["k"] and "195" in str(e.value)


def test_min_per_pref_one_in_each_prefecture():
    rows = []
    for j, (code, *_ , region, _) in enumerate(codes.PREFECTURES):
        for m in range(2):
            rows.append({"item_id": f"{code}-{m}", "name": f"{code}-{m}", "kind": "suggestion", "base_type": None,
                         "pref_code": code, "region": region, "score": float((j * 7 + m * 13) % 50),
                         "lat": 30.0 + j * 0.3, "lon": 130.0 + m * 0.5, "fixed": False})
    pool = pd.DataFrame(rows)
    c = Constraints(k=50, min_per_pref=1, max_per_pref=2)
    res = portfolio.solve(pool, c)
    assert violations(pool, res.selected_ids, c) == []
    assert res.table.loc[res.table["selected"], "pref_code"].nunique() == 47
    assert res.total == pytest.approx(brute_force_per_pref(pool, 50))


def brute_force_per_pref(pool: pd.DataFrame, k: int) -> float:
    """One per prefecture (the best of each), then the best of the rest: optimal when the cap is 2 a prefecture."""
    best = pool.sort_values("score", ascending=False).groupby("pref_code").head(1)
    rest = pool.drop(best.index).nlargest(k - len(best), "score")
    return float(best["score"].sum() + rest["score"].sum())


# -------------------------------------------------------------------------------------------- distances
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1.0, 10.0, 55.5, 300.0]))
def test_close_pairs_match_haversine(seed, km):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(24, 45.5, 60), rng.uniform(123, 146, 60)
    lat[:10], lon[:10] = 35.0 + rng.normal(0, 0.05, 10), 139.0 + rng.normal(0, 0.05, 10)
    pairs, dist = portfolio.close_pairs(lat, lon, km)
    expected = {(i, j) for i, j in combinations(range(60), 2) if haversine_km(lat[i], lon[i], lat[j], lon[j]) < km}
    assert {tuple(p) for p in pairs} == expected
    for (i, j), d in zip(pairs, dist, strict=False):
        assert d == pytest.approx(haversine_km(lat[i], lon[i], lat[j], lon[j]), rel=1e-9, abs=1e-9)


# ------------------------------------------------------------------------------------ infeasibility causes
def _pool(rows) -> pd.DataFrame:
    out = []
    for r in rows:
        item_id, pref, score, lat, lon, *rest = r
        btype = rest[0] if rest else None
        fixed = rest[1] if len(rest) > 1 else False
        out.append({"item_id": item_id, "name": f"name-{item_id}", "kind": "designated" if fixed else "candidate",
                    "base_type": btype, "pref_code": pref, "region": REGION[pref], "score": float(score),
                    "lat": lat, "lon": lon, "fixed": fixed})
    return pd.DataFrame(out)


def test_infeasible_k_larger_than_pool():
    pool = make_pool(3, 5)
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=6, min_per_region=0))
    assert e.value.constraints == ["k"] and "6" in e.value.causes[0].en and "5" in e.value.causes[0].en


def test_infeasible_region_without_items_names_the_regions():
    pool = make_pool(4, 30)
    pool = pool[pool["region"] != "四国"]
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=9, min_per_region=1))
    assert "min_per_region" in e.value.constraints
    cause = next(c for c in e.value.causes if "region" in c.en and "too few" in c.en)
    assert "Shikoku" in cause.en and "四国" in cause.ja


def test_infeasible_prefecture_capacity():
    pool = _pool([(f"a{j}", "13", 50 + j, 35 + j * 0.5, 139, None) for j in range(6)])
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=3, max_per_pref=2, min_per_region=0))
    assert e.value.constraints == ["max_per_pref"]
    assert "2" in e.value.causes[0].en and "3" in e.value.causes[0].en


def test_infeasible_fixed_pair_too_close_is_named_not_silent():
    pool = _pool([("f1", "13", 10, 35.00, 139.00, None, True), ("f2", "14", 20, 35.03, 139.00, None, True),
                  ("c1", "27", 90, 34.7, 135.5)])
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=1, min_km=10, min_per_region=0))
    assert e.value.constraints == ["min_km"]
    assert "name-f1" in e.value.causes[0].en and "name-f2" in e.value.causes[0].en
    assert "3.3 km" in e.value.causes[0].en  # 0.03° of latitude


def test_infeasible_fixed_over_prefecture_cap():
    pool = _pool([("f1", "13", 10, 35.0, 139.0, None, True), ("f2", "13", 20, 36.0, 139.0, None, True),
                  ("c1", "27", 90, 34.7, 135.5)])
    with pytest.raises(InfeasibleError) as e:
        portfolio.greedy(pool, Constraints(k=1, max_per_pref=1, min_per_region=0))
    assert "max_per_pref" in e.value.constraints and "Tokyo 2" in str(e.value)


def test_infeasible_type_share():
    pool = _pool([("a", "13", 50, 35, 139, "tourism"), ("b", "27", 60, 34.7, 135.5, "industry"),
                  ("c", "40", 70, 33.6, 130.4, None)])
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=3, min_per_region=0, min_type_share={"tourism": 0.6}))
    assert e.value.constraints == ["min_type_share"]
    assert "tourism" in e.value.causes[0].en and "2" in e.value.causes[0].en


def test_infeasible_without_obvious_cause_is_found_by_relaxing():
    # three items within 2 km of each other; two are needed; no single count rules it out
    pool = _pool([("a", "13", 50, 35.000, 139.000), ("b", "13", 60, 35.010, 139.000),
                  ("c", "14", 70, 35.000, 139.010)])
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=2, min_km=5, min_per_region=0))
    assert e.value.constraints == ["min_km"]
    assert "without min_km" in e.value.causes[0].en


def test_infeasible_interplay_names_both_constraints():
    # the only two tourism items are 1 km apart; both are needed for the share
    pool = _pool([("t1", "13", 50, 35.000, 139.000, "tourism"), ("t2", "14", 40, 35.009, 139.000, "tourism"),
                  ("x", "27", 90, 34.7, 135.5, "industry"), ("y", "40", 95, 33.6, 130.4, "industry")])
    with pytest.raises(InfeasibleError) as e:
        portfolio.solve(pool, Constraints(k=2, min_km=5, min_per_region=0, min_type_share={"tourism": 1.0}))
    assert set(e.value.constraints) == {"min_km", "min_type_share"}
    assert "min_km" in e.value.text("ja") and "min_type_share" in e.value.text("ja")


def test_greedy_fails_where_exact_succeeds_and_says_which_constraint():
    # the best item blocks its two neighbours, which are far from each other
    pool = _pool([("top", "13", 100, 35.00, 139.00), ("w", "13", 90, 35.00, 138.92),
                  ("e", "14", 80, 35.00, 139.085)])
    c = Constraints(k=2, min_km=10, min_per_region=0)
    exact = portfolio.solve(pool, c)
    assert set(exact.selected_ids) == {"w", "e"} and exact.total == 170
    cmp = portfolio.compare(pool, c)
    assert not cmp.greedy.ok and cmp.greedy.status == "failed" and cmp.gap is None
    assert cmp.greedy.message.constraint == "k" and "min_km" in cmp.greedy.message.en
    assert cmp.greedy.total == 100
    row = cmp.exact.table.set_index("item_id").loc["top"]
    assert row["why"] == "min_km" and "name-w" in row["why_en"] and "name-e" not in row["why_en"]


def test_gap_is_reported_in_points_and_percent():
    pool = _pool([("top", "13", 100, 35.00, 139.00), ("w", "13", 90, 35.00, 138.92),
                  ("e", "14", 80, 35.00, 139.08), ("far", "27", 10, 34.7, 135.5)])
    cmp = portfolio.compare(pool, Constraints(k=2, min_km=10, min_per_region=0))
    assert cmp.exact.total == 170 and cmp.greedy.total == 110
    assert cmp.gap == pytest.approx(60) and cmp.gap_pct == pytest.approx(100 * 60 / 170)


# ------------------------------------------------------------------------------------------ explanations
@HYP
@given(instances(max_n=12, max_k=4))
def test_every_left_out_item_has_an_honest_reason(inst):
    pool, c = inst
    try:
        res = portfolio.solve(pool, c)
    except InfeasibleError:
        return
    t = res.table.set_index("item_id")
    new = t[t["new"]]
    for _item_id, row in t[~t["selected"]].iterrows():
        assert row["why"] in {"min_km", "max_per_pref", "score", "k", "min_type_share", "min_per_region",
                              "min_per_pref", "other"}, row["why"]  # never "exchange": the optimum has no better swap
        assert row["why_ja"] and row["why_en"]
        named = [i for i in row["why_ids"].split(";") if i]
        if row["why"] == "min_km":
            other = t.loc[named[0]]
            assert other["selected"]
            assert haversine_km(row["lat"], row["lon"], other["lat"], other["lon"]) < c.min_km
        elif row["why"] == "max_per_pref":
            assert (t["selected"] & t["pref_code"].eq(row["pref_code"])).sum() == c.max_per_pref
            assert set(named) == set(t.index[t["selected"] & t["pref_code"].eq(row["pref_code"])])
        elif row["why"] == "score":
            assert row["score"] <= new["score"].min() + 1e-9 and t.loc[named[0], "score"] == new["score"].min()
        elif row["why"] in {"min_type_share", "min_per_region", "min_per_pref"}:
            assert named and all(t.loc[j, "new"] and t.loc[j, "score"] < row["score"] for j in named)
    assert set(t.index[t["selected"]]) == set(res.selected_ids)


def test_reason_type_share_names_the_pick_it_protects():
    pool = _pool([("t", "13", 40, 35, 139, "tourism"), ("i", "27", 90, 34.7, 135.5, "industry"),
                  ("j", "40", 40.5, 33.6, 130.4, "industry")])  # j beats t by only half a point
    res = portfolio.solve(pool, Constraints(k=2, min_per_region=0, min_type_share={"tourism": 0.5}))
    t = res.table.set_index("item_id")
    assert set(res.selected_ids) == {"t", "i"}
    assert t.loc["j", "why"] == "min_type_share" and t.loc["j", "why_ids"] == "t"
    assert "name-t" in t.loc["j", "why_en"] and "name-t" in t.loc["j", "why_ja"]


def test_reason_min_per_region():
    pool = _pool([("hk", "01", 10, 43, 141.3), ("tk", "13", 90, 35.7, 139.7), ("os", "27", 80, 34.7, 135.5)])
    c = Constraints(k=2, min_per_region=0)
    from dataclasses import replace

    res = portfolio.solve(pool, c)
    assert set(res.selected_ids) == {"tk", "os"}
    # fixed bases cover the other six regions: one per region now forces Hokkaido's weak item in
    others = ["04", "23", "28", "34", "38", "40"]
    fixed = _pool([(f"f{j}", p, 1, 30 + j, 130, None, True) for j, p in enumerate(others)])
    both = pd.concat([pool, fixed], ignore_index=True)
    res = portfolio.solve(both, replace(c, min_per_region=1))
    t = res.table.set_index("item_id")
    assert t.loc["hk", "selected"] and t.loc["os", "why"] == "min_per_region" and t.loc["os", "why_ids"] == "hk"


def test_reason_max_per_pref_lists_the_prefecture_picks():
    pool = _pool([("a", "13", 90, 35.0, 139.0), ("b", "13", 80, 36.0, 139.0), ("c", "13", 85, 35.5, 139.5),
                  ("d", "27", 10, 34.7, 135.5)])
    res = portfolio.solve(pool, Constraints(k=3, max_per_pref=2, min_per_region=0))
    t = res.table.set_index("item_id")
    assert t.loc["b", "why"] == "max_per_pref"
    assert set(t.loc["b", "why_ids"].split(";")) == {"a", "c"}
    assert "東京都" in t.loc["b", "why_ja"] and "Tokyo" in t.loc["b", "why_en"]


def test_greedy_reasons_point_at_the_blocking_pick():
    pool = _pool([("top", "13", 100, 35.00, 139.00), ("w", "13", 90, 35.00, 138.92),
                  ("e", "14", 80, 35.00, 139.08), ("far", "27", 10, 34.7, 135.5)])
    g = portfolio.greedy(pool, Constraints(k=2, min_km=10, min_per_region=0)).table.set_index("item_id")
    assert set(g.index[g["selected"]]) == {"top", "far"}
    assert g.loc["w", "why"] == "min_km" and g.loc["w", "why_ids"] == "top"
    assert g.loc["e", "why"] == "min_km" and g.loc["e", "why_ids"] == "top"


# ---------------------------------------------------------------------------------------------- validation
def test_pool_validation_lists_every_problem():
    pool = make_pool(5, 6)
    pool.loc[1, "item_id"] = pool.loc[0, "item_id"]
    pool.loc[2, "pref_code"] = "48"
    pool.loc[3, "score"] = float("nan")
    pool.loc[4, "lat"] = 139.7  # lon and lat swapped
    pool.loc[5, "pref_code"] = "13"
    pool.loc[5, "region"] = "四国"
    pool.loc[5, "kind"] = "designated"
    pool["base_type"] = pool["base_type"].astype(object)
    pool.loc[0, "base_type"] = "museum"
    with pytest.raises(InputError) as e:
        portfolio.solve(pool, Constraints(k=1))
    cols = {(p.row, p.column) for p in e.value.problems}
    assert {(2, "item_id"), (3, "pref_code"), (4, "score"), (5, "lat"), (6, "region"), (6, "fixed"),
            (1, "base_type")} <= cols
    assert "unique" in str(e.value) and "'48'" in str(e.value)


def test_pool_validation_missing_columns():
    with pytest.raises(InputError) as e:
        portfolio.validate_pool(make_pool(6, 3).drop(columns=["lat", "fixed"]))
    assert "lat" in str(e.value) and "fixed" in str(e.value)


def test_constraints_validate_themselves_all_at_once():
    with pytest.raises(ConfigError) as e:
        Constraints(k=-1, max_per_pref=0, min_per_region=-2, min_km=float("nan"),
                    min_type_share={"tourism": 1.5, "museum": 0.1})
    msg = str(e.value)
    for word in ("column 'k'", "max_per_pref", "min_per_region", "min_km", "1.5", "museum"):
        assert word in msg
    with pytest.raises(ConfigError, match="at most 1"):
        Constraints(min_type_share={"tourism": 0.6, "industry": 0.5})
    with pytest.raises(ConfigError, match="min_per_pref"):
        Constraints(min_per_pref=3, max_per_pref=2)
    assert Constraints(min_type_share={"tourism": 0.0}).active() == ("min_per_region",)


def test_pool_from_scores():
    ranking = pd.DataFrame({"score": [0.5, np.nan, 0.25, 0.75]},
                           index=pd.Index(["13101", "13102", "01100", "47354"], name="muni_code"))
    munis = pd.DataFrame({"muni_code": ["13101", "13102", "01100", "47354"], "pref_code": ["13", "13", "01", "47"],
                          "name_ja": ["千代田区", "中央区", "札幌市", "渡名喜村"],
                          "name_en": ["Chiyoda", "Chuo", "Sapporo", "Tonaki"],
                          "lat": [35.69, 35.67, 43.06, np.nan], "lon": [139.75, 139.77, 141.35, np.nan]})
    pool = portfolio.pool_from_scores(ranking, munis)
    assert list(pool["item_id"]) == ["13101", "01100"]
    assert list(pool["score"]) == [50.0, 25.0] and list(pool["region"]) == ["関東", "北海道"]
    assert (pool["kind"] == "suggestion").all() and pool["base_type"].isna().all() and not pool["fixed"].any()
    assert list(pool["name"]) == ["東京都千代田区", "北海道札幌市"]
    assert dict(pool.attrs["left_out"]) == {"13102": "no score", "47354": "no representative point"}
    portfolio.validate_pool(pool)


def test_map_and_display_table():
    pool = make_pool(7, 20, n_fixed=2)
    res = portfolio.solve(pool, Constraints(k=5, min_per_region=0, min_km=5))
    from revitalize.outputs import maps

    ol = maps.Outlines(url="/app/static/geo/m.json", codes=(), bounds=pd.DataFrame(columns=["w", "s", "e", "n"]))
    html = maps.spec_json(maps.portfolio_spec(res.table[res.table["selected"]], ol, lang="en"))
    for item_id in res.selected_ids:
        assert pool.set_index("item_id").loc[item_id, "name"] in html
    assert maps.PORTFOLIO_COLORS["fixed"] in html and maps.PORTFOLIO_COLORS["new"] in html
    table = portfolio.display_table(res, "en")
    assert len(table) == 20 and table["selected"].sum() == 7
    assert table.loc[~table["selected"], "reason"].str.len().gt(0).all()


# ------------------------------------------------------------------------------------------------ real data
def test_real_municipalities_with_all_constraints(con):
    from revitalize.analysis import scoring

    ind, _, sub = scoring.inputs(con)
    pool = portfolio.pool_from_scores(scoring.score(sub, scoring.Weights()), ind)
    assert len(pool) + len(pool.attrs["left_out"]) == len(ind)
    rng = np.random.default_rng(0)
    pool["base_type"] = pd.Series(rng.choice(np.array(portfolio.BASE_TYPES, dtype=object), len(pool)), dtype=object)
    c = Constraints(k=200, max_per_pref=8, min_per_region=1, min_km=10,
                    min_type_share={"tourism": 0.3, "industry": 0.2})
    cmp = portfolio.compare(pool, c)
    assert cmp.exact.status == "optimal" and len(cmp.exact.selected_ids) == 200
    assert violations(pool, cmp.exact.selected_ids, c) == []
    assert cmp.greedy.ok and cmp.greedy.total <= cmp.exact.total + 1e-6
    # without constraints the optimum is simply the 200 best scores
    free = portfolio.solve(pool, Constraints(k=200, min_per_region=0))
    assert free.total == pytest.approx(pool["score"].nlargest(200).sum())


# -------------------------------------------------------------------------------------------------- the CLI
def _run(args, built_db):
    env = {**os.environ, "REVITALIZE_DB": str(built_db)}
    return subprocess.run([sys.executable, "-m", "revitalize", "portfolio", *args], capture_output=True, env=env,
                          cwd=rv_settings.PROJECT_ROOT, timeout=300, check=False)


def test_cli_csv(built_db):
    r = _run(["--k", "30", "--max-per-pref", "2", "--min-km", "20"], built_db)
    assert r.returncode == 0, r.stderr.decode()
    df = pd.read_csv(io.BytesIO(r.stdout), encoding="utf-8-sig", dtype={"item_id": str, "pref_code": str},
                     comment="#")
    assert len(df) == 30 and df["selected"].all()
    assert df["pref_code"].value_counts().max() <= 2 and df["region"].nunique() == 8
    pool = df.assign(fixed=False, base_type=None)
    assert violations(pool, df["item_id"], Constraints(k=30, max_per_pref=2, min_km=20)) == []
    err = r.stderr.decode()
    assert "exact: total" in err and "greedy: total" in err and "gap" in err


def test_cli_json_explains_left_out_items(built_db):
    r = _run(["--k", "10", "--max-per-pref", "1", "--min-km", "30", "--format", "json", "--explain-all",
              "--lang", "en"], built_db)
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(r.stdout)
    assert data["constraints"]["k"] == 10 and len(data["exact"]["selected"]) == 10
    assert data["greedy"]["total"] <= data["exact"]["total"] + 1e-6
    left = data["left_out"]
    assert left and all(row["reason"] and row["why"] for row in left)
    assert {"max_per_pref", "score"} <= {row["why"] for row in left}
    # without --explain-all only candidates are explained (the scored pool has suggestions only)
    r = _run(["--k", "10", "--format", "json"], built_db)
    assert json.loads(r.stdout)["left_out"] == []


def test_cli_infeasible_is_a_clear_error(built_db):
    r = _run(["--k", "20", "--max-per-pref", "1", "--min-per-region", "3", "--min-share", "tourism=0.5"], built_db)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "min_type_share" in err and "Traceback" not in err
    r = _run(["--k", "5", "--min-share", "tourism"], built_db)
    assert r.returncode == 2 and "TYPE=SHARE" in r.stderr.decode()


# ------------------------------------------------------------------------------------------------- the page
def _page():
    return open_app_page("pages/portfolio.py")


def test_page_solves_and_shows_metrics_and_tables(app_env):
    at = _page()
    assert not at.exception and not at.info  # the page opens with the form's values solved
    assert [m.label for m in at.metric][:2] == ["最適解の合計スコア", "貪欲法の合計スコア"]
    assert any("上の条件で選定した結果" in c.value for c in at.caption)
    at.number_input(key="pf_k").set_value(25)
    at.number_input(key="pf_max_per_pref").set_value(2)
    at.number_input(key="pf_min_km").set_value(15.0)
    at.button(key="pf_solve").click().run()
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert "最適解の合計スコア" in labels and "貪欲法の合計スコア" in labels
    chosen, left = at.dataframe[0].value, at.dataframe[1].value
    assert len(chosen) == 25 and chosen["pref"].value_counts().max() <= 2
    assert left["reason"].str.len().gt(0).all()
    exact = float(at.metric[0].value.replace(",", ""))
    assert exact == pytest.approx(chosen["score"].sum(), abs=0.1)
    at.selectbox(key="pf_fmt").set_value("xlsx").run()
    labels = [e.proto.label for e in at.get("download_button")]
    assert any("xlsx" in lab for lab in labels)  # the chosen set in the planner's format


def test_export_cli_takes_the_portfolio_constraints(built_db, tmp_path):
    out = tmp_path / "pf.gpkg"
    r = subprocess.run([sys.executable, "-m", "revitalize", "export", "--from", "portfolio", "--k", "12",
                        "--max-per-pref", "1", "--min-km", "40", "--format", "gpkg", "-o", str(out)],
                       capture_output=True, cwd=rv_settings.PROJECT_ROOT,
                       env={**os.environ, "REVITALIZE_DB": str(built_db)}, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    import pyogrio

    back = pyogrio.read_dataframe(out, layer="shortlist")
    assert len(back) == 12 and back["pref_code"].is_unique  # at most one per prefecture
    pts = back.to_crs(6691).geometry
    assert min(a.distance(b) for i, a in enumerate(pts) for b in pts[i + 1:]) >= 39_000  # ~40 km apart


def test_page_infeasible_constraints_show_the_cause(app_env):
    at = _page()
    at.number_input(key="pf_k").set_value(10)
    at.number_input(key="pf_min_per_region").set_value(5)
    at.button(key="pf_solve").click().run()
    assert not at.exception
    assert at.error and "地方" in at.error[0].value
    assert not at.metric
