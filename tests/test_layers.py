"""User layers end to end: the CLI on real municipal files, all-or-nothing writes, inert text on maps and in
exports, user indicators in the ranking, profile and evidence."""

from __future__ import annotations

import io
import json
import unicodedata

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import MIRROR

from revitalize.analysis import scoring
from revitalize.app.cli import main as cli
from revitalize.data import db
from revitalize.outputs import evidence, maps
from revitalize.outputs import user_layers as layer_views
from revitalize.workflow import user_layers
from revitalize.workflow.auth import User

MUNICIPAL = MIRROR / "municipal_open_data"
ADMIN = User("admin", "admin")

# (file, rows kept, encoding, the publisher's municipality when it is one, else None)
REAL = [
    ("130001_cultural_property.csv", 245, "cp932", None),  # 248 records, the last 3 blank
    ("122033_102_cultural_property.csv", 76, "cp932", "12203"),
    ("122033_209_100_best_landscapes.csv", 100, "cp932", "12203"),
    ("20220701_kankou_shisetsu.csv", 12, "cp932", "04205"),
    ("shimabara_tourism.csv", 28, "utf-8-sig", "42203"),
    ("yanai_tourism.csv", 18, "utf-8-sig", "35212"),
    ("o1-130001_g1-000304.csv", 31, "utf-8-sig", None),
]


@pytest.fixture()
def cli_env(built_db, monkeypatch):
    monkeypatch.setenv("REVITALIZE_DB", str(built_db))
    return built_db


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("ヶ", "ケ")


def named_in_address(row: pd.Series, names: dict[str, str], pref: str) -> str | None:
    """The test's own reading: the longest name of a municipality of ``pref`` found in the row's address cells."""
    text = _plain(" ".join(str(v) for k, v in row.items() if str(k).startswith(("住所", "所在地")) and v))
    hits = [c for c, n in names.items() if c.startswith(pref) and n and _plain(n) in text]
    return max(hits, key=lambda c: len(names[c])) if hits else None


