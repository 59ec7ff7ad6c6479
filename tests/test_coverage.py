"""Coverage of the curated layers (issue 23): rows held against the registry's official totals, said
wherever a count is used — CLI, score reasons, exports."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl
import pytest

from revitalize.analysis import scoring
from revitalize.core import settings
from revitalize.data import coverage, db
from revitalize.outputs import geo, shortlists, tables


def by_key(rows):
    return {(c.layer, c.part): c for c in rows}


class TestSynthetic:
    def test_held_equals_the_database_counts_and_a_missing_edition_is_zero_of_n(self, fixture_con):
        rows = by_key(coverage.coverage(fixture_con))
        assert set(rows) == {(t.layer, t.part) for t in coverage.TOTALS}
        # the fixture lists ANI-T1 in 2025 and 2026 and ANI-T2 in 2019; no other edition
        assert (rows["anime_sites", "2025"].held, rows["anime_sites", "2025"].total) == (1, 152)
        assert rows["anime_sites", "2019"].held == 1
        assert (rows["anime_sites", "2018"].held, rows["anime_sites", "2018"].total) == (0, 88)
        assert coverage.line(rows["anime_sites", "2018"], "en").startswith("Anime Tourism 88, 2018 edition: 0 of 88")
        assert "88 件中 0 件" in coverage.line(rows["anime_sites", "2018"], "ja")
        assert rows["film_commissions", "japan"].held == 1
        assert rows["gi_products", "MAFF"].held == 1 and rows["gi_products", "NTA"].held == 0
        for c in rows.values():  # every figure equals its own statement's count
            t = next(t for t in coverage.TOTALS if (t.layer, t.part) == (c.layer, c.part))
            assert c.held == fixture_con.execute(db.sql(t.held_sql), list(t.params)).fetchone()[0]
            assert c.total == t.total and c.as_of == t.as_of and c.total_source == t.total_source

    def test_a_database_without_the_layer_holds_zero(self):
        con = db.connect(":memory:")
        try:
            rows = coverage.coverage(con)
        finally:
            con.close()
        assert all(c.held == 0 for c in rows) and len(rows) == len(coverage.TOTALS)
        assert coverage.layer_note(rows, "gi_products", "en").startswith("This count may be incomplete")

    def test_notes_name_only_incomplete_parts(self):
        rows = [coverage.Coverage("gi_products", "MAFF", 164, 164, "s", "2025-11-17"),
                coverage.Coverage("anime_sites", "2023", 32, 117, "s", "2022-12-16"),
                coverage.Coverage("anime_sites", "2026", 174, 175, "s", "2026-02-13")]
        assert coverage.layer_note(rows, "gi_products") == ""
        note = coverage.layer_note(rows, "anime_sites", "en")
        assert "2023 edition 27 % covered" in note and "2026" not in note
        assert coverage.layer_shares(rows) == {"gi_products": 1.0, "anime_sites": pytest.approx(32 / 117)}

    def test_a_reason_built_on_an_incomplete_layer_says_so(self, fixture_con):
        ind, raw, sub = scoring.inputs(fixture_con)
        shares = coverage.layer_shares(coverage.coverage(fixture_con))
        w = scoring.Weights()
        ranked = scoring.ranking(ind, raw, sub, w, lang="en", layer_shares=shares)
        assert ranked["reason"].str.contains("data incomplete").all()
        assert "anime places" in ranked["reason"].iloc[0]
        plain = scoring.ranking(ind, raw, sub, w, lang="en")
        assert not plain["reason"].str.contains("incomplete").any()
        # no weight on the content and resource layers: nothing to warn about
        only_need = scoring.Weights({k: (1.0 if k == "aging" else 0.0) for k in scoring.KEYS})
        assert scoring.coverage_caveat(only_need, shares, "en") == ""
        full = {layer: 1.0 for layer in coverage.LAYERS}
        assert scoring.coverage_caveat(w, full, "ja") == ""

    def test_exports_carry_a_coverage_sheet_property_and_column(self, fixture_con):
        sl = shortlists.shortlist_for("score", fixture_con, lang="en", top=3)
        assert len(sl.coverage) == len(coverage.TOTALS)
        assert sl.table["layer_coverage"].str.contains("This count may be incomplete").all()
        wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(sl)))
        ws = wb["coverage"]
        header = [c.value for c in ws[1]]
        assert header[:4] == ["layer", "edition / year / registry", "held", "total"]
        values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
        assert ["anime places", "Anime Tourism 88, 2018 edition", 0, 88] in [v[:4] for v in values]
        csv_text = tables.to_csv(sl)[0].decode("utf-8-sig")
        assert "layer coverage" in csv_text.splitlines()[0]
        doc = json.loads(geo.to_geojson(sl, geo.municipality_places(fixture_con)))
        assert {"layer": "anime_sites", "part": "2018", "held": 0, "total": 88} .items() <= next(
            c for c in doc["coverage"] if c["part"] == "2018").items()
        assert all("layer_coverage" in f["properties"] for f in doc["features"])


def test_cli_coverage_json_and_text(fixture_db_path):
    env = {"REVITALIZE_DB": str(fixture_db_path), "PYTHONPATH": str(settings.PROJECT_ROOT), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "revitalize", "coverage", "--format", "json"], env=env,
                         capture_output=True, text=True, check=True).stdout
    rows = json.loads(out)
    assert all(set(r) == {"layer", "part", "held", "total", "total_source", "as_of"} for r in rows)
    assert {"layer": "anime_sites", "part": "2018", "held": 0, "total": 88}.items() <= rows[0].items()
    text = subprocess.run([sys.executable, "-m", "revitalize", "coverage", "--lang", "en"], env=env,
                          capture_output=True, text=True, check=True).stdout
    assert "Anime Tourism 88, 2018 edition: 0 of 88 held" in text


def test_the_api_describes_each_curated_collection_with_its_coverage(fixture_db_path):
    from revitalize.app.api import config

    cfg = config.build(fixture_db_path, url="http://127.0.0.1:5000", host="127.0.0.1", port=5000)
    anime = cfg["resources"]["anime_places"]["description"]
    assert "This count may be incomplete" in anime["en"] and "2018 edition 0 % covered" in anime["en"]
    assert "不完全" in anime["ja"]
    assert "incomplete" not in cfg["resources"]["municipalities"]["description"]["en"]
