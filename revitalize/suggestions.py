"""Suggested candidates from the scoring, and the selection pool the portfolio chooses from.

A suggestion is a municipality — or a cluster of neighbouring municipalities whose polygons touch —
among the best scored that no candidate covers yet. Suggestions are marked as such everywhere and
are never counted as candidates until someone turns one into a draft (``to_draft``).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np
import pandas as pd

from revitalize import candidates, codes, db, scoring
from revitalize.auth import User
from revitalize.candidates import CandidateData

# Candidates that still hold their municipalities: a withdrawn one frees them for suggestions again.
_HOLDING = ("draft", "applied", "under_review", "shortlisted", "nominated", "designated", "rejected")


def covered_municipalities(cands: pd.DataFrame) -> set[str]:
    """Municipality codes held by candidates (``candidates.table`` rows) that are not withdrawn."""
    held = cands[cands["status"].isin(_HOLDING)]["muni_codes"].fillna("")
    return {c for s in held for c in s.split(";") if c}


def _clusters(codes: list[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected groups of ``codes`` joined by ``pairs`` (union-find), each in the order of ``codes``."""
    parent = {c: c for c in codes}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for a, b in pairs:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb, key=codes.index)] = min(ra, rb, key=codes.index)
    groups: dict[str, list[str]] = {}
    for c in codes:
        groups.setdefault(root(c), []).append(c)
    return list(groups.values())


