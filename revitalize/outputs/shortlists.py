"""Shortlists: the one neutral table every export writes, and the sources that make them.

A :class:`Shortlist` holds rows with municipality codes, names, scores, reasons and links; the weights
and criteria used; the sources and their credit lines; a title and a date. The writers are in
``tables`` (CSV, Excel), ``geo`` (GeoJSON, GeoPackage, KML) and ``evidence`` (HTML, PDF sheets), chosen
by ``formats``.

Sources become shortlists through the adapters registered in ``SOURCES`` (by name, for the CLI and
the pages): ``score`` (the ranking), ``explorer`` (what the map shows under its filters),
``candidates`` (the register) and ``portfolio`` (the exact selection under the planning defaults).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import pandas as pd

from revitalize.analysis import pool, portfolio, scoring
from revitalize.analysis.scoring import Weights
from revitalize.core import codes, domain, i18n
from revitalize.core.errors import ExportError, RevitalizeError
from revitalize.data import coverage, curated, db, failures, layers, sources
from revitalize.data import credits as credits_mod
from revitalize.outputs import explorer
from revitalize.outputs.explorer import ExplorerData, Filters
from revitalize.workflow import candidates, contributions

# Columns every shortlist has (in this order); other columns follow as given.
CORE_COLUMNS = ("rank", "item_id", "name", "pref_name", "muni_codes", "score", "reason", "source_urls")


@dataclass(frozen=True, eq=False)
class Shortlist:
    """What every export writes: rows, the weights and criteria behind them, sources and credit lines.

    ``table`` has one row per item, at least ``name`` and ``muni_codes`` (5-digit codes joined with
    ``;``; a row may cover several municipalities or, for GI products, none), usually also ``rank``,
    ``item_id``, ``pref_name``, ``score``, ``reason``, ``source_urls``; optional ``lon``/``lat`` give an
    item its own point. Other columns are kept as they are. ``assets`` lists items linked to rows
    (``item_id``, ``layer``, ``name``, ``source_url``; ``lon``/``lat`` optional), e.g. a candidate's assets.
    """

    table: pd.DataFrame
    kind: str
    title: str
    lang: str = "ja"
    weights: Mapping[str, float] | None = None
    criteria: pd.DataFrame | None = None
    credits: tuple[str, ...] = ()
    sources: pd.DataFrame | None = None
    created: dt.date = field(default_factory=dt.date.today)
    notes: tuple[str, ...] = ()
    assets: pd.DataFrame | None = None
    coverage: tuple[coverage.Coverage, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.table, pd.DataFrame):
            problems.append(f"table: expected a pandas DataFrame, found {type(self.table).__name__}")
        else:
            missing = [c for c in ("name", "muni_codes") if c not in self.table.columns]
            if missing:
                problems.append(f"table: expected columns {missing}, found {list(self.table.columns)}")
        if self.lang not in i18n.LANGS:
            problems.append(f"lang: expected one of {list(i18n.LANGS)}, found {self.lang!r}")
        if not isinstance(self.kind, str) or not self.kind:
            problems.append(f"kind: expected a non-empty string, found {self.kind!r}")
        if self.assets is not None and not ({"item_id", "layer", "source_url"} <= set(self.assets.columns)
                                            and {"name", "label"} & set(self.assets.columns)):
            problems.append("assets: expected columns item_id, layer, name (or label), source_url; found "
                            f"{list(self.assets.columns)}")
        if problems:
            raise ExportError("invalid shortlist:\n  - " + "\n  - ".join(problems))
        object.__setattr__(self, "credits", tuple(self.credits))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "coverage", tuple(self.coverage))

    def __len__(self) -> int:
        return len(self.table)

    def head(self, n: int | None) -> Shortlist:
        """The first ``n`` rows (all when None)."""
        if n is None:
            return self
        if n < 1:
            raise ExportError(i18n.t("ex.err.top", "en", n=n)).keyed("ex.err.top", n=n)
        return replace(self, table=self.table.head(n).reset_index(drop=True))

    def codes(self, row: int) -> list[str]:
        """The municipality codes of row ``row`` (0-based)."""
        return codes.split_codes(self.table["muni_codes"].iloc[row])


def source_table(keys: Iterable[str], lang: str = "ja") -> pd.DataFrame:
    """The datasets/curated layers behind an export: title, publisher, as-of, licence, credit line, URL."""
    rows = []
    for key in dict.fromkeys(keys):
        item = curated.LAYERS_BY_KEY.get(key) or sources.DATASETS_BY_KEY.get(key)
        if item is None:
            raise ExportError(f"source key: expected a dataset or curated layer, found {key!r}")
        rows.append({"dataset": key, "title": item.title_en if lang == "en" else item.title_ja,
                     "publisher": item.publisher, "as_of": item.as_of, "licence": item.licence,
                     "credit": item.credit_en if lang == "en" else item.credit_ja, "url": item.url})
    return pd.DataFrame(rows, columns=["dataset", "title", "publisher", "as_of", "licence", "credit", "url"])


def criteria_table(weights: Mapping[str, float] | None, lang: str = "ja") -> pd.DataFrame:
    """Every indicator with its criterion, definition, unit, direction, normalisation and the weight used."""
    docs = scoring.indicator_docs(lang)
    w = dict(weights) if weights is not None else {i.key: i.default_weight for i in scoring.INDICATORS}
    docs["weight"] = docs["key"].map(lambda k: float(w.get(k, 0.0)))
    total = docs["weight"].sum()
    docs["weight_share"] = docs["weight"] / total if total > 0 else 0.0
    return docs


def weights_line(weights: Mapping[str, float] | None, lang: str = "ja") -> str:
    """One line naming every weight used, e.g. ``重み：アニメ聖地 3, ロケ地 2, …``."""
    if weights is None:
        return ""
    parts = []
    for ind in scoring.INDICATORS:
        label = ind.label_en if lang == "en" else ind.label_ja
        parts.append(f"{label} {float(weights.get(ind.key, 0.0)):g}")
    return i18n.t("ex.weights_line", lang, weights=", ".join(parts))


# candidate columns of an export and the keys of their headers (the candidate page's own labels)
_CANDIDATE_LABELS = {"status": "cd.status", "base_type": "cd.base_type", "fiscal_year": "cd.fiscal_year",
                     "applicants": "cd.col_applicants", "designated_on": "cd.designated_on"}


def _header_label(col: str, lang: str) -> str:
    key = f"ex.col.{col}"
    if key in i18n.STRINGS:
        return i18n.t(key, lang)
    if col in _CANDIDATE_LABELS:
        return i18n.t(_CANDIDATE_LABELS[col], lang)
    if f"col.{col}" in i18n.STRINGS:
        return i18n.t(f"col.{col}", lang)
    prefix, _, rest = col.partition("_")
    j = 1 if lang == "en" else 0
    if prefix == "k" and rest in scoring.CRITERIA:
        return i18n.t("ex.hdr.k", lang, label=scoring.CRITERIA[rest][j])
    if prefix in {"c", "raw", "s"} and rest in scoring.INDICATORS_BY_KEY:
        ind = scoring.INDICATORS_BY_KEY[rest]
        return i18n.t(f"ex.hdr.{prefix}", lang, label=ind.label_en if j else ind.label_ja)
    return col


def headers(columns: Iterable[str], lang: str = "ja") -> dict[str, str]:
    """Column → header in ``lang`` (Japanese by default); unknown columns keep their name; never two alike."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for c in columns:
        label = _header_label(str(c), lang)
        if label in seen:
            label = f"{label} ({c})"
        seen.add(label)
        out[c] = label
    return out


