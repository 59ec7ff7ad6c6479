"""Portfolio selection: choose K more bases that maximise the total score under constraints.

A pure core on DataFrames (no database, no Streamlit). The input is a *pool*, one row per selectable item:

=========  ===========================================================================================
item_id    str, unique
name       str (``name_en`` is used for English texts when the pool has it)
kind       "designated" | "candidate" | "suggestion"
base_type  "tourism" | "industry" | "composite", or missing (NA)
pref_code  "01".."47"
region     the prefecture's region, ``region_ja`` of ``codes.PREFECTURES`` (8 regions)
score      0–100 (score points)
lat, lon   degrees, EPSG:4326
fixed      bool; designated bases are fixed in
=========  ===========================================================================================

``solve`` finds the exact optimum with an integer programme (``scipy.optimize.milp``, HiGHS):

    maximise   Σ score_i · x_i                       x_i ∈ {0, 1}; x_i = 1 for fixed items
    subject to Σ_{i not fixed} x_i = k                exactly k new bases
               Σ_{i in pref p} x_i ≤ max_per_pref     every prefecture (fixed ones count)
               Σ_{i in pref p} x_i ≥ min_per_pref     every one of the 47 prefectures
               Σ_{i in region r} x_i ≥ min_per_region every one of the 8 regions
               Σ_{i of type t} x_i ≥ ⌈share_t · (fixed + k)⌉
               x_i + x_j ≤ 1                          for every pair closer than min_km

Distances are great-circle distances on a sphere of radius 6,371.0088 km (the IUGG mean Earth radius),
found with a k-d tree over unit-sphere 3-D points (the chord is monotone in the arc), in **km**. Over Japan
they differ from the GRS80 ellipsoid's geodesic by less than 0.5 %.

``greedy`` takes items by descending score while the constraints can still be met; it is shown beside the
exact answer with the gap. Impossible constraints raise ``errors.InfeasibleError`` naming the constraint(s)
responsible: obvious causes are checked first, then (when HiGHS finds no selection) each constraint family
is dropped in turn and the ones whose removal makes the problem feasible are named.

Each left-out item gets a ``why`` code and a text in Japanese and English: the constraint or the score
that kept it out. This is a diagnosis: it names the *first binding reason found* for a one-for-one
exchange (within ``min_km`` of a selected base; prefecture full; score not above the weakest new pick; the
lower-scored picks are each needed for a lower bound), not a proof that no other selection would take it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np
import pandas as pd

from revitalize.core import codes, domain, i18n
from revitalize.core.domain import JAPAN_LAT, JAPAN_LON, TARGET_BASES
from revitalize.core.errors import Cause, ConfigError, InfeasibleError, InputError, Problem

KINDS = ("designated", "candidate", "suggestion")
BASE_TYPES = tuple(domain.BASE_TYPES)
POOL_COLUMNS = ("item_id", "name", "kind", "base_type", "pref_code", "region", "score", "lat", "lon", "fixed")
REGIONS = codes.REGIONS
REGION_OF_PREF = codes.REGION_OF_PREF
PREF_CODES = codes.PREF_CODES
EARTH_RADIUS_KM = 6371.0088
LAT_RANGE, LON_RANGE = JAPAN_LAT, JAPAN_LON  # Japan's extent (core/domain.py)
FAMILIES = ("max_per_pref", "min_per_region", "min_per_pref", "min_km", "min_type_share")
_EPS = 1e-9


# --------------------------------------------------------------------------------------------- constraints
@dataclass(frozen=True)
class Constraints:
    """What a portfolio must satisfy; validated on creation (every problem at once).

    Attributes
    ----------
    k : number of NEW bases to add; None = ``default_k(pool)`` (200 − fixed bases).
    max_per_pref : at most this many selected bases per prefecture, fixed ones included; None = no limit.
    min_per_region : at least this many in each of the 8 regions (fixed included); 0 = off.
    min_per_pref : at least this many in each of the 47 prefectures (fixed included); 0 = off.
    min_km : no two selected bases (fixed included) closer than this great-circle distance, km; 0 = off.
    min_type_share : base_type → share 0..1 of the whole selected set (fixed + k) that must be of that type;
        the count required is ⌈share × (fixed + k)⌉. Items without a base type count towards none.
    """

    k: int | None = None
    max_per_pref: int | None = None
    min_per_region: int = 1
    min_per_pref: int = 0
    min_km: float = 0.0
    min_type_share: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(name: str, key: str, found: str, **params: object) -> None:
            problems.append(Problem("constraints", found=found, column=name, **i18n.expect(key, **params)))

        def is_int(v: object) -> bool:
            return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

        if self.k is not None and (not is_int(self.k) or self.k < 0):
            bad("k", "pb.pf.k", repr(self.k))
        if self.max_per_pref is not None and (not is_int(self.max_per_pref) or self.max_per_pref < 1):
            bad("max_per_pref", "pb.pf.max_per_pref", repr(self.max_per_pref))
        for name in ("min_per_region", "min_per_pref"):
            v = getattr(self, name)
            if not is_int(v) or v < 0:
                bad(name, "pb.pf.int0", repr(v))
        if (is_int(self.min_per_pref) and is_int(self.max_per_pref) and self.max_per_pref is not None
                and self.min_per_pref > self.max_per_pref):
            bad("min_per_pref", "pb.pf.min_le_max", str(self.min_per_pref), max=self.max_per_pref)
        km = self.min_km
        if (not isinstance(km, (int, float, np.integer, np.floating)) or isinstance(km, (bool, np.bool_))
                or not math.isfinite(km) or km < 0):
            bad("min_km", "pb.pf.km", repr(km))
        shares = self.min_type_share
        if not isinstance(shares, Mapping):
            bad("min_type_share", "pb.pf.shares_map", repr(shares))
            shares = {}
        for t, s in shares.items():
            if t not in BASE_TYPES:
                bad("min_type_share", "pb.pf.share_type", repr(t), types=list(BASE_TYPES))
            if (not isinstance(s, (int, float, np.integer, np.floating)) or isinstance(s, (bool, np.bool_))
                    or not math.isfinite(s) or not 0 <= s <= 1):
                bad(f"min_type_share[{t!r}]", "pb.pf.share", repr(s))
        if not problems and sum(float(s) for s in shares.values()) > 1 + _EPS:
            bad("min_type_share", "pb.pf.share_sum", f"{sum(float(s) for s in shares.values()):g}")
        if problems:
            raise ConfigError(problems)
        object.__setattr__(self, "min_km", float(km))
        object.__setattr__(self, "min_type_share", {t: float(s) for t, s in shares.items() if float(s) > 0})

    def as_dict(self) -> dict:
        """Plain values (for JSON and export credit lines)."""
        return {"k": self.k, "max_per_pref": self.max_per_pref, "min_per_region": self.min_per_region,
                "min_per_pref": self.min_per_pref, "min_km": self.min_km, "min_type_share": dict(self.min_type_share)}

    def active(self) -> tuple[str, ...]:
        """The constraint families that restrict anything (as in ``FAMILIES``)."""
        on = {"max_per_pref": self.max_per_pref is not None, "min_per_region": self.min_per_region > 0,
              "min_per_pref": self.min_per_pref > 0, "min_km": self.min_km > 0,
              "min_type_share": bool(self.min_type_share)}
        return tuple(f for f in FAMILIES if on[f])

    def without(self, families: tuple[str, ...] | set[str]) -> Constraints:
        """The same constraints with some families switched off (``k`` is kept)."""
        off = {"max_per_pref": None, "min_per_region": 0, "min_per_pref": 0, "min_km": 0.0, "min_type_share": {}}
        return replace(self, **{f: off[f] for f in families})


# The one default of a planning run (page, CLI and export start from it): at most 8 per prefecture, at least
# one in each region, no two closer than 10 km. The dataclass's own field defaults are "off" building blocks.
PLANNING_DEFAULTS = Constraints(max_per_pref=8, min_per_region=1, min_km=10.0)


def default_k(pool: pd.DataFrame, *, target: int = TARGET_BASES) -> int:
    """New bases still needed to reach ``target``: target − fixed items (never below 0)."""
    fixed = int(pd.Series(pool["fixed"]).astype(bool).sum()) if "fixed" in pool else 0
    return max(0, target - fixed)


def required_per_type(constraints: Constraints, n_fixed: int, k: int) -> dict[str, int]:
    """Bases required of each type: ⌈share × (fixed + k)⌉ (a tiny tolerance absorbs float noise)."""
    total = n_fixed + k
    return {t: math.ceil(s * total - 1e-9) for t, s in constraints.min_type_share.items()}


# -------------------------------------------------------------------------------------------------- pool
def validate_pool(pool: pd.DataFrame) -> pd.DataFrame:  # noqa: C901 (listed in NOTES.md: to split)
    """A clean copy of the pool (index 0..n−1, typed columns); raises ``InputError`` listing every problem.

    Checks: required columns; item_id unique non-empty text; kind and base_type known; pref_code '01'..'47';
    region = the prefecture's region; score finite within 0–100; lat/lon finite degrees within Japan; fixed a
    boolean; designated items fixed.
    """
    where = "pool"
    if not isinstance(pool, pd.DataFrame):
        raise InputError([Problem(where, found=type(pool).__name__, **i18n.expect("pb.pool.frame"))], dataset=where)
    missing = [c for c in POOL_COLUMNS if c not in pool.columns]
    if missing:
        raise InputError([Problem(where, found=f"{list(pool.columns)}", found_key="pb.pool.missing_found",
                                  **i18n.expect("pb.pool.columns", columns=", ".join(POOL_COLUMNS),
                                                missing=", ".join(missing)))], dataset=where)
    df = pool.reset_index(drop=True).copy()
    df.attrs = {}  # pandas deep-copies attrs on every operation; the pool's notes are not needed here
    problems: list[Problem] = []

    def bad(row: int, col: str, key: str, found: object, **params: object) -> None:
        problems.append(Problem(where, found=repr(found), row=row + 1, column=col, **i18n.expect(key, **params)))

    ids = df["item_id"].tolist()
    for i, v in enumerate(ids):
        if not isinstance(v, str) or not v.strip():
            bad(i, "item_id", "pb.pool.text", v)
    seen: dict[str, int] = {}
    for i, v in enumerate(ids):
        if isinstance(v, str):
            if v in seen:
                bad(i, "item_id", "pb.pool.unique", v, other=seen[v] + 1)
            else:
                seen[v] = i
    for i, v in enumerate(df["name"].tolist()):
        if not isinstance(v, str) or not v.strip():
            bad(i, "name", "pb.pool.text", v)
    for i, v in enumerate(df["kind"].tolist()):
        if v not in KINDS:
            bad(i, "kind", "cfg.one_of", v, choices=", ".join(KINDS))
    for i, v in enumerate(df["base_type"].tolist()):
        if not _is_na(v) and v not in BASE_TYPES:
            bad(i, "base_type", "pb.pool.base_type", v, choices=", ".join(BASE_TYPES))
    prefs = df["pref_code"].tolist()
    for i, v in enumerate(prefs):
        if not codes.is_pref_code(v):
            bad(i, "pref_code", "pb.pool.pref_code", v)
    for i, (p, r) in enumerate(zip(prefs, df["region"].tolist(), strict=False)):
        if codes.is_pref_code(p):
            if r != REGION_OF_PREF[p]:
                bad(i, "region", "pb.pool.region_of", r, region=REGION_OF_PREF[p], pref=p)
        elif r not in REGIONS:
            bad(i, "region", "cfg.one_of", r, choices=", ".join(REGIONS))
    ranges = (("score", 0.0, 100.0, "pb.pool.score"), ("lat", *LAT_RANGE, "pb.pool.lat"),
              ("lon", *LON_RANGE, "pb.pool.lon"))
    for col, lo, hi, key in ranges:
        for i, v in enumerate(df[col].tolist()):
            ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            if not ok or not math.isfinite(float(v)) or not lo <= float(v) <= hi:
                bad(i, col, key, v, lo=lo, hi=hi)
    for i, (v, kind) in enumerate(zip(df["fixed"].tolist(), df["kind"].tolist(), strict=False)):
        if not isinstance(v, (bool, np.bool_)):
            bad(i, "fixed", "pb.pool.bool", v)
        elif kind == "designated" and not v:
            bad(i, "fixed", "pb.pool.designated_fixed", v)
    if problems:
        raise InputError(problems, dataset=where)
    df["item_id"] = df["item_id"].astype(str)
    df["base_type"] = df["base_type"].astype(object).where(df["base_type"].notna(), None)
    for col in ("score", "lat", "lon"):
        df[col] = df[col].astype(float)
    df["fixed"] = df["fixed"].astype(bool)
    return df


def _is_na(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def pool_from_scores(ranking: pd.DataFrame, munis: pd.DataFrame) -> pd.DataFrame:
    """Every scored municipality as a "suggestion" (base_type NA, not fixed).

    Parameters
    ----------
    ranking : ``scoring.ranking`` or ``scoring.score`` output: index (or column) ``muni_code``, ``score`` in 0–1.
    munis : one row per municipality with ``muni_code``, ``pref_code``, ``name_ja``, ``lat``, ``lon`` (the
        representative inner point, EPSG:4326) and optionally ``name_en``, ``pref_name_ja`` — e.g. the
        indicators frame of ``scoring.inputs``.

    Returns
    -------
    The pool (score scaled to 0–100 points; ``name`` = prefecture + municipality). Municipalities without a
    score or a point (small islands missing from the simplified boundaries) cannot be placed and are left
    out; they are listed in ``pool.attrs["left_out"]`` as (muni_code, reason).
    """
    r = ranking.reset_index() if "muni_code" not in ranking.columns else ranking
    need = [c for c in ("muni_code", "pref_code", "name_ja", "lat", "lon") if c not in munis.columns]
    if need or "score" not in r.columns:
        raise InputError([Problem("munis" if need else "ranking", "columns muni_code, pref_code, name_ja, lat, lon"
                                  if need else "a score column", f"{list((munis if need else r).columns)}")])
    m = munis.drop(columns=[c for c in ("score",) if c in munis.columns])
    df = m.merge(r[["muni_code", "score"]], on="muni_code", how="inner")
    no_score = df["score"].isna()
    no_point = df["lat"].isna() | df["lon"].isna()
    left_out = ([(c, "no score") for c in df.loc[no_score, "muni_code"]]
                + [(c, "no representative point") for c in df.loc[no_point & ~no_score, "muni_code"]])
    df = df[~no_score & ~no_point]
    pref_name = df["pref_name_ja"] if "pref_name_ja" in df else df["pref_code"].map(codes.PREF_NAME_BY_CODE)
    out = pd.DataFrame({
        "item_id": df["muni_code"].astype(str).to_numpy(),
        "name": (pref_name.fillna("") + df["name_ja"].fillna("")).to_numpy(),
        "kind": "suggestion",
        "base_type": pd.Series([None] * len(df), dtype=object),
        "pref_code": df["pref_code"].astype(str).to_numpy(),
        "region": df["pref_code"].map(REGION_OF_PREF).to_numpy(),
        "score": (df["score"].astype(float) * 100.0).to_numpy(),
        "lat": df["lat"].astype(float).to_numpy(),
        "lon": df["lon"].astype(float).to_numpy(),
        "fixed": False,
        "muni_code": df["muni_code"].astype(str).to_numpy(),
    })
    if "name_en" in df:
        out["name_en"] = [f"{n}, {codes.PREF_NAME_EN_BY_CODE.get(p, '')}" if isinstance(n, str) and n else None
                          for n, p in zip(df["name_en"], df["pref_code"], strict=False)]
    out.attrs["left_out"] = left_out
    return out


# ------------------------------------------------------------------------------------------- the problem
@dataclass(frozen=True)
class _Problem:
    """The validated pool as arrays, with the resolved constraints and the close pairs."""

    df: pd.DataFrame
    c: Constraints
    k: int
    score: np.ndarray
    fixed: np.ndarray
    pref: np.ndarray  # 0..46
    region: np.ndarray  # 0..7
    btype: np.ndarray  # index in BASE_TYPES, −1 = none
    pairs: np.ndarray  # (m, 2) item indices i < j closer than min_km
    pair_km: np.ndarray  # (m,) their distances, km
    req_type: dict[str, int]
    names_ja: np.ndarray  # display names (object arrays), English from name_en when the pool has it
    names_en: np.ndarray

    @property
    def n(self) -> int:
        return len(self.score)


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n × 3) from degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def close_pairs(lat: np.ndarray, lon: np.ndarray, min_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) closer than ``min_km`` (great-circle, km) and their distances (km)."""
    if min_km <= 0 or len(lat) < 2:
        return np.empty((0, 2), dtype=int), np.empty(0)
    from scipy.spatial import cKDTree

    xyz = unit_vectors(np.asarray(lat, float), np.asarray(lon, float))
    chord = 2 * math.sin(min(min_km / (2 * EARTH_RADIUS_KM), math.pi / 2))
    pairs = cKDTree(xyz).query_pairs(chord * (1 + 1e-9), output_type="ndarray")
    if len(pairs) == 0:
        return np.empty((0, 2), dtype=int), np.empty(0)
    d = great_circle_km(xyz[pairs[:, 0]], xyz[pairs[:, 1]])
    keep = d < min_km
    pairs, d = pairs[keep], d[keep]
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return pairs[order].astype(int), d[order]