def suggest(ranking: pd.DataFrame, covered: set[str], pairs: Iterable[tuple[str, str]], *,
            top_n: int = 60, population: pd.Series | None = None) -> pd.DataFrame:
    """Suggestions from the ``top_n`` best-scored municipalities that no candidate covers.

    ``ranking`` is indexed by muni_code with score, name_ja, name_en, pref_name_ja, reason (as
    ``scoring.ranking``); ``pairs`` are touching municipalities. Neighbours among them are merged
    into one suggestion; its score is the population-weighted mean of its members (as for
    candidates). Returns one row per suggestion, best first.
    """
    if top_n < 1:
        raise ValueError(f"top_n: expected >= 1, found {top_n}")
    free = _best_free(ranking, covered, top_n)
    order = list(free.index)
    rows = []
    for group in _clusters(order, pairs):
        lead = free.loc[group[0]]
        members = pd.DataFrame({"candidate_id": "x", "muni_code": group})
        agg = scoring.aggregate_candidates(free[["score"]], members, population)
        names = [free.loc[c, "name_ja"] for c in group]
        rows.append({
            "suggestion_id": "S-" + "-".join(sorted(group)),
            "name_ja": names[0] if len(group) == 1 else f"{names[0]}と周辺（{len(group)}市区町村）",
            "name_en": (lead["name_en"] or lead["name_ja"]) if len(group) == 1
            else f"{lead['name_en'] or lead['name_ja']} and neighbours ({len(group)} municipalities)",
            "pref_name_ja": lead["pref_name_ja"],
            "muni_codes": ";".join(group),
            "members": len(group),
            "score": float(agg["score"].iloc[0]),
            "best_member_score": float(free.loc[group, "score"].max()),
            "reason": lead.get("reason", ""),
        })
    out = pd.DataFrame(rows, columns=["suggestion_id", "name_ja", "name_en", "pref_name_ja", "muni_codes", "members",
                                      "score", "best_member_score", "reason"])
    return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def touching_pairs(ref_con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of ``codes`` whose polygons touch (from the reference database)."""
    return [tuple(r) for r in ref_con.execute(db.sql("muni_touching"), [sorted(set(codes))]).fetchall()]


def municipality_points(ref_con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """muni_code, pref_code, names, region, lat, lon (a point inside the polygon), population."""
    return ref_con.execute(db.sql("muni_points")).df()


def _best_free(ranking: pd.DataFrame, covered: set[str], top_n: int) -> pd.DataFrame:
    """The ``top_n`` best-scored rows of ``ranking`` whose municipality no candidate holds."""
    return ranking[ranking["score"].notna() & ~ranking.index.isin(list(covered))].sort_values(
        "score", ascending=False).head(top_n)


def from_databases(ref_con: duckdb.DuckDBPyConnection, covered: set[str], weights: scoring.Weights, *,
                   top_n: int = 60, lang: str = "ja", inputs: tuple | None = None) -> pd.DataFrame:
    """Suggestions given the municipalities candidates hold (``covered_municipalities``) and the weights.

    ``inputs`` is ``scoring.inputs(ref_con)`` when the caller already has it (read here otherwise).
    """
    ind, raw, sub = inputs if inputs is not None else scoring.inputs(ref_con)
    ranking = scoring.ranking(ind, raw, sub, weights, lang=lang)
    free = _best_free(ranking, covered, top_n)
    pts = municipality_points(ref_con).set_index("muni_code")
    return suggest(ranking, covered, touching_pairs(ref_con, free.index), top_n=top_n,
                   population=pts["population"].astype(float))


def to_draft(work_con: duckdb.DuckDBPyConnection, user: User, suggestion: pd.Series, *, fiscal_year: int,
             catalog: pd.DataFrame | None = None, base_type: str = "tourism",
             known_munis: set[str] | None = None) -> str:
    """Turn a suggestion into a draft candidate (its assets linked from ``catalog``); returns the new id."""
    munis = tuple(c for c in str(suggestion["muni_codes"]).split(";") if c)
    assets = ()
    if catalog is not None:
        found = candidates.assets_in(catalog, munis)
        assets = tuple(zip(found["layer"], found["asset_id"]))
    data = CandidateData(name_ja=str(suggestion["name_ja"]), name_en=str(suggestion.get("name_en") or ""),
                         base_type=base_type, fiscal_year=fiscal_year, muni_codes=munis, assets=assets,
                         summary=f"スコアからの提案 {suggestion['suggestion_id']} を下書きにしたもの"
                                 f" / drafted from suggestion {suggestion['suggestion_id']}")
    return candidates.create(work_con, user, data, origin="suggestion", known_munis=known_munis)


POOL_COLUMNS = ["item_id", "name", "kind", "base_type", "pref_code", "region", "score", "lat", "lon", "fixed"]


def pool(scores: pd.Series, cands: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """The portfolio's selection pool: designated bases (fixed), open candidates, and every scored
    municipality no candidate holds (as a suggestion).

    ``scores`` is the municipality score (0–1) by muni_code; ``cands`` is ``candidates.table``;
    ``points`` is ``municipality_points``. Pool scores are points 0–100 (score × 100). A candidate's
    score is the population-weighted mean of its members' scores; its place is the point of its most
    populous member (whose prefecture and region it takes). Municipalities that cannot be placed (no
    point: a few small islands) are listed in ``attrs["left_out"]`` as (code, reason).
    """
    pts = points.set_index("muni_code")
    keep = cands[cands["status"].isin(["draft", *candidates.PIPELINE, "designated"])]
    rows = []
    if not keep.empty:
        agg = candidates.scores(keep, scores, pts["population"])
        for r in keep.itertuples(index=False):
            mine, lead = candidates.lead_place(r.muni_codes, pts)
            if lead is None or r.candidate_id not in agg.index:
                continue  # no scored municipality: cannot be placed or ranked
            rows.append([r.candidate_id, r.name_ja, "designated" if r.status == "designated" else "candidate",
                         r.base_type, lead["pref_code"], lead["region_ja"],
                         100.0 * float(agg.loc[r.candidate_id]), float(lead["lat"]), float(lead["lon"]),
                         r.status == "designated", r.name_en or None, ";".join(sorted(mine))])
    covered = covered_municipalities(cands)
    free = scores.dropna()
    free = free[~free.index.isin(list(covered)) & free.index.isin(pts.index)]
    sp = pts.loc[free.index]
    prefs = {c: (ja, en) for c, ja, en, *_ in codes.PREFECTURES}
    sug = pd.DataFrame({"item_id": "M-" + free.index, "name": [prefs[p][0] + n for p, n in zip(sp["pref_code"],
                                                                                             sp["name_ja"])],
                        "kind": "suggestion", "base_type": pd.NA, "pref_code": sp["pref_code"].to_numpy(),
                        "region": sp["region_ja"].to_numpy(), "score": 100.0 * free.to_numpy(dtype=float),
                        "lat": sp["lat"].to_numpy(dtype=float), "lon": sp["lon"].to_numpy(dtype=float),
                        "fixed": False,
                        "name_en": [f"{e}, {prefs[p][1]}" if isinstance(e, str) and e else None
                                    for p, e in zip(sp["pref_code"], sp["name_en"])],
                        "muni_codes": sp.index.to_numpy()})
    placed = np.isfinite(sug["lat"]) & np.isfinite(sug["lon"])
    left_out = [(c[2:], "no representative point") for c in sug.loc[~placed, "item_id"]]
    left_out += [(c, "no representative point") for c in scores.dropna().index if c not in pts.index]
    sug = sug[placed]
    out = pd.concat([pd.DataFrame(rows, columns=POOL_COLUMNS + ["name_en", "muni_codes"]), sug], ignore_index=True)
    out["base_type"] = out["base_type"].astype("object").where(out["base_type"].notna(), pd.NA)
    out["fixed"] = out["fixed"].astype(bool)
    out.attrs["left_out"] = left_out
    return out


def portfolio_pool(ref_con: duckdb.DuckDBPyConnection, work_con: duckdb.DuckDBPyConnection,
                   weights: scoring.Weights) -> pd.DataFrame:
    """``pool`` from the databases with the given weights."""
    ind, raw, sub = scoring.inputs(ref_con)
    scores = scoring.score(sub, weights)["score"]
    return pool(scores, candidates.table(work_con), municipality_points(ref_con))
