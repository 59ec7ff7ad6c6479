"""A tiny synthetic reference database: six municipalities in two prefectures, their population,
36 months of visitors and a few points of every curated layer. Built with the real migrations, so the
package reads it exactly as it reads the national database; no file of ../shared/data is needed.

Every value here is made up for tests (not facts): names are real place names only so that the
Japanese labels look like the app's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from revitalize.data import curated, db, sources

# (muni_code, pref_code, name_ja, name_en, kind, (x0, y0, x1, y1)) — boxes in degrees
MUNICIPALITIES = (
    ("01100", "01", "札幌市", "Sapporo City", "designated_city", (141.2, 43.0, 141.4, 43.1)),
    ("01202", "01", "函館市", "Hakodate City", "city", (140.6, 41.7, 140.9, 41.9)),
    ("01236", "01", "北斗市", "Hokuto City", "city", (140.4, 41.7, 140.6, 41.9)),
    ("13101", "13", "千代田区", "Chiyoda City", "special_ward", (139.7, 35.6, 139.8, 35.7)),
    ("13102", "13", "中央区", "Chuo City", "special_ward", (139.8, 35.6, 139.9, 35.7)),
    ("13308", "13", "奥多摩町", "Okutama Town", "town", (139.0, 35.7, 139.1, 35.8)),
)
PREFECTURES = (("01", "北海道", "Hokkaido", "北海道", "Hokkaido", (140.0, 41.0, 142.0, 44.0)),
               ("13", "東京都", "Tokyo", "関東", "Kanto", (138.9, 35.5, 140.0, 35.9)))
POPULATION = {"01100": (1952356, 1973395), "01202": (265979, 251084), "01236": (46390, 44301),
              "13101": (58406, 66680), "13102": (141183, 169179), "13308": (5177, 4750)}
MONTHLY = {"01100": 900_000, "01202": 400_000, "01236": 40_000, "13101": 2_000_000, "13102": 1_500_000,
           "13308": 60_000}


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def make(path: Path | str) -> Path:
    """Write the fixture database at ``path`` (replacing it) and return the path."""
    path = Path(path)
    path.unlink(missing_ok=True)
    con = db.connect(path)
    try:
        _fill(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    for code, ja, en, rja, ren, b in PREFECTURES:
        con.execute("INSERT INTO prefectures VALUES (?, ?, ?, ?, ?, ST_GeomFromText(?))",
                    [code, ja, en, rja, ren, _box(*b)])
    for code, pref, ja, en, kind, b in MUNICIPALITIES:
        con.execute("INSERT INTO municipalities (muni_code, pref_code, name_ja, name_en, kind, is_disputed, geom, "
                    "area_km2) VALUES (?, ?, ?, ?, ?, false, ST_GeomFromText(?), 100.0)",
                    [code, pref, ja, en, kind, _box(*b)])
    con.execute("UPDATE municipalities SET centroid = ST_Centroid(geom), inner_point = ST_PointOnSurface(geom)")
    for code, (p2015, p2020) in POPULATION.items():
        for year, total in ((2015, p2015), (2020, p2020)):
            con.execute("INSERT INTO population VALUES (?, ?, ?, ?, ?, ?)",
                        [code, year, total, total // 10, total * 6 // 10, total * 3 // 10])
    rows = []
    for code, base in MONTHLY.items():
        for year in (2023, 2024, 2025):
            for month in range(1, 13):
                season = 1.3 if month in (7, 8) else 1.0
                rows.append([code, year, month, int(base * season * (1 + 0.05 * (year - 2023)))])
    con.executemany("INSERT INTO tourism_visits VALUES (?, ?, ?, ?)", rows)
    con.execute("INSERT INTO anime_sites (site_id, work_title_ja, place_name_ja, pref_code, muni_code, "
                "location_precision, kind, editions, latest_edition, source_url, as_of, lat, lon) VALUES "
                "('ANI-T1', 'テスト作品<b>', '函館の坂', '01', '01202', 'municipality', 'setting', '2025;2026', 2026, "
                "'https://example.org/anime', DATE '2026-01-24', 41.8, 140.75), "
                "('ANI-T2', '別の作品', '千代田の聖地', '13', '13101', 'municipality', 'setting', '2019', 2019, "
                "'https://example.org/anime2', DATE '2019-08-26', 35.65, 139.75)")
    con.execute("INSERT INTO anime_site_editions VALUES ('ANI-T1', 2025), ('ANI-T1', 2026), ('ANI-T2', 2019)")
    con.execute("INSERT INTO filming_locations (location_id, work_title_ja, work_type, release_year, place_name_ja, "
                "pref_code, muni_code, location_precision, source_url, lat, lon) VALUES "
                "('FLM-T1', 'テスト映画', 'film', 2010, '函館の港', '01', '01202', 'municipality', "
                "'https://example.org/film', 41.75, 140.7)")
    # effect events (issue 12): a work's first airing at 函館 and a drama broadcast at 中央区
    con.execute("UPDATE anime_sites SET first_released_on = DATE '2024-04-01', "
                "release_source_url = 'https://example.org/release' WHERE site_id = 'ANI-T1'")
    con.execute("INSERT INTO filming_locations (location_id, work_title_ja, work_type, release_year, place_name_ja, "
                "pref_code, muni_code, location_precision, source_url, lat, lon, broadcast_start, broadcast_end) "
                "VALUES ('FLM-T2', 'テスト朝ドラ', 'drama', 2024, '中央の通り', '13', '13102', 'municipality', "
                "'https://example.org/drama', 35.65, 139.85, DATE '2024-10-01', DATE '2025-03-01')")
    con.execute("INSERT INTO film_commissions (fc_id, name_ja, level, pref_code, muni_code, source_url, "
                "location_precision, lat, lon) VALUES ('FC-T1', 'テストFC', 'municipality', '01', '01202', "
                "'https://example.org/fc', 'municipality', 41.8, 140.8)")
    con.execute("INSERT INTO gi_products (gi_id, registry, reg_number, name_ja, source_url) VALUES "
                "('MAFF-T1', 'MAFF', 1, 'テスト昆布', 'https://example.org/gi')")
    con.execute("INSERT INTO gi_areas VALUES ('MAFF-T1', '01202', 'whole', NULL), ('MAFF-T1', '01236', 'part', NULL)")
    con.execute("INSERT INTO heritage_stories (story_id, name_ja, url) VALUES (1, 'テストの物語', 'https://example.org/h')")
    con.execute("INSERT INTO heritage_properties (property_id, story_id, name_ja, lat, lon, url, muni_code, "
                "location_ok) VALUES (1, 1, '古い蔵', 41.78, 140.72, 'https://example.org/hp', '01202', true)")
    con.execute("INSERT INTO roadside_stations (station_id, pref_code, name_ja, muni_code) VALUES "
                "('RS-T1', '01', '道の駅テスト', '01236')")
    keys = [d.key for d in sources.DATASETS] + [layer.key for layer in curated.LAYERS]
    con.executemany("INSERT INTO sources (dataset, loaded, note) VALUES (?, true, 'synthetic test fixture')",
                    [[k] for k in keys])
    con.execute("INSERT INTO build_info VALUES ('fingerprint', 'fixture'), ('missing', '{}')")
