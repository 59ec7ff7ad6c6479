"""Building the database from the reference mirror: real figures, idempotence, all-or-nothing."""

import shutil

import pandas as pd
import pytest

from revitalize.core.errors import DataUnavailableError, HashMismatchError, InputError
from revitalize.data import build, check, db


def test_real_figures(con):
    one = lambda q, *p: con.execute(q, list(p)).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM prefectures") == 47
    assert one("SELECT count(*) FROM municipalities WHERE NOT is_disputed") == 1741
    assert one("SELECT count(*) FROM municipalities WHERE is_disputed") == 6
    assert one("SELECT count(*) FROM municipalities WHERE muni_code LIKE '131%' AND kind = 'special_ward'") == 23
    assert one("SELECT total FROM population WHERE muni_code = '01100' AND year = 2020") == 1973395
    assert one("SELECT total FROM population WHERE muni_code = '01100' AND year = 2015") == 1952356
    assert one("SELECT sum(total) FROM population WHERE year = 2020") == 126146099
    assert one("SELECT count(DISTINCT year) FROM population") == 9
    assert one("SELECT count(*) FROM wards") == 175  # the wards of Japan's 20 designated cities
    assert one("SELECT count(DISTINCT muni_code) FROM wards") == 20


def test_codes_are_five_character_text(con):
    bad = con.execute("SELECT count(*) FROM municipalities WHERE length(muni_code) <> 5 "
                      "OR NOT regexp_full_match(muni_code, '[0-9]{5}')").fetchone()[0]
    assert bad == 0
    assert con.execute("SELECT name_ja FROM municipalities WHERE muni_code = '01202'").fetchone()[0] == "函館市"


def test_readings_and_english_names(con):
    row = con.execute("SELECT name_kana, name_en FROM municipalities WHERE muni_code = '01100'").fetchone()
    assert row == ("さっぽろし", "Sapporo City")
    assert con.execute("SELECT count(name_kana) FROM municipalities WHERE NOT is_disputed").fetchone()[0] == 1741


def test_tourism_wards_roll_up_to_their_city(con, mirror):
    raw = pd.read_csv(mirror / "tourism" / "all.csv", dtype=str, encoding="utf-8-sig")
    raw = raw[raw["month"] == "202401"]
    codes = raw["lgcode"].str.zfill(5)
    sapporo_wards = raw[codes.str.match(r"^011(0[1-9]|10)$")]["n"].astype(int).sum()
    got = con.execute("SELECT visitors FROM tourism_visits WHERE muni_code = '01100' AND year = 2024 AND month = 1"
                      ).fetchone()[0]
    assert got == sapporo_wards > 0


def test_tourism_unmatched_codes_are_reported_not_lost(con):
    n_rows = con.execute("SELECT count(*) FROM load_issues WHERE dataset = 'tourism' AND kind = 'unmatched_code'"
                         ).fetchone()[0]
    skipped = con.execute("SELECT item FROM load_issues WHERE kind = 'placeholder_rows_skipped'").fetchone()[0]
    assert n_rows == 0  # Hamamatsu's 2024 wards (22138–22140) roll up to 22130
    assert int(skipped) > 0
    ham = con.execute("SELECT count(*) FROM tourism_visits WHERE muni_code = '22130' AND year = 2025").fetchone()[0]
    assert ham == 12


def test_heritage_points_assigned_and_flagged(con):
    one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM heritage_properties") == 4539
    # 旧弘道館 lies in 水戸市 (08201)
    assert one("SELECT muni_code FROM heritage_properties WHERE name_ja = '旧弘道館'") == "08201"
    # a flagged point keeps its row and gets its municipality from the spot text
    r = con.execute("SELECT location_ok, muni_code, spot_muni_code FROM heritage_properties "
                    "WHERE name_ja = '日田市豆田町重要伝統的建造物群保存地区'").fetchone()
    assert r == (False, "44204", "44204")


