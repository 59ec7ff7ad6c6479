"""Transparent scoring of municipalities as candidate Content Regional Revitalization Bases.

Pure functions on DataFrames. The pipeline:

1. ``indicator_table`` derives raw indicators from the municipality indicators (one row each);
2. ``normalise`` turns each into an *oriented sub-score* in [0, 1] (1 = better for a base), NaN when
   the data is missing — the rules are in ``INDICATORS`` (definition, unit, direction, normalisation);
3. ``score`` takes the weighted mean of the available sub-scores:

       score = Σ_i w_i · s_i / Σ_i w_i   (sums over indicators with data for that row)

   so the score lies in [0, 1], each contribution ``w_i · s_i / Σ w_i`` adds up to it exactly, a
   zero weight removes an indicator, and missing data is never treated as zero: it is left out and
   listed (``missing``), and ``coverage`` says how much of the weight had data.
4. ``stability`` draws weights from a Dirichlet around the chosen ones and reports, per municipality,
   the probability of being in the top K and a rank interval.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from revitalize.core import i18n
from revitalize.core.errors import ConfigError, Problem
from revitalize.data import coverage, db, layers


@dataclass(frozen=True)
class Indicator:
    """One scoring indicator: what it measures and how it is normalised."""

    key: str
    criterion: str  # content | resources | demand | need | overtourism
    label_ja: str
    label_en: str
    definition_ja: str
    definition_en: str
    unit: str
    direction: int  # +1: more is better for a base; -1: more counts against
    normalisation: str  # log_max | percentile | binary
    default_weight: float


CRITERIA: dict[str, tuple[str, str]] = {
    "content": ("コンテンツの求心力", "content pull"),
    "resources": ("組み合わせる地域資源", "regional resources"),
    "demand": ("観光需要", "visitor demand"),
    "need": ("地方創生の必要性", "need for revitalization"),
    "overtourism": ("オーバーツーリズムの余地", "room from overtourism"),
}

ANIME_RECENCY_DECAY = 0.8  # a place last selected one edition earlier counts 0.8, two earlier 0.64, …
TOP_VISITED_SHARE = 0.05  # 'already among the most visited' = top 5 % by annual visitors

INDICATORS: tuple[Indicator, ...] = (
    Indicator("anime", "content", "アニメ聖地", "anime places",
              "アニメ聖地88 に選ばれた場所の数。最新の年版に近いほど重い（1 年版古いごとに ×0.8）",
              "Places in the Anime Tourism 88 list, weighted by recency (×0.8 per edition older than the newest)",
              "weighted places", +1, "log_max", 3.0),
    Indicator("filming", "content", "ロケ地", "filming locations", "映画・ドラマのロケ地の数",
              "Number of film/drama filming locations", "places", +1, "log_max", 2.0),
    Indicator("film_commission", "content", "フィルムコミッション", "film commission",
              "市区町村のフィルムコミッションがあれば 1", "1 when a municipal film commission operates",
              "yes/no", +1, "binary", 1.0),
    Indicator("gi", "resources", "GI 産品", "GI products",
              "生産地に含まれる GI 産品の数（全域 1、一部 0.5）",
              "GI products whose production area covers the municipality (whole 1, part 0.5)",
              "products", +1, "log_max", 2.0),
    Indicator("heritage", "resources", "日本遺産", "Japan Heritage", "日本遺産 構成文化財の数",
              "Number of Japan Heritage component properties", "properties", +1, "log_max", 1.5),
    Indicator("stations", "resources", "道の駅", "roadside stations", "登録された道の駅の数",
              "Number of registered roadside stations", "stations", +1, "log_max", 1.0),
    Indicator("visitors", "demand", "観光来訪者数", "annual visitors",
              "最新の通年の観光来訪者数（デジタル観光統計）", "Visitors in the latest full year (digital tourism stats)",
              "persons/year", +1, "percentile", 1.0),
    Indicator("visitor_growth", "demand", "来訪者数の伸び", "visitor growth", "前年比の来訪者数の増減率",
              "Change in annual visitors over the previous year", "%", +1, "percentile", 1.0),
    Indicator("pop_decline", "need", "人口減少", "population decline", "2015→2020 の人口減少率（減るほど高い）",
              "Population decline 2015→2020 (a larger decline scores higher)", "%", +1, "percentile", 1.5),
    Indicator("aging", "need", "高齢化率", "share aged 65+", "2020 年の 65 歳以上人口の割合",
              "Share of residents aged 65+ in 2020", "%", +1, "percentile", 1.0),
    Indicator("visitors_per_resident", "overtourism", "住民1人あたり来訪者数", "visitors per resident",
              "年間来訪者数 ÷ 2020 年人口（多いほど不利）", "Annual visitors ÷ 2020 population (counts against)",
              "visitors/resident", -1, "percentile", 1.5),
    Indicator("top_visited", "overtourism", "来訪者数上位", "among the most visited",
              "年間来訪者数が全国上位 5 % なら 1（不利）", "1 when among the top 5 % by annual visitors (counts against)",
              "yes/no", -1, "binary", 2.0),
)
INDICATORS_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
KEYS: tuple[str, ...] = tuple(i.key for i in INDICATORS)


@dataclass(frozen=True)
class Weights:
    """Non-negative weights per indicator; validated on creation (all problems at once)."""

    values: Mapping[str, float] = field(default_factory=lambda: {i.key: i.default_weight for i in INDICATORS})

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(column: str, key: str, found: object, **params: object) -> None:
            problems.append(Problem("weights", found=str(found), column=column, **i18n.expect(key, **params)))

        for k, v in self.values.items():
            if k not in INDICATORS_BY_KEY:
                bad(k, "cfg.weights.criterion", repr(k), keys=", ".join(KEYS))
                continue
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                bad(k, "cfg.number", repr(v))
            elif v < 0:
                bad(k, "cfg.at_least", v, min=0)
        if not problems and sum(float(v) for v in self.values.values()) <= 0:
            bad("weights", "cfg.weights.positive", "0")
        if problems:
            raise ConfigError(problems)
        full = {k: float(self.values.get(k, 0.0)) for k in KEYS}
        object.__setattr__(self, "values", full)

    def vector(self) -> np.ndarray:
        return np.array([self.values[k] for k in KEYS], dtype=float)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], *, fill_defaults: bool = True) -> Weights:
        """Weights from a mapping; unspecified indicators keep their defaults (or 0)."""
        base = {i.key: i.default_weight for i in INDICATORS} if fill_defaults else {}
        return cls({**base, **data})  # type: ignore[arg-type]

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "weights") -> Weights:
        """Read the ``[weights]`` table of a TOML document (keys: indicator names; values: numbers).

        ``source`` names the document in messages (a file name, an upload). A document without a
        ``[weights]`` table is refused, never read as the default weights."""
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError.one(source, "cfg.toml", exc) from exc
        table = doc.get("weights")
        if not isinstance(table, dict):
            raise ConfigError.one(source, "cfg.weights.table", sorted(doc))
        return cls.from_mapping(table)

    @classmethod
    def from_toml_bytes(cls, data: bytes, *, source: str = "weights") -> Weights:
        """``from_toml_text`` of an uploaded file's bytes (UTF-8)."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError.one(source, "cfg.utf8", exc) from exc
        return cls.from_toml_text(text, source=source)

    def to_toml(self, *, name: str | None = None) -> str:
        """A TOML document that ``from_toml_text`` reads back."""
        head = f"# revitalize weight set{': ' + name if name else ''}\n[weights]\n"
        return head + "".join(f"{k} = {self.values[k]!r}\n" for k in KEYS)


