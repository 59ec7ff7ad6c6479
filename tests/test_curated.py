"""The curated layers: validation of bad input, and facts of the real data."""

import csv
from pathlib import Path

import pytest

from revitalize.core.errors import InputError
from revitalize.data import curated

ANIME = curated.LAYERS_BY_KEY["anime_sites"]


def _write(path: Path, layer, rows):
    cols = [c.name for c in layer.columns]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    return path


GOOD = {"site_id": "A-1", "work_title_ja": "作品", "place_name_ja": "場所", "pref_code": "13", "muni_code": "13101",
        "location_precision": "municipality", "kind": "setting", "editions": "2024;2025",
        "source_url": "https://example.org/a", "as_of": "2025-01-24"}


def test_good_row_reads(tmp_path):
    df = curated.read_layer(ANIME, _write(tmp_path / "a.csv", ANIME, [GOOD]))
    assert df.loc[0, "muni_code"] == "13101" and df.loc[0, "lat"] is None


def test_all_problems_are_reported_at_once_with_row_and_column(tmp_path):
    rows = [GOOD,
            {**GOOD, "site_id": "A-1"},                                  # duplicate id
            {**GOOD, "site_id": "A-3", "muni_code": "1310"},             # bad code
            {**GOOD, "site_id": "A-4", "source_url": ""},                # no source
            {**GOOD, "site_id": "A-5", "as_of": "2025-13-01"},           # bad date
            {**GOOD, "site_id": "A-6", "location_precision": "landmark"},  # landmark without coordinates
            {**GOOD, "site_id": "A-7", "editions": "2025;2019"},         # not ascending
            {**GOOD, "site_id": "A-8", "muni_code": "01100"}]            # code not in pref 13
    with pytest.raises(InputError) as exc:
        curated.read_layer(ANIME, _write(tmp_path / "a.csv", ANIME, rows))
    got = {(p.row, p.column) for p in exc.value.problems}
    assert got >= {(2, "site_id"), (3, "muni_code"), (4, "source_url"), (5, "as_of"), (6, "lat"), (7, "editions"),
                   (8, "muni_code")}
    assert all(p.file == "a.csv" for p in exc.value.problems)
    assert "expected" in str(exc.value) and "found" in str(exc.value)