def great_circle_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) between unit vectors, row by row (stable for short distances)."""
    chord = np.linalg.norm(a - b, axis=1)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))


def _prepare(pool: pd.DataFrame, constraints: Constraints | None) -> _Problem:
    df = validate_pool(pool)
    c = constraints or Constraints()
    fixed = df["fixed"].to_numpy(bool)
    k = default_k(df) if c.k is None else int(c.k)
    c = replace(c, k=k)
    pref_idx = {p: i for i, p in enumerate(PREF_CODES)}
    region_idx = {r: i for i, r in enumerate(REGIONS)}
    type_idx = {t: i for i, t in enumerate(BASE_TYPES)}
    pairs, km = close_pairs(df["lat"].to_numpy(), df["lon"].to_numpy(), c.min_km)
    names = df["name"].to_numpy(dtype=object)
    names_en = names
    if "name_en" in df:
        names_en = np.array([e if isinstance(e, str) and e.strip() else n for e, n in zip(df["name_en"], names, strict=False)],
                            dtype=object)
    return _Problem(df=df, c=c, k=k, score=df["score"].to_numpy(float), fixed=fixed,
                    pref=df["pref_code"].map(pref_idx).to_numpy(int),
                    region=df["region"].map(region_idx).to_numpy(int),
                    btype=np.array([type_idx.get(t, -1) if t is not None else -1 for t in df["base_type"]], int),
                    pairs=pairs, pair_km=km, req_type=required_per_type(c, int(fixed.sum()), k),
                    names_ja=names, names_en=names_en)


# ------------------------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class Result:
    """A selection and why every other item was left out.

    Attributes
    ----------
    method : "exact" or "greedy".
    status : "optimal" (exact, proven), "time_limit" (exact, best found; see ``mip_gap``), "feasible" (greedy
        met every constraint) or "failed" (greedy could not; ``message`` says which constraint).
    selected_ids : the chosen items, fixed ones first, then the new picks by descending score.
    total : Σ score of all selected items (fixed + new), score points.
    objective : Σ score of the new picks only.
    seconds : wall time of the solve, s.
    table : one row per pool item: the pool columns, ``selected``, ``new`` (selected and not fixed), ``why``
        (code), ``why_ja``/``why_en`` (text), ``why_ids`` (items the text names, ';'-separated) and
        ``why_all`` (every reason code that applies, ';'-separated).
    constraints : the constraints used, with ``k`` resolved.
    """

    method: str
    status: str
    selected_ids: tuple[str, ...]
    total: float
    objective: float
    seconds: float
    table: pd.DataFrame
    constraints: Constraints
    message: Cause | None = None
    mip_gap: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "time_limit", "feasible")

    def reasons(self, lang: str = "ja") -> pd.Series:
        """The ``why`` text in one language, indexed by item_id."""
        return self.table.set_index("item_id")["why_ja" if lang == "ja" else "why_en"]


@dataclass(frozen=True)
class Comparison:
    """The exact answer beside the greedy one: gap = exact total − greedy total (points and % of exact)."""

    exact: Result
    greedy: Result
    gap: float | None
    gap_pct: float | None


def compare(pool: pd.DataFrame, constraints: Constraints | None = None, *, time_limit: float = 30.0) -> Comparison:
    """Solve exactly and greedily; the gap is None when greedy failed."""
    exact = solve(pool, constraints, time_limit=time_limit)
    gr = greedy(pool, constraints)
    if not gr.ok:
        return Comparison(exact, gr, None, None)
    gap = exact.total - gr.total
    return Comparison(exact, gr, gap, 100.0 * gap / exact.total if exact.total > 0 else 0.0)


# ------------------------------------------------------------------------------------------ diagnostics
def _t(key: str, **kw: object) -> tuple[str, str]:
    return i18n.t(key, "en", **kw), i18n.t(key, "ja", **kw)


def _cause(constraint: str, key: str, **kw: object) -> Cause:
    return Cause(constraint, key, tuple(kw.items()))


def _names(p: _Problem, idx, lang: str, limit: int = 8) -> str:
    names = [p.names_en[i] if lang == "en" else p.names_ja[i] for i in list(idx)]
    more = len(names) - limit
    text = (", " if lang == "en" else "、").join(names[:limit])
    return text + (f" (+{more})" if more > 0 else "")


def _named(p: _Problem, key: str, idx, **kw: object) -> tuple[str, str]:
    return (i18n.t(key, "en", names=_names(p, idx, "en"), **kw),
            i18n.t(key, "ja", names=_names(p, idx, "ja"), **kw))


def _both(fn, *args) -> tuple[str, str]:
    return fn(*args, "en"), fn(*args, "ja")


def _lower_bound_causes(constraint: str, counts: np.ndarray, fixed_counts: np.ndarray, n: int, k: int, label,
                        items_key: str, items_arg: str, what_en: str, what_ja: str) -> list[Cause]:
    """Causes why "at least ``n`` in every group" (regions or prefectures) cannot hold: groups with fewer
    than ``n`` items at all, and more picks needed to lift every group to ``n`` than the ``k`` new ones."""
    causes = []
    short = [i for i in range(len(counts)) if counts[i] < n]
    if short:
        en, ja = _both(lambda lg: ", ".join(f"{label(i, lg)} {counts[i]}" for i in short))
        causes.append(_cause(constraint, items_key, n=n, **{items_arg: i18n.Bilingual(ja=ja, en=en)}))
    need = int(np.maximum(n - fixed_counts, 0).sum())
    if need > k:
        causes.append(_cause(constraint, "pf.inf.lower_total", what=i18n.Bilingual(ja=what_ja, en=what_en), n=n,
                             need=need, k=k))
    return causes


def _obvious_causes(p: _Problem) -> list[Cause]:
    """Every cause of infeasibility that can be seen without solving."""
    c, k, causes = p.c, p.k, []
    n_fixed = int(p.fixed.sum())
    free = ~p.fixed
    n_free = int(free.sum())
    if k > n_free:
        causes.append(_cause("k", "pf.inf.k", k=k, n=n_free))
    pref_all = np.bincount(p.pref, minlength=47)
    pref_fixed = np.bincount(p.pref[p.fixed], minlength=47)
    if c.max_per_pref is not None:
        over = [i for i in range(47) if pref_fixed[i] > c.max_per_pref]
        if over:
            en = ", ".join(f"{codes.PREF_NAME_EN_BY_CODE[PREF_CODES[i]]} {pref_fixed[i]}" for i in over)
            ja = "、".join(f"{codes.PREF_NAME_BY_CODE[PREF_CODES[i]]} {pref_fixed[i]}" for i in over)
            causes.append(_cause("max_per_pref", "pf.inf.fixed_pref", m=c.max_per_pref,
                                 prefs=i18n.Bilingual(ja=ja, en=en)))
        cap = int(np.minimum(pref_all, c.max_per_pref).sum())
        if cap < n_fixed + k:
            causes.append(_cause("max_per_pref", "pf.inf.pref_capacity", m=c.max_per_pref, cap=cap,
                                 need=n_fixed + k))
    if c.min_km > 0 and len(p.pairs):
        both = p.fixed[p.pairs[:, 0]] & p.fixed[p.pairs[:, 1]]
        if both.any():
            rows = p.pairs[both]
            kms = p.pair_km[both]
            en = "; ".join(f"{_names(p, [a], 'en')} – {_names(p, [b], 'en')} {d:.1f} km"
                           for (a, b), d in list(zip(rows, kms, strict=False))[:10])
            ja = "；".join(f"{_names(p, [a], 'ja')}–{_names(p, [b], 'ja')} {d:.1f} km"
                          for (a, b), d in list(zip(rows, kms, strict=False))[:10])
            more = f" (+{len(rows) - 10})" if len(rows) > 10 else ""
            causes.append(_cause("min_km", "pf.inf.fixed_km", km=c.min_km, pairs=i18n.Bilingual(ja=ja + more,
                                                                                                  en=en + more)))
    if c.min_per_region > 0:
        reg_all = np.bincount(p.region, minlength=len(REGIONS))
        reg_fixed = np.bincount(p.region[p.fixed], minlength=len(REGIONS))
        causes += _lower_bound_causes("min_per_region", reg_all, reg_fixed, c.min_per_region, k,
                                      lambda i, lg: codes.region_name(REGIONS[i], lg), "pf.inf.region_items", "regions",
                                      "region", "地方")
        if c.max_per_pref is not None:
            region_of = np.array([REGIONS.index(REGION_OF_PREF[code]) for code in PREF_CODES])
            cap = np.bincount(region_of, weights=np.minimum(pref_all, c.max_per_pref), minlength=len(REGIONS))
            tight = [i for i in range(len(REGIONS)) if reg_all[i] >= c.min_per_region > cap[i]]
            if tight:
                en, ja = _both(lambda lg: ", ".join(codes.region_name(REGIONS[i], lg) for i in tight))
                causes.append(_cause("min_per_region", "pf.inf.region_cap", n=c.min_per_region, m=c.max_per_pref,
                                     regions=i18n.Bilingual(ja=ja, en=en)))
                causes.append(replace(causes[-1], constraint="max_per_pref"))
    if c.min_per_pref > 0:
        causes += _lower_bound_causes("min_per_pref", pref_all, pref_fixed, c.min_per_pref, k,
                                      lambda i, lg: codes.pref_name(PREF_CODES[i], lg), "pf.inf.pref_items", "prefs",
                                      "prefecture", "都道府県")
    if p.req_type:
        need_total = 0
        for t, req in p.req_type.items():
            ti = BASE_TYPES.index(t)
            have = int((p.btype == ti).sum())
            if have < req:
                causes.append(_cause("min_type_share", "pf.inf.type_items", type=t, share=c.min_type_share[t],
                                     req=req, total=n_fixed + k, n=have))
            need_total += max(0, req - int((p.btype[p.fixed] == ti).sum()))
        if need_total > k:
            causes.append(_cause("min_type_share", "pf.inf.type_total", need=need_total, k=k))
    return causes


def _relaxation_causes(p: _Problem, time_limit: float) -> list[Cause]:
    """Drop constraint families one at a time (then two) and name those whose removal makes it feasible."""
    active = p.c.active()
    for size in (1, 2):
        found = []
        for fams in combinations(active, size):
            q = _reprepare(p, p.c.without(set(fams)))
            if _obvious_causes(q):
                continue
            res = _milp(q, time_limit=min(time_limit, 10.0))
            if res is not None and res.status in (0, 1) and res.x is not None:
                found.append(fams)
        if found:
            causes = []
            for fams in found:
                names = " + ".join(fams)
                for f in fams:
                    causes.append(_cause(f, "pf.inf.relaxed", names=names))
            return causes
    names = ", ".join(("k",) + active)
    return [_cause(f, "pf.inf.together", names=names) for f in ("k",) + active]


def _reprepare(p: _Problem, c: Constraints) -> _Problem:
    pairs, km = (p.pairs, p.pair_km) if c.min_km == p.c.min_km else close_pairs(
        p.df["lat"].to_numpy(), p.df["lon"].to_numpy(), c.min_km)
    return replace(p, c=c, pairs=pairs, pair_km=km, req_type=required_per_type(c, int(p.fixed.sum()), p.k))


# -------------------------------------------------------------------------------------------- the MILP
def _milp(p: _Problem, *, time_limit: float):
    """scipy.optimize.milp's result for the problem (None when a bound already rules it out)."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, c = p.n, p.c
    lb = p.fixed.astype(float)
    ub = np.ones(n)
    pairs = p.pairs
    if len(pairs):
        fa, fb = p.fixed[pairs[:, 0]], p.fixed[pairs[:, 1]]
        ub[pairs[fa & ~fb, 1]] = 0.0  # too close to a fixed base
        ub[pairs[fb & ~fa, 0]] = 0.0
        free_pairs = pairs[~fa & ~fb]
        free_pairs = free_pairs[(ub[free_pairs[:, 0]] > 0) & (ub[free_pairs[:, 1]] > 0)]
    else:
        free_pairs = pairs
    if (lb > ub).any():
        return None
    rows, cols, lo, hi = [], [], [], []
    r = 0

    def add_group(groups: np.ndarray, n_groups: int, low: float, high: float) -> None:
        nonlocal r
        rows.extend(groups + r)
        cols.extend(np.arange(n))
        lo.extend([low] * n_groups)
        hi.extend([high] * n_groups)
        r += n_groups

    free_idx = np.flatnonzero(~p.fixed)
    rows.extend([r] * len(free_idx))
    cols.extend(free_idx)
    lo.append(p.k)
    hi.append(p.k)
    r += 1
    if c.max_per_pref is not None or c.min_per_pref > 0:
        add_group(p.pref, 47, float(c.min_per_pref), float(c.max_per_pref) if c.max_per_pref is not None else np.inf)
    if c.min_per_region > 0:
        add_group(p.region, len(REGIONS), float(c.min_per_region), np.inf)
    for t, req in p.req_type.items():
        members = np.flatnonzero(p.btype == BASE_TYPES.index(t))
        rows.extend([r] * len(members))
        cols.extend(members)
        lo.append(req)
        hi.append(np.inf)
        r += 1
    if len(free_pairs):
        m = len(free_pairs)
        rows.extend(np.repeat(np.arange(r, r + m), 2))
        cols.extend(free_pairs.ravel())
        lo.extend([-np.inf] * m)
        hi.extend([1.0] * m)
        r += m
    a = sparse.csr_array((np.ones(len(rows)), (np.asarray(rows, int), np.asarray(cols, int))), shape=(r, n))
    return milp(-p.score, integrality=np.ones(n), bounds=Bounds(lb, ub),
                constraints=LinearConstraint(a, np.asarray(lo, float), np.asarray(hi, float)),
                options={"time_limit": float(time_limit), "mip_rel_gap": 0.0})


