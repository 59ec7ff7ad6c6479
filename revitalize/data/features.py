"""The reference layers as feature tables for the OGC API (``app/api``): one statement of ``sql/api/`` each.

Every frame has one row per feature, its id in ``id_field``, plain attribute columns and a shapely geometry
column ``geometry`` (EPSG:4326, lon/lat): a polygon read from WKB, or a point from ``lon``/``lat`` (None when
the row has no coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import shapely

from revitalize.data import db


@dataclass(frozen=True)
class FeatureTable:
    """How one collection's rows are read: its statement (``sql/api/<statement>.sql``) and id column."""

    statement: str
    id_field: str
    wkb_column: str | None = None  # the column holding a WKB geometry; else points from lon/lat


TABLES: dict[str, FeatureTable] = {
    "municipalities": FeatureTable("municipalities", "muni_code", wkb_column="geom"),
    "anime_places": FeatureTable("anime_places", "site_id"),
    "filming_locations": FeatureTable("filming_locations", "location_id"),
    "film_commissions": FeatureTable("film_commissions", "fc_id"),
    "gi_products": FeatureTable("gi_products", "feature_id"),
    "heritage": FeatureTable("heritage", "property_id"),
    "roadside_stations": FeatureTable("roadside_stations", "station_id"),
}


def read(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """The features of table ``name`` (a key of :data:`TABLES`) with a ``geometry`` column of shapely objects."""
    spec = TABLES[name]
    df = con.execute(db.sql(f"api/{spec.statement}")).df()
    if spec.wkb_column is not None:
        geoms = [None if b is None or isinstance(b, float) else shapely.from_wkb(bytes(b))
                 for b in df.pop(spec.wkb_column)]
    else:
        lon = pd.to_numeric(df.pop("lon"), errors="coerce")
        lat = pd.to_numeric(df.pop("lat"), errors="coerce")
        ok = lon.notna() & lat.notna()
        geoms = [shapely.Point(x, y) if k else None for x, y, k in zip(lon, lat, ok, strict=False)]
    df["geometry"] = geoms
    return df


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """The build's fingerprint ('' when the database records none): changes whenever the data does."""
    row = con.execute(db.sql("api/data_version")).fetchone()
    return str(row[0]) if row and row[0] is not None else ""