def indicator_table(ind: pd.DataFrame) -> pd.DataFrame:
    """Raw indicators per municipality (index muni_code) from ``layers.municipality_indicators``.

    ``anime_weighted`` must be present (see ``anime_recency``) or is computed from counts alone.
    """
    out = pd.DataFrame(index=pd.Index(ind["muni_code"], name="muni_code"))
    anime = ind["anime_weighted"] if "anime_weighted" in ind else ind["anime_sites"]
    out["anime"] = pd.to_numeric(anime, errors="coerce").fillna(0).to_numpy()
    out["filming"] = pd.to_numeric(ind["filming_locations"]).fillna(0).to_numpy()
    out["film_commission"] = (pd.to_numeric(ind["film_commissions"]).fillna(0) > 0).astype(float).to_numpy()
    out["gi"] = (pd.to_numeric(ind["gi_whole"]).fillna(0) + 0.5 * pd.to_numeric(ind["gi_part"]).fillna(0)).to_numpy()
    out["heritage"] = pd.to_numeric(ind["heritage_properties"]).fillna(0).to_numpy()
    out["stations"] = pd.to_numeric(ind["roadside_stations"]).fillna(0).to_numpy()
    vis = pd.to_numeric(ind["visitors_latest"], errors="coerce").astype(float)
    out["visitors"] = vis.to_numpy()
    out["visitor_growth"] = pd.to_numeric(ind["visitors_change_pct"], errors="coerce").astype(float).to_numpy()
    out["pop_decline"] = (-pd.to_numeric(ind["pop_change_pct"], errors="coerce").astype(float)).to_numpy()
    out["aging"] = pd.to_numeric(ind["share_65_pct"], errors="coerce").astype(float).to_numpy()
    out["visitors_per_resident"] = pd.to_numeric(ind["visitors_per_resident"], errors="coerce").astype(float
                                                                                                       ).to_numpy()
    threshold = vis.quantile(1 - TOP_VISITED_SHARE) if vis.notna().any() else np.inf
    out["top_visited"] = np.where(vis.isna(), np.nan, (vis >= threshold).astype(float))
    return out


