"""Municipality profile: contents, neighbours, similar municipalities."""

import pytest

from revitalize.data import layers
from revitalize.analysis import profile


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