def plain(value: object) -> object:
    """A JSON/Excel-friendly scalar: numpy → Python, NaN/NA → None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return ";".join(str(v) for v in value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    return value


def data_frame(sl: Shortlist) -> pd.DataFrame:
    """The table as written: core columns first, codes as ``;``-joined text, no coordinates."""
    t = sl.table.copy()
    t["muni_codes"] = t["muni_codes"].map(lambda v: codes.join_codes(codes.split_codes(v)))
    front = [c for c in CORE_COLUMNS if c in t.columns]
    rest = [c for c in t.columns if c not in front and c not in ("lon", "lat")]
    return t[front + rest]


def footer_lines(sl: Shortlist) -> list[str]:
    lines = [f"{sl.title} ({i18n.t('ex.created', sl.lang)} {sl.created.isoformat()})"]
    lines += list(sl.notes)
    if sl.weights is not None:
        lines.append(weights_line(sl.weights, sl.lang))
    lines += list(sl.credits)
    return lines


def shortlist_from_ranking(ranking: pd.DataFrame, weights: Weights, *, top: int | None = None, lang: str = "ja",
                           pref_codes: Sequence[str] = (), title: str | None = None) -> Shortlist:
    """A shortlist from ``scoring.ranking`` (index muni_code): rank, names, score, reason, per-criterion and
    per-indicator contributions, raw values, coverage, missing indicators. Pure."""
    t = ranking.reset_index()
    if pref_codes:
        t = t[t["muni_code"].str[:2].isin(set(pref_codes))]
    t = t[t["score"].notna()]
    if top is not None:
        if top < 1:
            raise ExportError(i18n.t("ex.err.top", "en", n=top)).keyed("ex.err.top", n=top)
        t = t.head(top)
    name_col = "name_en" if lang == "en" else "name_ja"
    pref = t["pref_name_ja"]
    if lang == "en":
        pref = t["muni_code"].str[:2].map(codes.PREF_NAME_EN_BY_CODE).fillna(t["pref_name_ja"])
    out = pd.DataFrame({
        "rank": t["rank"].astype("Int64"), "item_id": t["muni_code"],
        "name": t[name_col].fillna(t["name_ja"]), "pref_name": pref, "muni_codes": t["muni_code"],
        "score": t["score"].astype(float), "reason": t["reason"], "coverage": t["coverage"].astype(float)})
    for c in scoring.CRITERIA:
        out[f"k_{c}"] = t[f"k_{c}"].astype(float)
    for k in scoring.KEYS:
        out[f"c_{k}"] = t[f"c_{k}"].astype(float)
    for k in scoring.KEYS:
        out[f"raw_{k}"] = t[f"raw_{k}"].astype(float)
    out["missing"] = t["missing"].fillna("")
    keys = list(credits_mod.SCORING_SOURCES)
    notes = []
    if pref_codes:
        notes.append(i18n.t("ex.note_prefs", lang, prefs=", ".join([codes.pref_name(c, lang) for c in pref_codes])))
    return Shortlist(
        table=out.reset_index(drop=True), kind="score",
        title=title or i18n.t("ex.title_score", lang, n=len(out)), lang=lang, weights=dict(weights.values),
        criteria=criteria_table(weights.values, lang), credits=tuple(credits_mod.credits(keys, lang)) + (
            credits_mod.names_credit(lang),), sources=source_table(keys, lang), notes=tuple(notes))


def shortlist_from_score(con: duckdb.DuckDBPyConnection, weights: Weights | None = None, *,
                         top: int | None = None, lang: str = "ja", pref_codes: Sequence[str] = ()) -> Shortlist:
    """The scoring ranking as a shortlist (best first), optionally one prefecture set and the top ``top``."""
    w = weights or scoring.Weights()
    ind, raw, sub = contributed_inputs(con)
    shares = coverage.layer_shares(coverage.coverage(con))
    return shortlist_from_ranking(scoring.ranking(ind, raw, sub, w, lang=lang, layer_shares=shares), w, top=top,
                                  lang=lang,
                                  pref_codes=pref_codes)


_EXPLORER_IDS = {"anime_sites": "site_id", "filming_locations": "location_id", "film_commissions": "fc_id",
                 "heritage": "property_id"}


def shortlist_from_explorer(data: ExplorerData, filters: Filters, lang: str = "ja", *,
                            ranking: pd.DataFrame | None = None, weights: Weights | None = None,
                            top: int | None = None) -> Shortlist:
    """What the map explorer shows under ``filters``: one row per visible item (anime place, filming
    location, film commission, heritage property, GI product) with its own coordinates, municipality and
    source URL; with ``ranking`` (``scoring.ranking``), each row also gets its municipality's score, rank
    and reason, and ``top`` keeps the best-scored rows."""
    view = explorer.apply_filters(data, filters)
    items = explorer.items_table(view, lang)
    # items_table lists the point layers in this order, then GI products (no point of their own)
    frames = [(k, getattr(view, k)) for k in ("anime_sites", "filming_locations", "film_commissions", "heritage")]
    n_points = sum(len(df) for _, df in frames)
    ids = [f"{k}:{v}" for k, df in frames for v in df[_EXPLORER_IDS[k]].tolist()]
    lon = [v for _, df in frames for v in df["lon"].tolist()]
    lat = [v for _, df in frames for v in df["lat"].tolist()]
    gi_rows = len(items) - n_points
    if gi_rows < 0:  # pragma: no cover - explorer.items_table changed its order or content
        raise ExportError(f"explorer items: expected at least {n_points} rows, found {len(items)}")
    gi = items.iloc[n_points:]
    ids += [f"gi_products:{n}" for n in gi["name"].tolist()]
    lon += [None] * gi_rows
    lat += [None] * gi_rows
    out = pd.DataFrame({
        "item_id": ids, "name": items["name"], "layer": items["layer"], "work": items["work"],
        "municipality": items["municipality"], "pref_name": items["prefecture"],
        "muni_codes": items["muni_code"].map(lambda c: c if isinstance(c, str) else ""),
        "source_urls": items["source_url"], "lon": pd.Series(lon, dtype=float), "lat": pd.Series(lat, dtype=float)})
    if ranking is not None:
        r = ranking.reset_index().set_index("muni_code")
        out["rank"] = out["muni_codes"].map(r["rank"]).astype("Int64")
        out["score"] = out["muni_codes"].map(r["score"]).astype(float)
        out["reason"] = out["muni_codes"].map(r["reason"]).fillna("")
        out = out.sort_values(["score", "rank"], ascending=[False, True], na_position="last", kind="stable")
    if top is not None:
        if top < 1:
            raise ExportError(i18n.t("ex.err.top", "en", n=top)).keyed("ex.err.top", n=top)
        out = out.head(top)
    keys = ["boundaries", "anime_sites", "filming_locations", "film_commissions", "heritage", "gi_products"]
    if ranking is not None:
        keys = list(dict.fromkeys(keys + list(credits_mod.SCORING_SOURCES)))
    notes = [i18n.t("ex.note_filters", lang, filters=describe_filters(filters, lang))]
    w = dict(weights.values) if weights is not None else None
    return Shortlist(table=out.reset_index(drop=True), kind="explorer",
                     title=i18n.t("ex.title_explorer", lang, n=len(out)), lang=lang, weights=w,
                     criteria=criteria_table(w, lang) if w is not None else None,
                     credits=tuple(credits_mod.credits(keys, lang)) + (credits_mod.names_credit(lang),),
                     sources=source_table(keys, lang), notes=tuple(notes))


def describe_filters(filters: Filters, lang: str = "ja") -> str:
    """The explorer filters in words (what a reader of the export needs to reproduce it)."""
    parts = []
    if filters.pref_codes:
        parts.append(f"{i18n.t('f.pref', lang)}: {', '.join([codes.pref_name(c, lang) for c in filters.pref_codes])}")
    if filters.muni_code:
        parts.append(f"{i18n.t('map.muni', lang)}: {filters.muni_code}")
    if filters.work.strip():
        parts.append(f"{i18n.t('f.work', lang)}: {filters.work.strip()}")
    parts.append(f"{i18n.t('f.layers', lang)}: {', '.join(i18n.t(f'layer.{k}', lang) for k in filters.layers)}")
    if filters.edition is not None:
        parts.append(f"{i18n.t('f.edition', lang)}: {filters.edition}")
    if filters.gi_class:
        parts.append(f"{i18n.t('f.gi_class', lang)}: {filters.gi_class}")
    return "; ".join(parts)


def shortlist_from_table(df: pd.DataFrame, *, kind: str, title: str | None = None, lang: str = "ja",  # noqa: C901 (listed in NOTES.md: to split)
                         weights: Weights | Mapping[str, float] | None = None,
                         credits: Sequence[str] | None = None, source_keys: Sequence[str] | None = None,
                         assets: pd.DataFrame | None = None, notes: Sequence[str] = ()) -> Shortlist:
    """A shortlist from a ready DataFrame (a portfolio, the candidate list …).

    Recognised columns: ``name`` (or ``name_<lang>``/``name_ja``), ``muni_codes`` (``;``-joined text or
    lists) or ``muni_code``, and optionally ``item_id`` (or ``candidate_id``), ``rank``, ``score``,
    ``reason``, ``pref_name``, ``source_urls`` (or ``source_url``), ``lon``/``lat``; every other column
    is kept. Credit lines: ``credits`` as given, else those of ``source_keys`` (default: the scoring
    sources). All problems are reported at once.
    """
    problems = []
    if not isinstance(df, pd.DataFrame):
        raise ExportError(f"table: expected a pandas DataFrame, found {type(df).__name__}")
    t = df.copy().reset_index(drop=True)
    if "name" not in t.columns:
        for alt in (f"name_{lang}", "name_ja", "name_en", "label"):
            if alt in t.columns:
                t["name"] = t[alt].where(t[alt].notna() & (t[alt].astype(str) != ""), t.get("name_ja", t[alt]))
                break
        else:
            problems.append(f"column 'name' (or name_{lang}, name_ja): not found in {list(df.columns)}")
    if "muni_codes" not in t.columns:
        if "muni_code" in t.columns:
            t["muni_codes"] = t.pop("muni_code")
        else:
            problems.append(f"column 'muni_codes' (or muni_code): not found in {list(df.columns)}")
    if "muni_codes" in t.columns:
        parsed = [codes.parse_muni_codes(v) for v in t["muni_codes"]]
        t["muni_codes"] = [tuple(good) for good, _ in parsed]
        for i, (_, bad) in enumerate(parsed):
            if bad:
                problems.append(f"row {i + 1}, column 'muni_codes': expected 5-digit municipality codes, found {[i18n.say(b, 'en') for b in bad]}")
    if "item_id" not in t.columns:
        if "candidate_id" in t.columns:
            t["item_id"] = t["candidate_id"].astype(str)
        elif "muni_codes" in t.columns:
            t["item_id"] = t["muni_codes"].map(codes.join_codes)
    if "source_urls" not in t.columns and "source_url" in t.columns:
        t["source_urls"] = t.pop("source_url")
    for c in ("score", "rank"):
        if c in t.columns and not pd.api.types.is_numeric_dtype(t[c]):
            problems.append(f"column {c!r}: expected numbers, found {t[c].dtype}")
    if problems:
        raise ExportError(f"{kind} table: {len(problems)} problem(s)\n  - " + "\n  - ".join(problems))
    if "rank" in t.columns:
        t["rank"] = t["rank"].astype("Int64")
    w = dict(weights.values) if hasattr(weights, "values") and not isinstance(weights, Mapping) else (
        dict(weights) if weights is not None else None)
    keys = list(source_keys) if source_keys is not None else list(credits_mod.SCORING_SOURCES)
    lines = tuple(credits) if credits is not None else tuple(credits_mod.credits(keys, lang))
    default_title = i18n.t(f"ex.src.{kind}", lang) if f"ex.src.{kind}" in i18n.STRINGS else kind
    return Shortlist(table=t, kind=kind, title=title or default_title, lang=lang, weights=w,
                     criteria=criteria_table(w, lang) if w is not None else None, credits=lines,
                     sources=source_table(keys, lang), notes=tuple(notes), assets=assets)


# ------------------------------------------------------------------------------ the register and the portfolio


def candidates_shortlist(ref_con: duckdb.DuckDBPyConnection, cands: pd.DataFrame, linked: pd.DataFrame, *,
                         lang: str = "ja", top: int | None = None, weights: Weights | None = None) -> Shortlist:
    """The candidate list (``candidates.table`` rows, their ``candidates.linked_assets``) as a shortlist:
    every candidate that is not withdrawn, scored as the population-weighted mean of its municipalities,
    best first, with its linked assets and their sources."""
    weights = weights or scoring.Weights()
    cands = candidates.filter_table(cands, candidates.CandidateFilter())
    if cands.empty:
        raise ExportError(i18n.t("cd.export_empty", lang)).keyed("cd.export_empty")
    _, _, sub = contributed_inputs(ref_con)
    pts = pool.municipality_points(ref_con).set_index("muni_code")
    cand_scores = pool.candidate_scores(cands, scoring.score(sub, weights)["score"], pts["population"])
    df = cands.assign(
        item_id=cands["candidate_id"], score=cands["candidate_id"].map(cand_scores),
        status=cands["status"].map(lambda v: domain.label(domain.STATUSES, v, lang)),
        base_type=cands["base_type"].map(lambda v: domain.label(domain.BASE_TYPES, v, lang)),
        source_urls=cands["source_url"])
    df = df.sort_values("score", ascending=False, na_position="last").reset_index(drop=True)
    df["rank"] = df["score"].rank(ascending=False, method="min").astype("Int64")
    if top is not None:
        df = df.head(top)
    catalog = layers.asset_catalog(ref_con)
    assets = linked[linked["item_id"].isin(df["item_id"])].merge(
        catalog.drop(columns="muni_code").drop_duplicates(["layer", "asset_id"]), on=["layer", "asset_id"], how="left")
    df["name"] = df["name_en"].where(df["name_en"].notna() & (lang == "en"), df["name_ja"])
    # canonical keys (headers() gives their labels): a GIS field name must not depend on the language
    table_ = df[["item_id", "rank", "name", "muni_codes", "score", "source_urls", *_CANDIDATE_LABELS]]
    return shortlist_from_table(table_, kind="candidates", lang=lang, weights=weights,
                                assets=assets[["item_id", "layer", "asset_id", "label", "source_url"]])


def result_shortlist(result: portfolio.Result, *, lang: str = "ja", weights: Weights | None = None,
                     top: int | None = None) -> Shortlist:
    """The chosen set of a portfolio ``result`` as a shortlist (fixed bases first, then by score; scores
    in points 0–100), with the constraints used in its notes."""
    chosen = result.table[result.table["selected"]].sort_values(["fixed", "score"], ascending=[False, False])
    chosen = chosen.assign(rank=range(1, len(chosen) + 1),
                           kind=[i18n.t(f"pf.kind.{k}", lang) for k in chosen["kind"]],
                           base_type=[i18n.t(f"pf.type.{b}", lang) if isinstance(b, str) else ""
                                      for b in chosen["base_type"]])
    if top is not None:
        chosen = chosen.head(top)
    keep = ["item_id", "rank", "name", "name_en", "kind", "base_type", "pref_code", "muni_codes", "score", "fixed"]
    c = result.constraints.as_dict()
    return shortlist_from_table(chosen[[k for k in keep if k in chosen]].reset_index(drop=True),
                                kind="portfolio", lang=lang, weights=weights,
                                notes=[f"{result.method} {result.status}; constraints: {c}"])


def _workflow_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The register's candidates and linked assets, read in one visit to the workflow database."""
    with failures.boundary("workflow"):
        work = db.connect_workflow()
        try:
            return candidates.table(work), candidates.linked_assets(work)
        finally:
            work.close()


