"""Effect verification: known effects recovered by both methods, no effect covered, bad inputs, CLI JSON."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pysyncon import Synth

from revitalize.analysis import effects, panel
from revitalize.app.cli import main as cli
from revitalize.core import i18n, settings
from revitalize.core.errors import EffectError

START = "2024-04"
MONTHS = pd.period_range("2021-01", "2026-06", freq="M")


def synthetic_long(*, seed: int = 7, n: int = 40, effect: float = 1.0, treated: str = "01001",
                   start: str = START, missing: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """A seeded panel like the real one: unit levels, unit seasonality (mixtures of a summer and a winter
    profile), a common calendar shock (COVID dip in 2021, a +30 % panel step from 2024-04 as in the real data),
    a common trend and 3 % noise. ``effect`` multiplies the treated unit's visitors from ``start``."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(MONTHS))
    moy = MONTHS.month.to_numpy()
    summer = np.cos(2 * np.pi * (moy - 8) / 12)
    winter = np.cos(2 * np.pi * (moy - 1) / 12)
    common = 0.004 * t - 0.4 * (MONTHS < pd.Period("2021-10", "M")) + 0.26 * (MONTHS >= pd.Period("2024-04", "M"))
    rows = []
    codes = [f"{1 + i // 30:02d}{1 + i % 30:03d}" for i in range(n)]
    for code in codes:
        level = rng.uniform(8, 13)
        mix = rng.uniform(0, 1)
        amp = rng.uniform(0.1, 0.5)
        y = level + common + amp * (mix * summer + (1 - mix) * winter) + rng.normal(0, 0.03, len(t))
        v = np.exp(y)
        if code == treated:
            v = v * np.where(MONTHS >= pd.Period(start, "M"), effect, 1.0)
        for i, m in enumerate(MONTHS):
            if missing and i in missing.get(code, []):
                continue
            rows.append((code, m.year, m.month, int(round(v[i]))))
    return pd.DataFrame(rows, columns=["muni_code", "year", "month", "visitors"])


@pytest.fixture(scope="module")
def effect_panel() -> effects.PreparedPanel:
    return effects.prepare_panel(synthetic_long(effect=1.2), ["01001"], START)


@pytest.fixture(scope="module")
def null_panel() -> effects.PreparedPanel:
    return effects.prepare_panel(synthetic_long(effect=1.0, seed=11), ["01001"], START)


@pytest.fixture(scope="module")
def full_results(effect_panel) -> dict[str, effects.EffectResult]:
    """Full estimates (placebo-in-space and -in-time) of the +20 % panel, once per method."""
    return {m: effects.estimate(effect_panel, method=m) for m in effects.METHODS}


