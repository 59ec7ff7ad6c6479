"""Export figures (printed, not asserted): every format for all 1,741 ranked municipalities, and one evidence sheet.

Called by benchmarks/run.py; alone: ``python benchmarks/exports.py`` uses the database of REVITALIZE_DB
(default geodata/revitalize.duckdb).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._timing import timed  # noqa: E402
from revitalize.outputs import evidence, geo, shortlists, tables  # noqa: E402


def bench_exports(con) -> None:
    t, sl = timed(lambda: shortlists.shortlist_from_score(con), repeat=3)
    print(f"exports: shortlist of {len(sl):,} ranked municipalities: {t:.3f} s")
    points = geo.municipality_places(con)
    polygons = geo.municipality_places(con, polygons=True)
    cases = [
        ("CSV UTF-8 (BOM)", lambda: tables.to_csv(sl)[0]),
        ("CSV CP932", lambda: tables.to_csv(sl, encoding="cp932")[0]),
        ("xlsx", lambda: tables.to_xlsx(sl)),
        ("GeoJSON points", lambda: geo.to_geojson(sl, points)),
        ("GeoPackage points", lambda: geo.to_gpkg(sl, points)),
        ("GeoPackage polygons", lambda: geo.to_gpkg(sl, polygons)),
        ("KML points", lambda: geo.to_kml(sl, points)),
        ("KML polygons", lambda: geo.to_kml(sl, polygons)),
    ]
    for label, fn in cases:
        t, data = timed(fn, repeat=3)
        print(f"exports: {label}, {len(sl):,} rows: {t:.3f} s, {len(data) / 1e6:.2f} MB")
    t, ctx = timed(lambda: evidence.context(con), repeat=3)
    print(f"evidence: national context (scores, percentiles, polygons): {t:.3f} s")
    subject = evidence.Subject(("01100",))
    t, page = timed(lambda: evidence.evidence_html(con, subject, ctx=ctx), repeat=3)
    print(f"evidence: one sheet (Sapporo) as HTML: {t:.3f} s, {len(page.encode()) / 1e3:.0f} kB")
    if evidence.pdf_problem():
        print(f"evidence: PDF skipped ({evidence.pdf_problem()})")
        return
    t, pdf = timed(lambda: evidence.evidence_pdf(con, subject, ctx=ctx), repeat=3)
    print(f"evidence: one sheet (Sapporo) as PDF: {t:.3f} s, {len(pdf) / 1e3:.0f} kB (context made once)")
    ten = [evidence.Subject((c,)) for c in sl.table["muni_codes"].head(10)]
    t, pdf = timed(lambda: evidence.evidence_pdf(con, ten, ctx=ctx), repeat=1)
    print(f"evidence: top 10 municipalities as one PDF: {t:.3f} s, {len(pdf) / 1e6:.2f} MB")


if __name__ == "__main__":
    from revitalize.data import db

    connection = db.connect(read_only=True)
    try:
        bench_exports(connection)
    finally:
        connection.close()
