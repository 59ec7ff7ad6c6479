"""Validate a built database: counts, code formats, geometry validity, points in place, orphans.

``run_checks`` returns findings; the CLI prints them and exits non-zero when any is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from revitalize.data import coverage, curated, db, spatial

EXPECTED_PREFECTURES = 47
EXPECTED_CENSUS_MUNICIPALITIES = 1741  # incl. Tokyo's 23 special wards (2020 census)
EXPECTED_DISPUTED = 6  # Northern Territories villages coded in N03
# Official totals to print beside the counts: declared once in data/coverage.py (the 2025 split into
# settings and facilities/events is a detail of that edition's total, kept here)
EXPECTED_OFFICIAL = {
    "anime_sites_2025_setting": 124,
    "anime_sites_2025_facility_event": 28,
    "gi_maff_domestic": coverage.EXPECTED[("gi_products", "MAFF")],
    "jfc_members": coverage.EXPECTED[("film_commissions", "jfc_members")],
    "film_commissions_japan": coverage.EXPECTED[("film_commissions", "japan")],
    "nhk_taiga_2000_2026": coverage.EXPECTED[("filming_locations", "nhk_taiga")],
    "nhk_asadora_2000_2026": coverage.EXPECTED[("filming_locations", "nhk_asadora")],
}
# Official entries of each Anime Tourism 88 edition (announcement date; geodata/README.md)
ANIME_EDITIONS = {int(t.part): (t.total, t.as_of) for t in coverage.TOTALS if t.layer == "anime_sites"}


@dataclass(frozen=True)
class Finding:
    """One line of the check: level is 'ok', 'warn' or 'fail'."""

    level: str
    topic: str
    message: str


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(db.sql("schema/table_exists"), [table]).fetchone()[0])


def _count(con: duckdb.DuckDBPyConnection, name: str, params: list | None = None, **identifiers: str) -> int:
    """The single value of statement ``name`` (a file in data/sql/), identifiers quoted by db.sql."""
    return con.execute(db.sql(name, **identifiers), params or []).fetchone()[0]


def _rows(con: duckdb.DuckDBPyConnection, name: str, **identifiers: str) -> list[tuple]:
    return con.execute(db.sql(name, **identifiers)).fetchall()


def check_reference(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Checks of the reference tables."""
    out: list[Finding] = []
    n_pref = _count(con, "check/prefecture_count")
    out.append(Finding("ok" if n_pref == EXPECTED_PREFECTURES else "fail", "prefectures",
                       f"{n_pref} prefectures (expected {EXPECTED_PREFECTURES})"))
    n_muni = _count(con, "check/census_municipality_count")
    n_disp = _count(con, "check/disputed_municipality_count")
    out.append(Finding("ok" if n_muni == EXPECTED_CENSUS_MUNICIPALITIES else "fail", "municipalities",
                       f"{n_muni} census municipalities (expected {EXPECTED_CENSUS_MUNICIPALITIES}) "
                       f"+ {n_disp} disputed (expected {EXPECTED_DISPUTED})"))
    if n_muni == 0:
        return out
    bad_codes = _count(con, "check/malformed_muni_code_count")
    dup = _count(con, "check/duplicate_muni_code_count")
    out.append(Finding("ok" if bad_codes == 0 and dup == 0 else "fail", "codes",
                       f"{bad_codes} malformed municipality codes, {dup} duplicates"))
    invalid = _count(con, "check/invalid_geometry_count")
    out.append(Finding("ok" if invalid == 0 else "fail", "geometry", f"{invalid} invalid municipality geometries"))
    placed = _count(con, "check/census_municipalities_with_polygon_and_point_count")
    lost = _rows(con, "check/municipalities_without_polygon_or_point")
    out.append(Finding("ok" if not lost else "warn", "geometry",
                       f"{placed} of {n_muni} census municipalities have a polygon and a representative point"
                       + (f"; {len(lost)} without (small islands lost by the simplified boundaries): "
                          + ", ".join(r[0] for r in lost) if lost else "")))
    n_all = n_muni + n_disp
    n_fine = _count(con, "check/municipalities_with_outline_count") if _table_exists(con, "municipality_outlines") else 0
    out.append(Finding("ok" if n_fine == n_all else "warn", "geometry",
                       f"{n_fine} of {n_all} municipalities have the finer (1 %) outline for single-municipality maps"))
    n_pop = _count(con, "check/census_2020_municipality_count")
    if n_pop:
        total = _count(con, "check/census_2020_total")
        out.append(Finding("ok" if n_pop == EXPECTED_CENSUS_MUNICIPALITIES else "fail", "population",
                           f"2020 census: {n_pop} municipalities, {total:,} people"))
        orphan = _count(con, "check/population_rows_with_unknown_code")
        out.append(Finding("ok" if orphan == 0 else "fail", "population", f"{orphan} rows with unknown codes"))
    else:
        out.append(Finding("warn", "population", "not loaded"))
    n_tour = _count(con, "check/tourism_municipality_count")
    if n_tour:
        span = con.execute(db.sql("check/tourism_month_span")).fetchone()
        unmatched = _rows(con, "check/tourism_unmatched_codes")
        out.append(Finding("ok", "tourism", f"{n_tour} municipalities with monthly visitors {span[0]}–{span[1]}"))
        if unmatched:
            out.append(Finding("warn", "tourism", f"{len(unmatched)} codes matched no municipality: "
                               + ", ".join(i for i, _ in unmatched[:30])))
    else:
        out.append(Finding("warn", "tourism", "not loaded"))
    n_props = _count(con, "check/heritage_property_count")
    if n_props:
        no_xy = _count(con, "check/heritage_properties_without_coordinates_count")
        flagged = _count(con, "check/heritage_flagged_count")
        unassigned = _count(con, "check/heritage_unassigned_count")
        out.append(Finding("ok", "heritage", f"{_count(con, 'check/heritage_story_count')} stories, "
                                             f"{n_props} properties; {no_xy} without coordinates; {flagged} "
                                             f"flagged (point outside the prefecture named in spot); "
                                             f"{unassigned} without a municipality"))
    else:
        out.append(Finding("warn", "heritage", "not loaded"))
    n_st = _count(con, "check/roadside_station_count")
    if n_st:
        unmatched = _rows(con, "check/roadside_stations_unmatched")
        out.append(Finding("ok" if not unmatched else "warn", "roadside_stations",
                           f"{n_st} stations, {len(unmatched)} unmatched"
                           + (": " + "; ".join(f"{n} ({l})" for n, l in unmatched) if unmatched else "")))
    else:
        out.append(Finding("warn", "roadside_stations", "not loaded"))
    return out