class TestSynthetic:
    @pytest.mark.parametrize("method", effects.METHODS)
    def test_known_effect_is_recovered(self, effect_panel, full_results, method):
        r = full_results[method]
        assert r.effect_pct == pytest.approx(20.0, abs=3.0)
        lo, hi = r.ci90_pct
        assert 0 < lo < r.effect_pct < hi, (lo, hi)  # the interval excludes 0
        assert hi - lo < 10  # and is informative (3 % noise, 27 post months)
        assert r.p_value is not None and r.p_value <= 0.05
        # effect visitors = Σ observed − Σ counterfactual over the post period, = gap column's sum
        post = r.series.index >= pd.Period(START, "M")
        assert r.effect_visitors == pytest.approx(r.series.loc[post, "gap"].sum(), rel=1e-9)
        assert r.series.loc[post, "observed"].sum() == pytest.approx(
            effect_panel.subject[effect_panel.subject.index >= effect_panel.start].sum())
        assert r.pre_months == 39 and r.post_months == 27 and len(r.placebos) == 39
        assert abs(sum(d.weight for d in r.donors) - 1.0) < 1e-6

    @pytest.mark.parametrize("method", effects.METHODS)
    def test_no_effect_interval_covers_zero(self, null_panel, method):
        r = effects.estimate(null_panel, method=method)  # with the placebo-in-time
        lo, hi = r.ci90_pct
        assert lo < 0 < hi, (lo, hi)
        assert abs(r.effect_pct) < 3.0
        assert r.p_value > 0.10
        assert not any(w.key == "effect.warn.time_placebo" for w in r.warnings)

    def test_before_after_would_be_wrong(self, null_panel):
        """The common +30 % step makes a naive before/after comparison report a large effect."""
        s = null_panel.subject
        naive = s["2024-04":"2025-03"].sum() / s["2023-04":"2024-03"].sum() - 1
        assert naive > 0.2
        assert abs(effects.estimate(null_panel, placebo=False, time_placebo=False).effect_pct) < 3.0

    def test_sum_of_several_municipalities_is_one_subject(self):
        long = synthetic_long(effect=1.2, treated="01001")
        p = effects.prepare_panel(long, ["01001", "01002"], START)
        assert set(p.muni_codes) == {"01001", "01002"} and not {"01001", "01002"} & set(p.visitors.columns)
        wide = effects.wide_panel(long)
        assert (p.subject == wide["01001"] + wide["01002"]).all()
        r = effects.estimate(p, placebo=False, time_placebo=False)
        assert 0 < r.effect_pct < 20

    def test_excluded_codes_are_never_donors_and_flags_warn(self, effect_panel):
        r = effects.estimate(effect_panel, placebo=False, time_placebo=False)
        top = r.donors[0].muni_code
        r2 = effects.estimate(effect_panel, excluded=[top], placebo=False, time_placebo=False)
        assert top not in {d.muni_code for d in r2.donors}
        r3 = effects.estimate(effect_panel, donor_flags={top: "festival 2024"}, placebo=False, time_placebo=False)
        flagged = [w for w in r3.warnings if w.key == "effect.warn.donor_event"]
        assert flagged and top in flagged[0].text("en") and "festival 2024" in flagged[0].text("ja")

    def test_incomplete_areas_are_dropped_and_reported(self):
        long = synthetic_long(missing={"01005": [3], "02001": [50, 51]})
        p = effects.prepare_panel(long, ["01001"], START)
        assert p.dropped == ("01005", "02001")
        assert "01005" not in p.visitors.columns
        r = effects.estimate(p, placebo=False, time_placebo=False)
        w = [w for w in r.warnings if w.key == "effect.warn.dropped_areas"][0]
        assert "02001" in w.text("en") and "2" in w.text("ja")

    def test_donor_pool_is_capped_and_nearest_first(self, effect_panel):
        logs = np.log(pd.concat([effect_panel.visitors, effect_panel.subject.rename("S")], axis=1))
        pool = effects.donor_pool(logs, "S", effect_panel.pre, max_donors=10)
        assert len(pool) == 10 and pool["distance"].is_monotonic_increasing and "S" not in set(pool["muni_code"])

    def test_synth_weights_match_pysyncon(self, effect_panel):
        """The gradient-fed solver gives pysyncon's own weights."""
        logs = np.log(effect_panel.visitors.iloc[:, :16])
        pre = effect_panel.pre
        adj = effects.demean(logs, pre)
        z0, z1 = adj.loc[pre].iloc[:, 1:], adj.loc[pre].iloc[:, 0]
        ref = Synth()
        ref.fit(X0=z0, X1=z1, Z0=z0, Z1=z1, custom_V=np.ones(len(pre)))
        _, w = effects.synth_gap(adj, adj.columns[0], list(adj.columns[1:]), pre)
        assert np.abs(w.to_numpy() - np.clip(ref.W, 0, None) / np.clip(ref.W, 0, None).sum()).max() < 1e-5

    def test_did_returns_clustered_se_and_leads(self, effect_panel):
        r = effects.estimate(effect_panel, method="did", placebo=False, time_placebo=False)
        assert r.did["coef"] == pytest.approx(math.log(1.2), abs=0.03) and r.did["se_crv1"] > 0
        es = r.event_study
        leads = es[es["bin"] < -4]
        assert not set(es["bin"]) & {-4, -3, -2, -1}  # the year before the event is the reference
        assert len(leads) >= 5 and leads["estimate"].abs().max() < 0.05  # no pre-trend in the synthetic data
        assert es[es["bin"] >= 0]["estimate"].mean() == pytest.approx(math.log(1.2), abs=0.03)

    @pytest.mark.parametrize("method", effects.METHODS)
    def test_time_placebo_is_reported(self, full_results, method):
        r = full_results[method]
        assert r.placebo_time["start"] == "2022-01" and abs(r.placebo_time["effect_pct"]) < 3
        assert r.placebo_time["p_value"] > 0.10 and not any(w.key == "effect.warn.time_placebo" for w in r.warnings)

    def test_a_shocked_donor_is_left_out_unless_the_rule_is_off(self):
        long = synthetic_long(effect=1.2)
        base = effects.estimate(effects.prepare_panel(long, ["01001"], START), time_placebo=False)
        top = base.donors[0].muni_code
        hit = (long["muni_code"] == top) & (long["year"] == 2025) & (long["month"] == 1)
        long.loc[hit, "visitors"] *= 3  # e.g. relief workers after a disaster
        prepared = effects.prepare_panel(long, ["01001"], START)
        r = effects.estimate(prepared, time_placebo=False, robustness=False)
        # hygiene on (default): the shocked donor is left out, with the month of its shock as the reason
        assert top not in {d.muni_code for d in r.donors}
        assert r.excluded_donors[top].key == "effect.excl.own_shock"
        assert r.excluded_donors[top].params["month"] == "2025-01"
        assert top in r.to_dict("en")["excluded_donors"]
        # the rule switched off: the donor may come back, and if it carries weight it is flagged
        off = effects.estimate(prepared, time_placebo=False, robustness=False,
                               hygiene=effects.Hygiene(own_shock=False))
        assert top not in off.excluded_donors
        assert any(w.key == "effect.warn.rules_off" for w in off.warnings)
        if top in {d.muni_code for d in off.donors if d.weight >= effects.DONOR_WEIGHT_FLOOR}:
            shock = [w for w in off.warnings if w.key == "effect.warn.donor_shock"]
            assert shock and f"{top}: 2025-01" in shock[0].params["codes"]

    def test_json_view_has_exactly_the_keys(self, effect_panel):
        d = effects.estimate(effect_panel, placebo=False, time_placebo=False).to_dict("en")
        assert tuple(d) == effects.JSON_KEYS
        assert d["p_value"] is None and d["ci90_pct"] == [None, None]  # no placebo run: no inference
        json.dumps(d)


