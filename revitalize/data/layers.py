"""Reading the database into (Geo)DataFrames: any table, indicators, and the app's layer frames."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from revitalize.data import curated, db, sources

CRS = "EPSG:4326"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(db.sql("schema/table_columns"), [table]).fetchall()
    if not rows:
        raise ValueError(f"table: expected an existing table, found {table!r}")
    return rows


def geodataframe(con: duckdb.DuckDBPyConnection, table: str, *, geometry: str = "geom",
                 where_muni: str | None = None) -> gpd.GeoDataFrame:
    """Any table as a GeoDataFrame (EPSG:4326).

    The geometry comes from the ``geometry`` column when the table has one (other geometry columns are
    dropped), else from ``lon``/``lat``, else it is empty. ``where_muni`` keeps one municipality's rows.
    """
    cols = _columns(con, table)  # validates the table name against the catalogue
    names = [c for c, _ in cols]
    geom_cols = [c for c, t in cols if t.upper().startswith("GEOMETRY")]
    plain = [c for c in names if c not in geom_cols]
    wanted = plain + ([geometry] if geometry in geom_cols else [])
    if where_muni is None:
        df = con.execute(db.sql("table_rows", columns=wanted, table=table)).df()
    else:
        if "muni_code" not in names:
            raise ValueError(f"where_muni: table {table!r} has no muni_code column")
        df = con.execute(db.sql("table_rows_of_municipality", columns=wanted, table=table), [where_muni]).df()
    if geometry in geom_cols:  # DuckDB hands GEOMETRY values over as WKB bytes
        geoms = _wkb_geoms(df.pop(geometry))
    elif {"lat", "lon"} <= set(df.columns):
        geoms = shapely.points(df["lon"].astype(float), df["lat"].astype(float))
    else:
        geoms = [None] * len(df)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CRS, index=df.index), crs=CRS)


def _wkb_geoms(values) -> list:
    return list(shapely.from_wkb([None if b is None or b is pd.NA or (isinstance(b, float) and b != b) else bytes(b)
                                  for b in values]))


def outlines(con: duckdb.DuckDBPyConnection) -> gpd.GeoDataFrame:
    """Every municipality (muni_code, name_ja, name_en, pref_code) with its outline for maps of one municipality
    and its surroundings: the finer 1 % outline where the build has one, else the nationwide 0.1 % polygon."""
    if not con.execute(db.sql("schema/table_exists"), ["municipality_outlines"]).fetchone()[0]:
        return geodataframe(con, "municipalities")[["muni_code", "name_ja", "name_en", "pref_code", "geometry"]]
    df = con.execute(db.sql("municipality_outlines")).df()
    return gpd.GeoDataFrame(df.drop(columns="geom"), geometry=gpd.GeoSeries(_wkb_geoms(df["geom"]), crs=CRS,
                                                                            index=df.index), crs=CRS)


def outline(con: duckdb.DuckDBPyConnection, muni_code: str):
    """One municipality's outline (shapely geometry, EPSG:4326) as in :func:`outlines`; None when unknown."""
    if not con.execute(db.sql("schema/table_exists"), ["municipality_outlines"]).fetchone()[0]:
        g = geodataframe(con, "municipalities", where_muni=muni_code).geometry
        return g.iloc[0] if len(g) else None
    row = con.execute(db.sql("municipality_outline"), [muni_code]).fetchone()
    return _wkb_geoms([row[0]])[0] if row else None


def latest_full_visitor_year(con: duckdb.DuckDBPyConnection) -> int | None:
    """The latest year with 12 months of visitor data for most municipalities, or None."""
    row = con.execute(db.sql("latest_full_visitor_year")).fetchone()
    return row[0] if row else None