def test_changed_header_is_reported(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("site_id,title\nA,b\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        curated.read_layer(ANIME, p)
    assert any(pr.column == "source_url" for pr in exc.value.problems)


def test_unknown_municipality_code_fails_the_build_and_changes_nothing(built_db, tmp_path, mirror, monkeypatch):
    import shutil

    from revitalize.core import settings
    from revitalize.data import build, db

    geo = tmp_path / "geodata"
    shutil.copytree(settings.GEODATA_DIR, geo, ignore=shutil.ignore_patterns("*.duckdb*", "_*"))
    rows = list(csv.DictReader(open(geo / "filming_locations.csv", encoding="utf-8")))
    rows[0]["muni_code"] = rows[0]["pref_code"] + "999"
    with open(geo / "filming_locations.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    monkeypatch.setattr(settings, "GEODATA_DIR", geo)
    monkeypatch.setenv("REVITALIZE_DATA_MIRROR", str(mirror))
    copy = tmp_path / "c.duckdb"
    shutil.copy(built_db, copy)
    with pytest.raises(InputError) as exc:
        build.build(copy)
    assert "filming_locations.csv" in str(exc.value) and "row 1" in str(exc.value)
    c = db.connect(copy, read_only=True)
    assert c.execute("SELECT count(*) FROM filming_locations WHERE muni_code LIKE '%999'").fetchone()[0] == 0
    c.close()


# --- the real curated data -------------------------------------------------------------------------

@pytest.mark.parametrize("layer", curated.LAYERS, ids=lambda layer: layer.key)
def test_every_committed_layer_validates_and_has_sources(layer):
    df = curated.read_layer(layer)
    assert len(df) > 0
    if "source_url" in df:
        assert df["source_url"].map(lambda u: isinstance(u, str) and u.startswith("http")).all()


def test_points_stay_inside_their_municipality(con):
    from revitalize.data import check

    findings = [f for f in check.check_layers(con) if "points outside" in f.message]
    assert len(findings) == 3 and all(f.level == "ok" for f in findings)


@pytest.mark.parametrize("table,id_col", [("anime_sites", "site_id"), ("filming_locations", "location_id"),
                                          ("film_commissions", "fc_id")])
def test_a_drifted_point_or_lost_source_is_caught(built_db, tmp_path, table, id_col):
    import shutil

    from revitalize.data import check, db

    copy = tmp_path / "drift.duckdb"
    shutil.copy(built_db, copy)
    c = db.connect(copy)
    first = c.execute(f"SELECT {id_col} FROM {table} WHERE muni_code IS NOT NULL ORDER BY 1 LIMIT 1").fetchone()[0]
    c.execute(f"UPDATE {table} SET geom = ST_Point(lon + 0.5, lat), lon = lon + 0.5 WHERE {id_col} = ?", [first])
    second = c.execute(f"SELECT {id_col} FROM {table} ORDER BY 1 DESC LIMIT 1").fetchone()[0]
    c.execute(f"UPDATE {table} SET source_url = '' WHERE {id_col} = ?", [second])
    fails = [f for f in check.check_layers(c) if f.level == "fail" and f.topic == table]
    c.close()
    assert any(first in f.message and "km" in f.message for f in fails)
    assert any("1 without source_url" in f.message for f in fails)


def test_anime_2025_edition_is_complete(con):
    one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
    q = ("SELECT count(*) FROM anime_sites s JOIN anime_site_editions e USING (site_id) WHERE e.edition = 2025 "
         "AND s.kind {}")
    assert one(q.format("= 'setting'")) == 124
    assert one(q.format("<> 'setting'")) == 28


def test_anime_2025_added_yonezawa_for_amanojaku(con):
    rows = con.execute("SELECT editions FROM anime_sites WHERE muni_code = '06202' "
                       "AND work_title_ja LIKE '%好きでも嫌いなあまのじゃく%'").fetchall()
    assert rows and all("2025" in r[0] for r in rows)


def test_anime_one_row_per_work_and_place_with_release_month(con):
    # issue 14: the 2025/2026 pairs were merged (one row per facility, all editions on it) ...
    rows = con.execute("SELECT editions FROM anime_sites WHERE place_name_ja = '石ノ森萬画館'").fetchall()
    assert len(rows) == 1 and {"2018", "2025", "2026"} <= set(rows[0][0].split(";"))
    dup = con.execute("SELECT count(*) FROM (SELECT place_name_ja, muni_code FROM anime_sites "
                      "WHERE kind <> 'setting' GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
    assert dup == 0
    # ... and every work carries the month it first aired (らき☆すた: April 2007, bangumi-data)
    r = con.execute("SELECT DISTINCT first_released_on::VARCHAR FROM anime_sites WHERE work_title_ja = 'らき☆すた'").fetchall()
    assert r == [("2007-04-01",)]


def test_gi_first_registration_aomori_cassis(con):
    r = con.execute("SELECT name_ja, registered_on::VARCHAR, pref_codes, registry FROM gi_products "
                    "WHERE gi_id = 'MAFF-001'").fetchone()
    assert r == ("あおもりカシス", "2015-12-22", "02", "MAFF")


def test_gi_prefecture_wide_area_expands_to_every_municipality(con):
    # 第66号 岩手木炭: the whole of Iwate
    n_iwate = con.execute("SELECT count(*) FROM municipalities WHERE pref_code = '03'").fetchone()[0]
    got = con.execute("SELECT count(*) FROM gi_areas WHERE gi_id = 'MAFF-066' AND coverage = 'whole'").fetchone()[0]
    assert got == n_iwate == 33


def test_gi_domestic_count_within_the_documented_gap(con):
    n = con.execute("SELECT count(*) FROM gi_products WHERE registry = 'MAFF' AND coalesce(note, '') NOT LIKE '%取消%' "
                    "AND lower(coalesce(note, '')) NOT LIKE '%cancel%'").fetchone()[0]
    assert 150 <= n <= 164  # 164 in force on 2025-11-17; the gap is listed in geodata/README.md


def test_filming_locations_breadth(con):
    n, prefs = con.execute("SELECT count(*), count(DISTINCT pref_code) FROM filming_locations").fetchone()
    assert n >= 200 and prefs >= 40


def test_film_commissions_have_codes(con):
    bad = con.execute("SELECT count(*) FROM film_commissions WHERE level = 'municipality' AND muni_code IS NULL"
                      ).fetchone()[0]
    assert bad == 0
