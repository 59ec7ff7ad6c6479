"""Points to municipalities in DuckDB, on a tiny in-memory database."""

import pandas as pd
import pytest

from revitalize.data import db, spatial


@pytest.fixture()
def mem():
    c = db.connect(":memory:")
    for code, (x0, y0) in {"13101": (139.7, 35.6), "13102": (139.8, 35.6)}.items():
        c.execute("INSERT INTO municipalities (muni_code, pref_code, name_ja, kind, is_disputed, geom) VALUES "
                  "(?, '13', ?, 'city', false, ST_MakeEnvelope(?, ?, ?, ?))", [code, code, x0, y0, x0 + 0.1, y0 + 0.1])
    yield c
    c.close()


def test_inside_near_far_and_missing(mem):
    pts = pd.DataFrame({"id": [1, 2, 3, 4], "lon": [139.75, 139.905, 140.5, None], "lat": [35.65, 35.65, 35.65, None]})
    out = spatial.assign_municipalities(mem, pts).set_index("id")
    assert out.loc[1, "muni_code"] == "13101" and out.loc[1, "distance_km"] == 0
    assert out.loc[2, "muni_code"] == "13102" and 0.3 < out.loc[2, "distance_km"] < 0.6  # 0.005° east ≈ 0.45 km
    assert out.loc[3, "muni_code"] is None  # 55 km away
    assert out.loc[4, "muni_code"] is None


def test_result_follows_input_order(mem):
    pts = pd.DataFrame({"id": ["b", "a", "c"], "lon": [139.85, 139.75, 139.85], "lat": [35.65, 35.65, 35.65]})
    out = spatial.assign_municipalities(mem, pts)
    assert list(out["id"]) == ["b", "a", "c"] and list(out["muni_code"]) == ["13102", "13101", "13102"]


def test_tolerance_zero_assigns_only_inside(mem):
    pts = pd.DataFrame({"id": [1], "lon": [139.905], "lat": [35.65]})
    assert spatial.assign_municipalities(mem, pts, tolerance_km=0).loc[0, "muni_code"] is None


def test_bad_arguments(mem):
    with pytest.raises(ValueError, match="columns"):
        spatial.assign_municipalities(mem, pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="tolerance_km"):
        spatial.assign_municipalities(mem, pd.DataFrame({"id": [1], "lon": [1.0], "lat": [1.0]}), tolerance_km=-1)


def test_geodataframe_for_any_table(con):
    from revitalize.data import layers

    m = layers.geodataframe(con, "municipalities", where_muni="01100")
    assert len(m) == 1 and m.crs.to_epsg() == 4326 and m.geometry.iloc[0].contains(
        __import__("shapely").Point(141.35, 43.06))
    a = layers.geodataframe(con, "anime_sites")
    assert len(a) > 0 and a.geometry.notna().all()
    with pytest.raises(ValueError, match="table"):
        layers.geodataframe(con, "no_such_table; DROP TABLE x")