def contribution_overlay(con: duckdb.DuckDBPyConnection, lang: str = "ja") -> pd.DataFrame:
    """The accepted contributions (``contributions.overlay``) against the reference database ``con``."""
    with failures.boundary("workflow"):
        work = db.connect_workflow()
        try:
            return contributions.overlay(work, con, lang=lang)
        finally:
            work.close()


def contributed_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``scoring.inputs`` with the accepted contributions counted (what the app scores); without them when the
    workflow store cannot be read (a score export does not need the store otherwise)."""
    try:
        overlay = contribution_overlay(con)
    except RevitalizeError:
        overlay = None
    return scoring.inputs(con, contributed=contributions.municipality_counts(overlay))


def _from_score(con, *, lang, top, weights, pref_codes=(), **_):
    return shortlist_from_score(con, weights, top=top, lang=lang, pref_codes=pref_codes)


def _from_explorer(con, *, lang, top, weights, pref_codes=(), filters=None, data=None, **_):
    d = data if data is not None else explorer.with_contributions(explorer.load_data(con),
                                                                  contribution_overlay(con, lang))
    f = filters if filters is not None else Filters(pref_codes=tuple(pref_codes))
    w = weights or scoring.Weights()
    ind, raw, sub = contributed_inputs(con)
    shares = coverage.layer_shares(coverage.coverage(con))
    ranking = scoring.ranking(ind, raw, sub, w, lang=lang, layer_shares=shares)
    return shortlist_from_explorer(d, f, lang, ranking=ranking, weights=w, top=top)


def _from_candidates(con, *, lang, top, weights, **_):
    cands, linked = _workflow_frames()
    return candidates_shortlist(con, cands, linked, lang=lang, top=top, weights=weights)


def _from_portfolio(con, *, lang, top, weights, constraints: portfolio.Constraints | None = None, **_):
    weights = weights or scoring.Weights()
    cands, _ = _workflow_frames()
    chosen = portfolio.solve(pool.portfolio_pool(con, cands, weights), constraints or portfolio.PLANNING_DEFAULTS)
    return result_shortlist(chosen, lang=lang, weights=weights, top=top)


# Every source of an export, by name: (reference connection, *, lang, top, weights, **options) -> Shortlist.
SOURCES: dict[str, Callable[..., Shortlist]] = {
    "score": _from_score, "explorer": _from_explorer, "portfolio": _from_portfolio, "candidates": _from_candidates,
}
SOURCE_KINDS = tuple(SOURCES)


def shortlist_for(kind: str, con: duckdb.DuckDBPyConnection, *, lang: str = "ja", top: int | None = None,
                  weights: Weights | None = None, **options: object) -> Shortlist:
    """The shortlist of a source by name (``SOURCES``). Options by source: ``pref_codes`` (score,
    explorer), ``filters`` and ``data`` (explorer), ``constraints`` (portfolio; default the planning
    defaults, ``portfolio.PLANNING_DEFAULTS``)."""
    if kind not in SOURCES:
        raise ExportError(f"source: expected one of {list(SOURCES)}, found {kind!r}")
    sl = SOURCES[kind](con, lang=lang, top=top, weights=weights, **options)
    return with_coverage(sl, coverage.coverage(con)) if con is not None else sl


def with_coverage(sl: Shortlist, rows: Iterable[coverage.Coverage]) -> Shortlist:
    """``sl`` carrying how complete the curated layers are: the rows (an xlsx sheet, a GeoJSON member) and a
    ``layer_coverage`` column saying, on every row, which layers its counts and score rest on incompletely."""
    rows = tuple(rows)
    note = coverage.property_text(rows, coverage.LAYERS, sl.lang)
    return replace(sl, coverage=rows, table=sl.table.assign(layer_coverage=note))
