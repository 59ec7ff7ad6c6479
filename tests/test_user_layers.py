"""User layers: preview is a dry run, confirm is all or nothing, every change is audited, spatial assignment."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pytest
import shapely
from conftest import MIRROR

from revitalize.core.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from revitalize.data import db
from revitalize.workflow import user_layers
from revitalize.workflow.auth import User

TANAKA = User("tanaka", "municipality", frozenset({"42203"}))
SATO = User("sato", "municipality", frozenset({"42201"}))
ADMIN = User("admin", "admin")
VIEWER = User("guest", "viewer")

HEAD = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,緯度,経度,URL"
ROWS = [
    "422037,1,長崎県,島原市,島原城,シマバラジョウ,長崎県島原市城内一丁目,32.78926,130.36723,https://shimabarajou.com/",
    "422037,2,長崎県,島原市,武家屋敷,ブケヤシキ,長崎県島原市下の丁,32.79273,130.36284,",
    "422037,3,長崎県,島原市,眼鏡橋（長崎市）,メガネバシ,長崎県長崎市魚の町,32.7475,129.8787,",
    "422037,4,長崎県,島原市,湧水庭園,ユウスイテイエン,長崎県島原市新町,,,",
]


def csv_bytes(rows=ROWS, encoding="cp932") -> bytes:
    return ("\r\n".join([HEAD, *rows]) + "\r\n").encode(encoding)


@pytest.fixture()
def work():
    con = db.connect_workflow(":memory:")
    yield con
    con.close()


@pytest.fixture(scope="module")
def ref():
    """A reference database with two box-shaped municipalities: 島原市 (42203) and 長崎市 (42201)."""
    con = db.connect(":memory:")
    for code, name, box in (("42203", "島原市", (130.25, 32.70, 130.45, 32.85)),
                            ("42201", "長崎市", (129.75, 32.65, 129.95, 32.85))):
        con.execute("INSERT INTO municipalities (muni_code, pref_code, name_ja, kind, is_disputed, geom) "
                    "VALUES (?, '42', ?, 'city', false, ST_GeomFromText(?))", [code, name, shapely.box(*box).wkt])
    yield con
    con.close()


def everything(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # table names are constants
            for t in ("user_layers", "user_layer_features", "user_layer_events")}


def imported(work, ref, name="shimabara", user=TANAKA, **kw) -> int:
    p = user_layers.preview(csv_bytes(), "shimabara.csv", name=name, title="島原の見どころ", ref_con=ref,
                            work_con=work)
    return user_layers.confirm(work, user, p, licence="CC BY 4.0", credit="出典：島原市", **kw)


class TestPreview:
    def test_dry_run_says_everything_and_writes_nothing(self, work, ref):
        before = everything(work)
        p = user_layers.preview(csv_bytes(), "shimabara.csv", name="shimabara", ref_con=ref, work_con=work)
        assert everything(work) == before
        s = p.summary()
        assert (s["format"], s["encoding"], s["standard"], s["dataset"], s["rows"]) == ("csv", "cp932", True, None, 4)
        assert "CP932" in s["encoding_reason"]
        assert s["mapping"]["name"] == ["名称"] and s["mapping"]["lat"] == ["緯度"]
        assert p.first_rows["muni_code"].tolist() == ["42203", "42203", "42201", "42203"]
        assert p.stated == ("42203",) and p.ok

    def test_rows_outside_the_stated_municipality_are_reported(self, work, ref):
        p = user_layers.preview(csv_bytes(), "shimabara.csv", name="shimabara", ref_con=ref)
        outside = [w for w in p.warnings if w.column == "lat/lon"]
        assert [(w.row, w.expected, w.found) for w in outside] == [
            (3, "a point in 島原市 (42203)", "a point in 長崎市 (42201)")]

    def test_points_in_no_municipality_and_stated_prefecture(self, ref):
        rows = ROWS[:1] + ["422037,9,長崎県,島原市,有明海の上,,,32.9000,130.6000,"]
        p = user_layers.preview(csv_bytes(rows), "x.csv", name="x", ref_con=ref, stated=["42"])
        assert [(w.row, "no municipality" in w.found) for w in p.warnings if w.column == "lat/lon"] == [(2, True)]

    def test_problems_block_the_import(self, work, ref):
        bad = csv_bytes(ROWS + ["422037,5,長崎県,島原市,,,長崎県島原市,32.79,130.36,"])
        p = user_layers.preview(bad, "bad.csv", name="Bad Name", ref_con=ref)
        assert {(x.row, x.column) for x in p.problems} == {(5, "名称"), (None, "name")}
        with pytest.raises(InputError) as exc:
            user_layers.confirm(work, TANAKA, p)
        assert len(exc.value.problems) == 2
        assert everything(work) == {"user_layers": [], "user_layer_features": [], "user_layer_events": []}

    def test_props_keep_every_cell_even_with_line_separators(self):
        rows = ['422037,1,長崎県,島原市,島原城,,"一行目\n二行目\u2028三\x85",32.78926,130.36723,']
        p = user_layers.preview(csv_bytes(rows, "utf-8"), "x.csv", name="x")
        assert len(p.features) == 1 and json.loads(p.features["props"].iloc[0])["住所"] == "一行目\n二行目\u2028三\x85"

    def test_codes_with_a_wrong_check_digit_are_warned_about_once(self):
        rows = [r.replace("422037", "422030") for r in ROWS[:3]]
        p = user_layers.preview(csv_bytes(rows), "x.csv", name="x")
        bad = [w for w in p.warnings if w.column == "都道府県コード又は市区町村コード"]
        assert len(bad) == 1 and "check digit 0, expected 7" in bad[0].found and "rows 1, 2, 3" in bad[0].found
        assert p.features["file_muni_code"].isna().all()

    def test_without_a_reference_database_the_file_codes_are_used(self):
        p = user_layers.preview(csv_bytes(), "s.csv", name="s")
        assert set(p.features["muni_code"]) == {"42203"}


class TestConfirm:
    def test_writes_layer_features_and_one_event(self, work, ref):
        assert imported(work, ref) == 1
        layer = user_layers.layers(work).iloc[0]
        assert (layer["name"], layer["title"], layer["owner"], layer["rows"], layer["format"], layer["encoding"],
                layer["geometry_type"], layer["licence"], layer["credit"], bool(layer["hidden"])) == (
            "shimabara", "島原の見どころ", "tanaka", 4, "csv", "cp932", "Point", "CC BY 4.0", "出典：島原市", False)
        f = user_layers.features(work, "shimabara")
        assert f["row_no"].tolist() == [1, 2, 3, 4]
        assert f["muni_code"].tolist() == ["42203", "42203", "42201", "42203"]
        assert f.loc[0, "geometry"].equals(shapely.Point(130.36723, 32.78926))
        assert f.loc[3, "geometry"] is None
        assert json.loads(f.loc[0, "props"])["URL"] == "https://shimabarajou.com/"
        ev = user_layers.history(work, "shimabara")
        assert ev["action"].tolist() == ["import"] and json.loads(ev.loc[0, "details"])["rows"] == 4

    @pytest.mark.parametrize("where", ["_insert_features", "_event"])
    def test_a_failure_midway_leaves_nothing(self, work, ref, monkeypatch, where):
        real = getattr(user_layers, where)

        def fail_after(*args, **kwargs):
            real(*args, **kwargs)  # the rows are written inside the transaction, then it fails
            raise RuntimeError("disk full")

        monkeypatch.setattr(user_layers, where, fail_after)
        with pytest.raises(RuntimeError, match="disk full"):
            imported(work, ref)
        assert everything(work) == {"user_layers": [], "user_layer_features": [], "user_layer_events": []}

    def test_a_failed_reimport_keeps_the_old_layer(self, work, ref, monkeypatch):
        imported(work, ref)
        before = everything(work)
        monkeypatch.setattr(user_layers, "_event", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
        p = user_layers.preview(csv_bytes(ROWS[:1]), "v2.csv", name="shimabara", ref_con=ref, work_con=work,
                                replace=True)
        with pytest.raises(RuntimeError):
            user_layers.confirm(work, TANAKA, p, replace=True, read_version=1)
        assert everything(work) == before

    def test_name_in_use_and_viewers(self, work, ref):
        imported(work, ref)
        p = user_layers.preview(csv_bytes(), "again.csv", name="shimabara", work_con=work)
        assert any("exists" in x.found for x in p.problems)
        with pytest.raises(PermissionDeniedError):
            user_layers.confirm(work, VIEWER, user_layers.preview(csv_bytes(), "v.csv", name="other"))

    def test_gis_layer_keeps_its_geometry(self, work, ref, tmp_path):
        g = gpd.GeoDataFrame({"名称": ["島原城", "雲仙"]}, geometry=[shapely.Point(130.36723, 32.78926).buffer(0.001),
                                                                  shapely.Point(130.2883, 32.7612).buffer(0.001)],
                             crs=4326).to_crs(6670)
        out = io.BytesIO()
        g.to_file(out, driver="GPKG")
        p = user_layers.preview(out.getvalue(), "areas.gpkg", name="areas", ref_con=ref, stated=["42203"])
        assert p.ok, p.problems
        user_layers.confirm(work, TANAKA, p)
        f = user_layers.features(work, "areas")
        assert f["geometry"].map(lambda x: x.geom_type).tolist() == ["Polygon", "Polygon"]
        assert f.loc[0, "geometry"].contains(shapely.Point(130.36723, 32.78926))
        assert user_layers.layers(work).loc[0, "source_crs"] == "EPSG:6670 (JGD2011 plane rectangular zone 2)"


class TestChanges:
    def test_rename_hide_show_reimport_delete_each_audited(self, work, ref):
        imported(work, ref)
        v = user_layers.rename(work, TANAKA, "shimabara", "shimabara_sights", read_version=1, title="島原の名所")
        assert v == 2 and set(user_layers.features(work, "shimabara_sights")["layer_name"]) == {"shimabara_sights"}
        v = user_layers.set_hidden(work, TANAKA, "shimabara_sights", True, read_version=v)
        assert user_layers.layers(work, include_hidden=False).empty
        v = user_layers.set_hidden(work, TANAKA, "shimabara_sights", False, read_version=v)
        p = user_layers.preview(csv_bytes(ROWS[:2]), "v2.csv", name="shimabara_sights", ref_con=ref, work_con=work,
                                replace=True)
        v = user_layers.confirm(work, ADMIN, p, replace=True, read_version=v)
        layer = user_layers.layers(work).iloc[0]
        assert (v, layer["rows"], layer["owner"], layer["source"]) == (5, 2, "tanaka", "v2.csv")
        assert len(user_layers.features(work, "shimabara_sights")) == 2
        user_layers.delete(work, TANAKA, "shimabara_sights", read_version=v)
        assert user_layers.layers(work).empty and work.execute("SELECT count(*) FROM user_layer_features").fetchone()[0] == 0
        ev = user_layers.history(work)
        assert ev["action"].tolist() == ["import", "rename", "hide", "show", "reimport", "delete"]
        assert ev["actor"].tolist() == ["tanaka"] * 4 + ["admin", "tanaka"]
        assert json.loads(ev.iloc[1]["details"])["from"] == "shimabara"
        assert json.loads(ev.iloc[-1]["details"])["rows"] == 2

    def test_stale_version_and_other_owners_are_refused(self, work, ref):
        imported(work, ref)
        before = everything(work)
        with pytest.raises(ConflictError):
            user_layers.set_hidden(work, TANAKA, "shimabara", True, read_version=7)
        with pytest.raises(PermissionDeniedError):
            user_layers.rename(work, SATO, "shimabara", "mine", read_version=1)
        with pytest.raises(PermissionDeniedError):
            user_layers.delete(work, SATO, "shimabara", read_version=1)
        with pytest.raises(NotFoundError):
            user_layers.delete(work, ADMIN, "nothing", read_version=1)
        with pytest.raises(InputError):
            user_layers.rename(work, TANAKA, "shimabara", "Bad-Name", read_version=1)
        assert everything(work) == before
MUNICIPAL = MIRROR / "municipal_open_data"  # conftest.MIRROR: honours REVITALIZE_TEST_NO_MIRROR


class TestRealWorld:
    def test_ichikawa_landscapes_fall_in_ichikawa(self, con, work):
        path = MUNICIPAL / "122033_209_100_best_landscapes.csv"
        if not path.exists():
            pytest.skip(f"municipal open data not found at {MUNICIPAL}")
        p = user_layers.preview(path.read_bytes(), path.name, name="ichikawa_landscapes", ref_con=con)
        assert p.ok and p.stated == ("12203",)
        located = p.features[p.features["lat"].notna()]
        share = (located["muni_code"] == "12203").mean()
        assert share >= 0.9, located["muni_code"].value_counts()
        outside = [w for w in p.warnings if w.column == "lat/lon"]
        assert len(outside) == int((located["muni_code"] != "12203").sum())
        user_layers.confirm(work, ADMIN, p, credit="出典：景観百選（市川市）")
        assert user_layers.layers(work).loc[0, "rows"] == 100