def anime_recency(sites: pd.DataFrame) -> pd.Series:
    """Recency-weighted anime places per municipality: Σ 0.8^(newest edition − site's latest edition)."""
    s = sites.dropna(subset=["muni_code", "latest_edition"])
    if s.empty:
        return pd.Series(dtype=float)
    newest = s["latest_edition"].max()
    w = ANIME_RECENCY_DECAY ** (newest - s["latest_edition"].astype(float))
    return w.groupby(s["muni_code"]).sum()


def _percentile(v: pd.Series) -> pd.Series:
    """(rank − 1) / (n − 1) among non-missing values, ties averaged; NaN stays NaN."""
    n = v.notna().sum()
    if n <= 1:
        return v.where(v.isna(), 1.0)
    return (v.rank(method="average") - 1) / (n - 1)


def normalise(raw: pd.DataFrame) -> pd.DataFrame:
    """Oriented sub-scores in [0, 1] (1 = favourable), NaN where data is missing.

    log_max: log(1 + x) / log(1 + max x) (0 for none); percentile: rank among municipalities with
    data; binary: the 0/1 value. Indicators that count against (direction −1) are flipped: 1 − x.
    """
    out = pd.DataFrame(index=raw.index)
    for ind in INDICATORS:
        v = raw[ind.key].astype(float)
        if ind.normalisation == "log_max":
            top = np.log1p(v.max()) if v.max() > 0 else 1.0
            x = np.log1p(v.clip(lower=0)) / top
        elif ind.normalisation == "percentile":
            x = _percentile(v)
        else:
            x = v.clip(0, 1)
        out[ind.key] = 1 - x if ind.direction < 0 else x
    return out


EXTRA_CRITERION = "user"
"""The criterion of indicators added by the user (``k_user``)."""
EXTRA_NORMALISATIONS = ("log_max", "percentile")


@dataclass(frozen=True)
class ExtraIndicator:
    """An indicator the user adds (e.g. a count or numeric column of an imported layer), scored like the others.

    ``values``: raw values per municipality (index muni_code); municipalities absent or NaN have no data
    (left out of their score, listed as missing) unless ``fill`` is given (a count: 0 where no rows).
    """

    key: str
    label: str
    values: pd.Series
    weight: float
    direction: int = +1
    normalisation: str = "log_max"
    fill: float | None = None

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        where = f"extra indicator {self.key!r}"

        def bad(column: str, key: str, found: object, **params: object) -> None:
            problems.append(Problem(where, found=repr(found), column=column, **i18n.expect(key, **params)))

        if not self.key or self.key in INDICATORS_BY_KEY:
            bad("key", "cfg.extra.key", self.key)
        if not isinstance(self.weight, (int, float)) or isinstance(self.weight, bool) or not math.isfinite(
                self.weight) or self.weight < 0:
            bad("weight", "cfg.at_least", self.weight, min=0)
        if self.direction not in (1, -1):
            bad("direction", "cfg.extra.direction", self.direction)
        if self.normalisation not in EXTRA_NORMALISATIONS:
            bad("normalisation", "cfg.one_of", self.normalisation, choices=", ".join(EXTRA_NORMALISATIONS))
        if problems:
            raise ConfigError(problems)

    def raw(self, index: pd.Index) -> pd.Series:
        """The raw values on ``index`` (NaN = no data)."""
        v = pd.to_numeric(self.values, errors="coerce").astype(float).reindex(index)
        return v.fillna(self.fill) if self.fill is not None else v

    def sub(self, index: pd.Index) -> pd.Series:
        """The oriented sub-score in [0, 1] on ``index`` (the same rules as the built-in indicators)."""
        v = self.raw(index)
        if self.normalisation == "log_max":
            top = np.log1p(v.max()) if v.max() > 0 else 1.0
            x = np.log1p(v.clip(lower=0)) / top
        else:
            x = _percentile(v)
        return 1 - x if self.direction < 0 else x