def test_roadside_stations_matched_within_prefecture(con):
    assert con.execute("SELECT count(*) FROM roadside_stations").fetchone()[0] == 1231
    unmatched = con.execute("SELECT count(*) FROM roadside_stations WHERE muni_code IS NULL").fetchone()[0]
    assert unmatched <= 2
    assert con.execute("SELECT muni_code FROM roadside_stations WHERE name_ja = '三笠'").fetchone()[0] == "01222"


def test_sources_table_has_credit_for_every_dataset(con):
    rows = con.execute("SELECT dataset, credit_ja, credit_en, loaded FROM sources").fetchall()
    assert {r[0] for r in rows} >= {"boundaries", "population", "tourism", "heritage", "michi_no_eki", "anime_sites"}
    assert all(r[1] and r[2] and r[3] for r in rows)


def test_check_passes_on_the_real_database(con):
    findings = check.run_checks(con)
    assert [f for f in findings if f.level == "fail"] == []
    assert any("126,146,099" in f.message for f in findings)


def test_build_is_idempotent(built_db, tmp_path, mirror, monkeypatch):
    monkeypatch.setenv("REVITALIZE_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("REVITALIZE_CACHE", str(tmp_path / "c"))
    copy = tmp_path / "again.duckdb"
    shutil.copy(built_db, copy)
    r = build.build(copy)
    c = db.connect(copy, read_only=True)
    assert c.execute("SELECT count(*) FROM municipalities").fetchone()[0] == r.counts["municipalities"] == 1747
    assert c.execute("SELECT count(*) FROM population").fetchone()[0] == 15669
    c.close()


def _counts(path):
    c = db.connect(path, read_only=True)
    out = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("municipalities", "population",
                                                                            "anime_sites")}
    c.close()
    return out


@pytest.fixture()
def db_copy(built_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_db, copy)
    return copy