def solve(pool: pd.DataFrame, constraints: Constraints | None = None, *, time_limit: float = 30.0) -> Result:
    """The exact optimum: the k new items (plus the fixed ones) of highest total score meeting every constraint.

    Raises ``InfeasibleError`` naming the constraint(s) responsible when no selection exists, and
    ``InputError``/``ConfigError`` for a bad pool or bad constraints. ``time_limit`` (s) bounds HiGHS; when it
    is reached with a selection, the status is "time_limit" and ``mip_gap`` the proven relative gap.
    """
    t0 = time.perf_counter()
    p = _prepare(pool, constraints)
    causes = _obvious_causes(p)
    if causes:
        raise InfeasibleError(causes)
    res = _milp(p, time_limit=time_limit)
    if res is None or res.x is None:
        if res is not None and res.status == 1:
            raise InfeasibleError([_cause("time_limit", "pf.inf.time_limit", s=time_limit)])
        raise InfeasibleError(_relaxation_causes(p, time_limit))
    chosen = res.x > 0.5
    status = "optimal" if res.status == 0 else "time_limit"
    gap = getattr(res, "mip_gap", None)
    return _result(p, chosen, "exact", status, time.perf_counter() - t0, mip_gap=None if gap is None else float(gap))


# ------------------------------------------------------------------------------------------- the greedy
def greedy(pool: pd.DataFrame, constraints: Constraints | None = None) -> Result:
    """Take items by descending score (ties by item_id) while every constraint can still be met.

    An item is skipped when it is within ``min_km`` of a selected one, when its prefecture is full, or when
    taking it would leave fewer free slots than the lower bounds (per region, prefecture or type) still
    need. The result's status is "failed" (``message`` names the constraint) when it ends short.
    """
    t0 = time.perf_counter()
    p = _prepare(pool, constraints)
    causes = _obvious_causes(p)
    if causes:
        raise InfeasibleError(causes)
    c, k, n = p.c, p.k, p.n
    chosen = p.fixed.copy()
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in p.pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    blocked = np.zeros(n, bool)
    for i in np.flatnonzero(chosen):
        blocked[neighbours[i]] = True
    pref_n = np.bincount(p.pref[chosen], minlength=47)
    reg_n = np.bincount(p.region[chosen], minlength=len(REGIONS))
    type_req = np.zeros(len(BASE_TYPES), int)
    for t, req in p.req_type.items():
        type_req[BASE_TYPES.index(t)] = req
    type_n = np.bincount(p.btype[chosen & (p.btype >= 0)], minlength=len(BASE_TYPES))

    def deficit(pref_n, reg_n, type_n) -> int:
        d_reg = int(np.maximum(c.min_per_region - reg_n, 0).sum()) if c.min_per_region else 0
        d_pref = int(np.maximum(c.min_per_pref - pref_n, 0).sum()) if c.min_per_pref else 0
        d_type = int(np.maximum(type_req - type_n, 0).sum())
        return max(d_reg, d_pref, d_type)  # each family alone needs at least this many more picks

    ids = p.df["item_id"].to_numpy()
    order = sorted(np.flatnonzero(~p.fixed), key=lambda i: (-p.score[i], ids[i]))
    taken = 0
    for i in order:
        if taken == k:
            break
        if blocked[i] or (c.max_per_pref is not None and pref_n[p.pref[i]] >= c.max_per_pref):
            continue
        pref_n[p.pref[i]] += 1
        reg_n[p.region[i]] += 1
        if p.btype[i] >= 0:
            type_n[p.btype[i]] += 1
        if deficit(pref_n, reg_n, type_n) > k - taken - 1:
            pref_n[p.pref[i]] -= 1
            reg_n[p.region[i]] -= 1
            if p.btype[i] >= 0:
                type_n[p.btype[i]] -= 1
            continue
        chosen[i] = True
        blocked[neighbours[i]] = True
        taken += 1
    unmet = [f for f, short in (
        ("k", taken < k),
        ("min_per_region", bool(c.min_per_region) and bool((reg_n < c.min_per_region).any())),
        ("min_per_pref", bool(c.min_per_pref) and bool((pref_n < c.min_per_pref).any())),
        ("min_type_share", bool((type_n < type_req).any()))) if short]
    message = None
    if unmet:
        # the distance rule and the prefecture cap are what leave greedy without admissible items
        limits = ", ".join(f for f in ("min_km", "max_per_pref") if f in c.active()) or "—"
        message = _cause(unmet[0], "pf.greedy.failed", names=", ".join(unmet), limits=limits, taken=taken, k=k)
    status = "failed" if unmet else "feasible"
    return _result(p, chosen, "greedy", status, time.perf_counter() - t0, message=message)