class TestCliRealWorld:
    @pytest.mark.parametrize("name,rows,encoding,publisher", REAL, ids=[r[0] for r in REAL])
    def test_every_municipal_file_imports_with_its_rows_encoding_and_municipalities(
            self, cli_env, capsys, name, rows, encoding, publisher):
        path = MUNICIPAL / name
        if not path.exists():
            pytest.skip(f"municipal open data not found at {MUNICIPAL} (set REVITALIZE_DATA_MIRROR)")
        code, out, err = run(capsys, "layers", "import", str(path), "--name", "real", "--credit", "出典：テスト")
        assert code == 0, err
        code, out, _ = run(capsys, "layers", "list", "--format", "json")
        [listed] = json.loads(out)
        assert {"name", "rows", "geometry_type", "encoding", "source", "imported_on"} <= set(listed)
        assert (listed["name"], listed["rows"], listed["encoding"], listed["source"]) == ("real", rows, encoding, name)
        assert listed["geometry_type"] == ("Point" if name != "yanai_tourism.csv" else None)  # Yanai has no coordinates
        work = db.connect_workflow()
        ref = db.connect(cli_env, read_only=True)
        try:
            feats = user_layers.features(work, "real").set_index("row_no")
            names = dict(ref.execute("SELECT muni_code, name_ja FROM municipalities").fetchall())
        finally:
            work.close()
            ref.close()
        assert len(feats) == rows
        table = pd.read_csv(io.BytesIO(path.read_bytes()), encoding=encoding, dtype=str, keep_default_na=False)
        wrong = []
        for row_no, f in feats.iterrows():
            if publisher is not None:  # a municipality's own list: every row is in it
                expected = publisher
            else:  # a prefecture's list: the municipality its address names, or none (the prefecture's code)
                expected = named_in_address(table.iloc[row_no - 1], names, "13") or "13000"
            if f["muni_code"] != expected:
                wrong.append((row_no, f["name"], f["muni_code"], expected))
        # the one exception: 東京ビッグサイト's point lies 1.7 km outside 江東区 on the simplified boundaries
        # (reclaimed land) — the import keeps the point's own municipality
        allowed = {("o1-130001_g1-000304.csv", 1)}
        assert [w for w in wrong if (name, w[0]) not in allowed] == []

    def test_refused_file_exits_2_listing_every_problem_and_writes_nothing(self, cli_env, capsys, tmp_path):
        data = "名称,緯度,経度\n島原城,130.36,32.78\n,32.79,130.36\n武家屋敷,32.79,999\n".encode()
        path = tmp_path / "bad.csv"
        path.write_bytes(data)
        code, _, err = run(capsys, "layers", "import", str(path), "--name", "bad")
        assert code == 2
        assert err.count("\n  - ") >= 2 and "row 1" in err and "row 3" in err and "nothing was written" in err
        assert json.loads(run(capsys, "layers", "list", "--format", "json")[1]) == []

    def test_dry_run_writes_nothing_and_mapping_options_are_used(self, cli_env, capsys, tmp_path):
        data = "施設名,Y,X,団体\n島原城,32.78926,130.36723,42203\n".encode("cp932")
        path = tmp_path / "odd.csv"
        path.write_bytes(data)
        code, out, err = run(capsys, "layers", "import", str(path), "--name", "odd", "--lat", "Y", "--lon", "X",
                             "--muni-code", "団体", "--encoding", "cp932", "--dry-run")
        assert code == 0, err
        assert '"lat": ["Y"]' in out and '"muni_code": ["団体"]' in out and "cp932" in out and "dry run" in out
        assert json.loads(run(capsys, "layers", "list", "--format", "json")[1]) == []
        code, _, _ = run(capsys, "layers", "import", str(path), "--name", "odd", "--lat", "Y", "--lon", "X",
                         "--source", "島原市オープンデータ", "--licence", "CC BY 4.0")
        [listed] = json.loads(run(capsys, "layers", "list", "--format", "json")[1])
        assert code == 0 and (listed["rows"], listed["source"], listed["licence"]) == (1, "島原市オープンデータ",
                                                                                     "CC BY 4.0")
        assert run(capsys, "layers", "delete", "odd")[0] == 0
        assert run(capsys, "layers", "delete", "odd")[0] == 2  # no such layer
        assert run(capsys, "layers", "list")[1].strip() == "no layers"
        nogeo = tmp_path / "nogeo.csv"
        nogeo.write_bytes("施設名,団体\n島原城,42203\n".encode())
        assert run(capsys, "layers", "import", str(nogeo), "--name", "nogeo", "--muni-code", "団体")[0] == 0
        assert run(capsys, "layers", "list")[1].split("\t")[:4] == ["nogeo", "1 rows", "-", "utf-8"]


# ---------------------------------------------------------------------------------------------- all or nothing

CSV = pd.DataFrame({
    "名称": ["<img src=x onerror=alert(1)>", '=HYPERLINK("http://evil.example","click")', "@SUM(A1)"],
    "緯度": [32.78926, 32.79273, 32.7475], "経度": [130.36723, 130.36284, 129.8787],
    "種別": ["城", "+cmd", "-1"], "来訪者数": [1200, 300, 50]}).to_csv(index=False).encode("utf-8")


def everything(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # table names are constants
            for t in ("user_layers", "user_layer_features", "user_layer_events")}


@pytest.fixture()
def work():
    con = db.connect_workflow(":memory:")
    yield con
    con.close()