class TestMoneyAndKpis:
    def test_money_is_visitors_times_spend_times_multiplier(self, full_results):
        r = full_results["synth"]
        m = effects.money(r)
        assert m.assumption is True
        assert m.spend_yen == pytest.approx(r.effect_visitors * effects.SPEND_DAY_TRIP_YEN)
        assert m.output_yen == pytest.approx(m.spend_yen * effects.TOURISM_OUTPUT_MULTIPLIER)
        assert m.ci90_output_yen[0] < m.output_yen < m.ci90_output_yen[1]
        assert "https://" in effects.MONEY_SOURCES and "2024" in effects.MONEY_SOURCES

    def test_money_needs_entered_values(self):
        with pytest.raises(EffectError) as exc:
            effects.MoneyAssumptions(spend_per_visitor_yen=None, multiplier=-1)
        keys = [p.key for p in exc.value.problems]
        assert keys == ["effect.err.money_missing", "effect.err.money_invalid"]

    def test_kpis_of_an_even_year(self):
        s = pd.Series(100.0, index=MONTHS)
        k = effects.seasonality_kpis(s, START)
        assert k.loc["cv", "before"] == 0 and k.loc["peak_quarter_share", "after"] == pytest.approx(25.0)
        assert k.loc["yoy_growth_pct", "after"] == pytest.approx(0.0)

    def test_kpi_table_speaks_both_languages(self, effect_panel):
        r = effects.estimate(effect_panel, placebo=False, time_placebo=False)
        ja, en = effects.kpi_table(r, "ja"), effects.kpi_table(r, "en")
        assert list(en.columns) == ["KPI", "12 months before", "First 12 months after", "Change"]
        assert "変動係数" in ja.iloc[0, 0] and ja.shape == en.shape == (3, 4)

    @hsettings(max_examples=40, deadline=None)
    @given(st.lists(st.floats(1, 1e6), min_size=36, max_size=36), st.floats(0.01, 1000))
    def test_kpis_do_not_depend_on_the_unit(self, values, k):
        s = pd.Series(values, index=pd.period_range("2023-01", periods=36, freq="M"))
        a, b = effects.seasonality_kpis(s, "2024-01"), effects.seasonality_kpis(s * k, "2024-01")
        pd.testing.assert_frame_equal(a, b, rtol=1e-9)
        assert 25.0 - 1e-9 <= a.loc["peak_quarter_share", "before"] <= 100.0

    @hsettings(max_examples=40, deadline=None)
    @given(st.floats(-1, 1), st.integers(1, 30))
    def test_constant_post_gap_gives_its_effect(self, c, n_post):
        idx = pd.period_range("2022-01", periods=24 + n_post, freq="M")
        observed = pd.Series(np.linspace(100, 200, len(idx)), index=idx)
        gap = pd.Series(np.where(np.arange(len(idx)) >= 24, c, 0.0), index=idx)
        s = effects.gap_stats(observed, gap, idx[24])
        assert s["effect_pct"] == pytest.approx(100 * (math.exp(c) - 1), abs=1e-9)
        assert s["pre_rmspe_pct"] == 0


