"""Where candidates sit and how they score, and the selection pool the portfolio chooses from.

A candidate covering several municipalities is placed at its most populous one (``lead_place``) and
scored as the population-weighted mean of its scored municipalities (``candidate_scores``). The pool
is designated bases (fixed in), open candidates and every scored municipality no candidate holds
(as a suggestion). Pure functions on DataFrames, plus ``municipality_points`` and ``portfolio_pool``
which read the reference database.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from revitalize.analysis import scoring
from revitalize.core import codes
from revitalize.core.domain import HOLDING, PIPELINE
from revitalize.data import db

POOL_COLUMNS = ["item_id", "name", "kind", "base_type", "pref_code", "region", "score", "lat", "lon", "fixed"]


def municipality_points(ref_con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """muni_code, pref_code, names, region, lat, lon (a point inside the polygon), population."""
    return ref_con.execute(db.sql("muni_points")).df()


def lead_place(muni_codes: object, points: pd.DataFrame) -> tuple[list[str], pd.Series | None]:
    """(the codes found in ``points``, the row of the most populous of them) — where a candidate is
    placed on maps and in the portfolio. ``points`` is indexed by muni_code."""
    mine = [c for c in codes.muni_codes(muni_codes) if c in points.index]
    if not mine:
        return mine, None
    return mine, points.loc[mine].sort_values("population", ascending=False, na_position="last").iloc[0]


def candidate_scores(cands: pd.DataFrame, muni_scores: pd.Series, population: pd.Series) -> pd.Series:
    """Each candidate's score (``candidates.table`` rows): the population-weighted mean of its scored
    municipalities (``scoring.aggregate_candidates``); candidates with none scored are absent."""
    members = pd.DataFrame(
        [(cid, c) for cid, cs in zip(cands["candidate_id"], cands["muni_codes"], strict=False) for c in codes.muni_codes(cs)],
        columns=["candidate_id", "muni_code"])
    agg = scoring.aggregate_candidates(muni_scores.to_frame("score"), members, population.astype(float))
    return agg["score"]


def covered_municipalities(cands: pd.DataFrame) -> set[str]:
    """Municipality codes held by candidates (``candidates.table`` rows) that are not withdrawn."""
    held = cands[cands["status"].isin(HOLDING)]["muni_codes"]
    return {c for cs in held for c in codes.muni_codes(cs)}


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
    keep = cands[cands["status"].isin(["draft", *PIPELINE, "designated"])]
    rows = []
    if not keep.empty:
        agg = candidate_scores(keep, scores, pts["population"])
        for r in keep.itertuples(index=False):
            mine, lead = lead_place(r.muni_codes, pts)
            if lead is None or r.candidate_id not in agg.index:
                continue  # no scored municipality: cannot be placed or ranked
            rows.append([r.candidate_id, r.name_ja, "designated" if r.status == "designated" else "candidate",
                         r.base_type, lead["pref_code"], lead["region_ja"],
                         100.0 * float(agg.loc[r.candidate_id]), float(lead["lat"]), float(lead["lon"]),
                         r.status == "designated", r.name_en or None, tuple(sorted(mine))])
    covered = covered_municipalities(cands)
    free = scores.dropna()
    free = free[~free.index.isin(list(covered)) & free.index.isin(pts.index)]
    sp = pts.loc[free.index]
    sug = pd.DataFrame({"item_id": "M-" + free.index,
                        "name": [codes.pref_name(p) + n for p, n in zip(sp["pref_code"], sp["name_ja"], strict=False)],
                        "kind": "suggestion", "base_type": pd.NA, "pref_code": sp["pref_code"].to_numpy(),
                        "region": sp["region_ja"].to_numpy(), "score": 100.0 * free.to_numpy(dtype=float),
                        "lat": sp["lat"].to_numpy(dtype=float), "lon": sp["lon"].to_numpy(dtype=float),
                        "fixed": False,
                        "name_en": [f"{e}, {codes.pref_name(p, 'en')}" if isinstance(e, str) and e else None
                                    for p, e in zip(sp["pref_code"], sp["name_en"], strict=False)],
                        "muni_codes": [(c,) for c in sp.index]})
    placed = np.isfinite(sug["lat"]) & np.isfinite(sug["lon"])
    left_out = [(c[2:], "no representative point") for c in sug.loc[~placed, "item_id"]]
    left_out += [(c, "no representative point") for c in scores.dropna().index if c not in pts.index]
    sug = sug[placed]
    out = pd.concat([pd.DataFrame(rows, columns=POOL_COLUMNS + ["name_en", "muni_codes"]), sug], ignore_index=True)
    out["base_type"] = out["base_type"].astype("object").where(out["base_type"].notna(), pd.NA)
    out["fixed"] = out["fixed"].astype(bool)
    out.attrs["left_out"] = left_out
    return out


def portfolio_pool(ref_con: duckdb.DuckDBPyConnection, cands: pd.DataFrame, weights: scoring.Weights, *,
                   inputs: tuple | None = None) -> pd.DataFrame:
    """``pool`` from the reference database and the register's ``cands`` (``candidates.table``).

    ``inputs`` is ``scoring.inputs(ref_con)`` when the caller already has it (read here otherwise)."""
    _, _, sub = inputs if inputs is not None else scoring.inputs(ref_con)
    return pool(scoring.score(sub, weights)["score"], cands, municipality_points(ref_con))