def _check_extras(extras: tuple[ExtraIndicator, ...]) -> None:
    keys = [e.key for e in extras]
    if len(set(keys)) != len(keys):
        raise ConfigError.one("extra indicators", "cfg.extra.distinct", keys, column="key")


def score_matrix(sub: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Scores for weight vectors: ``sub`` (n × k, NaN missing), ``w`` (k,) or (k × m) → (n,) or (n × m)."""
    avail = ~np.isnan(sub)
    filled = np.where(avail, sub, 0.0)
    num = filled @ w
    den = avail.astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def score(sub: pd.DataFrame, weights: Weights, *, extras: tuple[ExtraIndicator, ...] = ()) -> pd.DataFrame:
    """Score, rank, per-indicator contributions, per-criterion sums, coverage and missing list.

    Contributions (``c_<indicator>``) add up to ``score``; criterion columns (``k_<criterion>``)
    group them. Ranks are 1 = best; rows without any weighted data have no score and no rank.
    ``extras``: indicators added by the user, each with its own weight and direction (criterion ``user``).
    """
    extras = tuple(extras)
    _check_extras(extras)
    keys = list(KEYS) + [e.key for e in extras]
    w = np.concatenate([weights.vector(), np.array([float(e.weight) for e in extras], dtype=float)])
    x = sub[list(KEYS)].to_numpy(dtype=float)
    if extras:
        x = np.column_stack([x] + [e.sub(sub.index).to_numpy(dtype=float) for e in extras])
    avail = ~np.isnan(x)
    # row-wise sums (not a matrix product) so a row's result never depends on the other rows
    den = (avail * w).sum(axis=1)
    safe = np.where(den > 0, den, np.nan)
    contrib = np.where(avail, x, 0.0) * w / safe[:, None]
    out = pd.DataFrame(index=sub.index)
    out["score"] = contrib.sum(axis=1)
    out.loc[np.isnan(safe), "score"] = np.nan
    # equal scores must tie whatever the float rounding of their sums
    out["rank"] = out["score"].round(12).rank(ascending=False, method="min")
    out["coverage"] = den / w.sum()
    for j, key in enumerate(keys):
        out[f"c_{key}"] = contrib[:, j]
    for crit in CRITERIA:
        cols = [f"c_{i.key}" for i in INDICATORS if i.criterion == crit]
        out[f"k_{crit}"] = out[cols].sum(axis=1)
    if extras:
        out[f"k_{EXTRA_CRITERION}"] = out[[f"c_{e.key}" for e in extras]].sum(axis=1)
    out["missing"] = [";".join(k for k, a, wk in zip(keys, row, w, strict=False) if not a and wk > 0) for row in avail]
    return out


# The curated layer each content or resource indicator counts (its coverage is said in the reason)
INDICATOR_LAYERS: dict[str, str] = {"anime": "anime_sites", "filming": "filming_locations",
                                    "film_commission": "film_commissions", "gi": "gi_products"}


def coverage_caveat(weights: Weights, layer_shares: Mapping[str, float] | None, lang: str = "ja") -> str:
    """The words a reason ends with when a weighted indicator counts a layer held less than completely
    (``layer_shares``: ``coverage.layer_shares``, the least covered share of each layer): '' otherwise."""
    if not layer_shares:
        return ""
    short = {layer: layer_shares[layer] for key, layer in INDICATOR_LAYERS.items()
             if weights.values.get(key, 0) > 0 and layer_shares.get(layer, 1.0) < coverage.COMPLETE_AT}
    if not short:
        return ""
    names = ("・" if lang == "ja" else ", ").join(i18n.t(f"cov.layer.{layer}", lang) for layer in short)
    return i18n.t("cov.reason", lang, layers=names, pct=f"{100 * min(short.values()):.0f}")


def reason(sub_row: pd.Series, weights: Weights, lang: str = "ja", *, caveat: str = "") -> str:
    """One line in words: the strongest weighted criteria, and the overtourism situation; ``caveat``
    (``coverage_caveat``) is appended when a criterion rests on a layer held less than completely."""
    w = weights.values
    crit_scores = {}
    for crit in CRITERIA:
        keys = [i.key for i in INDICATORS if i.criterion == crit and w[i.key] > 0 and pd.notna(sub_row[i.key])]
        if keys:
            crit_scores[crit] = sum(w[k] * sub_row[k] for k in keys) / sum(w[k] for k in keys)
    strong = [c for c, v in sorted(crit_scores.items(), key=lambda kv: -kv[1]) if v >= 0.5 and c != "overtourism"][:2]
    over = crit_scores.get("overtourism")
    parts = []
    if strong:
        names = [CRITERIA[c][0 if lang == "ja" else 1] for c in strong]
        parts.append(("「" + "」と「".join(names) + "」が強い") if lang == "ja" else "strong " + " and ".join(names))
    else:
        parts.append("目立って強い基準はない" if lang == "ja" else "no criterion stands out")
    if over is not None:
        if over >= 0.6:
            parts.append("オーバーツーリズムの懸念は小さい" if lang == "ja" else "low overtourism pressure")
        elif over <= 0.3:
            parts.append("オーバーツーリズムの懸念が大きい" if lang == "ja" else "high overtourism pressure")
    return (("、".join(parts)) if lang == "ja" else ", ".join(parts)) + caveat


@dataclass(frozen=True)
class Stability:
    """Monte Carlo over weights: per row, P(top K), rank interval and a stable/sensitive label."""

    table: pd.DataFrame
    draws: int
    top_k: int
    seed: int


def dirichlet_weights(weights: Weights, *, draws: int, concentration: float, seed: int) -> np.ndarray:
    """(k × draws) weight vectors drawn around ``weights`` (zero weights stay zero)."""
    if draws < 1:
        raise ConfigError.one("stability", "cfg.at_least", draws, column="draws", min=1)
    if concentration <= 0:
        raise ConfigError.one("stability", "cfg.positive", concentration, column="concentration")
    w = weights.vector()
    active = w > 0
    rng = np.random.default_rng(seed)
    alpha = w[active] / w[active].sum() * concentration * active.sum()
    out = np.zeros((len(w), draws))
    out[active, :] = rng.dirichlet(alpha, size=draws).T
    return out


def stability(sub: pd.DataFrame, weights: Weights, *, draws: int = 1000, top_k: int = 200,
              concentration: float = 20.0, seed: int = 20251021, stable_at: float = 0.9) -> Stability:
    """Probability of being in the top ``top_k`` and the 5–95 % rank interval under weight draws.

    A row is 'stable' when its top-K membership agrees in at least ``stable_at`` of the draws (either
    way), else 'sensitive'. Seeded: the same inputs give the same result.
    """
    if top_k < 1:
        raise ConfigError.one("stability", "cfg.at_least", top_k, column="top_k", min=1)
    x = sub[list(KEYS)].to_numpy(dtype=float)
    wd = dirichlet_weights(weights, draws=draws, concentration=concentration, seed=seed)
    s = score_matrix(x, wd)  # n × draws
    s = np.where(np.isnan(s), -np.inf, s)
    order = np.argsort(-s, axis=0, kind="stable")
    ranks = np.empty_like(order)
    n = s.shape[0]
    cols = np.arange(s.shape[1])
    ranks[order, cols[None, :]] = np.arange(1, n + 1)[:, None]
    p_top = (ranks <= top_k).mean(axis=1)
    lo, hi = np.percentile(ranks, [5, 95], axis=1)
    agree = np.maximum(p_top, 1 - p_top)
    table = pd.DataFrame({"p_top_k": p_top, "rank_p05": lo, "rank_median": np.median(ranks, axis=1), "rank_p95": hi,
                          "label": np.where(agree >= stable_at, "stable", "sensitive")}, index=sub.index)
    return Stability(table, draws, top_k, seed)


def aggregate_candidates(scores: pd.DataFrame, members: pd.DataFrame, population: pd.Series | None = None
                         ) -> pd.DataFrame:
    """Scores of candidates made of municipalities: the population-weighted mean of member scores.

    ``members`` has columns candidate_id, muni_code. Members without a score are left out (and
    counted in ``members_missing``); equal weights when population is unknown.
    """
    m = members.merge(scores[["score"]], left_on="muni_code", right_index=True, how="left")
    pop = population if population is not None else pd.Series(dtype=float)
    m["w"] = m["muni_code"].map(pop).fillna(1.0).clip(lower=1.0)
    have = m[m["score"].notna()]
    weighted = (have["score"] * have["w"]).groupby(have["candidate_id"]).sum()
    out = pd.DataFrame({"score": weighted / have.groupby("candidate_id")["w"].sum()}, dtype=float)
    out["members"] = m.groupby("candidate_id").size()
    out["members_missing"] = m[m["score"].isna()].groupby("candidate_id").size().reindex(out.index).fillna(0
                                                                                                          ).astype(int)
    out["rank"] = out["score"].rank(ascending=False, method="min")
    return out.sort_values("rank")


# The indicator columns an accepted contribution to a layer adds to (a contributed anime place counts as
# current: recency weight 1; a GI area as a whole municipality)
CONTRIBUTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "anime_sites": ("anime_sites", "anime_weighted"), "filming_locations": ("filming_locations",),
    "film_commissions": ("film_commissions",), "gi_areas": ("gi_whole",)}


def with_contributed(ind: pd.DataFrame, counts: pd.DataFrame | None) -> pd.DataFrame:
    """``ind`` with the accepted contributions added: ``counts`` has muni_code, layer, n (removals negative;
    ``contributions.municipality_counts``). Counts never go below 0. A new frame; ``ind`` is unchanged."""
    out = ind.copy()
    if counts is None or counts.empty:
        return out
    for layer, cols in CONTRIBUTED_COLUMNS.items():
        n = counts[counts["layer"] == layer].groupby("muni_code")["n"].sum()
        if n.empty:
            continue
        add = out["muni_code"].map(n).fillna(0.0)
        for col in cols:
            if col in out:
                out[col] = (pd.to_numeric(out[col]).fillna(0) + add).clip(lower=0)
    return out


def inputs(con, *, contributed: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(indicators, raw, sub-scores) from the database; the disputed villages (no data) are left out.
    ``contributed``: the accepted contributions' counts (``with_contributed``)."""
    ind = layers.municipality_indicators(con)
    sites = con.execute(db.sql("anime_latest_editions")).df()
    ind["anime_weighted"] = ind["muni_code"].map(anime_recency(sites)).fillna(0.0)
    ind = with_contributed(ind, contributed)
    ind = ind[~ind["is_disputed"].astype(bool)].reset_index(drop=True)
    raw = indicator_table(ind)
    return ind, raw, normalise(raw)


def ranking(ind: pd.DataFrame, raw: pd.DataFrame, sub: pd.DataFrame, weights: Weights, *, lang: str = "ja",
            extras: tuple[ExtraIndicator, ...] = (), layer_shares: Mapping[str, float] | None = None
            ) -> pd.DataFrame:
    """The full ranking table: names, score, rank, coverage, reason, raw values, sub-scores, contributions.

    ``layer_shares`` (``coverage.layer_shares``): a reason whose weights count a layer held less than
    completely says so.

    ``extras`` (user indicators) add their ``raw_``, ``s_`` and ``c_`` columns and ``k_user``."""
    s = score(sub, weights, extras=extras)
    names = ind.set_index("muni_code")[["pref_name_ja", "name_ja", "name_en"]]
    out = names.join(s)
    caveat = coverage_caveat(weights, layer_shares, lang)
    out["reason"] = [reason(sub.loc[c], weights, lang, caveat=caveat) for c in out.index]
    if extras:
        raw = raw.assign(**{e.key: e.raw(raw.index) for e in extras})
        sub = sub.assign(**{e.key: e.sub(sub.index) for e in extras})
    out = out.join(raw.add_prefix("raw_")).join(sub.add_prefix("s_"))
    out["rank"] = out["rank"].astype("Int64")
    return out.sort_values(["rank", "score"], ascending=[True, False], na_position="last")


def indicator_docs(lang: str = "ja") -> pd.DataFrame:
    """The indicators' definitions, units, directions and normalisations, for display."""
    norm = {"log_max": ("log(1+x) ÷ log(1+最大値)", "log(1+x) / log(1+max)"),
            "percentile": ("全市区町村内の百分位順位", "percentile rank among municipalities"),
            "binary": ("0 または 1", "0 or 1")}
    j = 0 if lang == "ja" else 1
    return pd.DataFrame([{
        "key": i.key, "criterion": CRITERIA[i.criterion][j], "indicator": i.label_ja if j == 0 else i.label_en,
        "definition": i.definition_ja if j == 0 else i.definition_en, "unit": i.unit,
        "direction": "+" if i.direction > 0 else "−", "normalisation": norm[i.normalisation][j],
        "default_weight": i.default_weight} for i in INDICATORS])
