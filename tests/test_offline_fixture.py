"""Module tests on the tiny synthetic database (tests/fixture_db.py): they run without ../shared/data.

Each asserts what the module promises on data small enough to check by hand: six municipalities,
函館市 holding an anime place, a filming location, a film commission, a GI product and a heritage
property.
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from revitalize.analysis import pool, profile, scoring, suggestions
from revitalize.core import domain
from revitalize.data import credits, db, layers
from revitalize.outputs import evidence, explorer, formats, geo, maps, shortlists
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

ADMIN = User("admin", "admin")


def test_layers_read_the_fixture(fixture_con):
    status = layers.dataset_status(fixture_con)
    assert status["loaded"].all() and status.set_index("dataset").loc["boundaries", "rows"] == 8
    raw = layers.municipality_indicators(fixture_con)
    assert raw.attrs["visitor_year"] == 2025
    ind = raw.set_index("muni_code")
    assert ind.loc["01202", "anime_sites"] == 1 and ind.loc["01202", "gi_whole"] == 1
    assert ind.loc["01236", "gi_part"] == 1 and ind.loc["01236", "roadside_stations"] == 1
    assert ind.loc["01100", "pop_2020"] == 1973395
    assert layers.known_municipalities(fixture_con) == {"01100", "01202", "01236", "13101", "13102", "13308"}
    cat = layers.asset_catalog(fixture_con)
    assert set(layers.assets_in(cat, ["01202"])["layer"]) >= {"anime_sites", "filming_locations", "gi_products"}
    assert layers.asset_keys(None, ["01202"]) == ()
    assert layers.municipality_labels(pool.municipality_points(fixture_con), "en")["01202"] == "01202 函館市 / Hakodate City"


def test_scoring_ranks_the_municipality_with_content_first(fixture_con):
    ind, raw, sub = scoring.inputs(fixture_con)
    r = scoring.ranking(ind, raw, sub, scoring.Weights())
    assert r.index[0] == "01202"
    contrib = r[[c for c in r.columns if c.startswith("c_")]].sum(axis=1)
    assert (contrib - r["score"]).abs().max() < 1e-9


def test_pool_places_candidates_at_their_most_populous_member(fixture_con):
    wf = db.connect_workflow(":memory:")
    cid = C.create(wf, ADMIN, C.CandidateData("函館と北斗", "tourism", 2026, ("01202", "01236")))
    items = pool.portfolio_pool(fixture_con, C.table(wf), scoring.Weights())
    row = items.set_index("item_id").loc[cid]
    assert row["kind"] == "candidate" and row["muni_codes"] == ("01202", "01236")
    assert row["lat"] == pytest.approx(41.8, abs=0.11)  # 函館市 (more people than 北斗市)
    assert {"M-01202", "M-01236"}.isdisjoint(items["item_id"])  # held by the candidate
    assert pool.covered_municipalities(C.table(wf)) == {"01202", "01236"}


def test_suggestions_merge_touching_neighbours(fixture_con):
    s = suggestions.from_databases(fixture_con, set(), scoring.Weights(), top_n=3)
    assert s["muni_codes"].iloc[0] == ("01202", "01236")  # the boxes share an edge at 140.6° E
    assert s["members"].iloc[0] == 2


def test_score_shortlist_and_map_formats_round_trip(fixture_con, tmp_path):
    sl = shortlists.shortlist_from_score(fixture_con, top=4)
    assert sl.table["item_id"].iloc[0] == "01202" and len(sl) == 4
    assert any("国土数値情報" in c for c in sl.credits)
    places = geo.municipality_places(fixture_con)
    for fmt in ("geojson", "gpkg", "kml"):
        data, gaps = formats.export(sl, fmt, places=places)
        assert not gaps
        path = tmp_path / f"x.{formats.get(fmt).extension}"
        path.write_bytes(data)
        back = pyogrio.read_dataframe(path, layer="shortlist" if fmt == "gpkg" else None)
        assert len(back) == 4 and back.geometry.notna().all()
    csv, _ = formats.export(sl, "csv")
    assert len(pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", comment="#")) == 4


def test_candidates_shortlist_scores_and_links_assets(fixture_con):
    wf = db.connect_workflow(":memory:")
    cat = layers.asset_catalog(fixture_con)
    C.create(wf, ADMIN, C.CandidateData("函館", "composite", 2026, ("01202",), assets=layers.asset_keys(cat, ["01202"])))
    C.create(wf, ADMIN, C.CandidateData("奥多摩", "tourism", 2026, ("13308",)))
    sl = shortlists.candidates_shortlist(fixture_con, C.table(wf), C.linked_assets(wf), lang="en")
    assert list(sl.table["name"]) == ["函館", "奥多摩"]  # 函館 scores higher
    assert set(sl.assets["layer"]) >= {"anime_sites", "gi_products"}
    assert domain.BASE_TYPES["composite"][1] in sl.table.to_string()  # labels in the shortlist's language


def test_explorer_map_spec_escapes_titles_and_credits_every_layer(fixture_con, tmp_path):
    data = explorer.load_data(fixture_con)
    ol = maps.outlines(data.munis, static_dir=tmp_path, static_url="/s/")
    ps = explorer.point_sources(data, "ja", static_dir=tmp_path, static_url="/s/")
    spec = explorer.build_map(data, explorer.Filters(layers=explorer.ALL_LAYERS), outlines=ol, sources=ps)
    published = "".join(f.read_text(encoding="utf-8") for f in tmp_path.rglob("*") if f.is_file())
    assert "<b>" not in maps.spec_json(spec)  # what is embedded in the page carries no markup from data
    assert "テスト作品<b>" in published  # the static file is JSON data; the map view sets it as text
    text = maps.spec_json(spec) + published
    for key in ("anime_sites", "filming_locations", "film_commissions", "heritage"):
        assert credits.credit(key, "ja") in published
    assert credits.credit("boundaries", "ja") in text


def test_profile_and_evidence_sheet_of_one_municipality(fixture_con):
    p = profile.load(fixture_con, "01202")
    assert len(p.anime_sites) == 1 and len(p.gi_products) >= 1
    near = profile.neighbours(fixture_con, "01202", within_km=1)
    assert "01236" in set(near["muni_code"])
    page = evidence.evidence_html(fixture_con, [evidence.Subject(("01202",))], lang="ja")
    assert "函館市" in page and "&lt;b&gt;" in page and "<b>テスト" not in page
    assert "<svg" in page and credits.credit("boundaries", "ja") in page
    with pytest.raises(Exception, match="expected"):
        evidence.evidence_html(fixture_con, [evidence.Subject(("99999",))])


def test_candidate_evidence_subject_names_it(fixture_con):
    wf = db.connect_workflow(":memory:")
    cat = layers.asset_catalog(fixture_con)
    cid = C.create(wf, ADMIN, C.CandidateData("候補テスト", "industry", 2027, ("13101", "13102"),
                                              assets=layers.asset_keys(cat, ["13101"])))
    subject = evidence.candidate_subject(C.get(wf, cid), cat, lang="ja")
    assert subject.title.startswith(cid) and "2027年度公募" in subject.note
    assert evidence.render(fixture_con, subject, "html", lang="ja").startswith(b"<!DOCTYPE html>")
    with pytest.raises(Exception, match="html"):
        evidence.render(fixture_con, subject, "docx")


def test_geo_places_are_points_or_polygons(fixture_con):
    pts = geo.municipality_places(fixture_con)
    polys = geo.municipality_places(fixture_con, polygons=True)
    assert isinstance(pts, gpd.GeoDataFrame) and set(pts.geom_type) == {"Point"}
    assert set(polys.geom_type) == {"Polygon"} and pts.crs.to_epsg() == 4326


def test_asset_choices_keep_what_a_candidate_links_already(fixture_con):
    cat = layers.asset_catalog(fixture_con)
    choices = layers.asset_choices(cat, ["01202"], [("anime_sites", "GONE")])
    assert ("anime_sites", "ANI-T1") in choices and choices[("anime_sites", "GONE")] == "anime_sites: GONE"
    assert list(choices) == sorted(choices)
    assert layers.asset_choices(None, ["01202"]) == {}
