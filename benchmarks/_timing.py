"""The helpers the benchmark scripts share: timing, and a reference database to run on."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from revitalize.core import settings
from revitalize.data import build, db


def timed(fn, repeat: int = 5):
    """(median seconds, last result) over ``repeat`` runs."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def on_reference_db(fn) -> None:
    """``fn(con)`` on the reference database (``REVITALIZE_DB``, read-only), or on one built for the run in a
    temporary folder when there is none."""
    path = settings.db_path()
    with tempfile.TemporaryDirectory() as d:
        if not path.exists():
            path = Path(d) / "bench.duckdb"
            build.build(path)
        con = db.connect(path, read_only=True)
        try:
            fn(con)
        finally:
            con.close()
