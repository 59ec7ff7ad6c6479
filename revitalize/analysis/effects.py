"""Effect verification (効果検証): did content bring visitors, compared with similar municipalities?

Pure functions on DataFrames (no database, no Streamlit). Japan's IP Strategic Program 2025 asks that the
effects of content on the local economy be verifiable. The monthly visitor estimates (デジタル観光統計,
2021-01 … 2026-06) cannot be compared before/after: the panel itself grows (national total Apr–Dec 2024 is
34 % above 2023, the median municipality +6 %), so the effect of an event (a work's broadcast, a base's
designation) starting in month ``start`` is measured against a **counterfactual built from comparison
municipalities**.

Method, step by step (every rule is a named constant below):

1. **Panel** (``prepare_panel``). Long rows (muni_code, year, month, visitors) become a wide monthly panel
   over the analysis window (first month of the data … ``end``). Areas with a month missing or with zero
   visitors in the window are dropped (reported in ``dropped`` and as a note). The *subject* is one
   municipality or the **sum** of several (a candidate base covering several municipalities).
2. **Scale and seasonality.** Each unit's series is taken in logs (so effects are relative, %). For the
   synthetic control each unit is seasonally adjusted by subtracting its own **pre-period month-of-year
   means** of the log (``seasonal_adjust``; level differences between a big city and a small town drop
   out too, and the comparison is on the remaining shape — the "demeaned" synthetic control of
   Doudchenko & Imbens / Ferman & Pinto). That needs two years before the event to leave anything to fit;
   with 12–23 pre-event months only each unit's pre-period mean is removed (``demean``) and the convex
   weights must reproduce the seasonal shape themselves (and a short-pre-period warning is given).
   Difference-in-differences absorbs seasonality with unit × month-of-year fixed effects. Both need
   every month of the year at least once before the event: at least ``MIN_PRE_MONTHS`` = 12 months.
3. **Donor pool** (``donor_pool``). Candidates are the complete areas that are not the subject and that no
   **hygiene rule** leaves out (``Hygiene``, all on by default, each listed with its reason in
   ``excluded_donors`` and switchable on the page and the command line):
   ``shared_event`` — municipalities sharing the subject's event (same work, edition, designation day);
   ``other_event`` — municipalities with another known event of the curated layers or the register from
   ``SHOCK_LOOKBACK_MONTHS`` = 12 months before the start to the end; ``own_shock`` — municipalities with a
   shock of their own in that window (``own_shocks``: a level shift or a spike of the log visitors after the
   national median month and the unit's own seasonality are removed); ``neighbours`` — the subject's
   neighbours, outlines within ``SPILLOVER_KM`` = 1 km (adjacent municipalities: visitors and regional
   shocks spill over; a neighbour hit by the same disaster would pull the estimate towards zero and be the
   most extreme placebo). The rest are ranked by distance to the subject on pre-period features
   (``pre_features``) — level (mean log visitors), trend (log points a year) and seasonal profile (12
   month-of-year effects) — and the nearest ``MAX_DONORS`` = 50 are kept; they are also the placebo set.
4. **Estimate.** ``synth``: synthetic control (Abadie, Diamond & Hainmueller 2010; pysyncon ``Synth``'s problem
   with V fixed to the identity over the pre-period months, i.e. convex donor weights minimising the
   pre-period squared gap of the adjusted log, rows scaled as pysyncon scales them). ``augsynth``: the ridge
   augmented synthetic control (Ben-Michael, Feller & Rothstein 2021, JASA), pysyncon's ``AugSynth`` steps on
   the same adjusted log, for subjects the convex weights fit poorly (λ by leave-one-month-out
   cross-validation). ``did``: two-way fixed effects difference-in-differences of the log against the whole
   pool with equal weights (``pyfixest.feols``, unit × month-of-year and calendar-month fixed effects, SEs
   clustered by municipality), with an event study (3-month bins relative to the year before the event)
   whose leads show pre-trends.
   Each way the subject's gap g_t (log points) gives the counterfactual visitors
   CF_t = observed_t · exp(−g_t); over the post period
   effect_visitors = Σ(observed − CF), effect_pct = 100 · (Σ observed / Σ CF − 1), and the fit quality
   pre_rmspe_pct = 100 · √mean_pre((observed − CF)²) / mean_pre(observed).
5. **Inference** (``PLACEBO_RULE``, ``INTERVAL_METHOD``). Placebo-in-space: the same estimate for every donor
   as if it were treated (its donors: the rest of the pool). Each unit's statistic is its log effect
   standardised by its own pre-fit, t = log(ΣO/ΣCF) / pre_rmspe_log (the RMSPE-ratio idea of Abadie et al.
   2010, so a badly fitted placebo does not dominate). p_value = (1 + #{placebos with |t_j| ≥ |t|}) /
   (1 + #placebos) (two-sided rank test). The 90 % interval **inverts that test on the log scale** (Firpo &
   Possebom 2018, J. Causal Inference): every δ with (effect_log − δ)/r accepted at 10 %, i.e. effect_log ±
   r·c (r the subject's pre_rmspe_log, c the ⌊0.1·(1 + J)⌋-th largest placebo |t|), converted with
   100·(e^δ − 1): it contains the estimate and never goes below −100 %; with fewer than 9 placebos there is
   no finite interval (said on screen). The monthly band on the counterfactual uses the same rule month by
   month. Placebo-in-time: the same estimate (with its own placebo p-value) with a fake event ``L`` months
   before the real one, on data before the real event only (L = min(post months, pre months − 12), ≥ 6).
6. **Robustness** (``robustness_checks``): the estimate without each weighted donor (leave-one-out), with
   each active hygiene rule switched off, and the in-time placebo, as a table and a range; a sign change
   among them is a warning.
7. **Warnings** are i18n keys with parameters (``Warning``), rendered by ``revitalize.i18n``: poor pre-fit,
   short pre/post periods, few donors, no interval, rules switched off, areas dropped, a flagged event in a
   weighted donor, a shock (a month whose placebo gap exceeds ``SHOCK_LOG`` and ``SHOCK_RMSPE`` × its
   pre-fit) in a donor or in the subject's pre-period, a failed time placebo, a fragile sign.

Calibration and power on the real data are measured by ``benchmarks/effects_calibration.py`` and published in
NOTES.md and on the page (``calibration_figures``).

Money (``money``) is an **assumption**, not an estimate: effect visitors × spend per visitor × an
input–output multiplier, with the same 90 % interval. The defaults are sourced in ``MONEY_SOURCES``.
KPIs (``seasonality_kpis``): coefficient of variation of monthly visitors, peak-quarter share and
year-on-year growth, 12 months before vs the first 12 months from the event.
"""

from __future__ import annotations

import functools
import json
import math
import warnings as _warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, minimize
from threadpoolctl import threadpool_limits

from revitalize.core import codes, i18n
from revitalize.core.errors import EffectError

METHODS = ("synth", "augsynth", "did")
MIN_PRE_MONTHS = 12  # seasonal adjustment needs every month of the year once before the event
SHORT_PRE_MONTHS = 24  # below this, each month-of-year mean rests on a single year: warn
SHORT_POST_MONTHS = 6
MAX_DONORS = 50
FEW_DONORS = 20  # rank p-values cannot go below 1/(1 + donors): warn below this
POOR_FIT_PCT = 10.0  # pre-period RMSPE above 10 % of the subject's mean monthly visitors: warn
DONOR_WEIGHT_FLOOR = 0.02  # a donor "counts" in a warning when its synthetic weight is at least this
SHOCK_LOG = 0.5  # a shock moves a month's gap by more than 0.5 log points (×1.65 or ×0.61) …
SHOCK_RMSPE = 5.0  # … and by more than 5 times the unit's pre-period RMSPE (log)
# Donor-pool hygiene (rule ``own_shock``): a unit's own shock, found on its log visitors with the national
# median month removed (common shocks such as COVID waves drop out) and its own month-of-year means removed.
SHOCK_STEP_LOG = 0.4  # a level shift: mean of the next 6 months − mean of the previous 6 > 0.4 log points (×1.49) …
SHOCK_STEP_MAD = 3.0  # … and > 3 robust SDs (1.4826 × MAD) of the unit's own step series
SHOCK_STEP_MONTHS = 6
SHOCK_LOOKBACK_MONTHS = 12  # shocks (and other events) from 12 months before the start to the end count
SPILLOVER_KM = 1.0  # rule ``neighbours``: outlines within 1 km of the subject's (adjacent, simplification gaps)
HYGIENE_RULES = ("shared_event", "other_event", "own_shock", "neighbours")
CI_LEVEL = 0.90
INTERVAL_METHOD = ("placebo test inversion on the log scale: the 90 % interval is every log effect δ that the "
                   "two-sided placebo rank test (t = log(ΣO/ΣCF) / pre-RMSPE_log) does not reject at 10 % "
                   "(Abadie, Diamond & Hainmueller 2010; Firpo & Possebom 2018); converted with 100·(e^δ − 1)")
