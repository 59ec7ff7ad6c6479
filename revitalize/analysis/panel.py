"""Thin DuckDB adapter for effect verification: the visitor panel and the municipality codes."""

from __future__ import annotations

import duckdb
import pandas as pd
import shapely

from revitalize.data import db


def visitor_panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Long monthly panel (muni_code, year, month, visitors) from ``tourism_visits``."""
    return con.execute(db.sql("visitor_panel")).df()


def municipalities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """(muni_code, name_ja, name_en) of every municipality."""
    return con.execute(db.sql("effect_municipalities")).df()


def ward_cities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Designated-city ward code → its city's code (visitors are counted for the city)."""
    return dict(con.execute(db.sql("effect_wards")).fetchall())


def neighbours(con: duckdb.DuckDBPyConnection, km: float) -> dict[str, tuple[str, ...]]:
    """Municipality code → the codes whose outline lies within about ``km`` of its own (adjacent ones included).

    The distance is taken in degrees (``km / 100`` °: 1 km ≈ 0.009° of latitude, 0.011° of longitude at 35° N),
    close enough for "adjacent, allowing for the gaps of simplified outlines and narrow straits"; a shapely
    STRtree finds the pairs (DuckDB's ST_DWithin self-join took 10–18 s here, the tree well under a second)."""
    frame = con.execute(db.sql("effect_outlines")).df()
    if frame.empty:
        return {}
    geoms = shapely.from_wkb([bytes(b) for b in frame["wkb"]])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=km / 100.0)
    codes = frame["muni_code"].to_numpy()
    out: dict[str, list[str]] = {}
    for i, j in zip(left, right, strict=False):
        if i != j:
            out.setdefault(str(codes[i]), []).append(str(codes[j]))
    return {k: tuple(sorted(v)) for k, v in out.items()}
