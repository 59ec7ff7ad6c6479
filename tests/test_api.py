"""The OGC API – Features server (revitalize/app/api) as a real process on the synthetic fixture database,
read by real clients: OWSLib, GDAL's OAPIF driver (ogrinfo / ogr2ogr) and plain HTTP for the manners."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import fixture_db
import pytest
from owslib.ogcapi.features import Features

from revitalize.analysis import scoring
from revitalize.app.api import collections
from revitalize.core import settings
from revitalize.data import credits, db, features
from revitalize.workflow import candidates
from revitalize.workflow.auth import User

COLLECTION_IDS = [c.key for c in collections.COLLECTIONS]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONTACT = "山田 太郎 090-0000-0000"
HOSTILE = "</script><script>alert('x')</script> 港と坂のまち"


def _register(path: Path) -> Path:
    """A workflow register with one designated base (two municipalities), one draft and one under review."""
    admin = User("test", "admin")
    with db.connect_workflow(path) as con:
        candidates.create(con, admin, candidates.CandidateData(
            name_ja="函館・北斗アニメ拠点", base_type="tourism", fiscal_year=2025, muni_codes=("01202", "01236"),
            applicants=(("函館市", "municipality"),), contact=CONTACT, source_url="https://example.org/designated",
            summary=HOSTILE),
            status="designated", origin="import", designated_on=dt.date(2025, 12, 1))
        candidates.create(con, admin, candidates.CandidateData(
            name_ja="下書きの候補", base_type="industry", fiscal_year=2026, muni_codes=("13101",),
            contact="secret@example.org"))
        candidates.create(con, admin, candidates.CandidateData(
            name_ja="審査中の候補", base_type="composite", fiscal_year=2026, muni_codes=("13102",)),
            status="under_review", origin="import")
    return path


@pytest.fixture(scope="module")
def api(fixture_db_path: Path, tmp_path_factory):
    """The API process (``python -m revitalize api``) serving the fixture database and a small register;
    yields its base URL."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("api")
    log = folder / "api.log"
    env = {**os.environ, "REVITALIZE_DB": str(fixture_db_path),
           "REVITALIZE_WORKFLOW_DB": str(_register(folder / "workflow.duckdb"))}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "revitalize", "api", "--port", str(port)],
                                cwd=settings.PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to about a minute on a busy machine
        if proc.poll() is not None:
            pytest.fail(f"the API process ended: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/?f=json", timeout=5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"the API did not answer: {log.read_text(errors='replace')[-3000:]}")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def get(url: str, *, headers: dict | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def get_json(url: str, **kw) -> dict:
    status, _, body = get(url, **kw)
    assert status == 200, body[:500]
    return json.loads(body)


# ---- the database's answers, to compare with ----------------------------------------------------------------

@pytest.fixture(scope="module")
def db_ids(fixture_db_path: Path) -> dict[str, list[str]]:
    """Every collection's feature ids as the database holds them."""
    con = db.connect(fixture_db_path, read_only=True)
    try:
        out = {k: sorted(str(r[0]) for r in con.execute(db.sql(f"api/{features.TABLES[k].statement}")).fetchall())
               for k in COLLECTION_IDS if k in features.TABLES}
    finally:
        con.close()
    out["bases"] = ["C2025-0001"]  # the one designated base of the register (_register)
    return out


class TestOWSLib:
    def test_landing_conformance_and_collections(self, api):
        w = Features(api)
        assert any(link["rel"] == "conformance" for link in w.links)
        conf = w.conformance()["conformsTo"]
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
        ids = {c["id"] for c in w.collections()["collections"]}
        assert ids == set(COLLECTION_IDS)

    def test_every_collection_carries_its_licence_credit_and_as_of(self, api):
        w = Features(api)
        for c in collections.COLLECTIONS:
            doc = w.collection(c.key)
            licence = [link for link in doc["links"] if link["rel"] == "license"]
            assert licence, c.key
            info = collections.source_info(c.sources[0])
            assert licence[0]["title"] == info.licence
            assert collections.credit_line(c, "ja").split(" / ")[0] in doc["description"]
            assert info.as_of in doc["description"]

    def test_queryables_list_the_filters(self, api):
        w = Features(api)
        q = w.collection_queryables("municipalities")["properties"]
        assert {"muni_code", "pref_code", "score", "rank", "population_2020"} <= set(q)
        assert q["muni_code"].get("x-ogc-role") == "id"
        assert "registry" in w.collection_queryables("gi_products")["properties"]

    def test_items_with_bbox_limit_and_a_property_filter(self, api):
        w = Features(api)
        # 函館 (140.6–140.9) and 北斗 (140.4–140.6) lie in this box; 札幌 and Tokyo do not
        got = w.collection_items("municipalities", bbox=[140.45, 41.75, 140.8, 41.85], limit=10)
        assert sorted(f["id"] for f in got["features"]) == ["01202", "01236"]
        assert got["numberMatched"] == 2
        page = w.collection_items("municipalities", limit=2)
        assert page["numberReturned"] == 2 and page["numberMatched"] == 6
        assert any(link["rel"] == "next" for link in page["links"])
        tokyo = w.collection_items("municipalities", pref_code="13")
        assert sorted(f["id"] for f in tokyo["features"]) == ["13101", "13102", "13308"]

    def test_one_item_by_id_with_its_score(self, api, fixture_db_path):
        w = Features(api)
        item = w.collection_item("municipalities", "01202")
        props = item["properties"]
        assert props["name_ja"] == "函館市" and props["pref_code"] == "01"
        assert props["population_2020"] == fixture_db.POPULATION["01202"][1]
        con = db.connect(fixture_db_path, read_only=True)
        try:
            _, _, sub = scoring.inputs(con)
        finally:
            con.close()
        expected = scoring.score(sub, scoring.Weights()).loc["01202"]
        assert props["score"] == pytest.approx(expected["score"])
        assert props["rank"] == int(expected["rank"])
        parts = [props[f"k_{k}"] for k in scoring.CRITERIA]
        assert sum(parts) == pytest.approx(props["score"])
        assert item["geometry"]["type"] in ("Polygon", "MultiPolygon")


class TestBases:
    def test_only_designated_bases_without_personal_data(self, api):
        doc = get_json(f"{api}/collections/bases/items?f=json")
        assert doc["numberMatched"] == 1
        base = doc["features"][0]
        assert base["id"] == "C2025-0001" and base["properties"]["name_ja"] == "函館・北斗アニメ拠点"
        assert base["properties"]["muni_codes"] == "01202;01236" and base["properties"]["pref_codes"] == "01"
        assert base["properties"]["designated_on"].startswith("2025-12-01")
        assert "contact" not in base["properties"] and "updated_by" not in base["properties"]
        everything = json.dumps(doc, ensure_ascii=False)
        assert CONTACT not in everything and "下書き" not in everything and "審査中" not in everything
        # the geometry covers both municipalities (函館 140.6–140.9, 北斗 140.4–140.6)
        xs = [pt[0] for ring in _rings(base["geometry"]) for pt in ring]
        assert min(xs) == pytest.approx(140.4) and max(xs) == pytest.approx(140.9)
        assert get(f"{api}/collections/bases/items/C2026-0001")[0] == 404  # the draft

    def test_user_text_is_data_in_json_and_inert_in_html(self, api):
        doc = get_json(f"{api}/collections/bases/items?f=json")
        assert doc["features"][0]["properties"]["summary"] == HOSTILE
        for path in ("collections/bases/items", "collections/bases/items/C2025-0001"):
            code, _, body = get(f"{api}/{path}?f=html")
            assert code == 200
            assert "<script>alert(" not in body.decode(), path

    def test_bases_by_datetime_and_prefecture(self, api):
        assert get_json(f"{api}/collections/bases/items?f=json&datetime=2025-01-01/2025-12-31")["numberMatched"] == 1
        assert get_json(f"{api}/collections/bases/items?f=json&datetime=2026-01-01/..")["numberMatched"] == 0


def _rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for poly in geometry["coordinates"] for ring in poly]


