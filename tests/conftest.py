"""Shared fixtures: the reference mirror, a database built once from it, and tiny inline data."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pg
import pytest

from revitalize.core import settings
from revitalize.data import db, store

sys.path.insert(0, str(Path(__file__).parent))  # tests/fixture_db.py

# REVITALIZE_TEST_NO_MIRROR=1 runs the suite as a clone without ../shared/data would (the mirror stays where it is
# for everyone else): tests that need it skip, the rest use the synthetic fixture database
MIRROR = Path("/nonexistent/revitalize-mirror") if os.environ.get("REVITALIZE_TEST_NO_MIRROR") else \
    Path(os.environ.get("REVITALIZE_DATA_MIRROR") or settings.PROJECT_ROOT.parent / "shared" / "data")


def _mirror_ok() -> bool:
    return (MIRROR / "boundaries" / "N03-21_210101_designated_city_s0001.geojson").exists()


requires_mirror = pytest.mark.skipif(not _mirror_ok(), reason=f"reference mirror not found at {MIRROR}")


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not _mirror_ok():
        pytest.skip(f"reference mirror not found at {MIRROR}")
    return MIRROR


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Path:
    """The whole database built once from the mirror (reference data + curated layers)."""
    from revitalize.data import build

    path = tmp_path_factory.mktemp("db") / "revitalize.duckdb"
    env = {"REVITALIZE_DATA_MIRROR": str(mirror), "REVITALIZE_CACHE": str(tmp_path_factory.mktemp("cache")),
           "REVITALIZE_OFFLINE": "1", "REVITALIZE_DB": str(path)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        build.build(path)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return path


@pytest.fixture()
def con(built_db: Path):
    """A read-only connection to the built database."""
    from revitalize.data import db

    c = db.connect(built_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def fixture_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny synthetic database (tests/fixture_db.py): six municipalities, no mirror needed."""
    import fixture_db

    return fixture_db.make(tmp_path_factory.mktemp("fixture") / "fixture.duckdb")


@pytest.fixture()
def fixture_con(fixture_db_path: Path):
    """A read-only connection to the synthetic database."""
    from revitalize.data import db

    c = db.connect(fixture_db_path, read_only=True)
    yield c
    c.close()


@pytest.fixture()
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty cache, no mirror, offline: nothing can be fetched."""
    monkeypatch.setenv("REVITALIZE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("REVITALIZE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("REVITALIZE_OFFLINE", "1")
    monkeypatch.setenv("REVITALIZE_DB", str(tmp_path / "db.duckdb"))
    return tmp_path


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A GeoJSON polygon of an axis-aligned box."""
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def write_geojson(path: Path, features: list[tuple[dict, dict | None]]) -> Path:
    """Write (properties, geometry) pairs as a FeatureCollection."""
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": g} for p, g in features]}
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture()
def tiny_boundaries(tmp_path: Path) -> dict[str, Path]:
    """Four municipalities as 0.1° boxes in Tokyo (two wards of a fictitious designated city in the wards file)."""
    n = lambda pref, county, name, code: {"N03_001": pref, "N03_002": None, "N03_003": county,  # noqa: E731
                                          "N03_004": name, "N03_007": code}
    munis = write_geojson(tmp_path / "munis.geojson", [
        (n("東京都", None, "千代田区", "13101"), box(139.7, 35.6, 139.8, 35.7)),
        (n("東京都", None, "中央区", "13102"), box(139.8, 35.6, 139.9, 35.7)),
        (n("東京都", "西多摩郡", "奥多摩町", "13308"), box(139.0, 35.7, 139.1, 35.8)),
        ({"N03_001": "北海道", "N03_002": "石狩振興局", "N03_003": "札幌市", "N03_004": None, "N03_007": "01100"},
         box(141.2, 43.0, 141.4, 43.1)),
        (n("東京都", None, "所属未定地", None), box(139.9, 35.6, 140.0, 35.7)),
    ])
    wards = write_geojson(tmp_path / "wards.geojson", [
        ({"N03_001": "北海道", "N03_002": "石狩振興局", "N03_003": "札幌市", "N03_004": "中央区", "N03_007": "01101"},
         box(141.2, 43.0, 141.3, 43.1)),
        ({"N03_001": "北海道", "N03_002": "石狩振興局", "N03_003": "札幌市", "N03_004": "北区", "N03_007": "01102"},
         box(141.3, 43.0, 141.4, 43.1)),
    ])
    prefs = write_geojson(tmp_path / "prefs.geojson", [
        ({"N03_001": "東京都"}, box(139.0, 35.5, 140.0, 35.9)),
        ({"N03_001": "北海道"}, box(141.0, 42.9, 141.5, 43.2)),
    ])
    return {"munis": munis, "wards": wards, "prefs": prefs}


@pytest.fixture(autouse=True)
def _private_workflow_db(tmp_path, monkeypatch):
    """Every test gets its own empty workflow database and the default local identity (never the user's)."""
    monkeypatch.setenv("REVITALIZE_WORKFLOW_DB", str(tmp_path / "workflow.duckdb"))
    monkeypatch.delenv("REVITALIZE_WORKFLOW_URL", raising=False)
    for var in ("REVITALIZE_USER", "REVITALIZE_ROLE", "REVITALIZE_USER_MUNIS", "REVITALIZE_USERS_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture()
def app_env(built_db, monkeypatch, tmp_path):
    """Environment for running the Streamlit app on the built database (AppTest): weights kept per test."""
    monkeypatch.setenv("REVITALIZE_DB", str(built_db))
    monkeypatch.setenv("REVITALIZE_WEIGHTS_DIR", str(tmp_path / "weights"))
    return built_db


def open_app_page(page: str, *, timeout: float = 180):
    """AppTest of ``app.py`` switched to ``page`` (e.g. "pages/export.py"), after checking it ran cleanly."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(settings.PROJECT_ROOT / "app.py"), default_timeout=timeout)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---- the workflow store on both backends (issue 15) --------------------------------------------------------

@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL server on loopback for the whole session (tests/pg.py); skips without PostgreSQL."""
    try:
        cluster = pg.Cluster().start()
    except pg.Unavailable as exc:
        pytest.skip(f"PostgreSQL is not available here: {exc}")
    yield cluster
    store.close_pools()
    cluster.stop()


@pytest.fixture(params=[store.DUCKDB, store.POSTGRESQL])
def backend(request) -> str:
    return request.param


@pytest.fixture()
def wf_target(backend, tmp_path, request, monkeypatch) -> dict:
    """Where this test's empty workflow store is, as ``db.connect_workflow`` keywords; the environment points
    there too (for the CLI and the app)."""
    if backend == store.POSTGRESQL:
        url = request.getfixturevalue("pg_cluster").new_database()
        monkeypatch.setenv("REVITALIZE_WORKFLOW_URL", url)
        return {"url": url}
    path = tmp_path / "wf.duckdb"
    monkeypatch.setenv("REVITALIZE_WORKFLOW_DB", str(path))
    return {"path": path}


@pytest.fixture()
def open_wf(wf_target):
    """Open another connection to the test's workflow store (closed at the end of the test)."""
    opened = []

    def make():
        con = db.connect_workflow(**wf_target)
        opened.append(con)
        return con

    yield make
    for con in opened:
        con.close()


@pytest.fixture()
def wf(open_wf):
    """A connection to an empty workflow store, on each backend."""
    return open_wf()