EVENT_BIN_MONTHS = 3
TIME_PLACEBO_MIN_POST = 6
PLACEBO_RULE = ("placebo-in-space on t = log(ΣO/ΣCF) / pre_rmspe_log; two-sided rank p-value; "
                "90 % interval by inverting the same test on the log scale (never below −100 %)")

JSON_KEYS = ("muni_codes", "start", "end", "method", "effect_pct", "effect_visitors", "ci90_pct", "p_value",
             "pre_rmspe_pct", "pre_months", "post_months", "donors", "warnings", "excluded_donors", "robustness",
             "interval_method")

# --- money: sourced defaults ------------------------------------------------------------------------------
SPEND_DAY_TRIP_YEN = 19_533  # 日本人国内日帰り旅行 1人1回当たり旅行支出, 2024年 年間値（確報）
SPEND_OVERNIGHT_YEN = 69_362  # 日本人国内宿泊旅行 1人1回当たり旅行支出, 2024年 年間値（確報）
TOURISM_OUTPUT_MULTIPLIER = round(49.4 / 23.8, 2)  # 生産波及効果 49.4兆円 ÷ 国内旅行消費額 23.8兆円 (2010) = 2.08
MONEY_SOURCES = """Sources of the money defaults (as of 2026-12-01, when they were looked up):

- Spend per visitor: 観光庁「旅行・観光消費動向調査 2024年年間値（確報）」(published 2025-04-30):
  日本人国内旅行 1人1回当たり旅行支出 46,585 円, 宿泊旅行 69,362 円, 日帰り旅行 19,533 円.
  Reported at https://www.kannaikaikei.jp/news/14798 ; the survey's page is
  https://www.mlit.go.jp/kankocho/tokei_hakusyo/shohidoko.html . The default is the day-trip figure
  (19,533 yen): the visitor counts include everyone from outside the area, most of whom do not stay the
  night, so it is the conservative choice; enter the overnight figure (69,362 yen) or a local survey's.
  The national figure includes transport to the destination, much of which is not spent locally.
- Multiplier: 国土交通省 観光庁「平成24年版 観光白書」第II部第1章第3節 — 2010 domestic travel consumption
  23.8 trillion yen induced 49.4 trillion yen of output (生産波及効果, 全国産業連関表), a ratio of 2.08:
  https://www.mlit.go.jp/npcc/hakusyo/npcc/2012/npcc201201_main_033.html . This is a NATIONAL output
  multiplier; a municipality keeps less of the ripple (imports from other areas), so a prefectural
  産業連関表 multiplier (typically lower) should be entered where the prefecture publishes one.
"""


# --- results ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Warning:
    """A warning as an i18n key with its parameters; ``text(lang)`` renders it."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str = "ja") -> str:
        return i18n.t(self.key, lang, **self.params)


Reason = Warning  # why a municipality was left out of the donors: an i18n key with its parameters


@dataclass(frozen=True)
class Donor:
    muni_code: str
    weight: float


@dataclass(frozen=True)
class Hygiene:
    """Which donor-pool hygiene rules are on (all by default; see ``HYGIENE_RULES`` and the module doc).

    shared_event: municipalities sharing the subject's event; other_event: municipalities with another known
    event from ``SHOCK_LOOKBACK_MONTHS`` before the start to the end; own_shock: municipalities with a shock of
    their own in that window (``own_shocks``); neighbours: municipalities whose outline lies within
    ``SPILLOVER_KM`` of the subject's (spillovers)."""

    shared_event: bool = True
    other_event: bool = True
    own_shock: bool = True
    neighbours: bool = True

    def without(self, rule: str) -> Hygiene:
        """The same rules with ``rule`` switched off."""
        if rule not in HYGIENE_RULES:
            raise EffectError([("effect.err.bad_rule", {"rule": rule, "allowed": ", ".join(HYGIENE_RULES)})])
        return Hygiene(**{r: (getattr(self, r) and r != rule) for r in HYGIENE_RULES})

    def on(self) -> tuple[str, ...]:
        return tuple(r for r in HYGIENE_RULES if getattr(self, r))


@dataclass(frozen=True, eq=False)
class EffectResult:
    """One effect estimate. ``to_dict`` gives exactly ``JSON_KEYS``; the rest is for charts and detail.

    Units: effect_pct, ci90_pct and pre_rmspe_pct in %; effect_visitors in visitors over the post period;
    months as 'YYYY-MM'. ``series`` is indexed by month (pandas Period) with columns observed,
    counterfactual, band_low, band_high (90 % band of the counterfactual) and gap (observed − counterfactual),
    all in visitors per month.
    """

    muni_codes: tuple[str, ...]
    start: str
    end: str
    method: str
    effect_pct: float
    effect_visitors: float
    ci90_pct: tuple[float, float]
    p_value: float | None
    pre_rmspe_pct: float
    pre_months: int
    post_months: int
    donors: tuple[Donor, ...]
    warnings: tuple[Warning, ...]
    series: pd.DataFrame
    ci90_visitors: tuple[float, float]
    counterfactual_visitors: float  # Σ counterfactual over the post period
    placebos: pd.DataFrame  # per donor: muni_code, effect_pct, pre_rmspe_pct, t
    placebo_time: Mapping[str, object] | None = None
    event_study: pd.DataFrame | None = None  # did only: bin, months_from, estimate, se, p_value
    did: Mapping[str, float] | None = None  # did only: coef (log points), se_crv1 (clustered by municipality)
    dropped: tuple[str, ...] = ()
    excluded_donors: Mapping[str, Reason] = field(default_factory=dict)  # code → why it is not a donor
    robustness: Mapping[str, object] = field(default_factory=dict)  # see ``robustness_checks``
    interval_method: str = INTERVAL_METHOD
    hygiene: Hygiene = Hygiene()

    def to_dict(self, lang: str = "ja") -> dict:
        """The JSON view: exactly ``JSON_KEYS``; warnings and reasons rendered in ``lang``; NaN → None."""
        return {
            "muni_codes": list(self.muni_codes),
            "start": self.start,
            "end": self.end,
            "method": self.method,
            "effect_pct": _num(self.effect_pct),
            "effect_visitors": _num(self.effect_visitors),
            "ci90_pct": [_num(self.ci90_pct[0]), _num(self.ci90_pct[1])],
            "p_value": _num(self.p_value),
            "pre_rmspe_pct": _num(self.pre_rmspe_pct),
            "pre_months": self.pre_months,
            "post_months": self.post_months,
            "donors": [{"muni_code": d.muni_code, "weight": round(d.weight, 6)} for d in self.donors],
            "warnings": [w.text(lang) for w in self.warnings],
            "excluded_donors": {code: reason.text(lang) for code, reason in self.excluded_donors.items()},
            "robustness": _jsonable(self.robustness),
            "interval_method": self.interval_method,
        }