def check_layers(con: duckdb.DuckDBPyConnection, *, tolerance_km: float = spatial.DEFAULT_TOLERANCE_KM
                 ) -> list[Finding]:
    """Checks of the curated layers: counts vs official totals, sources, codes, points in place."""
    out: list[Finding] = []
    for layer in curated.LAYERS:
        table = layer.table
        n = _count(con, "row_count", table=table)
        if n == 0:
            out.append(Finding("warn", layer.key, "no rows loaded"))
            continue
        names = {c.name for c in layer.columns}
        no_source = _count(con, "check/rows_without_source_url", table=table) if "source_url" in names else 0
        orphans = _count(con, "check/rows_with_unknown_muni_code", table=table) if "muni_code" in names else 0
        dup = _count(con, "check/duplicate_id_count", table=table, id=layer.id_column) if layer.id_column else 0
        level = "ok" if no_source == 0 and orphans == 0 and dup == 0 else "fail"
        out.append(Finding(level, layer.key, f"{n} rows; {no_source} without source_url, {orphans} unknown "
                                             f"municipality codes, {dup} duplicate ids"))
        if layer.has_point:
            far = _rows(con, "check/points_outside_municipality", table=table, id=layer.id_column)
            too_far = [r for r in far if r[4] > tolerance_km]
            out.append(Finding("ok" if not too_far else "fail", layer.key,
                               f"{len(far) - len(too_far)} points outside their municipality but within "
                               f"{tolerance_km} km; {len(too_far)} farther"
                               + "".join(f"\n      {r[0]} ({r[1]}) at ({r[2]:.5f}, {r[3]:.5f}): {r[4]:.1f} km"
                                         for r in too_far)))
        by_pref = _rows(con, "check/rows_per_prefecture", table=table) if "pref_code" in names else []
        if by_pref:
            out.append(Finding("ok", layer.key, f"{len(by_pref)} prefectures: "
                               + " ".join(f"{p}:{c}" for p, c in by_pref)))
    out += _official_totals(con)
    return out