class TestQueries:
    def test_every_page_carries_credit_and_licence(self, api):
        for c in collections.COLLECTIONS:
            doc = get_json(f"{api}/collections/{c.key}/items?f=json&limit=1")
            assert doc["credit"]["ja"] == collections.credit_line(c, "ja"), c.key
            assert doc["credit"]["en"] == collections.credit_line(c, "en"), c.key
            assert [link for link in doc["links"] if link["rel"] == "license"], c.key

    def test_paging_walks_every_feature_once(self, api, db_ids):
        seen, url = [], f"{api}/collections/municipalities/items?f=json&limit=4"
        while url:
            doc = get_json(url)
            assert doc["numberMatched"] == len(db_ids["municipalities"])
            seen += [f["id"] for f in doc["features"]]
            url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
        assert sorted(seen) == db_ids["municipalities"]
        prev = get_json(f"{api}/collections/municipalities/items?f=json&limit=4&offset=4")
        assert any(link["rel"] == "prev" for link in prev["links"])

    def test_datetime_on_release_dates(self, api):
        doc = get_json(f"{api}/collections/anime_places/items?f=json&datetime=2024-01-01/..")
        assert [f["id"] for f in doc["features"]] == ["ANI-T1"]
        doc = get_json(f"{api}/collections/filming_locations/items?f=json&datetime=2020-01-01/2030-12-31")
        assert [f["id"] for f in doc["features"]] == ["FLM-T2"]

    def test_edition_and_registry_filters(self, api):
        doc = get_json(f"{api}/collections/anime_places/items?f=json&edition=2019")
        assert [f["id"] for f in doc["features"]] == ["ANI-T2"]
        doc = get_json(f"{api}/collections/anime_places/items?f=json&edition=2026")
        assert [f["id"] for f in doc["features"]] == ["ANI-T1"]
        doc = get_json(f"{api}/collections/gi_products/items?f=json&registry=MAFF")
        assert sorted(f["id"] for f in doc["features"]) == ["MAFF-T1-01202", "MAFF-T1-01236"]
        assert get_json(f"{api}/collections/gi_products/items?f=json&registry=NTA")["numberMatched"] == 0

    def test_cql2_text_basic_filter(self, api):
        q = urllib.parse.quote("pref_code = '13' AND population_2020 > 100000")
        doc = get_json(f"{api}/collections/municipalities/items?f=json&filter={q}")
        assert sorted(f["id"] for f in doc["features"]) == ["13102"]  # 中央区 169,179; 千代田区 66,680
        q = urllib.parse.quote("name_ja LIKE '%市' AND score IS NOT NULL")
        doc = get_json(f"{api}/collections/municipalities/items?f=json&filter={q}")
        assert sorted(f["id"] for f in doc["features"]) == ["01100", "01202", "01236"]
        for text in ("exec('import os') = 1", "colour = 'red'", "INTERSECTS(geometry, POINT(140 41))", "((("):
            code, headers, body = get(f"{api}/collections/municipalities/items?filter={urllib.parse.quote(text)}",
                                      headers={"Accept-Language": "en"})
            assert code == 400 and headers["content-type"].startswith("application/problem+json"), text
        assert get(f"{api}/?f=json")[0] == 200

    def test_jgd2011_on_request(self, api):
        """OGC API – Features Part 2: EPSG:6668 (JGD2011, latitude first) besides CRS84."""
        jgd = "http://www.opengis.net/def/crs/EPSG/0/6668"
        assert jgd in get_json(f"{api}/collections/anime_places?f=json")["crs"]
        code, headers, body = get(f"{api}/collections/anime_places/items/ANI-T1?f=json&crs={jgd}")
        assert code == 200 and headers["content-crs"] == f"<{jgd}>"
        assert json.loads(body)["geometry"]["coordinates"] == pytest.approx([41.8, 140.75], abs=1e-6)
        doc = get_json(f"{api}/collections/anime_places/items?f=json&bbox=41.7,140.7,41.9,140.8&bbox-crs={jgd}")
        assert [f["id"] for f in doc["features"]] == ["ANI-T1"]
        code, _, body = get(f"{api}/collections/anime_places/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857")
        assert code == 400 and json.loads(body)["status"] == 400

    def test_sortby(self, api):
        doc = get_json(f"{api}/collections/municipalities/items?f=json&sortby=-population_2020")
        pops = [f["properties"]["population_2020"] for f in doc["features"]]
        assert pops == sorted(pops, reverse=True)
        assert doc["features"][0]["id"] == "01100"

    def test_csv_for_excel(self, api):
        status, headers, body = get(f"{api}/collections/anime_places/items?f=csv")
        assert status == 200 and headers["content-type"].startswith("text/csv")
        assert body.startswith(b"\xef\xbb\xbf")
        text = body.decode("utf-8-sig")
        lines = text.strip().splitlines()
        assert len(lines) == 3  # header + the two places
        assert lines[0].startswith("id,") and "lon" in lines[0] and "lat" in lines[0]
        assert credits.credit("anime_sites", "ja") in text
        assert "テスト作品<b>" in text  # values as they are (CSV is not HTML)