@pytest.fixture()
def broken_mirror(mirror, tmp_path, monkeypatch):
    fake = tmp_path / "mirror"
    shutil.copytree(mirror, fake)
    for p in fake.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    monkeypatch.setenv("REVITALIZE_DATA_MIRROR", str(fake))
    monkeypatch.setenv("REVITALIZE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("REVITALIZE_OFFLINE", "1")
    return fake


def test_corrupted_download_leaves_database_untouched(db_copy, broken_mirror):
    before = _counts(db_copy)
    f = broken_mirror / "heritage" / "japan-heritage_props_detail.csv"
    f.write_bytes(f.read_bytes() + b"\n")
    with pytest.raises(HashMismatchError, match="heritage"):
        build.build(db_copy)
    assert _counts(db_copy) == before


def test_missing_file_leaves_database_untouched(db_copy, broken_mirror):
    before = _counts(db_copy)
    (broken_mirror / "michi_no_eki" / "stations.json").unlink()
    with pytest.raises(DataUnavailableError, match="michi_no_eki"):
        build.build(db_copy)
    assert _counts(db_copy) == before


def test_changed_header_leaves_database_untouched(db_copy, broken_mirror, monkeypatch):
    """A file with the right hash cannot change, so the header test swaps the registry entry's hash."""
    from revitalize.data import sources

    f = broken_mirror / "tourism" / "all.csv"
    f.write_text(f.read_text(encoding="utf-8-sig").replace("month,lgcode,n", "month,code,n", 1), encoding="utf-8")
    ref = sources.FILES_BY_NAME["tourism_all_csv"]
    patched = sources.ReferenceFile(ref.name, ref.folder, ref.file_name, sources.sha256_of(f), ref.url)
    monkeypatch.setitem(sources.FILES_BY_NAME, "tourism_all_csv", patched)
    before = _counts(db_copy)
    with pytest.raises(InputError) as exc:
        build.build(db_copy)
    assert "all.csv" in str(exc.value) and "lgcode" in str(exc.value)
    assert _counts(db_copy) == before


def test_allow_missing_builds_what_is_there_and_records_the_rest(tmp_path, broken_mirror):
    (broken_mirror / "population" / "census_1980_2020_municipal.csv").unlink()
    target = tmp_path / "partial.duckdb"
    report = build.build(target, allow_missing=True)
    assert "population" in report.missing and "boundaries" in report.loaded
    c = db.connect(target, read_only=True)
    assert c.execute("SELECT loaded FROM sources WHERE dataset = 'population'").fetchone()[0] is False
    assert c.execute("SELECT count(*) FROM municipalities").fetchone()[0] == 1747
    c.close()


def test_needs_build_tracks_inputs(db_copy, broken_mirror, monkeypatch):
    from revitalize.data import build as b

    monkeypatch.setattr(b, "fingerprint", lambda: "stale")
    assert b.needs_build(db_copy)
    assert b.needs_build(db_copy.parent / "absent.duckdb")


def test_migrations_are_recorded_and_idempotent(tmp_path):
    c = db.connect(tmp_path / "m.duckdb")
    latest = max(v for v, _, _ in db.migrations())
    assert db.schema_version(c) == latest
    assert db.migrate(c) == []  # nothing pending the second time
    c.close()


def test_transaction_rolls_back_on_error(tmp_path):
    c = db.connect(":memory:")
    c.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        with db.transaction(c):
            c.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    assert c.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_a_build_with_missing_datasets_is_retried_when_online(tmp_path, monkeypatch):
    monkeypatch.setenv("REVITALIZE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("REVITALIZE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("REVITALIZE_OFFLINE", "1")
    path = tmp_path / "partial.duckdb"
    build.build(path, allow_missing=True)
    assert not build.needs_build(path)  # offline: nothing new can be had
    monkeypatch.delenv("REVITALIZE_OFFLINE")
    assert build.needs_build(path)  # online: try the downloads again


# ------------------------------------------------------------ boundaries: all 1,741 municipalities (issue 14)

LOST_IN_S0001 = ("13362", "13402", "31384", "38356", "44322", "47354", "47355", "47356")


def test_every_municipality_has_a_polygon_and_a_point_inside_it(con):
    one = lambda q, *p: con.execute(q, list(p)).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM municipalities WHERE NOT is_disputed AND geom IS NOT NULL "
               "AND inner_point IS NOT NULL AND ST_Contains(geom, inner_point)") == 1741
    assert one("SELECT count(*) FROM municipalities WHERE geom IS NULL OR inner_point IS NULL") == 0
    # 利島村 is one small island south of 大島 (about 139.28 E, 34.52 N)
    lon, lat, kind = con.execute("SELECT ST_X(inner_point), ST_Y(inner_point), ST_GeometryType(geom) "
                                 "FROM municipalities WHERE muni_code = '13362'").fetchone()
    assert 139.25 < lon < 139.31 and 34.50 < lat < 34.55 and kind == "POLYGON"


def test_the_lost_polygons_come_from_the_finer_files_and_are_reported(con):
    filled = con.execute("SELECT item FROM load_issues WHERE kind = 'polygon_from_finer_file' ORDER BY item"
                         ).fetchall()
    assert tuple(r[0] for r in filled) == LOST_IN_S0001
    same = con.execute("SELECT count(*) FROM municipalities m JOIN municipality_outlines o USING (muni_code) "
                       "WHERE list_contains(?, muni_code) AND ST_Equals(m.geom, o.geom)", [list(LOST_IN_S0001)]
                       ).fetchone()[0]
    assert same == 8


def test_every_municipality_has_a_finer_outline_with_designated_cities_dissolved(con):
    one = lambda q, *p: con.execute(q, list(p)).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM municipality_outlines") == 1747
    assert one("SELECT count(DISTINCT muni_code) FROM municipality_outlines") == 1747
    assert one("SELECT count(*) FROM municipality_outlines WHERE NOT ST_IsValid(geom)") == 0
    # 札幌市 is its ten wards dissolved: one outline holding every ward's inner point, about their total area
    ward_area, city_area, inside = con.execute(
        "SELECT sum(ST_Area(w.geom)), any_value(ST_Area(o.geom)), bool_and(ST_Contains(o.geom, "
        "ST_PointOnSurface(w.geom))) FROM wards w JOIN municipality_outlines o USING (muni_code) "
        "WHERE muni_code = '01100'").fetchone()
    assert inside and city_area == pytest.approx(ward_area, rel=0.02)
    assert one("SELECT ST_NumGeometries(geom) FROM municipality_outlines WHERE muni_code = '01100'") == 1
    # finer: more vertices than the nationwide polygon, the same place
    coarse, fine, overlap = con.execute(
        "SELECT ST_NPoints(m.geom), ST_NPoints(o.geom), ST_Area(ST_Intersection(m.geom, o.geom)) / ST_Area(m.geom) "
        "FROM municipalities m JOIN municipality_outlines o USING (muni_code) WHERE muni_code = '01202'").fetchone()
    assert fine > 2 * coarse and overlap > 0.9


def test_a_point_on_a_lost_island_is_placed_on_it(con):
    """座間味村's filming location (municipality precision) sits on 座間味村, not at Okinawa's inner point."""
    inside = con.execute("SELECT bool_and(ST_Intersects(m.geom, f.geom)), count(*) FROM filming_locations f "
                         "JOIN municipalities m USING (muni_code) WHERE f.muni_code IN ('47354', '47355')").fetchone()
    assert inside == (True, 2)


def test_check_reports_every_municipality_placed(con):
    msgs = [f.message for f in check.run_checks(con) if f.topic == "geometry"]
    assert "1741 of 1741 census municipalities have a polygon and a representative point" in msgs
    assert "1747 of 1747 municipalities have the finer (1 %) outline for single-municipality maps" in msgs


def test_without_the_finer_files_the_build_says_so_and_keeps_going_with_allow_missing(tmp_path, broken_mirror):
    (broken_mirror / "boundaries" / "s0010" / "N03-21_13_210101.json").unlink()
    with pytest.raises(DataUnavailableError, match="boundaries_fine"):
        build.build(tmp_path / "strict.duckdb")
    target = tmp_path / "partial.duckdb"
    report = build.build(target, allow_missing=True)
    assert "boundaries_fine" in report.missing and "boundaries" in report.loaded
    c = db.connect(target, read_only=True)
    try:
        assert c.execute("SELECT loaded FROM sources WHERE dataset = 'boundaries_fine'").fetchone()[0] is False
        assert c.execute("SELECT count(*) FROM municipality_outlines").fetchone()[0] == 0
        lost = c.execute("SELECT muni_code FROM municipalities WHERE geom IS NULL ORDER BY 1").fetchall()
        assert tuple(r[0] for r in lost) == LOST_IN_S0001  # as before the finer files: nothing else breaks
        findings = check.run_checks(c)
        assert not [f for f in findings if f.level == "fail"]
        placed = [f for f in findings if "have a polygon and a representative point" in f.message][0]
        assert placed.level == "warn" and "1733 of 1741" in placed.message and "13362 利島村" in placed.message
        assert any(f.topic == "missing" and "boundaries_fine" in f.message for f in findings)
    finally:
        c.close()


def test_check_prints_each_layer_against_its_documented_total(con):
    from revitalize.data import check

    text = "\n".join(f.message for f in check.run_checks(con))
    assert "2026: 174 of 175 (2026-02-13)" in text and "2025: 152 of 152 (2025-01-24)" in text
    assert "works have a first-release month" in text
    assert "of 80, ロケーションジャパン大賞 winners" in text
    assert "about 400 operate in Japan" in text and "official 164 on 2025-11-17" in text