def test_a_failure_midway_leaves_nothing_written(work, monkeypatch):
    p = user_layers.preview(CSV, "x.csv", name="x")

    def failing(*args, **kwargs):  # the audit row is the transaction's last statement: layer and features are in
        raise RuntimeError("disk full")

    before = everything(work)
    with monkeypatch.context() as m:
        m.setattr(user_layers.audit, "record", failing)
        with pytest.raises(RuntimeError):
            user_layers.confirm(work, ADMIN, p)
    assert everything(work) == before
    user_layers.confirm(work, ADMIN, p)
    kept = everything(work)
    with monkeypatch.context() as m:  # a re-import that fails keeps the old layer as it was
        m.setattr(user_layers.audit, "record", failing)
        with pytest.raises(RuntimeError):
            user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x", work_con=work, replace=True),
                                replace=True, read_version=1)
    assert everything(work) == kept


# ---------------------------------------------------------------------------------------------- inert text

def test_names_with_html_or_formulas_are_text_on_the_map(work):
    user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x", title="<script>alert(2)</script>"),
                        credit="出典：<b>島原市</b>")
    html = maps.spec_json({"points": layer_views.map_points(layer_views.map_layers(work))})
    for raw in ("<img src=x", "<script>alert(2)", "<b>島原市"):
        assert raw not in html
    # the names travel as JSON data (with < escaped) and the map view sets them as text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "=HYPERLINK(\\\"http://evil.example\\\"" in html