class TestInference:
    @hsettings(max_examples=80, deadline=None)
    # log effects within ±(4 + 1·8): bounds stay representable (e^−12 ≈ 6e−6 above −100 %)
    @given(st.lists(st.floats(-8, 8), min_size=1, max_size=80), st.floats(-4, 4), st.floats(0.01, 1))
    def test_interval_is_on_the_ratio_scale_and_contains_the_estimate(self, ts, effect_log, rmspe):
        """Any placebos, symmetric or not: p is a rank p-value; the interval contains the estimate, never
        reaches −100 %, and is exactly the set of effects the same test does not reject at 10 %."""
        stats = {"effect_log": effect_log, "effect_pct": 100 * math.expm1(effect_log), "pre_rmspe_log": rmspe,
                 "t": effect_log / rmspe}
        p, (lo, hi) = effects.placebo_inference(stats, ts)
        n = len(ts)
        assert p == pytest.approx((1 + sum(abs(x) >= abs(effect_log / rmspe) - 1e-12 for x in ts)) / (n + 1))
        if n < 9:  # ⌊0.1·(1 + n)⌋ = 0: every effect is accepted, no finite interval
            assert math.isnan(lo) and math.isnan(hi)
            return
        assert -100 < lo <= stats["effect_pct"] + 1e-9 <= hi + 2e-9
        c = effects.critical_value([abs(x) for x in ts])

        def accepted(delta_log: float) -> bool:
            t = (effect_log - delta_log) / rmspe
            return (1 + sum(abs(x) >= abs(t) - 1e-12 for x in ts)) / (n + 1) > 0.10

        lo_log, hi_log = math.log1p(lo / 100), math.log1p(hi / 100)
        assert accepted(effect_log)
        width = hi_log - lo_log
        if width > 1e-6:  # just inside both ends: accepted; just outside: rejected
            assert accepted(lo_log + 1e-4 * width) and accepted(hi_log - 1e-4 * width)
            assert not accepted(lo_log - 1e-4 * width) and not accepted(hi_log + 1e-4 * width)
        assert width == pytest.approx(2 * rmspe * c, abs=1e-6)

    def test_a_fall_of_47_percent_has_an_interval_above_minus_100(self):
        """The issue's example: a large fall with a poor fit; additive percent gave [−179.5 … −10.3] %."""
        stats = {"effect_log": math.log(0.53), "effect_pct": -47.0, "pre_rmspe_log": 0.25,
                 "t": math.log(0.53) / 0.25}
        ts = list(np.random.default_rng(1).normal(0, 1.6, 49))
        _, (lo, hi) = effects.placebo_inference(stats, ts)
        assert -100 < lo < -47 < hi

    @pytest.mark.parametrize("n, m", [(8, 0), (9, 1), (19, 2), (49, 5), (50, 5)])
    def test_critical_value_is_the_m_th_largest(self, n, m):
        a = list(range(1, n + 1))
        c = effects.critical_value(a)
        assert c == (math.inf if m == 0 else n + 1 - m)