def _jsonable(value: object) -> object:
    """Nested dicts/lists/tuples with floats made JSON-safe (NaN and ±inf → None)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return _num(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def _num(x: float | None) -> float | None:
    if x is None or not math.isfinite(float(x)):
        return None
    return float(x)


# --- panel ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PreparedPanel:
    """A validated panel: complete areas' visitors (wide, months × muni_code) and the subject's sum."""

    visitors: pd.DataFrame  # complete areas other than the subject's codes; float visitors per month
    subject: pd.Series  # Σ visitors of the subject's codes per month
    muni_codes: tuple[str, ...]
    start: pd.Period
    end: pd.Period
    dropped: tuple[str, ...]  # areas dropped for an incomplete series in the window

    @property
    def pre(self) -> pd.PeriodIndex:
        return self.subject.index[self.subject.index < self.start]

    @property
    def post(self) -> pd.PeriodIndex:
        return self.subject.index[self.subject.index >= self.start]


def parse_month(value: object) -> pd.Period | None:
    """'YYYY-MM' (or a Period) as a monthly Period; None when it is not a month."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    text = str(value).strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit() or not 1 <= int(text[5:]) <= 12:
        return None
    return pd.Period(text, freq="M")


def wide_panel(long: pd.DataFrame) -> pd.DataFrame:
    """Long rows (muni_code, year, month, visitors) → months (PeriodIndex 'month') × muni_code, float."""
    months = pd.PeriodIndex.from_fields(year=long["year"].astype(int), month=long["month"].astype(int), freq="M")
    frame = pd.DataFrame({"month": months, "muni_code": long["muni_code"].astype(str),
                          "visitors": pd.to_numeric(long["visitors"], errors="coerce").astype(float)})
    wide = frame.pivot_table(index="month", columns="muni_code", values="visitors", aggfunc="sum")
    full = pd.period_range(wide.index.min(), wide.index.max(), freq="M", name="month")
    return wide.reindex(full)


def prepare_panel(long: pd.DataFrame, muni_codes: Sequence[object], start: object, end: object | None = None, *,  # noqa: C901 (listed in NOTES.md: to split)
                  known_codes: Iterable[str] | None = None, ward_cities: Mapping[str, str] | None = None,
                  min_pre_months: int = MIN_PRE_MONTHS, wide: pd.DataFrame | None = None) -> PreparedPanel:
    """Validate the request and build the panel; raises ``EffectError`` listing every problem at once.

    ``muni_codes``: the subject's codes (summed); ``start``/``end``: first and last month of the post period
    ('YYYY-MM'; ``end`` defaults to the last month of the data); ``known_codes``: every municipality code
    that exists (to tell an unknown code from one without visitor data); ``ward_cities``: designated-city
    ward code → city code (a ward is named with its city, whose total the visitor data holds).
    """
    problems: list[tuple[str, dict]] = []
    if wide is None:  # ``wide``: ``wide_panel(long)`` made once by a caller estimating many subjects
        wide = wide_panel(long) if len(long) else pd.DataFrame()
    if wide.empty:
        raise EffectError([("effect.err.no_panel", {})])
    first, last = wide.index.min(), wide.index.max()
    known = set(known_codes) if known_codes is not None else None
    parsed: list[str] = []
    for raw in muni_codes:
        code, why = codes.parse_muni_code(raw)
        if code is None:
            problems.append(("effect.err.bad_code", {"code": str(raw), "why": why}))
        elif ward_cities and code in ward_cities and code not in wide.columns:
            problems.append(("effect.err.ward_code", {"code": code, "city": ward_cities[code]}))
        elif known is not None and code not in known:
            problems.append(("effect.err.unknown_code", {"code": code}))
        elif code not in wide.columns or wide[code].isna().all():
            problems.append(("effect.err.no_visitor_data", {"code": code}))
        elif code not in parsed:
            parsed.append(code)
    if not list(muni_codes):
        problems.append(("effect.err.no_codes", {}))
    start_p = parse_month(start)
    end_p = parse_month(end) if end is not None else last
    fmt = {"first": str(first), "last": str(last)}
    if start_p is None:
        problems.append(("effect.err.bad_month", {"what": "start", "value": str(start)}))
    elif not first <= start_p <= last:
        problems.append(("effect.err.start_outside", {"start": str(start_p), **fmt}))
    elif (start_p - first).n < min_pre_months:
        problems.append(("effect.err.few_pre_months", {"n": (start_p - first).n, "min": min_pre_months,
                                                       "start": str(start_p), "first": str(first)}))
    if end_p is None:
        problems.append(("effect.err.bad_month", {"what": "end", "value": str(end)}))
    elif start_p is not None and end_p < start_p and (end is not None or start_p <= last):
        problems.append(("effect.err.end_before_start", {"start": str(start_p), "end": str(end_p)}))
    elif not first <= end_p <= last:
        problems.append(("effect.err.end_outside", {"end": str(end_p), **fmt}))
    if not problems:
        window = wide.loc[first:end_p]
        bad_subject = [c for c in parsed if window[c].isna().any() or (window[c] <= 0).any()]
        for c in bad_subject:
            n_bad = int(window[c].isna().sum() + (window[c] <= 0).sum())
            problems.append(("effect.err.incomplete_subject", {"code": c, "n": n_bad}))
    if problems:
        raise EffectError(problems)
    window = wide.loc[first:end_p]
    complete = window.columns[window.notna().all() & (window > 0).all()]
    dropped = tuple(sorted(set(window.columns) - set(complete)))
    others = window[[c for c in complete if c not in parsed]]
    subject = window[parsed].sum(axis=1).rename("subject")
    return PreparedPanel(others, subject, tuple(parsed), start_p, end_p, dropped)


def demean(logs: pd.DataFrame, pre: pd.PeriodIndex) -> pd.DataFrame:
    """Each column minus its own pre-period mean (log points): the level drops out, the shape stays."""
    return logs - logs.loc[pre].mean()


def seasonal_adjust(logs: pd.DataFrame, pre: pd.PeriodIndex) -> pd.DataFrame:
    """Each column minus its own pre-period month-of-year means (log points); index: months."""
    pre_means = logs.loc[pre].groupby(pre.month).mean()
    return logs - pre_means.reindex(logs.index.month).set_axis(logs.index)


def pre_features(logs: pd.DataFrame, pre: pd.PeriodIndex) -> pd.DataFrame:
    """Per unit, before the event: level (mean log visitors), trend (log points per year, from a
    least-squares fit of the log on time and month-of-year dummies) and the 12 month-of-year effects."""
    y = logs.loc[pre].to_numpy()
    t = (np.arange(len(pre)) / 12.0)[:, None]
    moy = (pre.month.to_numpy()[:, None] == np.arange(1, 13)[None, :]).astype(float)
    present = moy.any(axis=0)
    design = np.hstack([t, moy[:, present]])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    season = coef[1:] - coef[1:].mean(axis=0)
    out = pd.DataFrame({"level": y.mean(axis=0), "trend": coef[0]}, index=logs.columns)
    for i, m in enumerate(np.arange(1, 13)[present]):
        out[f"m{m:02d}"] = season[i]
    return out


def donor_pool(logs: pd.DataFrame, subject: str, pre: pd.PeriodIndex, *, excluded: Iterable[str] = (),
               max_donors: int = MAX_DONORS) -> pd.DataFrame:
    """The nearest ``max_donors`` candidates to ``subject`` on pre-period level, trend and seasonality.

    ``logs``: log visitors (months × units, the subject among the columns). Distance =
    √(z_level² + z_trend² + z_season²): level and trend (``pre_features``) each divided by their standard
    deviation over the candidates; season = Euclidean distance between the month-of-year profiles divided
    by its median over the candidates. Returns rows (muni_code, level, trend, season, distance), nearest
    first (ties by code).
    """
    excluded = set(excluded) | {subject}
    feats = pre_features(logs, pre)
    prof = feats.filter(regex=r"^m\d\d$")
    cand = feats.index[~feats.index.isin(list(excluded))]
    spread = feats.loc[cand, ["level", "trend"]].std(ddof=0).replace(0, 1.0)
    z = (feats.loc[cand, ["level", "trend"]] - feats.loc[subject, ["level", "trend"]]) / spread
    season = np.sqrt(((prof.loc[cand] - prof.loc[subject]) ** 2).sum(axis=1))
    med = float(season.median()) or 1.0
    table = feats.loc[cand, ["level", "trend"]].assign(season=season)
    table["distance"] = np.sqrt((z ** 2).sum(axis=1) + (season / med) ** 2)
    table = table.rename_axis("muni_code").reset_index()
    return table.sort_values(["distance", "muni_code"], kind="stable").head(max_donors).reset_index(drop=True)