def municipality_indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per municipality with population, visitors and layer counts (raw units)."""
    year = latest_full_visitor_year(con) or 0
    df = con.execute(db.sql("municipality_indicators"), [year]).df()
    df.attrs["visitor_year"] = year
    return df


def dataset_status(con: duckdb.DuckDBPyConnection | None) -> pd.DataFrame:
    """Every dataset and curated layer: credit, as-of, licence, loaded or missing, row count."""
    loaded: dict[str, tuple[bool, str | None]] = {}
    if con is not None:
        for ds, ok, note in con.execute(db.sql("dataset_loaded")).fetchall():
            loaded[ds] = (ok, note)
    rows = []
    for d in sources.DATASETS:
        ok, note = loaded.get(d.key, (False, "database not built"))
        n = sum(_count(con, t) for t in d.tables) if (con is not None and ok) else 0
        rows.append({"dataset": d.key, "title_ja": d.title_ja, "title_en": d.title_en, "publisher": d.publisher,
                     "as_of": d.as_of, "licence": d.licence, "credit_ja": d.credit_ja, "credit_en": d.credit_en,
                     "url": d.url, "loaded": ok, "rows": n, "note": note, "disables_ja": d.disables_ja,
                     "disables_en": d.disables_en, "kind": "reference"})
    for layer in curated.LAYERS:
        ok, note = loaded.get(layer.key, (False, "database not built"))
        n = _count(con, layer.table) if (con is not None and ok) else 0
        rows.append({"dataset": layer.key, "title_ja": layer.title_ja, "title_en": layer.title_en,
                     "publisher": layer.publisher, "as_of": layer.as_of, "licence": layer.licence,
                     "credit_ja": layer.credit_ja, "credit_en": layer.credit_en, "url": layer.url, "loaded": ok,
                     "rows": n, "note": note, "disables_ja": "", "disables_en": "", "kind": "curated"})
    return pd.DataFrame(rows)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    _columns(con, table)
    return con.execute(db.sql("row_count", table=table)).fetchone()[0]


def load_issues(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Notes the build recorded about the data (unmatched codes, flagged points)."""
    return con.execute(db.sql("load_issues")).df()


def known_municipalities(con: duckdb.DuckDBPyConnection | None) -> set[str] | None:
    """Codes of the reference municipalities, or None when the reference database is unavailable."""
    if con is None:
        return None
    return {c for (c,) in con.execute(db.sql("muni_codes")).fetchall()}


def asset_catalog(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every linkable asset with its municipality: layer, asset_id, label, source_url, muni_code."""
    return con.execute(db.sql("asset_catalog")).df()


def assets_in(catalog: pd.DataFrame, muni_codes: Iterable[str]) -> pd.DataFrame:
    """The assets located in ``muni_codes`` (one row per asset): layer, asset_id, label, source_url."""
    hit = catalog[catalog["muni_code"].isin(set(muni_codes))]
    return hit.drop(columns="muni_code").drop_duplicates(["layer", "asset_id"]).reset_index(drop=True)


def asset_labels(catalog: pd.DataFrame, assets: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """(layer, asset_id, label, source_url) for linked assets; ids not in the catalogue keep an empty label."""
    pairs = pd.DataFrame(list(assets), columns=["layer", "asset_id"])
    known = catalog.drop(columns="muni_code").drop_duplicates(["layer", "asset_id"])
    return pairs.merge(known, on=["layer", "asset_id"], how="left")


def asset_keys(catalog: pd.DataFrame | None, muni_codes: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(layer, asset_id) of every asset in ``muni_codes`` — what a new candidate links by default."""
    if catalog is None:
        return ()
    found = assets_in(catalog, muni_codes)
    return tuple(zip(found["layer"], found["asset_id"], strict=False))


def asset_choices(catalog: pd.DataFrame | None, muni_codes: Iterable[str],
                  linked: Iterable[tuple[str, str]] = ()) -> dict[tuple[str, str], str]:
    """(layer, asset_id) → 'layer: label' for the assets a candidate in ``muni_codes`` may link, plus those
    it links already (labelled by their id when the catalogue does not know them), sorted."""
    found = assets_in(catalog, muni_codes) if catalog is not None else catalog
    labels = {} if found is None else {(r.layer, r.asset_id): f"{r.layer}: {r.label}"
                                       for r in found.itertuples(index=False)}
    for layer, asset_id in linked:
        labels.setdefault((layer, asset_id), f"{layer}: {asset_id}")
    return dict(sorted(labels.items()))


def municipality_labels(points: pd.DataFrame | None, lang: str = "ja") -> dict[str, str]:
    """muni_code → 'code name' (with the English name in English) for pickers and lists."""
    if points is None:
        return {}
    return {r.muni_code: f"{r.muni_code} {r.name_ja}" + (f" / {r.name_en}" if lang == "en" and r.name_en else "")
            for r in points.itertuples(index=False)}
