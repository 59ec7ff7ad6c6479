"""Thin DuckDB adapter for effect verification: the visitor panel and the municipality codes."""

from __future__ import annotations

import duckdb
import pandas as pd

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