# --- estimators (gaps in log points) ----------------------------------------------------------------------
def _w_optimize(V_mat: np.ndarray, X0: np.ndarray, X1: np.ndarray, qp_method: str = "SLSQP",
                qp_options: dict | None = None) -> tuple[np.ndarray, float]:
    """pysyncon's inner problem — min ½wᵀPw − qᵀw over the simplex with SLSQP — handed its exact gradient
    Pw − q instead of SLSQP's numerical differences (about 2× faster with 50 donors; same weights to 1e-6)."""
    n_c = X0.shape[1]
    P = X0.T @ V_mat @ X0
    q = X1.T @ V_mat @ X0
    res = minimize(fun=lambda x: 0.5 * x @ P @ x - q @ x, jac=lambda x: P @ x - q, x0=np.full(n_c, 1 / n_c),
                   bounds=Bounds(np.zeros(n_c), np.ones(n_c)),
                   constraints=LinearConstraint(np.ones(n_c), 1.0, 1.0), method=qp_method,
                   options={"maxiter": 1000, **(qp_options or {})})
    return res["x"], float(res["fun"])


@functools.cache
def _synth_class():
    """pysyncon's ``Synth`` with the exact gradient (``_w_optimize``). pysyncon imports matplotlib (≈1 s), so it
    is loaded when a synthetic control is first estimated, not whenever the command line starts."""
    from pysyncon import Synth

    return type("_Synth", (Synth,), {"w_optimize": staticmethod(_w_optimize)})


@functools.cache
def _augsynth_class():
    """pysyncon's ``AugSynth`` (ridge ASCM, Ben-Michael, Feller & Rothstein 2021) with the exact gradient."""
    from pysyncon import AugSynth

    return type("_AugSynth", (AugSynth,), {"w_optimize": staticmethod(_w_optimize)})


def synth_gap(adjusted: pd.DataFrame, treated: str, controls: Sequence[str],
              pre: pd.PeriodIndex) -> tuple[pd.Series, pd.Series]:
    """Synthetic-control gap of ``treated`` (its adjusted log − the weighted controls') and the donor weights.

    ``adjusted``: seasonally adjusted (``seasonal_adjust``) or demeaned (``demean``) log visitors; the
    weights are convex and minimise the pre-period squared gap (pysyncon ``Synth`` with V fixed to the
    identity).
    """
    z0 = adjusted.loc[pre, list(controls)].to_numpy()
    z1 = adjusted.loc[pre, treated].to_numpy()
    # pysyncon's Synth.fit(custom_V=1) reduces to this inner problem: each pre-period row of [X0 X1] divided by
    # its standard deviation over the units, then its ``w_optimize`` with V = I; solving it directly skips the
    # fit's per-call frame handling (≈ 30 ms × 50 placebos). Same weights: see the tests.
    scale = _row_scale(np.column_stack([z0, z1]))
    w, _ = _w_optimize(np.eye(len(pre)), z0 / scale[:, None], z1 / scale)
    w = np.clip(np.asarray(w, dtype=float), 0.0, None)
    w = w / w.sum()
    weights = pd.Series(w, index=list(controls), name="weight")
    gap = adjusted[treated] - adjusted[list(controls)].to_numpy() @ w
    return gap.rename("gap"), weights


def _row_scale(x: np.ndarray) -> np.ndarray:
    """pysyncon's scaling of the fitted rows: each row's standard deviation over the units (ddof 1; 1 if 0)."""
    sd = x.std(axis=1, ddof=1)
    return np.where(sd > 0, sd, 1.0)


def _synth_placebo_gaps(adjusted: pd.DataFrame, pool: Sequence[str], pre: pd.PeriodIndex) -> dict[str, pd.Series]:
    """``synth_gap`` of every unit of ``pool`` against the rest of it (placebo-in-space), on one numpy copy of
    the panel (the same weights as calling ``synth_gap`` per unit, without re-indexing the frame 50 times)."""
    full = adjusted[list(pool)].to_numpy()
    rows = adjusted.index.isin(pre)
    fitted = full[rows] / _row_scale(full[rows])[:, None]  # the same units in every placebo: one scale
    out = {}
    for j, code in enumerate(pool):
        others = np.r_[0:j, j + 1:len(pool)]
        w, _ = _w_optimize(np.eye(int(rows.sum())), fitted[:, others], fitted[:, j])
        w = np.clip(np.asarray(w, dtype=float), 0.0, None)
        w = w / w.sum()
        out[code] = pd.Series(full[:, j] - full[:, others] @ w, index=adjusted.index, name="gap")
    return out


def augsynth_gap(adjusted: pd.DataFrame, treated: str, controls: Sequence[str], pre: pd.PeriodIndex, *,
                 lambda_: float | None = None) -> tuple[pd.Series, pd.Series, float]:
    """Ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein 2021, JASA 116:1789) of ``treated``.

    pysyncon's ``AugSynth`` steps on the adjusted log (as for ``synth_gap``): the pre-period outcomes are
    centred at the controls' mean of each month, the convex SCM weights are fitted, then its ridge step
    (``solve_ridge``) adds the weights that remove the remaining imbalance, so the weights may be negative
    (extrapolation, controlled by λ). λ is chosen by pysyncon's leave-one-month-out cross-validation
    (``cross_validate``, largest λ within one SE of the minimum) unless given (placebos reuse the subject's λ).
    Returns (gap, weights, λ); the weights sum to 1, so the gap is adjusted[treated] − adjusted[controls]·w.
    """
    model = _augsynth_class()()
    x0 = adjusted.loc[pre, list(controls)]
    x1 = adjusted.loc[pre, treated]
    centre = x0.mean(axis=1)
    x0c, x1c = x0.sub(centre, axis=0), x1 - centre
    if lambda_ is None:
        lambdas = model.generate_lambdas(x0c)
        lambda_ = float(model.cross_validate(x0c, x1c, lambdas, len(pre)).best_lambda())
    w_scm, _ = _w_optimize(np.eye(len(pre)), x0c.to_numpy(), x1c.to_numpy())
    w = w_scm + model.solve_ridge(x1c.to_numpy(), x0c.to_numpy(), w_scm, lambda_)
    weights = pd.Series(w, index=list(controls), name="weight")
    gap = adjusted[treated] - adjusted[list(controls)].to_numpy() @ w
    return gap.rename("gap"), weights, lambda_


def _long(logs: pd.DataFrame) -> pd.DataFrame:
    data = logs.stack().rename("y").reset_index()
    data.columns = ["month", "unit", "y"]
    data["period"] = data["month"].astype(str)
    data["moy"] = data["month"].map(lambda m: m.month)
    return data


def did_gaps(logs: pd.DataFrame, treated: Sequence[str], start: pd.Period, *,
             vcov: object = "iid") -> tuple[dict[str, pd.Series], dict[str, tuple[float, float]]]:
    """Two-way FE DiD of each unit in ``treated`` against the others in ``logs`` (pyfixest).

    log visitors = β·D + unit × month-of-year FE (each unit's own seasonality and level) + month FE
    (calendar month, common shocks), D = 1 for the treated unit from ``start``. All treated
    units share one sample, so one ``sw(...)`` call estimates them together (pyfixest demeans once).
    Returns gap series per unit (y − (fitted − β·D), log points) and (β, SE) per unit.
    """
    import pyfixest as pf  # heavy (≈2 s to import): loaded only when a DiD is estimated

    data = _long(logs)
    post = (data["month"] >= start).to_numpy()
    names = {}
    for i, u in enumerate(treated):
        names[u] = f"d{i}"
        data[f"d{i}"] = ((data["unit"] == u).to_numpy() & post).astype(float)
    rhs = names[treated[0]] if len(treated) == 1 else "sw(" + ",".join(names[u] for u in treated) + ")"
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        fits = pf.feols(f"y ~ {rhs} | unit^moy + period", data=data, vcov=vcov)
    models = [fits] if len(treated) == 1 else list(fits.all_fitted_models.values())
    gaps, coefs = {}, {}
    for u, m in zip(treated, models, strict=False):
        d = names[u]
        beta = float(m.coef()[d])
        se = float(m.se()[d])
        cf = np.asarray(m.predict(), dtype=float) - beta * data[d].to_numpy()
        rows = (data["unit"] == u).to_numpy()
        gap = pd.Series(data.loc[rows, "y"].to_numpy() - cf[rows], index=data.loc[rows, "month"].to_numpy())
        gaps[u] = gap.set_axis(pd.PeriodIndex(gap.index, freq="M")).reindex(logs.index).rename("gap")
        coefs[u] = (beta, se)
    return gaps, coefs