def test_names_with_formulas_are_exported_inert(work):
    user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x"), credit="出典：島原市")
    data, file_name, mime, _ = layer_views.export_layer(work, None, "x", "csv")
    text = data.decode("utf-8-sig")
    assert file_name.endswith(".csv") and mime.startswith("text/csv")
    assert "'=HYPERLINK(" in text and "'@SUM(A1)" in text and "'+cmd" in text and "出典：島原市" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    data, _, _, _ = layer_views.export_layer(work, None, "x", "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "'=HYPERLINK(\"http://evil.example\",\"click\")" for c in cells)
    assert any("出典：島原市" in c.value for c in cells)


# ---------------------------------------------------------------------------------------------- scoring

def _inputs():
    idx = pd.Index(["01100", "13101", "42203", "47201"], name="muni_code")
    sub = pd.DataFrame({k: [0.5, 0.6, 0.4, 0.45] for k in scoring.KEYS}, index=idx)
    return idx, sub


class TestExtraIndicators:
    def test_the_weight_decides_how_much_a_layer_moves_the_ranking(self):
        idx, sub = _inputs()
        counts = pd.Series({"42203": 30.0, "47201": 1.0})
        base = scoring.score(sub, scoring.Weights())
        zero = scoring.score(sub, scoring.Weights(), extras=(scoring.ExtraIndicator("u", "u", counts, 0.0, fill=0),))
        assert zero["rank"].tolist() == base["rank"].tolist()
        assert np.allclose(zero["score"], base["score"])
        ranks = []
        for w in (0.5, 2.0, 20.0):
            s = scoring.score(sub, scoring.Weights(), extras=(scoring.ExtraIndicator("u", "u", counts, w, fill=0),))
            assert np.allclose(s.filter(like="c_").sum(axis=1), s["score"])  # contributions still add up
            assert np.allclose(s["k_user"], s["c_u"])
            ranks.append(int(s.loc["42203", "rank"]))
        assert ranks[0] >= ranks[1] >= ranks[2] == 1 and ranks[0] > 1  # more weight, higher rank
        against = scoring.score(sub, scoring.Weights(),
                                extras=(scoring.ExtraIndicator("u", "u", counts, 20.0, direction=-1, fill=0),))
        assert int(against.loc["42203", "rank"]) == 4

    def test_a_numeric_column_without_data_is_missing_not_zero(self):
        idx, sub = _inputs()
        values = pd.Series({"42203": 5.0, "47201": 1.0})  # no value for 01100 and 13101
        s = scoring.score(sub, scoring.Weights(),
                          extras=(scoring.ExtraIndicator("v", "v", values, 3.0, normalisation="percentile"),))
        assert s.loc["01100", "missing"] == "v" and s.loc["42203", "missing"] == ""
        assert s.loc["01100", "coverage"] < 1 and s.loc["42203", "coverage"] == pytest.approx(1)

    def test_bad_extras_are_refused_with_every_problem(self):
        with pytest.raises(scoring.ConfigError) as exc:
            scoring.ExtraIndicator("anime", "x", pd.Series(dtype=float), -1.0, direction=0, normalisation="z")
        assert str(exc.value).count("\n  - ") == 4

    def test_a_layer_becomes_an_indicator_in_the_ranking(self, work, con):
        user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x", ref_con=con))
        assert user_layers.numeric_columns(work, "x") == ["来訪者数"]
        ind, raw, sub = scoring.inputs(con)
        count = layer_views.extra_indicator(work, "x", weight=30.0)
        visitors = layer_views.extra_indicator(work, "x", "来訪者数", aggregate="sum", weight=1.0, direction=-1)
        assert count.values.to_dict() == {"42201": 1.0, "42203": 2.0}
        assert visitors.values.to_dict() == {"42201": 50.0, "42203": 1500.0}
        base = scoring.ranking(ind, raw, sub, scoring.Weights())
        ranked = scoring.ranking(ind, raw, sub, scoring.Weights(), extras=(count, visitors))
        assert int(ranked.loc["42203", "rank"]) < int(base.loc["42203", "rank"])
        assert ranked.loc["42203", "raw_user.x.count"] == 2 and ranked.loc["42203", "raw_user.x.sum.来訪者数"] == 1500
        assert {"c_user.x.count", "s_user.x.count", "k_user"} <= set(ranked.columns)


# ---------------------------------------------------------------------------------------------- profile, evidence

def test_profile_counts_and_evidence_list_the_features_with_their_credit(work, con):
    user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x", title="島原の見どころ", ref_con=con),
                        credit="出典：島原市オープンデータ")
    counts, feats = layer_views.in_municipalities(work, ["42203"])
    assert counts[["title", "rows", "credit"]].values.tolist() == [["島原の見どころ", 2, "出典：島原市オープンデータ"]]
    assert len(feats) == 2 and set(feats["muni_code"]) == {"42203"}
    user_layers.set_hidden(work, ADMIN, "x", True, read_version=1)
    assert layer_views.in_municipalities(work, ["42203"])[0].empty  # hidden layers are left out
    user_layers.set_hidden(work, ADMIN, "x", False, read_version=2)
    subject = evidence.Subject(("42203",), title="候補", user_features=layer_views.in_municipalities(work, ["42203"])[1])
    page = evidence.render(con, subject, "html").decode("utf-8")
    assert "出典：島原市オープンデータ" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_hidden_layers_leave_the_map_and_areas_are_drawn_at_their_point(work):
    import geopandas as gpd
    import shapely

    areas = gpd.GeoDataFrame({"名称": ["<i>公園</i>"]}, crs=4326,
                             geometry=[shapely.box(130.30, 32.75, 130.35, 32.80)]).to_json().encode()
    user_layers.confirm(work, ADMIN, user_layers.preview(areas, "parks.geojson", name="parks", title="公園"))
    user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x", title="見どころ"))
    user_layers.set_hidden(work, ADMIN, "x", True, read_version=1)
    layers = layer_views.map_layers(work)
    assert [layer.title for layer in layers] == ["公園"]
    (park,) = layer_views.map_points(layers)
    assert park["key"] == "user:parks" and park["data"]["name"] == "公園"
    assert 32.75 <= park["data"]["lat"][0] <= 32.80 and 130.30 <= park["data"]["lon"][0] <= 130.35
    html = maps.spec_json({"points": [park]})
    assert "<i>公園" not in html and "\\u003ci\\u003e公園" in html


def test_a_layer_without_credit_or_licence_is_credited_with_its_source(work):
    user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "x.csv", name="x"))
    user_layers.confirm(work, ADMIN, user_layers.preview(CSV, "y.csv", name="y"), credit="出典：Y", licence="CC BY")
    assert sorted(layer.credit for layer in layer_views.map_layers(work)) == ["出典：Y", "出典：x.csv"]
