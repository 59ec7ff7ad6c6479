"""Validate a built database: counts, code formats, geometry validity, points in place, orphans.

``run_checks`` returns findings; the CLI prints them and exits non-zero when any is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from revitalize.data import curated, db, spatial

EXPECTED_PREFECTURES = 47
EXPECTED_CENSUS_MUNICIPALITIES = 1741  # incl. Tokyo's 23 special wards (2020 census)
EXPECTED_DISPUTED = 6  # Northern Territories villages coded in N03
EXPECTED_OFFICIAL = {  # official totals to print beside the counts
    "anime_sites_2025_setting": 124,
    "anime_sites_2025_facility_event": 28,
    "gi_maff_domestic": 164,  # registered MAFF GI products as of 2025-11-17
    "jfc_members": 128,  # JFC film commission members as of 2024-07-24
}


@dataclass(frozen=True)
class Finding:
    """One line of the check: level is 'ok', 'warn' or 'fail'."""

    level: str
    topic: str
    message: str


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchone()[0])


def _count(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> int:
    return con.execute(query, params or []).fetchone()[0]


def check_reference(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Checks of the reference tables."""
    out: list[Finding] = []
    n_pref = _count(con, "SELECT count(*) FROM prefectures")
    out.append(Finding("ok" if n_pref == EXPECTED_PREFECTURES else "fail", "prefectures",
                       f"{n_pref} prefectures (expected {EXPECTED_PREFECTURES})"))
    n_muni = _count(con, "SELECT count(*) FROM municipalities WHERE NOT is_disputed")
    n_disp = _count(con, "SELECT count(*) FROM municipalities WHERE is_disputed")
    out.append(Finding("ok" if n_muni == EXPECTED_CENSUS_MUNICIPALITIES else "fail", "municipalities",
                       f"{n_muni} census municipalities (expected {EXPECTED_CENSUS_MUNICIPALITIES}) "
                       f"+ {n_disp} disputed (expected {EXPECTED_DISPUTED})"))
    if n_muni == 0:
        return out
    bad_codes = _count(con, "SELECT count(*) FROM municipalities WHERE NOT regexp_full_match(muni_code, '[0-4][0-9]{4}')")
    dup = _count(con, "SELECT count(*) - count(DISTINCT muni_code) FROM municipalities")
    out.append(Finding("ok" if bad_codes == 0 and dup == 0 else "fail", "codes",
                       f"{bad_codes} malformed municipality codes, {dup} duplicates"))
    invalid = _count(con, "SELECT count(*) FROM municipalities WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)")
    out.append(Finding("ok" if invalid == 0 else "fail", "geometry", f"{invalid} invalid municipality geometries"))
    lost = con.execute("SELECT muni_code || ' ' || name_ja FROM municipalities WHERE geom IS NULL ORDER BY 1"
                       ).fetchall()
    if lost:
        out.append(Finding("warn", "geometry", f"{len(lost)} municipalities have no polygon in the simplified "
                           "boundary file (small islands): " + ", ".join(r[0] for r in lost)))
    n_pop = _count(con, "SELECT count(DISTINCT muni_code) FROM population WHERE year = 2020")
    if n_pop:
        total = _count(con, "SELECT sum(total) FROM population WHERE year = 2020")
        out.append(Finding("ok" if n_pop == EXPECTED_CENSUS_MUNICIPALITIES else "fail", "population",
                           f"2020 census: {n_pop} municipalities, {total:,} people"))
        orphan = _count(con, "SELECT count(*) FROM population p ANTI JOIN municipalities m USING (muni_code)")
        out.append(Finding("ok" if orphan == 0 else "fail", "population", f"{orphan} rows with unknown codes"))
    else:
        out.append(Finding("warn", "population", "not loaded"))
    n_tour = _count(con, "SELECT count(DISTINCT muni_code) FROM tourism_visits")
    if n_tour:
        span = con.execute("SELECT min(year*100+month), max(year*100+month) FROM tourism_visits").fetchone()
        unmatched = con.execute("SELECT item, detail FROM load_issues WHERE dataset = 'tourism' "
                                "AND kind = 'unmatched_code' ORDER BY item").fetchall()
        out.append(Finding("ok", "tourism", f"{n_tour} municipalities with monthly visitors {span[0]}–{span[1]}"))
        if unmatched:
            out.append(Finding("warn", "tourism", f"{len(unmatched)} codes matched no municipality: "
                               + ", ".join(i for i, _ in unmatched[:30])))
    else:
        out.append(Finding("warn", "tourism", "not loaded"))
    n_props = _count(con, "SELECT count(*) FROM heritage_properties")
    if n_props:
        no_xy = _count(con, "SELECT count(*) FROM heritage_properties WHERE lat IS NULL")
        flagged = _count(con, "SELECT count(*) FROM heritage_properties WHERE NOT location_ok AND lat IS NOT NULL")
        unassigned = _count(con, "SELECT count(*) FROM heritage_properties WHERE muni_code IS NULL")
        out.append(Finding("ok", "heritage", f"{_count(con, 'SELECT count(*) FROM heritage_stories')} stories, "
                                             f"{n_props} properties; {no_xy} without coordinates; {flagged} "
                                             f"flagged (point outside the prefecture named in spot); "
                                             f"{unassigned} without a municipality"))
    else:
        out.append(Finding("warn", "heritage", "not loaded"))
    n_st = _count(con, "SELECT count(*) FROM roadside_stations")
    if n_st:
        unmatched = con.execute("SELECT name_ja, location_ja FROM roadside_stations WHERE muni_code IS NULL "
                                "ORDER BY station_id").fetchall()
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
        n = _count(con, f"SELECT count(*) FROM {layer.table}")
        if n == 0:
            out.append(Finding("warn", layer.key, "no rows loaded"))
            continue
        no_source = _count(con, f"SELECT count(*) FROM {layer.table} WHERE coalesce(source_url, '') = ''") \
            if "source_url" in {c.name for c in layer.columns} else 0
        has_muni = "muni_code" in {c.name for c in layer.columns}
        orphans = _count(con, f"SELECT count(*) FROM {layer.table} t WHERE t.muni_code IS NOT NULL AND NOT EXISTS "
                              f"(SELECT 1 FROM municipalities m WHERE m.muni_code = t.muni_code)") if has_muni else 0
        dup = _count(con, f"SELECT count(*) - count(DISTINCT {layer.id_column}) FROM {layer.table}") \
            if layer.id_column else 0
        level = "ok" if no_source == 0 and orphans == 0 and dup == 0 else "fail"
        out.append(Finding(level, layer.key, f"{n} rows; {no_source} without source_url, {orphans} unknown "
                                             f"municipality codes, {dup} duplicate ids"))
        if layer.has_point:
            far = con.execute(db.sql("check_points_outside").format(table=layer.table, id=layer.id_column)
                              ).fetchall()
            too_far = [r for r in far if r[4] > tolerance_km]
            out.append(Finding("ok" if not too_far else "fail", layer.key,
                               f"{len(far) - len(too_far)} points outside their municipality but within "
                               f"{tolerance_km} km; {len(too_far)} farther"
                               + "".join(f"\n      {r[0]} ({r[1]}) at ({r[2]:.5f}, {r[3]:.5f}): {r[4]:.1f} km"
                                         for r in too_far)))
        by_pref = con.execute(f"SELECT pref_code, count(*) FROM {layer.table} GROUP BY ALL ORDER BY 1").fetchall() \
            if "pref_code" in {c.name for c in layer.columns} else []
        if by_pref:
            out.append(Finding("ok", layer.key, f"{len(by_pref)} prefectures: "
                               + " ".join(f"{p}:{c}" for p, c in by_pref)))
    out += _official_totals(con)
    return out


