"""GIS exports of the candidate register in both languages: every column of the CSV, none merged or lost."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import pyogrio
import pytest

from revitalize.core import domain, i18n
from revitalize.data import db
from revitalize.outputs import formats, geo, shortlists, tables
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

BOSS = User("boss", "admin")


@pytest.fixture()
def register():
    """Two candidates: a designated composite base with applicants and a date, a draft tourism base."""
    wf = db.connect_workflow()
    try:
        a = C.create(wf, BOSS, C.CandidateData("函館アニメ聖地めぐり", "tourism", 2025, ("01202",),
                                               applicants=(("函館市", "municipality"), ("函館DMO", "dmo"))))
        b = C.create(wf, BOSS, C.CandidateData("沼津コンテンツ拠点", "composite", 2026, ("22203",), name_en="Numazu base"))
        for to in ("applied", "under_review", "shortlisted", "nominated"):
            C.transition(wf, BOSS, b, to, reason="test", read_version=C.get(wf, b).version)
        C.transition(wf, BOSS, b, "designated", reason="test", read_version=C.get(wf, b).version,
                     designated_on=dt.date(2026, 3, 31))
    finally:
        wf.close()
    return a, b


def _csv_frame(sl) -> pd.DataFrame:
    """The CSV export's data columns (its last column, the credit lines, travels in GIS files as metadata)."""
    data, _ = tables.to_csv(sl)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", nrows=len(sl), dtype=str, keep_default_na=False)
    return frame.drop(columns=[i18n.t("csv.credit_col", sl.lang)])


def _text(v) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):  # readers turn ISO dates into dates
        return v.date().isoformat() if isinstance(v, dt.datetime) else v.isoformat()
    if isinstance(v, float):
        return f"{v:.6f}"
    return str(v)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "kml"])
def test_candidate_gis_exports_keep_every_column_of_the_csv(con, register, tmp_path, lang, fmt):
    sl = shortlists.shortlist_for("candidates", con, lang=lang)
    places = geo.municipality_places(con)
    data, _ = formats.export(sl, fmt, places=places)
    path = tmp_path / f"c.{fmt}"
    path.write_bytes(data)
    back = pyogrio.read_dataframe(path, **({"layer": "shortlist"} if fmt == "gpkg" else {}))
    csv = _csv_frame(sl)
    labels = geo.field_labels(sl)
    # one GIS field per CSV column, each labelled with the CSV header
    assert list(labels.values()) == list(csv.columns)
    assert len(set(labels)) == len(labels) == len(csv.columns)
    fields = set(back.columns) - {"geometry"}
    if fmt == "kml":  # the Placemark's <name> is the name field; KML adds its own
        fields = (fields - {"id", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate",
                            "extrude", "visibility", "drawOrder", "icon", "Name"}) | {"name"}
        back = back.rename(columns={"Name": "name"})
    assert fields == set(labels)
    for key in ("status", "base_type", "fiscal_year", "applicants", "designated_on"):
        assert key in fields
    for key, header in labels.items():
        got = [_text(v) for v in back[key]]
        want = [_text(float(v)) if key == "score" and v else v for v in csv[header]]
        if key == "score":
            got = [_text(float(v)) if v else "" for v in got]
        assert got == want, (key, got, want)
    assert set(back["status"]) == {domain.label(domain.STATUSES, s, lang) for s in ("designated", "draft")}
    assert "2026-03-31" in csv[labels["designated_on"]].tolist()


def test_gis_files_carry_their_label_table(con, register, tmp_path):
    sl = shortlists.shortlist_for("candidates", con, lang="ja")
    places = geo.municipality_places(con)
    doc = json.loads(formats.export(sl, "geojson", places=places)[0])
    assert doc["labels"]["status"] == "状況" and doc["labels"]["base_type"] == "類型"
    path = tmp_path / "c.gpkg"
    path.write_bytes(formats.export(sl, "gpkg", places=places)[0])
    with sqlite3.connect(path) as q:
        assert dict(q.execute("SELECT field, label FROM fields").fetchall())["fiscal_year"] == "公募年度"
    root = ET.fromstring(formats.export(sl, "kml", places=places)[0])
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    shown = {f.get("name"): f.find("k:displayName", ns).text for f in root.iter(f"{{{ns['k']}}}SimpleField")}
    assert shown["applicants"] == "申請者"


def test_two_columns_never_become_one_field(con):
    table = pd.DataFrame({"name": ["a"], "muni_codes": ["01100"], "状況": ["x"], "類型": ["y"], "理由 (1)": ["z"]})
    sl = shortlists.shortlist_from_table(table, kind="candidates")
    places = geo.municipality_places(con)
    doc = json.loads(geo.to_geojson(sl, places))
    props = doc["features"][0]["properties"]
    assert props["状況"] == "x" and props["類型"] == "y" and props["理由 (1)"] == "z"
    root = ET.fromstring(geo.to_kml(sl, places))  # used to fail: duplicate field names
    assert len(root.findall(".//{http://www.opengis.net/kml/2.2}SimpleData")) >= 3