# ---------------------------------------------------------------------------------------- explanations
def _result(p: _Problem, chosen: np.ndarray, method: str, status: str, seconds: float, *,
            message: Cause | None = None, mip_gap: float | None = None) -> Result:
    table = _explain(p, chosen, method)
    new = chosen & ~p.fixed
    order = list(np.flatnonzero(chosen & p.fixed)) + sorted(np.flatnonzero(new), key=lambda i: -p.score[i])
    ids = tuple(p.df["item_id"].to_numpy()[order])
    return Result(method=method, status=status, selected_ids=ids, total=float(p.score[chosen].sum()),
                  objective=float(p.score[new].sum()), seconds=seconds, table=table, constraints=p.c,
                  message=message, mip_gap=mip_gap)


def _explain(p: _Problem, chosen: np.ndarray, method: str) -> pd.DataFrame:
    """The per-item table with a reason for every left-out item (see the module docstring)."""
    c, n = p.c, p.n
    new = chosen & ~p.fixed
    pref_n = np.bincount(p.pref[chosen], minlength=47)
    reg_n = np.bincount(p.region[chosen], minlength=len(REGIONS))
    type_n = np.bincount(p.btype[chosen & (p.btype >= 0)], minlength=len(BASE_TYPES))
    type_req = np.zeros(len(BASE_TYPES), int)
    for t, req in p.req_type.items():
        type_req[BASE_TYPES.index(t)] = req
    # the nearest selected item within min_km of each item
    near_j = np.full(n, -1)
    near_d = np.full(n, np.inf)
    for (a, b), d in zip(p.pairs, p.pair_km, strict=False):
        for x, y in ((a, b), (b, a)):
            if chosen[y] and d < near_d[x]:
                near_j[x], near_d[x] = y, d
    new_idx = np.flatnonzero(new)
    cut = new_idx[np.argmin(p.score[new_idx])] if len(new_idx) else -1
    codes_, ja, en, ids, alls = [], [], [], [], []
    item_ids = p.df["item_id"].to_numpy()
    for i in range(n):
        if chosen[i]:
            code = "fixed" if p.fixed[i] else "selected"
            t_en, t_ja = _t(f"pf.why.{code}")
            codes_.append(code), en.append(t_en), ja.append(t_ja), ids.append(""), alls.append(code)
            continue
        found: list[tuple[str, str, str, list[int]]] = []
        if near_j[i] >= 0:
            t_en, t_ja = _named(p, "pf.why.min_km", [near_j[i]], km=near_d[i], min_km=c.min_km)
            found.append(("min_km", t_en, t_ja, [near_j[i]]))
        if c.max_per_pref is not None and pref_n[p.pref[i]] >= c.max_per_pref:
            members = [j for j in np.flatnonzero(chosen & (p.pref == p.pref[i]))]
            code = PREF_CODES[p.pref[i]]
            t_en, t_ja = (i18n.t("pf.why.max_per_pref", "en", pref=codes.pref_name(code, "en"), m=c.max_per_pref,
                                 names=_names(p, members, "en")),
                          i18n.t("pf.why.max_per_pref", "ja", pref=codes.pref_name(code, "ja"), m=c.max_per_pref,
                                 names=_names(p, members, "ja")))
            found.append(("max_per_pref", t_en, t_ja, members))
        if cut < 0:
            t_en, t_ja = _t("pf.why.k0")
            found.append(("k", t_en, t_ja, []))
        elif p.score[i] <= p.score[cut] + _EPS:
            t_en, t_ja = _named(p, "pf.why.score", [cut], score=p.score[i], cutoff=p.score[cut])
            found.append(("score", t_en, t_ja, [cut]))
        if not found:
            found.extend(_lower_bound_reasons(p, i, chosen, new_idx, pref_n, reg_n, type_n, type_req, method))
        code, t_en, t_ja, named = found[0]
        codes_.append(code), en.append(t_en), ja.append(t_ja)
        ids.append(";".join(item_ids[named])), alls.append(";".join(dict.fromkeys(f[0] for f in found)))
    out = p.df.copy()
    out["selected"] = chosen
    out["new"] = new
    out["why"] = codes_
    out["why_ja"] = ja
    out["why_en"] = en
    out["why_ids"] = ids
    out["why_all"] = alls
    return out