def _official_totals(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    out = []
    if _count(con, "SELECT count(*) FROM anime_sites"):
        setting = _count(con, "SELECT count(*) FROM anime_sites s JOIN anime_site_editions e USING (site_id) "
                              "WHERE e.edition = 2025 AND s.kind = 'setting'")
        fac = _count(con, "SELECT count(*) FROM anime_sites s JOIN anime_site_editions e USING (site_id) "
                          "WHERE e.edition = 2025 AND s.kind <> 'setting'")
        out.append(Finding("ok", "anime_sites", f"2025 edition: {setting} settings (official "
                           f"{EXPECTED_OFFICIAL['anime_sites_2025_setting']}), {fac} facilities/events (official "
                           f"{EXPECTED_OFFICIAL['anime_sites_2025_facility_event']}); see geodata/README.md"))
        eds = con.execute("SELECT edition, count(*) FROM anime_site_editions GROUP BY 1 ORDER BY 1").fetchall()
        out.append(Finding("ok", "anime_sites", "rows per edition: " + ", ".join(f"{e}:{c}" for e, c in eds)))
    if _count(con, "SELECT count(*) FROM gi_products"):
        maff = _count(con, "SELECT count(*) FROM gi_products WHERE registry = 'MAFF' AND coalesce(note, '') "
                           "NOT ILIKE '%取消%' AND coalesce(note, '') NOT ILIKE '%cancel%'")
        nta = _count(con, "SELECT count(*) FROM gi_products WHERE registry = 'NTA'")
        no_area = _count(con, "SELECT count(*) FROM gi_products g WHERE registry <> 'foreign' AND NOT EXISTS "
                              "(SELECT 1 FROM gi_areas a WHERE a.gi_id = g.gi_id)")
        out.append(Finding("ok", "gi_products", f"MAFF domestic in force: {maff} (official "
                           f"{EXPECTED_OFFICIAL['gi_maff_domestic']} on 2025-11-17); NTA liquor: {nta}"))
        out.append(Finding("ok" if no_area == 0 else "fail", "gi_areas", f"{no_area} GI products without an area"))
    if _count(con, "SELECT count(*) FROM film_commissions"):
        jfc = _count(con, "SELECT count(*) FROM film_commissions WHERE jfc_member")
        out.append(Finding("ok", "film_commissions", f"JFC members: {jfc} (official "
                           f"{EXPECTED_OFFICIAL['jfc_members']} on 2024-07-24)"))
    return out


def run_checks(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Every check, reference tables first."""
    out = check_reference(con)
    if _table_exists(con, "anime_sites"):
        out += check_layers(con)
    missing = con.execute("SELECT dataset, note FROM sources WHERE NOT loaded ORDER BY dataset").fetchall()
    for ds, note in missing:
        out.append(Finding("warn", "missing", f"{ds}: {note}"))
    return out
