"""Effect verification that a statistician would sign: donor-pool hygiene, robustness, the third estimator,
and the national evidence of a kind of content (cohorts)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from test_effects import START, synthetic_long

from revitalize.analysis import cohorts, effects, events, panel
from revitalize.app.cli import main as cli
from revitalize.core.errors import EffectError
from revitalize.outputs import effect_report, maps

NEIGHBOURS = ("01002", "01003")


def regional_long(effect: float, seed: int = 5) -> pd.DataFrame:
    """A synthetic panel where the subject 01001 and its two "neighbours" share their shape (so, unchecked, the
    neighbours are the best donors) and a regional shock multiplies all three by ``effect`` from START."""
    long = synthetic_long(seed=seed, n=40, effect=1.0)
    wide = long.pivot(index=["year", "month"], columns="muni_code", values="visitors").astype(float)
    rng = np.random.default_rng(seed)
    post = np.array([pd.Period(f"{y}-{m:02d}", "M") >= pd.Period(START, "M") for y, m in wide.index])
    for code in NEIGHBOURS:
        wide[code] = wide["01001"] * rng.uniform(0.5, 2.0) * np.exp(rng.normal(0, 0.01, len(wide)))
    for code in ("01001", *NEIGHBOURS):
        wide.loc[post, code] = wide.loc[post, code] * effect
    out = wide.stack().rename("visitors").reset_index()
    return out[["muni_code", "year", "month", "visitors"]]


def near_rules() -> dict:
    return {"neighbours": {c: effects.Reason("effect.excl.neighbour", {"of": "01001", "km": 1.0})
                           for c in NEIGHBOURS}}


class TestHygiene:
    def test_regional_shock_neighbours_are_left_out_and_the_estimate_is_not_biased(self):
        prepared = effects.prepare_panel(regional_long(1.3), ["01001"], START)
        on = effects.estimate(prepared, rule_exclusions=near_rules(), time_placebo=False, robustness=False)
        off = effects.estimate(prepared, rule_exclusions=near_rules(), time_placebo=False, robustness=False,
                               hygiene=effects.Hygiene(neighbours=False))
        assert not {d.muni_code for d in on.donors} & set(NEIGHBOURS)
        assert {on.excluded_donors[c].key for c in NEIGHBOURS} == {"effect.excl.neighbour"}
        assert on.effect_pct == pytest.approx(30.0, abs=5.0)
        assert -100 < on.ci90_pct[0] < on.effect_pct < on.ci90_pct[1]
        # without the rule the shocked neighbours are the donors and the effect all but vanishes
        assert {d.muni_code for d in off.donors if d.weight > 0.2} & set(NEIGHBOURS)
        assert off.effect_pct < 10.0

    def test_the_map_colours_subject_donors_and_left_out_with_the_reason(self):
        prepared = effects.prepare_panel(regional_long(1.3), ["01001"], START)
        r = effects.estimate(prepared, rule_exclusions=near_rules(), time_placebo=False, robustness=False)
        codes = ("01001", "01002", "01003", r.donors[0].muni_code, "99999")
        ol = maps.Outlines(url=None, codes=codes, bounds=pd.DataFrame(
            {"w": 140.0, "s": 35.0, "e": 141.0, "n": 36.0}, index=list(codes)), data={"features": []})
        spec = effect_report.donor_map_spec(r, ol, lang="en")
        layer = spec["choropleths"][0]
        assert layer["cls"] == "2001-"  # subject, left out ×2, donor, not in the comparison
        assert "neighbour of 01001" in layer["detail"][1] and spec["highlight"] == ["01001"]

    def test_robustness_shows_each_rule_off_and_leave_one_out(self):
        prepared = effects.prepare_panel(regional_long(1.3), ["01001"], START)
        r = effects.estimate(prepared, rule_exclusions=near_rules(), time_placebo=True)
        rob = r.to_dict("en")["robustness"]
        assert {x["rule"] for x in rob["rules_off"]} == set(effects.HYGIENE_RULES)
        neighbours_off = next(x for x in rob["rules_off"] if x["rule"] == "neighbours")
        assert neighbours_off["returned"] == 2 and neighbours_off["effect_pct"] < 10.0  # the bias, shown
        weighted = [d.muni_code for d in r.donors if d.weight >= effects.DONOR_WEIGHT_FLOOR]
        assert [x["muni_code"] for x in rob["leave_one_out"]] == weighted[:effects.LOO_MAX_DONORS]
        assert rob["range_pct"][0] <= r.effect_pct <= rob["range_pct"][1]
        assert rob["time_placebo"]["start"] < START
        json.dumps(r.to_dict("ja"))

    def test_every_donor_left_out_is_a_clear_error(self):
        long = synthetic_long(n=6)
        prepared = effects.prepare_panel(long, ["01001"], START)
        everyone = {c: effects.Reason("effect.excl.manual", {}) for c in prepared.visitors.columns}
        with pytest.raises(EffectError) as err:
            effects.estimate(prepared, excluded=everyone, time_placebo=False)
        assert err.value.key == "effect.err.no_donors"
        assert "hygiene rule" in err.value.text("en") and "除外ルール" in err.value.text("ja")

    def test_unknown_rule_is_refused(self):
        with pytest.raises(EffectError) as err:
            effects.Hygiene().without("moon_phase")
        assert err.value.key == "effect.err.bad_rule"

    def test_own_shock_detector_finds_a_level_shift_and_ignores_common_shocks(self):
        long = synthetic_long(n=30)
        wide = effects.wide_panel(long)
        wide.loc[pd.Period("2024-01", "M"):, "01005"] *= 0.4  # a disaster: visitors fall by 60 % and stay down
        found = effects.own_shocks(wide, wide.index[wide.index >= pd.Period("2023-01", "M")])
        assert "01005" in found and pd.Period("2023-07", "M") <= pd.Period(found["01005"], "M") <= pd.Period(
            "2024-06", "M")
        assert len(found) <= 3  # the panel-wide +30 % step of 2024-04 is common to all: not a shock of one


class TestAugsynth:
    def test_augsynth_recovers_a_known_effect_with_weights_summing_to_one(self):
        prepared = effects.prepare_panel(synthetic_long(effect=1.2, seed=3), ["01001"], START)
        r = effects.estimate(prepared, method="augsynth", time_placebo=False, robustness=False)
        assert r.effect_pct == pytest.approx(20.0, abs=3.0)
        assert sum(d.weight for d in r.donors) == pytest.approx(1.0, abs=1e-6)
        assert 0 < r.ci90_pct[0] < r.effect_pct < r.ci90_pct[1]


class TestCohortAggregate:
    @hsettings(max_examples=40, deadline=None)
    @given(st.lists(st.floats(-2, 2), min_size=1, max_size=12), st.integers(1, 30), st.floats(0.01, 1.0))
    def test_average_interval_contains_the_average_and_stays_above_minus_100(self, logs, n_placebo, spread):
        rng = np.random.default_rng(len(logs))
        placebos = [rng.normal(0, spread, n_placebo) for _ in logs]
        att, (lo, hi), p = cohorts.aggregate(logs, placebos, draws=500)
        assert att == pytest.approx(100 * math.expm1(np.mean(logs)))
        assert -100 < lo <= att <= hi and 0 < p <= 1

    def test_no_placebos_means_no_interval(self):
        att, (lo, hi), p = cohorts.aggregate([0.1, 0.2], [[], [0.1]])
        assert math.isnan(lo) and math.isnan(hi) and p is None

    def test_staggered_places_with_a_known_effect(self):
        """Four treated places with different starts, +25 %: the average is found and said to be an increase."""
        starts = {"01001": "2023-10", "01002": "2024-04", "01003": "2024-10", "01004": "2025-01"}
        frames = []
        for _i, (code, start) in enumerate(starts.items()):
            one = synthetic_long(seed=21, n=40, effect=1.25, treated=code, start=start)
            frames.append(one[one["muni_code"] == code])
        base = synthetic_long(seed=21, n=40, effect=1.0)
        long = pd.concat([base[~base["muni_code"].isin(starts)], *frames], ignore_index=True)
        munis = pd.DataFrame({"muni_code": sorted(long["muni_code"].unique())}).assign(name_ja="x", name_en="x")
        cohort = cohorts.from_table("test.csv", pd.DataFrame({"muni_code": list(starts), "start": list(starts.values())}),
                                    known_codes=munis["muni_code"])
        no_events = pd.DataFrame(columns=[*events.EVENT_COLUMNS, "first_here"])
        seen = []
        r = cohorts.estimate(cohort, long, munis, {}, no_events, progress=lambda i, n: seen.append((i, n)))
        assert r.n_places == 4 and r.verdict == "up"
        assert r.att_pct == pytest.approx(25.0, abs=4.0)
        assert r.ci90_pct[0] > 0 and r.p_value <= 0.10
        assert seen[0] == (0, 4) and seen[-1] == (4, 4)
        d = r.to_dict("en")
        assert tuple(d) == cohorts.JSON_KEYS
        assert {tuple(p["muni_codes"]) for p in d["places"]} == {(c,) for c in starts}
        assert all(set(p) >= {"muni_codes", "start", "effect_pct", "ci90_pct"} for p in d["places"])


class TestCohortInput:
    known = {"01100", "13101", "13102"}

    def test_every_bad_row_is_reported_with_its_row_and_column(self):
        table = pd.DataFrame({"muni_code": ["13101", "99999", "abc", "13102"],
                              "start": ["2024-04", "2024-04", "2024-13", "someday"]})
        with pytest.raises(EffectError) as err:
            cohorts.from_table("mine.csv", table, known_codes=self.known)
        keys = [p.key for p in err.value.problems]
        assert keys.count("effect.err.cohort_code") == 2 and keys.count("effect.err.cohort_start") == 2
        text = err.value.text("en")
        assert "mine.csv, row 2, column muni_code" in text and "row 4, column start" in text
        assert "mine.csv 2 行目 muni_code" in err.value.text("ja")

    def test_missing_columns_and_empty_files(self):
        with pytest.raises(EffectError) as err:
            cohorts.from_table("x.csv", pd.DataFrame({"code": ["13101"]}), known_codes=self.known)
        assert err.value.key == "effect.err.cohort_columns" and "muni_code, start" in err.value.text("en")
        with pytest.raises(EffectError) as err:
            cohorts.from_table("x.csv", pd.DataFrame(columns=["muni_code", "start"]), known_codes=self.known)
        assert err.value.key == "effect.err.empty_cohort"

    def test_places_outside_the_data_window_are_dropped_with_why(self):
        wide = effects.wide_panel(synthetic_long(n=5))
        cohort = cohorts.Cohort("c", "c", "c", pd.DataFrame({"muni_code": ["01001", "01002", "01003"],
                                                            "start": ["2021-06", "2026-05", "2024-04"],
                                                            "label": "", "source_url": ""}))
        kept, dropped = cohorts.eligible(cohort, wide, {})
        assert kept["muni_code"].tolist() == ["01003"]
        assert {dropped[c].key for c in ("01001", "01002")} == {"effect.drop.window"}


class TestRealWorld:
    def test_noto_earthquake_neighbours_are_not_donors(self, con):
        """2024-01 Noto Peninsula earthquake: Wajima (17204) against donors none of which is a shocked neighbour,
        with an interval inside (−100 %, ∞)."""
        long, munis, wards = panel.visitor_panel(con), panel.municipalities(con), panel.ward_cities(con)
        near = panel.neighbours(con, effects.SPILLOVER_KM)
        assert {"17205", "17461", "17463"} <= set(near["17204"])  # Suzu, Anamizu, Noto town touch Wajima
        run = events.run(long, munis, wards, events.all_events(con), ["17204"], start="2024-01", neighbours=near,
                         robustness=False, time_placebo=False)
        r = run.result
        noto = {"17205", "17461", "17463", "17384", "17202", "17407"}  # Wajima's shocked neighbours
        assert not noto & {d.muni_code for d in r.donors}
        assert noto <= set(r.excluded_donors)
        assert r.effect_pct < -20 and -100 < r.ci90_pct[0] <= r.effect_pct <= r.ci90_pct[1]

    def test_cli_cohort_errors_exit_2(self, app_env, capsys, tmp_path):
        assert cli.main(["effect", "--cohort", "anime88-1999", "--lang", "en"]) == 2
        err = capsys.readouterr().err
        assert "There is no cohort anime88-1999" in err and "taiga" in err
        bad = tmp_path / "mine.csv"
        bad.write_text("muni_code,start\n13999,2024-04\n13101,2031-01\n", encoding="utf-8")
        assert cli.main(["effect", "--cohort", str(bad), "--lang", "ja"]) == 2
        err = capsys.readouterr().err
        assert "mine.csv 1 行目 muni_code" in err
        assert cli.main(["effect", "--cohort", str(tmp_path), "--lang", "en"]) == 2  # a folder, not a file
        assert "not a file" in capsys.readouterr().err
        late = tmp_path / "late.csv"
        late.write_text("muni_code,start\n13101,2026-05\n", encoding="utf-8")
        assert cli.main(["effect", "--cohort", str(late), "--lang", "en"]) == 2  # start outside what data can judge
        assert "no place that can be estimated" in capsys.readouterr().err

    def test_cli_cohort_file_json_and_xlsx(self, app_env, capsys, tmp_path):
        mine = tmp_path / "bases.csv"
        mine.write_text("muni_code,start,label\n13101,2024-04,a\n26100,2024-04,b\n", encoding="utf-8")
        assert cli.main(["effect", "--cohort", str(mine), "--format", "json", "--lang", "en"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert tuple(d) == cohorts.JSON_KEYS and d["n_places"] == 2 and d["cohort"] == "bases.csv"
        assert -100 < d["ci90_pct"][0] <= d["att_pct"] <= d["ci90_pct"][1]
        out = tmp_path / "national.xlsx"
        assert cli.main(["effect", "--cohort", str(mine), "--format", "xlsx", "-o", str(out)]) == 0
        sheets = pd.read_excel(out, sheet_name=None)
        assert "全国の表" in sheets and "bases.csv" in sheets and "出典" in sheets
        assert len(sheets["bases.csv"]) == 2
