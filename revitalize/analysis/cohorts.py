"""National evidence: the average effect of a *kind* of content on visitors (staggered adoption).

Pure functions on DataFrames (no database, no Streamlit). The question the Cabinet Office and the Japan Tourism
Agency ask is "does this kind of content bring visitors?": the places newly listed in an Anime Tourism 88
edition, the settings of NHK taiga or morning dramas, the winners of the Location Japan award. Each kind is a
**cohort** of places with their own start months (staggered adoption).

Method (every rule a named constant):

1. **Places** (``builtin`` / ``from_table``): one row per municipality with its start month; a municipality
   named twice keeps its earliest start that the data can judge. A place is dropped (and counted in the
   warnings) when it has fewer than ``effects.MIN_PRE_MONTHS`` months before its start or fewer than
   ``effects.SHORT_POST_MONTHS`` after it, or no complete visitor series. Designated-city wards count as
   their city (the visitor data's unit).
2. **Per place**: the single-place estimate of ``analysis.effects`` (synthetic control by default) with the
   same donor-pool hygiene, and with every other place of the cohort left out of its donors (they are
   treated too). Placebo-in-space gives each place its own 90 % interval (log scale, never below −100 %).
3. **Average** (``aggregate``): the mean of the places' log effects, ATT = 100·(e^mean − 1) %. This is the
   "separate synthetic controls, averaged" estimator for staggered adoption (Ben-Michael, Feller & Rothstein
   2022, "Synthetic controls with staggered adoption", JRSS-B 84:351), with the placebo inference of
   Cavallo, Galiani, Noy & Pantano (2013, "Catastrophic natural disasters and economic growth", REStat
   95:1549): ``PLACEBO_DRAWS`` placebo averages, each picking one placebo donor per place at random
   (seeded), give the null distribution of the average; p = (1 + #{|placebo avg| ≥ |avg|}) / (1 + draws);
   the 90 % interval inverts that test on the log scale (avg ± the 90 % quantile of |placebo avg|).
4. **Verdict**: an interval that contains 0 is reported plainly as "no detectable effect" — a finding too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from revitalize.analysis import effects, events
from revitalize.core import codes, i18n
from revitalize.core.errors import EffectError

PLACEBO_DRAWS = 5000
SEED = 20261207
AWARD_MONTH = 2  # the award is announced in mid-January (2012-01-16, 2013-01-15): the first full month, February
SERIES = ("taiga", "asadora")
BUILTIN_FIXED = ("taiga", "asadora", "location-award")
JSON_KEYS = ("cohort", "method", "n_places", "att_pct", "ci90_pct", "p_value", "months_after", "places",
             "warnings", "verdict", "dropped", "method_note")
PLACE_COLUMNS = ("muni_code", "start", "label", "source_url")
METHOD_NOTE = ("average of per-place estimates (separate synthetic controls for staggered adoption, "
               "Ben-Michael, Feller & Rothstein 2022) with placebo-average inference (Cavallo et al. 2013); "
               "90 % interval by test inversion on the log scale")


@dataclass(frozen=True)
class Cohort:
    """A kind of content: its name (``anime88-2024``, ``taiga`` …, or a file's name), labels and places
    (``PLACE_COLUMNS``: muni_code, start 'YYYY-MM', label, source_url)."""

    name: str
    label_ja: str
    label_en: str
    places: pd.DataFrame

    def label(self, lang: str = "ja") -> str:
        return self.label_en if lang == "en" else self.label_ja


@dataclass(frozen=True, eq=False)
class CohortResult:
    """The average effect of a cohort and the per-place estimates behind it (units: %, months 'YYYY-MM')."""

    cohort: str
    label: str
    method: str
    att_pct: float
    ci90_pct: tuple[float, float]
    p_value: float | None
    months_after: float
    places: pd.DataFrame  # muni_code, name, start, label, effect_pct, ci90_low, ci90_high, p_value, pre_rmspe_pct
    warnings: tuple[effects.Warning, ...] = ()
    dropped: Mapping[str, effects.Reason] = field(default_factory=dict)  # code → why it was not estimated

    @property
    def n_places(self) -> int:
        return len(self.places)

    @property
    def verdict(self) -> str:
        """``up``, ``down`` (the interval excludes 0), ``none`` (no detectable effect) or ``unknown``."""
        lo, hi = self.ci90_pct
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return "unknown"
        return "up" if lo > 0 else "down" if hi < 0 else "none"

    def to_dict(self, lang: str = "ja") -> dict:
        """Exactly ``JSON_KEYS``; NaN → None; warnings and reasons in ``lang``."""
        num = effects._num
        return {
            "cohort": self.cohort, "method": self.method, "n_places": self.n_places,
            "att_pct": num(self.att_pct), "ci90_pct": [num(self.ci90_pct[0]), num(self.ci90_pct[1])],
            "p_value": num(self.p_value), "months_after": num(self.months_after),
            "places": [{"muni_codes": [r.muni_code], "name": r.name, "start": r.start, "label": r.label,
                        "effect_pct": num(r.effect_pct), "ci90_pct": [num(r.ci90_low), num(r.ci90_high)],
                        "p_value": num(r.p_value), "pre_rmspe_pct": num(r.pre_rmspe_pct)}
                       for r in self.places.itertuples(index=False)],
            "warnings": [w.text(lang) for w in self.warnings],
            "verdict": i18n.t(f"effect.cohort.verdict.{self.verdict}", lang),
            "dropped": {c: why.text(lang) for c, why in self.dropped.items()},
            "method_note": METHOD_NOTE,
        }


# --- cohorts --------------------------------------------------------------------------------------------------
def builtin_names(content: pd.DataFrame, *, first: str | None = None, last: str | None = None) -> tuple[str, ...]:
    """The built-in cohorts: one per Anime Tourism 88 edition in ``content`` (``events.content_events``), then
    taiga, asadora and location-award. With the data's ``first`` and ``last`` months ('YYYY-MM'), only the
    editions announced when the data can judge them (``effects.MIN_PRE_MONTHS`` before, ``SHORT_POST_MONTHS``
    after)."""
    rows = content[content["source"] == "anime88"]
    editions = sorted({int(k.split(":")[1]) for k in rows["key"]})
    if first and last:
        lo = str(pd.Period(first, "M") + effects.MIN_PRE_MONTHS)
        hi = str(pd.Period(last, "M") - (effects.SHORT_POST_MONTHS - 1))
        months = rows.groupby("key")["month"].min()
        editions = [e for e in editions if lo <= months[f"anime88:{e}"] <= hi]
    return tuple(f"anime88-{e}" for e in editions) + BUILTIN_FIXED


def builtin(name: str, content: pd.DataFrame, dramas: pd.DataFrame, awards: pd.DataFrame, *,
            lang: str = "ja") -> Cohort:
    """A built-in cohort from the curated layers. ``content``: ``events.content_events``; ``dramas``:
    ``events.cohort_dramas``; ``awards``: ``events.cohort_awards``; place labels in ``lang``. Unknown names
    raise ``EffectError``."""
    en = lang == "en"
    m = re.fullmatch(r"anime88-(\d{4})", name)
    if m:
        year = int(m.group(1))
        rows = content[(content["key"] == f"anime88:{year}") & content["first_here"]]
        if rows.empty:
            raise EffectError([("effect.err.unknown_cohort", {"name": name, "allowed": ", ".join(
                builtin_names(content))})])
        places = pd.DataFrame({"muni_code": rows["muni_code"], "start": rows["month"],
                               "label": rows["label_en" if en else "label_ja"], "source_url": rows["source_url"]})
        return Cohort(name, i18n.t("effect.cohort.anime88", "ja", edition=year),
                      i18n.t("effect.cohort.anime88", "en", edition=year), places)
    if name in SERIES:
        rows = dramas[dramas["series"] == name]
        titles = rows["work_title_en"].where(rows["work_title_en"].notna() & en, rows["work_title_ja"])
        places = pd.DataFrame({"muni_code": rows["muni_code"], "start": rows["on_date"].map(events.month_text),
                               "label": titles, "source_url": rows["source_url"]})
        return Cohort(name, i18n.t(f"effect.cohort.{name}", "ja"), i18n.t(f"effect.cohort.{name}", "en"), places)
    if name == "location-award":
        rows = awards[awards["award_year"].notna()]
        places = pd.DataFrame({"muni_code": rows["muni_code"],
                               "start": [f"{int(y):04d}-{AWARD_MONTH:02d}" for y in rows["award_year"]],
                               "label": rows["prize"].fillna("") + " " + rows["work_title_en"].where(
                                   rows["work_title_en"].notna() & en, rows["work_title_ja"]),
                               "source_url": rows["source_url"]})
        return Cohort(name, i18n.t("effect.cohort.award", "ja"), i18n.t("effect.cohort.award", "en"), places)
    raise EffectError([("effect.err.unknown_cohort", {"name": name, "allowed": ", ".join(builtin_names(content))})])


def from_table(name: str, table: pd.DataFrame, *, known_codes: Iterable[str]) -> Cohort:
    """A cohort the user picks: rows with ``muni_code`` and ``start`` ('YYYY-MM'), optional ``label``.

    Every problem is reported at once (row numbers are 1-based data rows): a missing column, a code that is
    not a municipality code or does not exist, a start that is not a month. An empty table is refused."""
    problems: list[tuple[str, dict]] = []
    cols = {c.strip().lower(): c for c in table.columns.astype(str)}
    missing = [c for c in ("muni_code", "start") if c not in cols]
    if missing:
        raise EffectError([("effect.err.cohort_columns", {"file": name, "missing": ", ".join(missing),
                                                          "found": ", ".join(map(str, table.columns))})])
    if table.empty:
        raise EffectError([("effect.err.empty_cohort", {"name": name})])
    known = set(known_codes)
    rows = []
    for i, r in enumerate(table.itertuples(index=False), start=1):
        rec = dict(zip(table.columns.astype(str), r, strict=False))
        raw, start = rec[cols["muni_code"]], rec[cols["start"]]
        code, _why = codes.parse_muni_code(raw)
        if code is None or code not in known:
            problems.append(("effect.err.cohort_code", {"file": name, "row": i, "found": str(raw)}))
        month = effects.parse_month(str(start)[:7] if start is not None else "")
        if month is None:
            problems.append(("effect.err.cohort_start", {"file": name, "row": i, "found": str(start)}))
        if code is not None and month is not None:
            label = rec.get(cols.get("label", ""), "") if "label" in cols else ""
            rows.append({"muni_code": code, "start": str(month), "label": "" if pd.isna(label) else str(label),
                         "source_url": ""})
    if problems:
        raise EffectError(problems)
    return Cohort(name, name, name, pd.DataFrame(rows, columns=list(PLACE_COLUMNS)))


# --- estimation ------------------------------------------------------------------------------------------------
def eligible(cohort: Cohort, wide: pd.DataFrame, wards: Mapping[str, str], *,
             min_pre: int = effects.MIN_PRE_MONTHS,
             min_post: int = effects.SHORT_POST_MONTHS) -> tuple[pd.DataFrame, dict[str, effects.Reason]]:
    """The places the data can judge (one per municipality, the earliest such start) and the others with why."""
    first, last = wide.index.min(), wide.index.max()
    complete = set(wide.columns[wide.notna().all() & (wide > 0).all()])
    keep: dict[str, dict] = {}
    dropped: dict[str, effects.Reason] = {}
    for r in cohort.places.sort_values("start").itertuples(index=False):
        code = wards.get(r.muni_code, r.muni_code)
        start = effects.parse_month(r.start) if isinstance(r.start, str) else None
        if start is None:
            dropped.setdefault(code, effects.Reason("effect.drop.no_start", {}))
        elif code not in complete:
            dropped.setdefault(code, effects.Reason("effect.drop.no_series", {}))
        elif (start - first).n < min_pre or (last - start).n + 1 < min_post:
            dropped.setdefault(code, effects.Reason("effect.drop.window", {
                "start": str(start), "first": str(first + min_pre), "last": str(last - (min_post - 1))}))
        elif code not in keep:
            keep[code] = {"muni_code": code, "start": str(start), "label": r.label, "source_url": r.source_url}
    for code in keep:
        dropped.pop(code, None)
    return pd.DataFrame(list(keep.values()), columns=list(PLACE_COLUMNS)), dropped


def estimate(cohort: Cohort, long: pd.DataFrame, munis: pd.DataFrame, wards: Mapping[str, str],
             all_events: pd.DataFrame, *, method: str = "synth",
             neighbours: Mapping[str, Sequence[str]] | None = None, hygiene: effects.Hygiene = effects.Hygiene(),
             lang: str = "ja", progress: Callable[[int, int], None] | None = None) -> CohortResult:
    """The cohort's average effect and its per-place estimates (see the module doc). ``progress(i, n)`` is
    called before each place. Raises ``EffectError`` when no place can be estimated."""
    if method not in effects.METHODS:
        raise EffectError([("effect.err.bad_method", {"method": method, "allowed": ", ".join(effects.METHODS)})])
    wide = effects.wide_panel(long)
    places, dropped = eligible(cohort, wide, wards)
    if places.empty:
        raise EffectError([("effect.err.empty_cohort", {"name": cohort.name})])
    treated = set(places["muni_code"])
    names = dict(zip(munis["muni_code"], munis["name_en" if lang == "en" else "name_ja"].fillna(""), strict=False))
    rows, placebo_logs, warns = [], [], []
    failed: dict[str, effects.Reason] = {}
    for i, place in enumerate(places.itertuples(index=False)):
        if progress:
            progress(i, len(places))
        try:
            result = _one_place(place, long, munis, wards, all_events, wide, treated, method=method,
                                neighbours=neighbours or {}, hygiene=hygiene, lang=lang)
        except EffectError as exc:
            failed[place.muni_code] = effects.Reason("effect.drop.failed", {"why": exc.text(lang)})
            continue
        rows.append({"muni_code": place.muni_code, "name": names.get(place.muni_code, ""), "start": place.start,
                     "label": place.label, "effect_pct": result.effect_pct, "ci90_low": result.ci90_pct[0],
                     "ci90_high": result.ci90_pct[1], "p_value": result.p_value,
                     "pre_rmspe_pct": result.pre_rmspe_pct, "post_months": result.post_months})
        placebo_logs.append(np.log1p(result.placebos["effect_pct"].to_numpy(dtype=float) / 100.0))
    if progress:
        progress(len(places), len(places))
    if not rows:
        raise EffectError([("effect.err.empty_cohort", {"name": cohort.name})])
    table = pd.DataFrame(rows)
    att, ci, p = aggregate(np.log1p(table["effect_pct"].to_numpy(dtype=float) / 100.0), placebo_logs)
    if dropped or failed:
        warns.append(effects.Warning("effect.cohort.warn.dropped", {"n": len(dropped) + len(failed)}))
    if len(table) < 5:
        warns.append(effects.Warning("effect.cohort.warn.few", {"n": len(table)}))
    poor = int((table["pre_rmspe_pct"] > effects.POOR_FIT_PCT).sum())
    if poor:
        warns.append(effects.Warning("effect.cohort.warn.poor_fit", {"n": poor, "limit": effects.POOR_FIT_PCT}))
    return CohortResult(cohort=cohort.name, label=cohort.label(lang), method=method, att_pct=att, ci90_pct=ci,
                        p_value=p, months_after=float(table["post_months"].median()),
                        places=table.drop(columns="post_months"), warnings=tuple(warns),
                        dropped={**dropped, **failed})


def _one_place(place, long, munis, wards, all_events, wide, treated, *, method, neighbours, hygiene, lang):
    prepared = effects.prepare_panel(long, [place.muni_code], place.start, known_codes=munis["muni_code"],
                                     ward_cities=wards, wide=wide)
    flags = events.donor_flags(all_events, str(prepared.start), str(prepared.end), lang=lang)
    rules = events.rule_exclusions(all_events, None, prepared.muni_codes, flags, neighbours, lang=lang)
    rules["shared_event"] = {c: effects.Reason("effect.excl.cohort", {}) for c in treated - {place.muni_code}}
    return effects.estimate(prepared, method=method, rule_exclusions=rules, hygiene=hygiene, donor_flags=flags,
                            placebo=True, time_placebo=False, robustness=False)


def aggregate(effect_logs: Sequence[float], placebo_logs: Sequence[Sequence[float]], *,
              draws: int = PLACEBO_DRAWS, seed: int = SEED,
              level: float = effects.CI_LEVEL) -> tuple[float, tuple[float, float], float | None]:
    """(att_pct, ci90_pct, p_value) of the mean log effect against placebo averages (Cavallo et al. 2013).

    ``placebo_logs[i]``: the log effects of place i's placebo donors. Each draw averages one placebo per place,
    picked at random; the interval is mean ± the ``level`` quantile of |placebo average| on the log scale."""
    e = np.asarray(effect_logs, dtype=float)
    mean = float(e.mean())
    pools = [np.asarray([x for x in p if math.isfinite(x)], dtype=float) for p in placebo_logs]
    if len(pools) != len(e) or any(len(p) == 0 for p in pools):
        return 100.0 * math.expm1(mean), (math.nan, math.nan), None
    rng = np.random.default_rng(seed)
    sims = np.zeros(draws)
    for p in pools:
        sims += p[rng.integers(0, len(p), size=draws)]
    sims /= len(pools)
    a = np.abs(sims)
    p_value = (1 + int((a >= abs(mean) - 1e-12).sum())) / (1 + draws)
    c = float(np.quantile(a, level))
    return 100.0 * math.expm1(mean), (100.0 * math.expm1(mean - c), 100.0 * math.expm1(mean + c)), p_value


def national_table(results: Sequence[CohortResult], lang: str = "ja") -> pd.DataFrame:
    """One row per kind of content: label, effect [90 % interval], p, places, months after, verdict."""
    rows = []
    for r in results:
        rows.append({"cohort": r.cohort, "label": r.label,
                     "verdict": i18n.t(f"effect.cohort.verdict.{r.verdict}", lang), "att_pct": round(r.att_pct, 1),
                     "ci90_low": round(r.ci90_pct[0], 1), "ci90_high": round(r.ci90_pct[1], 1),
                     "p_value": None if r.p_value is None else round(r.p_value, 3), "n_places": r.n_places,
                     "months_after": r.months_after, "method": r.method})
    return pd.DataFrame(rows, columns=["cohort", "label", "verdict", "att_pct", "ci90_low", "ci90_high", "p_value",
                                       "n_places", "months_after", "method"])
