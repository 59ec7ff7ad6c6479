"""A municipality's profile: what it holds, its trends, its neighbours and the most similar places."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd

from revitalize.data import db, layers

# Indicators that describe a municipality's profile for similarity (log1p for counts and sizes).
SIMILARITY_FEATURES: dict[str, str] = {
    "pop_2020": "log", "pop_change_pct": "raw", "share_65_pct": "raw", "visitors_latest": "log",
    "visitors_per_resident": "log", "anime_sites": "log", "filming_locations": "log", "gi_whole": "log",
    "gi_part": "log", "heritage_properties": "log", "roadside_stations": "log",
}


@dataclass(frozen=True)
class Profile:
    """Everything the profile page shows for one municipality."""

    muni: gpd.GeoDataFrame  # one row; geometry is the finer outline where built (layers.outline)
    indicators: pd.Series
    anime_sites: pd.DataFrame
    filming_locations: pd.DataFrame
    film_commissions: pd.DataFrame
    gi_products: pd.DataFrame
    heritage: pd.DataFrame
    roadside_stations: pd.DataFrame
    population: pd.DataFrame  # year, total, age groups
    visitors: pd.DataFrame  # year, month, visitors


def load(con: duckdb.DuckDBPyConnection, muni_code: str, indicators: pd.DataFrame | None = None) -> Profile:
    """The profile of one municipality. Raises ValueError for an unknown code."""
    muni = layers.geodataframe(con, "municipalities", where_muni=muni_code)
    if muni.empty:
        raise ValueError(f"muni_code: expected a municipality code in the database, found {muni_code!r}")
    # drawn alone, the municipality gets its finer outline (1 %) where the build has one
    muni = muni.set_geometry(gpd.GeoSeries([layers.outline(con, muni_code)], index=muni.index, crs=muni.crs))
    ind = indicators if indicators is not None else layers.municipality_indicators(con)
    row = ind[ind["muni_code"] == muni_code].iloc[0]
    q = lambda name, *params: con.execute(db.sql(f"profile/{name}"), [muni_code, *params]).df()  # noqa: E731
    return Profile(
        muni=muni, indicators=row,
        anime_sites=q("anime_sites"),
        filming_locations=q("filming_locations"),
        film_commissions=q("film_commissions", muni_code[:2]),
        gi_products=q("gi_products"),
        heritage=q("heritage_properties"),
        roadside_stations=q("roadside_stations"),
        population=q("population"),
        visitors=q("visitors"),
    )


def neighbours(con: duckdb.DuckDBPyConnection, muni_code: str, *, within_km: float = 10.0) -> pd.DataFrame:
    """Municipalities within ``within_km`` km (polygon to polygon; 0 for those sharing a border)."""
    if within_km < 0:
        raise ValueError(f"within_km: expected >= 0, found {within_km}")
    return con.execute(db.sql("neighbours"), [muni_code, float(within_km)]).df()


def feature_matrix(indicators: pd.DataFrame) -> pd.DataFrame:
    """Standardised similarity features (z-scores); missing values become 0 (the mean)."""
    out = pd.DataFrame(index=indicators["muni_code"])
    for col, how in SIMILARITY_FEATURES.items():
        v = pd.to_numeric(indicators[col], errors="coerce").astype(float).to_numpy()
        if how == "log":
            v = np.log1p(np.clip(v, 0, None))
        mu, sd = np.nanmean(v), np.nanstd(v)
        z = (v - mu) / sd if sd > 0 else np.zeros_like(v)
        out[col] = np.nan_to_num(z, nan=0.0)
    return out


def most_similar(indicators: pd.DataFrame, muni_code: str, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` municipalities nearest in standardised indicator space (Euclidean), with the distance.

    The disputed Northern Territories villages (no data) are left out.
    """
    pool = indicators[~indicators["is_disputed"].astype(bool)]
    if muni_code not in set(pool["muni_code"]):
        raise ValueError(f"muni_code: expected a municipality with data, found {muni_code!r}")
    x = feature_matrix(pool)
    d = np.sqrt(((x - x.loc[muni_code]) ** 2).sum(axis=1))
    d = d.drop(index=muni_code).sort_values(kind="stable").head(n)
    return (pool.set_index("muni_code").loc[d.index, ["name_ja", "name_en", "pref_name_ja", "pref_name_en"]]
            .assign(distance=d.round(3)).reset_index())
