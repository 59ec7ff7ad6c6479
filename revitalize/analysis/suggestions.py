"""Suggested candidates from the scoring.

A suggestion is a municipality — or a cluster of neighbouring municipalities whose polygons touch —
among the best scored that no candidate covers yet. Suggestions are marked as such everywhere and
are never counted as candidates until someone turns one into a draft
(``workflow.candidates.create_from_suggestion``).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from revitalize.analysis import pool, scoring
from revitalize.data import db


def _clusters(order: list[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected groups of ``order`` joined by ``pairs`` (union-find), each in the order of ``order``."""
    parent = {c: c for c in order}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for a, b in pairs:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb, key=order.index)] = min(ra, rb, key=order.index)
    groups: dict[str, list[str]] = {}
    for c in order:
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
            "muni_codes": tuple(group),
            "members": len(group),
            "score": float(agg["score"].iloc[0]),
            "best_member_score": float(free.loc[group, "score"].max()),
            "reason": lead.get("reason", ""),
        })
    out = pd.DataFrame(rows, columns=["suggestion_id", "name_ja", "name_en", "pref_name_ja", "muni_codes", "members",
                                      "score", "best_member_score", "reason"])
    return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def touching_pairs(ref_con: duckdb.DuckDBPyConnection, muni_codes: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of ``muni_codes`` whose polygons touch (from the reference database)."""
    return [tuple(r) for r in ref_con.execute(db.sql("muni_touching"), [sorted(set(muni_codes))]).fetchall()]


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
    pts = pool.municipality_points(ref_con).set_index("muni_code")
    return suggest(ranking, covered, touching_pairs(ref_con, free.index), top_n=top_n,
                   population=pts["population"].astype(float))