BAD = [
    ("collections/municipalities/items?limit=-1", 400, "limit"),
    ("collections/municipalities/items?limit=100000", 400, "limit"),
    ("collections/municipalities/items?bbox=1,2,3", 400, "bbox"),
    ("collections/municipalities/items?bbox=-200,0,10,10", 400, "bbox"),
    ("collections/municipalities/items?bbox=10,80,20,95", 400, "bbox"),
    ("collections/municipalities/items?offset=x", 400, "offset"),
    ("collections/municipalities/items?colour=red", 400, "colour"),
    ("collections/municipalities/items?pref_code=01%27%20OR%20%271%27%3D%271", 400, "pref_code"),
    ("collections/municipalities/items?muni_code=1;DROP%20TABLE%20municipalities", 400, "muni_code"),
    ("collections/municipalities/items?f=xml", 400, "f"),
    ("collections/nowhere/items", 404, "/collections/nowhere/items"),
    ("collections/nowhere", 404, "/collections/nowhere"),
    ("collections/municipalities/items/99999", 404, "99999"),
    ("collections/municipalities/items?" + "x" * 10_240, 414, "4096"),
]


class TestManners:
    @pytest.mark.parametrize("path,status,mention", BAD)
    def test_bad_requests_are_problem_json_and_the_server_keeps_serving(self, api, path, status, mention):
        code, headers, body = get(f"{api}/{path}", headers={"Accept-Language": "en"})
        assert code == status
        assert headers["content-type"].startswith("application/problem+json")
        doc = json.loads(body)
        assert doc["status"] == status and doc["title"] and mention in doc["detail"]
        assert "Traceback" not in body.decode() and 'File "' not in body.decode()
        assert get(f"{api}/?f=json")[0] == 200

    def test_problem_in_japanese_by_default(self, api):
        code, headers, body = get(f"{api}/collections/municipalities/items?limit=0")
        doc = json.loads(body)
        assert code == 400 and headers["content-language"] == "ja"
        assert doc["title"] == "リクエストが正しくありません" and "1〜10000" in doc["detail"]
        code, headers, body = get(f"{api}/collections/municipalities/items?limit=0",
                                  headers={"Accept-Language": "fr;q=1, en;q=0.8, ja;q=0.5"})
        assert headers["content-language"] == "en" and "expected an integer" in json.loads(body)["detail"]

    @pytest.mark.parametrize("query,ja,en", [
        ("filter=" + urllib.parse.quote("exec('x') = 1"), "filter で Function は使えません", "filter: Function is not offered"),
        ("filter=" + urllib.parse.quote("colour = 'red'"), "filter にはこのコレクションの属性", "found 'colour'"),
        ("filter=" + urllib.parse.quote("((("), "CQL2 テキストとして読めません", "expected CQL2 text"),
        ("datetime=yesterday", "datetime は 日付", "datetime: expected a date"),
        ("sortby=colour", "sortby にはこのコレクションの属性", "sortby: expected properties"),
    ])
    def test_refusals_from_behind_pygeoapi_speak_both_languages(self, api, query, ja, en):
        """Refusals raised by our provider or pygeoapi itself reach the client in its language, not as English."""
        url = f"{api}/collections/anime_places/items?{query}"
        code, headers, body = get(url)
        assert code == 400 and headers["content-language"] == "ja"
        assert ja in json.loads(body)["detail"]
        code, headers, body = get(url, headers={"Accept-Language": "en"})
        assert code == 400 and en in json.loads(body)["detail"]

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
    def test_no_write_endpoints(self, api, method):
        for path in ("collections/municipalities/items", "collections/municipalities/items/01202"):
            code, headers, body = get(f"{api}/{path}", method=method)
            assert code == 405 and json.loads(body)["status"] == 405
            assert "GET" in headers["allow"]
        assert get_json(f"{api}/collections/municipalities/items/01202?f=json")["id"] == "01202"

    def test_cors_and_etag(self, api):
        url = f"{api}/collections/municipalities/items?f=json&limit=2"
        code, headers, _ = get(url, headers={"Origin": "https://example.org"})
        assert code == 200 and headers["access-control-allow-origin"] == "*"
        etag = headers["etag"]
        assert etag.startswith('"') and "max-age" in headers["cache-control"]
        assert "Accept-Language" in headers["vary"]
        code, headers, body = get(url, headers={"If-None-Match": etag})
        assert code == 304 and body == b""
        assert get(url + "&offset=2")[1]["etag"] != etag
        code, headers, _ = get(url, method="OPTIONS", headers={"Origin": "https://example.org",
                                                                 "Access-Control-Request-Method": "GET"})
        assert code == 204 and "GET" in headers["access-control-allow-methods"]
        assert "POST" not in headers["access-control-allow-methods"]

    def test_html_pages_load_nothing_from_the_internet(self, api):
        for path in ("", "collections", "collections/municipalities", "collections/anime_places/items",
                     "collections/anime_places/items/ANI-T1", "openapi"):
            code, headers, body = get(f"{api}/{path}?f=html")
            assert code == 200 and headers["content-type"].startswith("text/html"), path
            html = body.decode()
            for host in ("unpkg.com", "cdnjs", "jsdelivr", "googleapis"):
                assert host not in html, (path, host)
        html = get(f"{api}/collections/anime_places/items?f=html")[2].decode()
        assert "/vendor/leaflet/leaflet.js" in html
        if (settings.PROJECT_ROOT / "static/vendor/leaflet/leaflet.js").exists():
            code, headers, body = get(f"{api}/vendor/leaflet/leaflet.js")
            assert code == 200 and b"Leaflet" in body[:2000]
        assert get(f"{api}/vendor/../revitalize/__init__.py")[0] == 404

    def test_openapi_document(self, api):
        doc = get_json(f"{api}/openapi?f=json")
        assert doc["openapi"].startswith("3.0")
        assert "/collections/municipalities/items" in doc["paths"]
        writes = [m for p in doc["paths"].values() for m in p if m in ("post", "put", "patch", "delete")]
        assert writes == []