def _lower_bound_reasons(p, i, chosen, new_idx, pref_n, reg_n, type_n, type_req, method):
    """Why a better-scoring item that breaks no upper bound could not replace any lower-scored new pick."""
    c = p.c
    lower = [j for j in new_idx if p.score[j] < p.score[i]]
    blocks: dict[str, list[int]] = {}
    free_swap = []
    for j in lower:
        reasons = []
        if c.min_per_region and p.region[j] != p.region[i] and reg_n[p.region[j]] - 1 < c.min_per_region:
            reasons.append("min_per_region")
        if c.min_per_pref and p.pref[j] != p.pref[i] and pref_n[p.pref[j]] - 1 < c.min_per_pref:
            reasons.append("min_per_pref")
        if p.btype[j] >= 0 and p.btype[j] != p.btype[i] and type_n[p.btype[j]] - 1 < type_req[p.btype[j]]:
            reasons.append("min_type_share")
        for r in reasons:
            blocks.setdefault(r, []).append(j)
        if not reasons:
            free_swap.append(j)
    if free_swap:  # an exchange would raise the total: only a heuristic leaves this
        j = min(free_swap, key=lambda x: p.score[x])
        t_en, t_ja = _named(p, "pf.why.exchange", [j], score=p.score[i], other_score=p.score[j])
        return [("exchange", t_en, t_ja, [j])]
    out = []
    for code in ("min_type_share", "min_per_region", "min_per_pref"):
        if code in blocks:
            js = sorted(blocks[code], key=lambda x: p.score[x])
            t_en, t_ja = _named(p, f"pf.why.{code}", js, n=len(js))
            out.append((code, t_en, t_ja, js))
    out.sort(key=lambda f: -len(f[3]))
    return out or [("other", *_t("pf.why.other"), [])]


def display_table(result: Result, lang: str = "ja") -> pd.DataFrame:
    """The per-item table for people (labels in ``lang``): chosen first, then left-out ones, each by score."""
    t = result.table
    name_col = "name_en" if lang == "en" and "name_en" in t else "name"
    out = pd.DataFrame({
        "item_id": t["item_id"], "name": t[name_col].where(t[name_col].notna(), t["name"]),
        "kind": [i18n.t(f"pf.kind.{k}", lang) for k in t["kind"]],
        "base_type": [i18n.t(f"pf.type.{b}", lang) if isinstance(b, str) else "" for b in t["base_type"]],
        "pref": [codes.pref_name(c, lang) for c in t["pref_code"]],
        "region": [codes.region_name(r, lang) for r in t["region"]], "score": t["score"].round(3),
        "fixed": t["fixed"], "selected": t["selected"], "why": t["why"],
        "reason": t["why_ja" if lang == "ja" else "why_en"],
    })
    return out.sort_values(["selected", "fixed", "score"], ascending=[False, False, False]).reset_index(drop=True)
