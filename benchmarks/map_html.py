"""Interactive map file figures (printed, not asserted; issue 24): size and build time of the national maps.

Alone: ``python benchmarks/map_html.py`` uses the database of REVITALIZE_DB (default geodata/revitalize.duckdb),
or one built for the run when there is none.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._timing import on_reference_db, timed  # noqa: E402
from revitalize.outputs import explorer, formats, geo, map_html, shortlists  # noqa: E402


def bench_map_html(con) -> None:
    data = explorer.load_data(con)
    f = explorer.Filters()  # the explorer's default view: every point layer and the GI choropleth, all Japan
    t, doc = timed(lambda: map_html.explorer_document(data, f, lang="ja"), repeat=3)
    print(f"map-html: national explorer map (4 point layers + GI choropleth): {len(doc) / 1e6:.2f} MB, {t:.2f} s")
    everything = explorer.Filters(layers=explorer.ALL_LAYERS[:-1])
    t, doc = timed(lambda: map_html.explorer_document(data, everything, lang="ja"), repeat=1)
    print(f"map-html: national explorer map with all 5 choropleths: {len(doc) / 1e6:.2f} MB, {t:.2f} s")
    sl = shortlists.shortlist_from_score(con)
    places = geo.municipality_places(con, polygons=True)
    t, (doc, _) = timed(lambda: formats.export(sl, "map-html", places=places), repeat=1)
    print(f"map-html: score ranking of {len(sl):,} municipalities (export format): {len(doc) / 1e6:.2f} MB, {t:.2f} s")


if __name__ == "__main__":
    on_reference_db(bench_map_html)