class TestErrors:
    long = synthetic_long(n=10)
    known = set(long["muni_code"]) | {"13999"}

    @pytest.mark.parametrize("codes, start, end, key", [
        (["47999"], START, None, "effect.err.unknown_code"),
        (["13999"], START, None, "effect.err.no_visitor_data"),
        (["01001"], "2027-01", None, "effect.err.start_outside"),
        (["01001"], "2020-12", None, "effect.err.start_outside"),
        (["01001"], "2024-04", "2024-01", "effect.err.end_before_start"),
        (["01001"], "2021-12", None, "effect.err.few_pre_months"),
        (["01001"], "2024/04", None, "effect.err.bad_month"),
        (["1a"], START, None, "effect.err.bad_code"),
    ])
    def test_bad_input_raises_with_its_key_in_both_languages(self, codes, start, end, key):
        with pytest.raises(EffectError) as exc:
            effects.prepare_panel(self.long, codes, start, end, known_codes=self.known)
        err = exc.value
        assert err.key == key
        ja, en = err.text("ja"), err.text("en")
        params = dict(err.problems[0].params)
        assert ja != en and ja == i18n.t(key, "ja", **params) and str(err) == en
        for value in params.values():  # a keyed reason (a bad code's) in each language, data as it is
            assert str(i18n.say(value, "ja")) in ja and str(i18n.say(value, "en")) in en

    def test_every_problem_is_reported_at_once(self):
        with pytest.raises(EffectError) as exc:
            effects.prepare_panel(self.long, ["47999", "13999"], "2021-05", "2021-03", known_codes=self.known)
        assert [p.key for p in exc.value.problems] == ["effect.err.unknown_code", "effect.err.no_visitor_data",
                                                       "effect.err.few_pre_months", "effect.err.end_before_start"]

    def test_eleven_pre_months_fail_twelve_pass(self):
        with pytest.raises(EffectError):
            effects.prepare_panel(self.long, ["01001"], "2021-12")
        p = effects.prepare_panel(self.long, ["01001"], "2022-01")
        r = effects.estimate(p, placebo=True, time_placebo=True)
        assert r.pre_months == 12 and math.isfinite(r.pre_rmspe_pct)
        keys = {w.key for w in r.warnings}
        assert {"effect.warn.short_pre", "effect.warn.few_donors", "effect.warn.no_time_placebo"} <= keys

    def test_every_effect_key_has_both_languages(self):
        keys = [k for k in i18n.STRINGS if k.startswith("effect.")]
        assert len(keys) > 30 and all(all(i18n.STRINGS[k]) for k in keys)


# --- the real database (skipped without the mirror) ------------------------------------------------------
def _cli(args, built_db):
    env = {**os.environ, "REVITALIZE_DB": str(built_db)}
    return subprocess.run([sys.executable, "-m", "revitalize", "effect", *args], capture_output=True, env=env,
                          cwd=settings.PROJECT_ROOT, timeout=300)