def event_study(logs: pd.DataFrame, treated: str, start: pd.Period, *,
                bin_months: int = EVENT_BIN_MONTHS) -> pd.DataFrame:
    """Event-study coefficients of ``treated`` in 3-month bins, relative to the year before the event.

    Same fixed effects as ``did_gaps`` (unit × month-of-year, calendar month). With one treated unit its own
    month-of-year effects and the event-time bins are collinear, so one full year must be the reference: the
    four bins just before the event (months −12 … −1) are left out and each other bin's estimate is its
    difference from that year (log points). Rows: bin, months_from (first month of the bin relative to the
    event), estimate, se (clustered by municipality), p_value; leads are bins < −4. With a single treated
    unit, clustered SEs understate the uncertainty (one treated cluster): read the leads' size, and the
    placebo p-value.
    """
    import pyfixest as pf  # heavy (≈2 s to import): loaded only when a DiD is estimated

    data = _long(logs)
    rel = np.array([(m - start).n for m in data["month"]])
    bins = np.floor_divide(rel, bin_months)
    treated_rows = (data["unit"] == treated).to_numpy()
    reference = set(range(-12 // bin_months, 0))
    names = {}
    for b in sorted(set(bins.tolist()) - reference):
        names[f"bin_{b + 1000}"] = b
        data[f"bin_{b + 1000}"] = (treated_rows & (bins == b)).astype(float)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        fit = pf.feols(f"y ~ {' + '.join(names)} | unit^moy + period", data=data, vcov={"CRV1": "unit"})
    tidy = fit.tidy()
    out = pd.DataFrame({"bin": [names[str(n)] for n in tidy.index], "estimate": tidy["Estimate"].to_numpy(),
                        "se": tidy["Std. Error"].to_numpy(), "p_value": tidy["Pr(>|t|)"].to_numpy()})
    out["months_from"] = out["bin"] * bin_months
    return out.sort_values("bin").reset_index(drop=True)[["bin", "months_from", "estimate", "se", "p_value"]]


# --- from gaps to effects ---------------------------------------------------------------------------------
def gap_stats(observed: pd.Series, gap: pd.Series, start: pd.Period) -> dict[str, float]:
    """One unit's effect from its gap: effect_pct, effect_log (log(ΣO/ΣCF) over the post period),
    effect_visitors, counterfactual (Σ post), pre_rmspe_pct, pre_rmspe_log and t = effect_log / pre_rmspe_log."""
    cf = observed * np.exp(-gap)
    pre, post = observed.index < start, observed.index >= start
    o_post, cf_post = float(observed[post].sum()), float(cf[post].sum())
    effect_log = math.log(o_post / cf_post)
    rmspe_pct = 100.0 * math.sqrt(float(((observed[pre] - cf[pre]) ** 2).mean())) / float(observed[pre].mean())
    rmspe_log = math.sqrt(float((gap[pre] ** 2).mean()))
    t = effect_log / rmspe_log if rmspe_log > 0 else math.copysign(math.inf, effect_log)
    return {"effect_pct": 100.0 * math.expm1(effect_log), "effect_log": effect_log,
            "effect_visitors": o_post - cf_post, "counterfactual": cf_post,
            "pre_rmspe_pct": rmspe_pct, "pre_rmspe_log": rmspe_log, "t": t}


def critical_value(placebo_abs_t: Sequence[float], level: float = CI_LEVEL) -> float:
    """The largest |t| the two-sided placebo rank test accepts at 1 − ``level``: the m-th largest placebo |t|,
    m = ⌊(1 − level)·(1 + J)⌋ (J placebos). inf when m = 0 (fewer than 9 placebos for 90 %): no finite interval."""
    a = np.sort(np.asarray([x for x in placebo_abs_t if math.isfinite(x)], dtype=float))[::-1]
    m = int(math.floor((1.0 - level) * (1 + len(a)) + 1e-9))
    return float(a[m - 1]) if m >= 1 and len(a) >= m else math.inf


def placebo_inference(stats: Mapping[str, float], placebo_t: Sequence[float]) -> tuple[float | None, tuple]:
    """(p_value, ci90_pct) of one estimate from its placebos' standardised effects (``INTERVAL_METHOD``).

    p = (1 + #{|t_j| ≥ |t|}) / (1 + J). The interval inverts that test: δ (log points) is kept when the shifted
    statistic (effect_log − δ) / r is accepted, i.e. |effect_log − δ| ≤ r·c with c = ``critical_value``; so it
    is effect_log ± r·c on the log scale, always contains the estimate and never reaches −100 %."""
    t = np.asarray([x for x in placebo_t if math.isfinite(x)], dtype=float)
    if len(t) == 0:
        return None, (math.nan, math.nan)
    p = (1 + int((np.abs(t) >= abs(stats["t"]) - 1e-12).sum())) / (1 + len(t))
    c = critical_value(np.abs(t))
    if not math.isfinite(c):
        return p, (math.nan, math.nan)
    e, r = stats["effect_log"], stats["pre_rmspe_log"]
    return p, (100.0 * math.expm1(e - r * c), 100.0 * math.expm1(e + r * c))


# --- donor-pool hygiene: a unit's own shock ------------------------------------------------------------------
def own_shocks(visitors: pd.DataFrame, window: pd.PeriodIndex) -> dict[str, str]:
    """Units with a shock of their own in ``window``: code → the month where it is strongest ('YYYY-MM').

    On log visitors minus the national median of each month (common shocks such as COVID waves drop out) minus
    the unit's own month-of-year means: a **level shift** (mean of the next ``SHOCK_STEP_MONTHS`` months − mean
    of the previous ones, beyond ``SHOCK_STEP_LOG`` and ``SHOCK_STEP_MAD`` robust SDs of the unit's own step
    series) or a **spike** (a month off its centred 5-month median by more than ``SHOCK_LOG`` and
    ``SHOCK_RMSPE`` robust SDs of the unit's month-to-month changes). Robust SD = 1.4826 × MAD."""
    logs = np.log(visitors.to_numpy(dtype=float))
    rel = logs - np.median(logs, axis=1, keepdims=True)
    moy = visitors.index.month.to_numpy()
    adj = rel.copy()
    for m in np.unique(moy):
        rows = moy == m
        adj[rows] -= rel[rows].mean(axis=0)
    step = _window_means(adj, SHOCK_STEP_MONTHS)
    step_dev = step - np.nanmedian(step, axis=0)
    step_sd = 1.4826 * np.nanmedian(np.abs(step_dev), axis=0)
    spike = adj - _centred_median5(adj)
    diff_sd = 1.4826 * np.median(np.abs(np.diff(adj, axis=0)), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.fmax(np.abs(step_dev) / np.maximum(SHOCK_STEP_LOG, SHOCK_STEP_MAD * step_sd),
                        np.abs(spike) / np.maximum(SHOCK_LOG, SHOCK_RMSPE * diff_sd))
    inside = visitors.index.isin(window)
    ratio = np.where(inside[:, None] & np.isfinite(ratio), ratio, 0.0)
    hit = np.asarray((ratio > 1.0).any(axis=0))
    strongest = np.asarray(ratio.argmax(axis=0))
    return {str(c): str(visitors.index[strongest[j]]) for j, c in enumerate(visitors.columns) if hit[j]}


def _window_means(x: np.ndarray, n: int) -> np.ndarray:
    """Per row t: mean of rows t … t+n−1 minus mean of rows t−n … t−1 (at least n/2 rows each side, else NaN)."""
    T = x.shape[0]
    csum = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    out = np.full(x.shape, np.nan)
    for t in range(T):
        a0, a1 = t, min(T, t + n)
        b0, b1 = max(0, t - n), t
        if a1 - a0 >= n // 2 and b1 - b0 >= n // 2:
            out[t] = (csum[a1] - csum[a0]) / (a1 - a0) - (csum[b1] - csum[b0]) / (b1 - b0)
    return out


def _centred_median5(x: np.ndarray) -> np.ndarray:
    """Centred 5-row median (3 rows at least, as pandas' rolling(5, center=True, min_periods=3))."""
    T = x.shape[0]
    out = np.empty_like(x)
    for t in range(T):
        out[t] = np.median(x[max(0, t - 2):min(T, t + 3)], axis=0)
    return out


def _unit_gaps(method: str, logs: pd.DataFrame, subject: str, pool: list[str], pre: pd.PeriodIndex,
               start: pd.Period, *, placebo: bool,
               lambda_: float | None = None) -> tuple[pd.Series, pd.Series, dict[str, pd.Series], dict]:
    """Subject gap, donor weights, placebo gaps per donor and method details (augsynth: ``lambda_`` reuses a
    ridge penalty instead of cross-validating it again)."""
    extra: dict = {}
    placebo_gaps: dict[str, pd.Series] = {}
    if method in ("synth", "augsynth"):
        # seasonal adjustment needs ≥ 2 years to leave anything to fit; with one year only the level is removed
        adjusted = seasonal_adjust(logs, pre) if len(pre) >= SHORT_PRE_MONTHS else demean(logs, pre)
        if method == "synth":
            gap, weights = synth_gap(adjusted, subject, pool, pre)
        else:
            gap, weights, lam = augsynth_gap(adjusted, subject, pool, pre, lambda_=lambda_)
            extra["augsynth"] = {"lambda": lam}
        if placebo and method == "synth":
            placebo_gaps = _synth_placebo_gaps(adjusted, pool, pre)
        elif placebo:
            for j in pool:
                others = [c for c in pool if c != j]
                placebo_gaps[j] = augsynth_gap(adjusted, j, others, pre, lambda_=lam)[0]
    else:
        sample = logs[[subject, *pool]]
        gaps, coefs = did_gaps(sample, [subject], start, vcov={"CRV1": "unit"})
        gap = gaps[subject]
        extra["did"] = {"coef": coefs[subject][0], "se_crv1": coefs[subject][1]}
        weights = pd.Series(1.0 / len(pool), index=pool, name="weight")
        if placebo:
            placebo_gaps, _ = did_gaps(logs[pool], pool, start)
    return gap, weights, placebo_gaps, extra


def _shock_months(gap: pd.Series, rmspe_log: float, months: pd.PeriodIndex | None = None) -> list[str]:
    """Months where the gap spikes: it departs from the centred 5-month median of the gap by more than
    ``SHOCK_LOG`` and ``SHOCK_RMSPE`` × the unit's pre-period RMSPE (a sudden jump, not a slow drift)."""
    spike = gap - gap.rolling(5, center=True, min_periods=3).median()
    if months is not None:
        spike = spike.loc[months]
    limit = max(SHOCK_LOG, SHOCK_RMSPE * rmspe_log)
    return [str(m) for m in spike.index[np.abs(spike.to_numpy()) > limit]]


def estimate(panel: PreparedPanel, *, method: str = "synth",
             excluded: Mapping[str, Reason] | Iterable[str] = (),
             rule_exclusions: Mapping[str, Mapping[str, Reason]] | None = None, hygiene: Hygiene = Hygiene(),
             donor_flags: Mapping[str, str] | None = None, max_donors: int = MAX_DONORS,
             placebo: bool = True, time_placebo: bool = True, robustness: bool = True) -> EffectResult:
    """The effect of the event starting at ``panel.start`` on the subject's visitors (see the module doc).

    ``excluded``: codes never used as donors whatever the rules (a mapping gives each its reason; a plain list
    is "left out by the user"); ``rule_exclusions``: per hygiene rule (``HYGIENE_RULES``) the codes it leaves
    out with their reasons — the caller knows the events and the map; ``own_shock`` is found here from the
    panel (``own_shocks``); ``hygiene``: which rules are on. ``donor_flags``: codes with another event of their
    own (code → short description), warned about when they still carry weight (rule ``other_event`` off);
    ``placebo``: run placebo-in-space inference (without it p_value is None and the interval NaN);
    ``time_placebo``: also run the placebo-in-time; ``robustness``: leave-one-out donors and each rule off.
    """
    if method not in METHODS:
        raise EffectError([("effect.err.bad_method", {"method": method, "allowed": ", ".join(METHODS)})])
    # Hundreds of small solves: multi-threaded BLAS only adds contention (measured 9 s → 0.7 s on 2 cores)
    with threadpool_limits(limits=1, user_api="blas"):
        rules = _rule_exclusions(panel, rule_exclusions)
        manual = (dict(excluded) if isinstance(excluded, Mapping)
                  else {c: Reason("effect.excl.manual", {}) for c in excluded})
        return _estimate_all(panel, method=method, manual=manual, rules=rules, hygiene=hygiene,
                             donor_flags=donor_flags, max_donors=max_donors, placebo=placebo,
                             time_placebo=time_placebo, robustness=robustness)


def _rule_exclusions(panel: PreparedPanel,
                     given: Mapping[str, Mapping[str, Reason]] | None) -> dict[str, dict[str, Reason]]:
    """Each rule's exclusions among the panel's areas, with ``own_shock`` found from the panel itself."""
    rules = {r: dict((given or {}).get(r, {})) for r in HYGIENE_RULES}
    window = panel.visitors.index[panel.visitors.index >= panel.start - SHOCK_LOOKBACK_MONTHS]
    rules["own_shock"] = {c: Reason("effect.excl.own_shock", {"month": m})
                          for c, m in own_shocks(panel.visitors, window).items()}
    present = set(panel.visitors.columns)
    return {r: {c: why for c, why in m.items() if c in present} for r, m in rules.items()}


def _left_out(manual: Mapping[str, Reason], rules: Mapping[str, Mapping[str, Reason]],
              hygiene: Hygiene) -> dict[str, Reason]:
    """The donors left out under ``hygiene``: the user's, then each rule's in ``HYGIENE_RULES`` order (a code
    keeps the first reason found)."""
    out = dict(manual)
    for rule in hygiene.on():
        for code, why in rules.get(rule, {}).items():
            out.setdefault(code, why)
    return out


def _estimate_all(panel: PreparedPanel, *, method: str, manual: Mapping[str, Reason],  # noqa: C901 (listed in NOTES.md: to split)
                  rules: Mapping[str, Mapping[str, Reason]], hygiene: Hygiene,
                  donor_flags: Mapping[str, str] | None, max_donors: int, placebo: bool,
                  time_placebo: bool, robustness: bool) -> EffectResult:
    left_out = _left_out(manual, rules, hygiene)
    result = _estimate(panel.visitors, panel.subject, panel.start, method=method, excluded=left_out,
                       max_donors=max_donors, placebo=placebo, bands=True)
    warns: list[Warning] = []
    pre_n, post_n = len(panel.pre), len(panel.post)
    stats, weights = result["stats"], result["weights"]
    if panel.dropped:
        warns.append(Warning("effect.warn.dropped_areas",
                             {"n": len(panel.dropped), "codes": _codes_text(panel.dropped)}))
    if pre_n < SHORT_PRE_MONTHS:
        warns.append(Warning("effect.warn.short_pre", {"n": pre_n, "min": SHORT_PRE_MONTHS}))
    if post_n < SHORT_POST_MONTHS:
        warns.append(Warning("effect.warn.short_post", {"n": post_n, "min": SHORT_POST_MONTHS}))
    if stats["pre_rmspe_pct"] > POOR_FIT_PCT:
        warns.append(Warning("effect.warn.poor_fit", {"pct": round(stats["pre_rmspe_pct"], 1),
                                                      "limit": POOR_FIT_PCT}))
    if len(result["pool"]) < FEW_DONORS:
        warns.append(Warning("effect.warn.few_donors", {"n": len(result["pool"]), "min": FEW_DONORS}))
    if placebo and not math.isfinite(result["ci90"][0]):
        warns.append(Warning("effect.warn.no_interval", {"n": len(result["pool"])}))
    off = [r for r in HYGIENE_RULES if not getattr(hygiene, r)]
    if off:
        warns.append(Warning("effect.warn.rules_off", {"rules": ", ".join(off)}))
    counted = [c for c in result["pool"] if method == "did" or abs(weights.get(c, 0.0)) >= DONOR_WEIGHT_FLOOR]
    flags = donor_flags or {}
    flagged = [c for c in counted if c in flags]
    if flagged:
        warns.append(Warning("effect.warn.donor_event", {"codes": _codes_text(
            [f"{c} ({flags[c]})" for c in flagged])}))
    shocks = []
    for c in counted:
        if c in result["placebo_gaps"]:
            ms = _shock_months(result["placebo_gaps"][c], result["placebo_stats"][c]["pre_rmspe_log"])
            if ms:
                shocks.append(f"{c}: {', '.join(ms[:3])}{' …' if len(ms) > 3 else ''}")
    if shocks:
        warns.append(Warning("effect.warn.donor_shock", {"codes": _codes_text(shocks)}))
    subject_shock = _shock_months(result["gap"], stats["pre_rmspe_log"], panel.pre)
    if subject_shock:
        warns.append(Warning("effect.warn.subject_shock", {"months": ", ".join(subject_shock[:6])}))
    time_result = None
    if time_placebo:
        lag = min(post_n, pre_n - MIN_PRE_MONTHS)
        if lag < TIME_PLACEBO_MIN_POST:
            warns.append(Warning("effect.warn.no_time_placebo", {"n": pre_n}))
        else:
            fake = panel.start - lag
            before = panel.visitors.index < panel.start
            tp = _estimate(panel.visitors[before], panel.subject[before], fake, method=method,
                           excluded=left_out, max_donors=max_donors, placebo=placebo, bands=False)
            time_result = {"start": str(fake), "end": str(panel.start - 1),
                           "effect_pct": tp["stats"]["effect_pct"], "p_value": tp["p_value"],
                           "ci90_pct": tp["ci90"]}
            if tp["p_value"] is not None and tp["p_value"] <= 0.10:
                warns.append(Warning("effect.warn.time_placebo", {
                    "start": str(fake), "pct": round(tp["stats"]["effect_pct"], 1),
                    "p": round(tp["p_value"], 3)}))
    checks = (robustness_checks(panel, result, method=method, manual=manual, rules=rules, hygiene=hygiene,
                                max_donors=max_donors, time_placebo=time_result) if robustness else {})
    if checks and checks.get("sign_changes"):
        warns.append(Warning("effect.warn.fragile", {"low": round(checks["range_pct"][0], 1),
                                                     "high": round(checks["range_pct"][1], 1)}))
    ci = result["ci90"]
    cf_sum = stats["counterfactual"]
    donors = tuple(Donor(c, float(weights[c])) for c in weights.abs().sort_values(ascending=False).index
                   if method == "did" or abs(weights[c]) >= 1e-4)
    return EffectResult(
        muni_codes=panel.muni_codes, start=str(panel.start), end=str(panel.end), method=method,
        effect_pct=stats["effect_pct"], effect_visitors=stats["effect_visitors"], ci90_pct=ci,
        p_value=result["p_value"], pre_rmspe_pct=stats["pre_rmspe_pct"], pre_months=pre_n,
        post_months=post_n, donors=donors, warnings=tuple(warns), series=result["series"],
        ci90_visitors=(cf_sum * ci[0] / 100.0, cf_sum * ci[1] / 100.0), counterfactual_visitors=cf_sum,
        placebos=result["placebos"], placebo_time=time_result,
        event_study=(event_study(result["logs"][[result["subject"], *result["pool"]]], result["subject"],
                                 panel.start) if method == "did" else None),
        did=result["extra"].get("did"), dropped=panel.dropped,
        excluded_donors={c: left_out[c] for c in sorted(left_out)}, robustness=checks, hygiene=hygiene)


LOO_MAX_DONORS = 10  # leave-one-out: the 10 largest weights (|w| ≥ DONOR_WEIGHT_FLOOR) at most


def robustness_checks(panel: PreparedPanel, result: Mapping, *, method: str, manual: Mapping[str, Reason],
                      rules: Mapping[str, Mapping[str, Reason]], hygiene: Hygiene, max_donors: int,
                      time_placebo: Mapping[str, object] | None) -> dict:
    """The estimate under other reasonable choices (point estimates, %; no new inference):

    ``leave_one_out``: without each weighted donor (synth/augsynth: the ``LOO_MAX_DONORS`` largest |weights|;
    none for did, whose equal weights make one donor of 50 matter little); ``rules_off``: with each active hygiene rule switched off (the donors it left
    out come back and the pool is re-ranked; ``returned`` = how many came back); ``time_placebo``: the
    in-time placebo (effect %, p); ``range_pct``: lowest and highest of all these and the estimate;
    ``sign_changes``: whether any of them has the other sign than the estimate."""
    base = result["stats"]["effect_pct"]
    logs, subject, pool = result["logs"], result["subject"], result["pool"]
    pre = logs.index[logs.index < panel.start]
    weights = result["weights"]
    if method == "did":
        drop = []  # equal weights over the whole pool: leaving one of 50 out changes little and costs a refit each
    else:
        big = weights[weights.abs() >= DONOR_WEIGHT_FLOOR]
        drop = big.abs().sort_values(ascending=False).index[:LOO_MAX_DONORS].tolist()
    loo = []
    for code in drop:
        gap, _, _, _ = _unit_gaps(method, logs, subject, [c for c in pool if c != code], pre, panel.start,
                                  placebo=False, lambda_=result["extra"].get("augsynth", {}).get("lambda"))
        loo.append({"muni_code": code, "weight": float(weights[code]),
                    "effect_pct": gap_stats(np.exp(logs[subject]), gap, panel.start)["effect_pct"]})
    current = _left_out(manual, rules, hygiene)
    rules_off = []
    for rule in hygiene.on():
        other = _left_out(manual, rules, hygiene.without(rule))
        returned = len(set(current) - set(other))
        if returned == 0:
            rules_off.append({"rule": rule, "returned": 0, "effect_pct": base})
            continue
        try:
            alt = _estimate(panel.visitors, panel.subject, panel.start, method=method, excluded=other,
                            max_donors=max_donors, placebo=False, bands=False)
            rules_off.append({"rule": rule, "returned": returned, "effect_pct": alt["stats"]["effect_pct"]})
        except EffectError:
            rules_off.append({"rule": rule, "returned": returned, "effect_pct": math.nan})
    values = [base] + [r["effect_pct"] for r in loo] + [r["effect_pct"] for r in rules_off]
    values = [v for v in values if math.isfinite(v)]
    return {"leave_one_out": loo, "rules_off": rules_off,
            "time_placebo": dict(time_placebo) if time_placebo else None,
            "range_pct": [min(values), max(values)],
            "sign_changes": any(v * base < 0 for v in values)}


def _codes_text(items: Sequence[str], limit: int = 10) -> str:
    items = list(items)
    return ", ".join(items[:limit]) + (f" … (+{len(items) - limit})" if len(items) > limit else "")


def _estimate(visitors: pd.DataFrame, subject_visitors: pd.Series, start: pd.Period, *, method: str,
              excluded: Iterable[str], max_donors: int, placebo: bool, bands: bool) -> dict:
    subject = "__subject__"
    observed = pd.concat([visitors, subject_visitors.rename(subject)], axis=1)
    logs = np.log(observed)
    pre = observed.index[observed.index < start]
    ranked = donor_pool(logs, subject, pre, excluded=excluded, max_donors=max_donors)
    pool = ranked["muni_code"].tolist()
    if len(pool) < 2:
        raise EffectError([("effect.err.no_donors", {"n": len(pool)})])
    gap, weights, placebo_gaps, extra = _unit_gaps(method, logs, subject, pool, pre, start, placebo=placebo)
    stats = gap_stats(observed[subject], gap, start)
    placebo_stats = {j: gap_stats(observed[j], g, start) for j, g in placebo_gaps.items()}
    placebos = pd.DataFrame([{"muni_code": j, **{k: s[k] for k in ("effect_pct", "pre_rmspe_pct", "t")}}
                             for j, s in placebo_stats.items()],
                            columns=["muni_code", "effect_pct", "pre_rmspe_pct", "t"])
    p, ci = placebo_inference(stats, placebos["t"].tolist()) if placebo else (None, (math.nan, math.nan))
    out = {"stats": stats, "weights": weights, "gap": gap, "p_value": p, "ci90": ci, "pool": pool,
           "placebo_gaps": placebo_gaps, "placebo_stats": placebo_stats, "placebos": placebos, "extra": extra,
           "logs": logs, "subject": subject}
    if bands:
        obs = observed[subject]
        cf = obs * np.exp(-gap)
        if placebo_gaps:
            z = pd.DataFrame({j: g / placebo_stats[j]["pre_rmspe_log"] for j, g in placebo_gaps.items()
                              if placebo_stats[j]["pre_rmspe_log"] > 0})
            c = pd.Series([critical_value(np.abs(row)) for row in z.to_numpy()], index=z.index)
            low, high = cf * np.exp(-c * stats["pre_rmspe_log"]), cf * np.exp(c * stats["pre_rmspe_log"])
        else:
            low = high = pd.Series(np.nan, index=obs.index)
        out["series"] = pd.DataFrame({"observed": obs, "counterfactual": cf, "band_low": low,
                                      "band_high": high, "gap": obs - cf}).rename_axis("month")
    return out


# --- calibration figures (benchmarks/effects_calibration.py writes them) ------------------------------------
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def calibration_figures(path: Path = CALIBRATION_FILE) -> dict | None:
    """The measured false-positive rates, interval coverage, power and regional-shock bias per method (the
    JSON ``benchmarks/effects_calibration.py`` writes), or None when they have not been measured."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- money (an assumption) --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoneyAssumptions:
    """Spend per visitor (yen) and an input–output output multiplier (see ``MONEY_SOURCES``)."""

    spend_per_visitor_yen: float | None = SPEND_DAY_TRIP_YEN
    multiplier: float | None = TOURISM_OUTPUT_MULTIPLIER

    def __post_init__(self) -> None:
        problems = []
        for name in ("spend_per_visitor_yen", "multiplier"):
            value = getattr(self, name)
            if value is None:
                problems.append(("effect.err.money_missing", {"name": name}))
            elif not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                problems.append(("effect.err.money_invalid", {"name": name, "value": value}))
        if problems:
            raise EffectError(problems)


@dataclass(frozen=True)
class MoneyEstimate:
    """Indicative yen over the post period: direct spend and output with the ripple, with the 90 % interval."""

    spend_yen: float
    output_yen: float
    ci90_output_yen: tuple[float, float]
    spend_per_visitor_yen: float
    multiplier: float
    assumption: bool = True  # always: these are assumptions applied to the visitor estimate


def money(result: EffectResult, assumptions: MoneyAssumptions | None = None) -> MoneyEstimate:
    """effect visitors × spend per visitor × multiplier (an assumption, labelled as such)."""
    a = assumptions or MoneyAssumptions()
    per, mult = float(a.spend_per_visitor_yen or 0.0), float(a.multiplier or 0.0)  # both > 0: __post_init__
    spend = result.effect_visitors * per
    factor = per * mult
    return MoneyEstimate(spend, spend * mult, (result.ci90_visitors[0] * factor, result.ci90_visitors[1] * factor),
                         per, mult)


# --- KPIs -------------------------------------------------------------------------------------------------
def seasonality_kpis(observed: pd.Series, start: object, *, months: int = 12) -> pd.DataFrame:
    """Seasonality and growth KPIs of a monthly visitor series, before vs after the event.

    Windows: the ``months`` (12) months before ``start`` and the first ``months`` from ``start`` (fewer when
    the data ends sooner). Rows: cv (coefficient of variation of monthly visitors, std/mean, lower = more
    even over the year), peak_quarter_share (largest calendar quarter's share of the window's visitors),
    yoy_growth_pct (the window vs the 12 months before it, %). Columns: before, after, change (after −
    before; percentage points for shares and growth).
    """
    start_p = parse_month(start)
    if start_p is None:
        raise EffectError([("effect.err.bad_month", {"what": "start", "value": str(start)})])
    s = observed.astype(float)

    def window(a: pd.Period, n: int) -> pd.Series:
        return s[(s.index >= a) & (s.index < a + n)]

    def kpi(w: pd.Series, prev: pd.Series) -> dict[str, float]:
        if len(w) == 0:
            return {"cv": math.nan, "peak_quarter_share": math.nan, "yoy_growth_pct": math.nan}
        q = w.groupby(w.index.quarter).sum()
        cover = len(prev) == len(w) and len(w) > 0
        return {"cv": float(w.std(ddof=0) / w.mean()),
                "peak_quarter_share": float(100.0 * q.max() / w.sum()),
                "yoy_growth_pct": float(100.0 * (w.sum() / prev.sum() - 1.0)) if cover else math.nan}

    after = window(start_p, months)
    n = len(after)
    before = window(start_p - months, months)
    rows = {"before": kpi(before, window(start_p - 2 * months, months)),
            "after": kpi(after, window(start_p - months, n) if n else after)}
    table = pd.DataFrame(rows)
    table["change"] = table["after"] - table["before"]
    return table.rename_axis("kpi")


# --- views for charts and tables (pure) ---------------------------------------------------------------------
def chart_frame(result: EffectResult) -> pd.DataFrame:
    """``result.series`` for plotting: month as a timestamp (first day), visitors columns unchanged."""
    frame = result.series.reset_index()
    frame["month"] = frame["month"].dt.to_timestamp()
    return frame


def estimate_table(result: EffectResult, lang: str = "ja") -> pd.DataFrame:
    """The headline figures as (item, value) rows in ``lang``, numbers formatted for reading."""
    d = result.to_dict(lang)
    lo, hi = d["ci90_pct"]
    fmt_pct = lambda x: "–" if x is None else f"{x:+.1f} %"  # noqa: E731
    lo_v, hi_v = result.ci90_visitors
    rows = [
        ("effect.effect", fmt_pct(d["effect_pct"])),
        ("effect.ci90", f"{fmt_pct(lo)} … {fmt_pct(hi)}"),
        ("effect.visitors", f"{d['effect_visitors']:+,.0f}" + (
            f"  ({lo_v:+,.0f} … {hi_v:+,.0f})" if math.isfinite(lo_v) and math.isfinite(hi_v) else "")),
        ("effect.p_value", "–" if d["p_value"] is None else f"{d['p_value']:.3f}"),
        ("effect.pre_rmspe", f"{d['pre_rmspe_pct']:.1f} %"),
        ("effect.months", f"{d['pre_months']} / {d['post_months']}"),
    ]
    return pd.DataFrame({"item": [i18n.t(k, lang) for k, _ in rows], "value": [v for _, v in rows]})


def donors_frame(result: EffectResult, names: pd.DataFrame | None = None, lang: str = "ja") -> pd.DataFrame:
    """Donors with their weights (largest first) and names from ``names`` (muni_code, name_ja, name_en)."""
    frame = pd.DataFrame([{"muni_code": d.muni_code, "weight": d.weight} for d in result.donors],
                         columns=["muni_code", "weight"])
    if names is not None and len(frame):
        col = "name_en" if lang == "en" else "name_ja"
        frame = frame.merge(names[["muni_code", col]].rename(columns={col: "name"}), on="muni_code", how="left")
    return frame


def kpi_table(result: EffectResult, lang: str = "ja") -> pd.DataFrame:
    """``seasonality_kpis`` of the subject's observed visitors, with KPI names and columns in ``lang``."""
    table = seasonality_kpis(result.series["observed"], result.start).reset_index()
    table["kpi"] = [i18n.t(f"effect.kpi.{k}", lang) for k in table["kpi"]]
    return table.rename(columns={c: i18n.t(f"effect.kpi_col.{c}", lang) for c in table.columns})
