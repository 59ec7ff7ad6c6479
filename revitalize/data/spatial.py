"""Spatial building blocks done in DuckDB: assigning points to municipalities."""

from __future__ import annotations

import duckdb
import pandas as pd

from revitalize.data import db

# The simplified (0.1 %) boundaries cut corners off coasts: points this close are still assigned.
DEFAULT_TOLERANCE_KM = 2.0


def assign_municipalities(
    con: duckdb.DuckDBPyConnection,
    points: pd.DataFrame,
    *,
    key: str = "id",
    lon: str = "lon",
    lat: str = "lat",
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> pd.DataFrame:
    """Assign each point to the municipality containing it, else the nearest within a tolerance.

    Parameters
    ----------
    con : a connection with the ``municipalities`` table.
    points : a frame with a unique ``key`` column and lon/lat columns in degrees (EPSG:4326).
    tolerance_km : points outside every polygon but within this distance (km, in JGD2011 / UTM 53N)
        of one are assigned to the nearest.

    Returns
    -------
    DataFrame with columns ``key``, ``muni_code`` (None when none is close enough) and
    ``distance_km`` (0 inside; None when unassigned), one row per input point, in input order.
    """
    missing = [c for c in (key, lon, lat) if c not in points.columns]
    if missing:
        raise ValueError(f"points: expected columns {missing}, found {list(points.columns)}")
    if tolerance_km < 0:
        raise ValueError(f"tolerance_km: expected >= 0, found {tolerance_km}")
    pts = pd.DataFrame({"k": points[key].to_numpy(), "lon": points[lon].astype(float).to_numpy(),
                        "lat": points[lat].astype(float).to_numpy()})
    con.register("_assign_points", pts)
    try:
        out = con.execute(db.sql("assign_municipalities"), [tolerance_km / 50.0, tolerance_km]).df()
    finally:
        con.unregister("_assign_points")
    out = pts[["k"]].merge(out, on="k", how="left").rename(columns={"k": key})
    out["muni_code"] = out["muni_code"].astype(object).where(out["muni_code"].notna(), None)
    return out[[key, "muni_code", "distance_km"]]