class TestRealWorld:
    def test_panel_from_the_database(self, con):
        long = panel.visitor_panel(con)
        assert list(long.columns) == ["muni_code", "year", "month", "visitors"]
        assert long["muni_code"].str.fullmatch(r"\d{5}").all()
        assert not long["muni_code"].isin(["01101", "22138"]).any()  # wards rolled up to the city
        assert long["muni_code"].isin(["01100", "22130"]).any()

    def test_cli_json_has_exactly_the_keys(self, built_db):
        r = _cli(["--muni", "13101", "--start", "2024-04", "--format", "json", "--lang", "en"], built_db)
        assert r.returncode == 0, r.stderr.decode()
        d = json.loads(r.stdout)
        assert tuple(d) == effects.JSON_KEYS
        assert d["muni_codes"] == ["13101"] and d["method"] == "synth" and d["end"] == "2026-06"
        assert d["pre_months"] == 39 and len(d["ci90_pct"]) == 2 and 0 < d["p_value"] <= 1
        assert all(set(x) == {"muni_code", "weight"} for x in d["donors"]) and "13101" not in str(d["donors"])

    def test_cli_did_text_in_japanese(self, built_db):
        r = _cli(["--muni", "13101;13102", "--start", "2024-04", "--method", "did", "--format", "text"], built_db)
        assert r.returncode == 0, r.stderr.decode()
        assert "効果検証" in r.stdout.decode() and "差の差" in r.stdout.decode()

    @pytest.mark.parametrize("args, en, ja", [
        (["--muni", "13999", "--start", "2024-04"], "does not exist", "存在しません"),
        (["--muni", "13101", "--start", "2027-01"], "outside the data", "データの期間"),
        (["--muni", "13101", "--start", "2021-06"], "at least 12", "12 か月以上"),
        (["--muni", "01101", "--start", "2024-04"], "ward of a designated city", "01100"),
    ])
    def test_cli_errors_exit_2_with_a_clear_message(self, app_env, capsys, args, en, ja):
        assert cli.main(["effect", *args, "--lang", "en"]) == 2
        out = capsys.readouterr()
        assert en in out.err and out.out == ""
        assert cli.main(["effect", *args, "--lang", "ja"]) == 2
        assert ja in capsys.readouterr().err


class TestPage:
    def _page(self, lang="ja"):
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "effects.py"), default_timeout=300)
        at.query_params["muni"] = "13101"
        if lang == "en":
            at.query_params["lang"] = "en"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    @staticmethod
    def _submit(at, label):
        next(b for b in at.button if b.label == label).click().run()
        assert not at.exception, [e.value for e in at.exception]

    def test_page_opens_on_the_national_table_and_estimates_only_on_submit(self, app_env):
        at = self._page()
        assert at.title[0].value == "効果検証" and not at.error
        assert at.tabs[0].label.startswith("全国の証拠")  # the national evidence comes first
        assert any(b.label.startswith("未計算の種類を計算する") for b in at.button)
        assert not any("直接消費" in m.value for m in at.markdown)  # nothing estimated before the submit
        self._submit(at, i18n.t("effect.run", "ja"))
        tables = [df.value for df in at.dataframe]
        assert any("効果" in str(t.iloc[:, 0].tolist()) for t in tables)  # the estimate table
        assert any("weight" in t.columns and len(t) > 0 for t in tables)  # the donors
        assert any("理由" in t.columns and len(t) > 0 for t in tables)  # donors left out, with the reason
        assert any("チェック" in t.columns and "比較対象を1つ除く" in t.iloc[:, 0].tolist() for t in tables)
        assert any("直接消費" in m.value for m in at.markdown)
        # changing a widget without submitting keeps the shown estimate (no re-estimate per widget change)
        at.number_input(key="e_spend").set_value(30000.0).run()
        assert not at.exception and any("直接消費" in m.value for m in at.markdown)

    def test_page_in_english_with_an_error(self, app_env):
        at = self._page("en")
        assert at.title[0].value == "Effect verification"
        at.selectbox(key="e_start").set_value("2021-06")
        self._submit(at, i18n.t("effect.run", "en"))
        assert at.error and "at least 12" in at.error[0].value