needs_gdal = pytest.mark.skipif(shutil.which("ogrinfo") is None or shutil.which("ogr2ogr") is None,
                                reason="GDAL's ogrinfo/ogr2ogr are not installed (.ci/run installs gdal-bin)")


@needs_gdal
class TestGDAL:
    def test_ogrinfo_lists_every_collection_with_its_fields(self, api):
        out = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{api}"], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        for key in COLLECTION_IDS:
            assert key in out.stdout, key
        out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{api}", "municipalities"], capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "Feature Count: 6" in out.stdout
        for field in ("muni_code", "name_ja", "score", "rank", "population_2020"):
            assert f"{field}:" in out.stdout, field

    @pytest.mark.parametrize("key", COLLECTION_IDS)
    def test_ogr2ogr_copies_each_collection_through_the_pages(self, api, key, tmp_path, db_ids):
        dest = tmp_path / f"{key}.geojson"
        out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(dest), f"OAPIF:{api}", key, "-oo", "PAGE_SIZE=1"],
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        copied = json.loads(dest.read_text(encoding="utf-8"))["features"]
        assert len(copied) == len(db_ids[key])
        id_field = features.TABLES[key].id_field if key in features.TABLES else "candidate_id"
        assert sorted(str(f["properties"][id_field]) for f in copied) == db_ids[key]

    def test_ogr2ogr_values_equal_the_database(self, api, tmp_path, fixture_db_path):
        dest = tmp_path / "m.geojson"
        out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(dest), f"OAPIF:{api}", "municipalities"],
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        got = {f["properties"]["muni_code"]: f for f in json.loads(dest.read_text(encoding="utf-8"))["features"]}
        for code, pref, ja, en, _kind, (x0, _y0, x1, _y1) in fixture_db.MUNICIPALITIES:
            p = got[code]["properties"]
            assert (p["pref_code"], p["name_ja"], p["name_en"]) == (pref, ja, en)
            assert p["population_2020"] == fixture_db.POPULATION[code][1]
            xs = [pt[0] for pt in got[code]["geometry"]["coordinates"][0]]
            assert min(xs) == pytest.approx(x0) and max(xs) == pytest.approx(x1)


def test_without_a_database_the_command_says_so_and_exits_2(tmp_path):
    env = {**os.environ, "REVITALIZE_DB": str(tmp_path / "none.duckdb"), "REVITALIZE_LANG": "ja"}
    r = subprocess.run([sys.executable, "-m", "revitalize", "api", "--port", str(_free_port())],
                       cwd=settings.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2
    assert "none.duckdb" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (.ci/run installs it)")
def test_html_map_page_works_offline_in_a_browser(api):
    """pygeoapi's items page in headless Chromium: the Leaflet map draws the features from our /vendor/ copy,
    nothing is requested from another host and no script fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            external, errors = [], []
            page.on("request", lambda r: None if r.url.startswith(api) else external.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{api}/collections/anime_places/items?f=html", wait_until="load")
            page.wait_for_selector(".leaflet-container", timeout=60_000)
            assert page.locator(".leaflet-marker-icon, .marker-cluster, path.leaflet-interactive").count() >= 1
            assert external == [] and errors == []
        finally:
            browser.close()
