"""Scoring: properties that hold for any data, known cases, invalid weights, stability."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

from revitalize.analysis import scoring, weightsets
from revitalize.core.errors import ConfigError

KEYS = scoring.KEYS

sub_value = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
sub_frames = data_frames([column(k, elements=sub_value, dtype=object) for k in KEYS],
                         index=range_indexes(min_size=1, max_size=25)).map(lambda df: df.astype(float))
weight_maps = st.fixed_dictionaries({k: st.floats(0, 5, allow_nan=False) for k in KEYS}).filter(
    lambda w: sum(w.values()) > 0.01)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sub_frames, weight_maps)
def test_score_within_bounds_and_contributions_sum_to_it(sub, w):
    out = scoring.score(sub, scoring.Weights(w))
    c = out[[f"c_{k}" for k in KEYS]].sum(axis=1)
    ok = out["score"].notna()
    assert ((out.loc[ok, "score"] >= -1e-12) & (out.loc[ok, "score"] <= 1 + 1e-12)).all()
    assert np.allclose(c[ok], out.loc[ok, "score"])
    crit = out[[f"k_{k}" for k in scoring.CRITERIA]].sum(axis=1)
    assert np.allclose(crit[ok], out.loc[ok, "score"])


@settings(max_examples=150, deadline=None)
@given(sub_frames, weight_maps, st.data())
def test_raising_a_positively_weighted_indicator_never_lowers_the_score(sub, w, data):
    key = data.draw(st.sampled_from([k for k in KEYS if w[k] > 0] or list(KEYS)))
    i = data.draw(st.integers(0, len(sub) - 1))
    before = scoring.score(sub, scoring.Weights(w)).iloc[i]["score"]
    raised = sub.copy()
    old = raised.iat[i, raised.columns.get_loc(key)]
    if math.isnan(old):
        return  # adding data is not 'raising'; covered by coverage rules
    raised.iat[i, raised.columns.get_loc(key)] = data.draw(st.floats(old, 1))
    after = scoring.score(raised, scoring.Weights(w)).iloc[i]["score"]
    if not math.isnan(before):
        assert after >= before - 1e-12


@settings(max_examples=100, deadline=None)
@given(sub_frames, weight_maps, st.randoms())
def test_row_order_does_not_change_results(sub, w, rnd):
    order = list(sub.index)
    rnd.shuffle(order)
    a = scoring.score(sub, scoring.Weights(w))
    b = scoring.score(sub.loc[order], scoring.Weights(w)).loc[sub.index]
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=100, deadline=None)
@given(sub_frames, weight_maps, st.sampled_from(KEYS), st.floats(0, 1))
def test_zero_weight_removes_that_indicator(sub, w, key, new_value):
    w = {**w, key: 0.0}
    if sum(w.values()) <= 0.01:
        return
    changed = sub.copy()
    changed[key] = new_value
    a = scoring.score(sub, scoring.Weights(w))["score"]
    b = scoring.score(changed, scoring.Weights(w))["score"]
    pd.testing.assert_series_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 1e7)), min_size=2, max_size=40))
def test_normalise_keeps_missing_and_bounds(values):
    raw = pd.DataFrame({k: [0.0] * len(values) for k in KEYS})
    raw["visitors"] = pd.Series(values, dtype=float)
    raw["anime"] = pd.Series([0 if v is None else v for v in values], dtype=float)
    sub = scoring.normalise(raw)
    assert sub["visitors"].isna().tolist() == raw["visitors"].isna().tolist()  # missing stays missing
    assert sub.stack().dropna().between(0, 1).all()
    assert (sub.loc[raw["anime"] == 0, "anime"] == 0).all()  # none is 0, never more


def _fixture(n=6):
    """Constructed municipalities: identical except where a test says otherwise."""
    base = {"muni_code": [f"0{i}000" for i in range(1, n + 1)], "anime_sites": [0] * n, "filming_locations": [1] * n,
            "film_commissions": [0] * n, "gi_whole": [1] * n, "gi_part": [0] * n, "heritage_properties": [2] * n,
            "roadside_stations": [1] * n, "visitors_latest": [1e5 * (i + 1) for i in range(n)],
            "visitors_change_pct": [1.0] * n, "pop_change_pct": [-3.0] * n, "share_65_pct": [30.0] * n,
            "visitors_per_resident": [5.0] * n}
    return pd.DataFrame(base)


def test_many_anime_places_outrank_none_when_all_else_is_equal():
    ind = _fixture()
    ind.loc[2, "visitors_latest"] = ind.loc[3, "visitors_latest"]  # rows 2 and 3 now equal in everything
    ind.loc[2, "anime_sites"] = 5
    s = scoring.score(scoring.normalise(scoring.indicator_table(ind)), scoring.Weights())
    assert s.loc["03000", "score"] > s.loc["04000", "score"]
    assert s.loc["03000", "rank"] < s.loc["04000", "rank"]


def test_overtourism_counts_against():
    ind = _fixture()
    ind["visitors_latest"] = 1e5
    ind.loc[0, "visitors_per_resident"] = 50.0
    s = scoring.score(scoring.normalise(scoring.indicator_table(ind)), scoring.Weights())
    assert s.loc["01000", "score"] < s.loc["02000", "score"]


def test_missing_data_is_listed_not_zero():
    ind = _fixture()
    ind.loc[0, "visitors_latest"] = np.nan
    ind.loc[0, "visitors_change_pct"] = np.nan
    ind.loc[0, "visitors_per_resident"] = np.nan
    s = scoring.score(scoring.normalise(scoring.indicator_table(ind)), scoring.Weights())
    assert set(s.loc["01000", "missing"].split(";")) == {"visitors", "visitor_growth", "visitors_per_resident",
                                                         "top_visited"}
    assert s.loc["01000", "coverage"] < 1 and s.loc["02000", "coverage"] == 1


def test_recent_editions_count_more():
    sites = pd.DataFrame({"muni_code": ["A", "B"], "latest_edition": [2026, 2022]})
    w = scoring.anime_recency(sites)
    assert w["A"] == 1.0 and w["B"] == pytest.approx(0.8 ** 4)


@pytest.mark.parametrize("bad,needle", [
    ({"anime": -1.0}, ">= 0"),
    ({"nonsense": 1.0}, "column 'nonsense': expected a known criterion"),
    ({k: 0.0 for k in KEYS}, "at least one positive weight"),
    ({"anime": float("nan")}, "finite"),
])
def test_invalid_weights_give_clear_errors(bad, needle):
    with pytest.raises(ConfigError, match=needle):
        scoring.Weights(bad)


def test_invalid_weights_list_every_problem():
    with pytest.raises(ConfigError) as exc:
        scoring.Weights({"anime": -1.0, "nope": 2.0})
    assert "anime" in str(exc.value) and "nope" in str(exc.value)


def test_weights_toml_round_trip_and_named_sets(tmp_path):
    w = scoring.Weights.from_mapping({"anime": 4.5, "gi": 0.0})
    path = weightsets.save_weight_set("観光庁 案A", w, folder=tmp_path)
    assert path.exists() and weightsets.list_weight_sets(folder=tmp_path) == ["観光庁 案A"]
    assert weightsets.load_weight_set("観光庁 案A", folder=tmp_path).values == w.values
    with pytest.raises(ConfigError):
        weightsets.save_weight_set("../escape", w, folder=tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\nanime = -2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=">= 0"):
        weightsets.from_file(bad)


def test_stability_is_reproducible_and_labels_rows():
    rng = np.random.default_rng(1)
    sub = pd.DataFrame(rng.random((300, len(KEYS))), columns=list(KEYS))
    a = scoring.stability(sub, scoring.Weights(), draws=200, top_k=50, seed=7)
    b = scoring.stability(sub, scoring.Weights(), draws=200, top_k=50, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table["p_top_k"].between(0, 1).all()
    assert (a.table["rank_p05"] <= a.table["rank_p95"]).all()
    assert a.table["p_top_k"].sum() == pytest.approx(50)  # exactly K rows are in the top K in every draw
    assert set(a.table["label"]) <= {"stable", "sensitive"}
    c = scoring.stability(sub, scoring.Weights(), draws=200, top_k=50, seed=8)
    assert not a.table["p_top_k"].equals(c.table["p_top_k"])


def test_dominant_row_is_stable():
    sub = pd.DataFrame(np.full((20, len(KEYS)), 0.2), columns=list(KEYS))
    sub.iloc[0] = 1.0
    st_ = scoring.stability(sub, scoring.Weights(), draws=100, top_k=1, seed=1)
    assert st_.table.iloc[0]["p_top_k"] == 1.0 and st_.table.iloc[0]["label"] == "stable"


def test_zero_weights_stay_zero_in_draws():
    w = scoring.Weights.from_mapping({"anime": 0.0})
    d = scoring.dirichlet_weights(w, draws=50, concentration=20, seed=3)
    assert (d[KEYS.index("anime")] == 0).all() and np.allclose(d.sum(axis=0), 1)


def test_candidates_aggregate_population_weighted():
    scores = pd.DataFrame({"score": [0.2, 0.8, np.nan]}, index=["A", "B", "C"])
    members = pd.DataFrame({"candidate_id": ["x", "x", "y", "y"], "muni_code": ["A", "B", "B", "C"]})
    out = scoring.aggregate_candidates(scores, members, pd.Series({"A": 300.0, "B": 100.0}))
    assert out.loc["x", "score"] == pytest.approx((0.2 * 300 + 0.8 * 100) / 400)
    assert out.loc["y", "score"] == pytest.approx(0.8) and out.loc["y", "members_missing"] == 1


def test_reason_mentions_strengths_in_each_language():
    sub = pd.Series({k: 0.1 for k in KEYS})
    sub["anime"] = sub["filming"] = sub["film_commission"] = 1.0
    sub["visitors_per_resident"] = sub["top_visited"] = 1.0
    en = scoring.reason(sub, scoring.Weights(), "en")
    assert en.startswith("strong content pull") and "low overtourism pressure" in en
    assert "コンテンツの求心力" in scoring.reason(sub, scoring.Weights(), "ja")


def test_real_database_ranking(con):
    ind, raw, sub = scoring.inputs(con)
    table = scoring.ranking(ind, raw, sub, scoring.Weights(), lang="en")
    assert len(table) == 1741 and table["rank"].iloc[0] == 1
    contrib = table[[f"c_{k}" for k in KEYS]].sum(axis=1)
    assert np.allclose(contrib, table["score"])
    with_anime = table[table["raw_anime"] > 0]["score"].median()
    without = table[table["raw_anime"] == 0]["score"].median()
    assert with_anime > without
