"""Municipality profile: contents, neighbours, similar municipalities."""

import pytest
import shapely

from revitalize.analysis import profile
from revitalize.data import layers


def test_profile_of_hakodate(con):
    p = profile.load(con, "01202")
    assert p.indicators["name_ja"] == "函館市"
    assert len(p.anime_sites) > 0 and (p.anime_sites["muni_code"] == "01202").all()
    assert list(p.population["year"]) == [1980, 1985, 1990, 1995, 2000, 2005, 2010, 2015, 2020]
    assert len(p.visitors) >= 60


def test_unknown_code(con):
    with pytest.raises(ValueError, match="muni_code"):
        profile.load(con, "99999")


def test_neighbours_include_bordering_and_grow_with_distance(con):
    near = profile.neighbours(con, "01100", within_km=0.5)
    assert "01203" in set(near["muni_code"])  # 小樽市 borders 札幌市
    assert "01100" not in set(near["muni_code"])
    far = profile.neighbours(con, "01100", within_km=30)
    assert set(near["muni_code"]) <= set(far["muni_code"]) and len(far) > len(near)
    assert far["distance_km"].is_monotonic_increasing


def test_most_similar_excludes_itself_and_disputed(con):
    ind = layers.municipality_indicators(con)
    sim = profile.most_similar(ind, "13104", n=5)
    assert len(sim) == 5 and "13104" not in set(sim["muni_code"])
    assert sim["distance"].is_monotonic_increasing
    disputed = set(ind.loc[ind["is_disputed"], "muni_code"])
    assert not disputed & set(sim["muni_code"])


def test_profile_draws_the_finer_outline_and_knows_the_lost_islands(con):
    coarse = layers.geodataframe(con, "municipalities", where_muni="01202").geometry.iloc[0]
    fine = profile.load(con, "01202").muni.geometry.iloc[0]
    assert shapely.get_num_coordinates(fine) > 2 * shapely.get_num_coordinates(coarse)
    assert fine.intersection(coarse).area / coarse.area > 0.9
    toshima = profile.load(con, "13362").muni
    assert toshima.geometry.iloc[0] is not None and toshima.crs.to_epsg() == 4326
    assert toshima["name_ja"].iloc[0] == "利島村"