def _official_totals(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    out = []
    if _count(con, "row_count", table="anime_sites"):
        setting = _count(con, "check/anime_2025_setting_count")
        fac = _count(con, "check/anime_2025_facility_event_count")
        out.append(Finding("ok", "anime_sites", f"2025 edition: {setting} settings (official "
                           f"{EXPECTED_OFFICIAL['anime_sites_2025_setting']}), {fac} facilities/events (official "
                           f"{EXPECTED_OFFICIAL['anime_sites_2025_facility_event']}); see geodata/README.md"))
        eds = _rows(con, "check/anime_rows_per_edition")
        out.append(Finding("ok", "anime_sites", "rows per edition (known of official, announced): " + ", ".join(
            f"{e}: {c} of {ANIME_EDITIONS[e][0]} ({ANIME_EDITIONS[e][1]})" if e in ANIME_EDITIONS else f"{e}: {c}"
            for e, c in eds)))
        works, dated = _rows(con, "check/anime_works_with_release_count")[0]
        out.append(Finding("ok", "anime_sites", f"{dated} of {works} works have a first-release month"))
    if _count(con, "row_count", table="gi_products"):
        maff = _count(con, "check/gi_maff_in_force_count")
        nta = _count(con, "check/gi_nta_count")
        no_area = _count(con, "check/gi_products_without_area_count")
        out.append(Finding("ok", "gi_products", f"MAFF domestic in force: {maff} (official "
                           f"{EXPECTED_OFFICIAL['gi_maff_domestic']} on 2025-11-17); NTA liquor: {nta}"))
        out.append(Finding("ok" if no_area == 0 else "fail", "gi_areas", f"{no_area} GI products without an area"))
    if _count(con, "row_count", table="film_commissions"):
        jfc = _count(con, "check/jfc_member_count")
        n_fc = _count(con, "row_count", table="film_commissions")
        out.append(Finding("ok", "film_commissions", f"{n_fc} commissions (about "
                           f"{EXPECTED_OFFICIAL['film_commissions_japan']} operate in Japan, trade press 2025-03-31); "
                           f"JFC members: {jfc} (official {EXPECTED_OFFICIAL['jfc_members']} on 2024-07-24)"))
    if _count(con, "row_count", table="filming_locations"):
        rows, works, dated = _rows(con, "check/filming_work_count")[0]
        nhk, awards = _rows(con, "check/filming_documented_sets")[0]
        out.append(Finding("ok", "filming_locations",
                           f"{rows} rows, {works} works ({dated} rows with a year); documented sets as of 2026-12-01: "
                           f"NHK 大河ドラマ and 連続テレビ小説 with broadcast months and a municipality {nhk} of "
                           f"{EXPECTED_OFFICIAL['nhk_taiga_2000_2026'] + EXPECTED_OFFICIAL['nhk_asadora_2000_2026']}"
                           f", ロケーションジャパン大賞 winners {awards} works"))
    return out


def run_checks(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Every check, reference tables first."""
    out = check_reference(con)
    if _table_exists(con, "anime_sites"):
        out += check_layers(con)
    for ds, note in _rows(con, "check/missing_datasets"):
        out.append(Finding("warn", "missing", f"{ds}: {note}"))
    return out
