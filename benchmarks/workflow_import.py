"""Import speed of official lists on both workflow backends (issue 16). Prints figures; asserts nothing.

    python benchmarks/workflow_import.py [--sizes 1000,10000,100000] [--backends duckdb,postgresql]

Each size is a fresh store and a generated CSV (two municipalities and one applicant a row, three fiscal
years), imported through ``imports.import_file`` — reading, checking every row, then one transaction
of bulk appends. Target: 200,000 rows in ≤ 30 s (``candidates.MAX_IMPORT_ROWS`` refuses larger lists).
PostgreSQL is a throwaway cluster on loopback (tests/pg.py).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pg  # noqa: E402

from revitalize.data import db, store  # noqa: E402
from revitalize.workflow import candidates, imports  # noqa: E402
from revitalize.workflow.auth import User  # noqa: E402

ADMIN = User("bench", "admin")


def write_list(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["名称", "類型", "年度", "市区町村コード", "状況", "申請者", "出典URL"])
        for i in range(n):
            w.writerow([f"拠点候補 {i}", ("tourism", "industry", "composite")[i % 3], str(2025 + i % 3),
                        f"{1100 + i % 500:05d};13101", ("applied", "under_review", "draft")[i % 3],
                        f"団体{i}:municipality", "https://example.org/list"])
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--backends", default="duckdb,postgresql")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="wf-import-"))
    cluster = pg.Cluster().start() if store.POSTGRESQL in backends else None
    try:
        print(f"{'rows':>8}  " + "  ".join(f"{b:>22}" for b in backends))
        for n in sizes:
            csv_path = write_list(tmp / f"list_{n}.csv", n)
            cells = []
            for b in backends:
                target = {"url": cluster.new_database()} if b == store.POSTGRESQL else {"path": tmp / f"{n}.duckdb"}
                with db.connect_workflow(**target) as con:
                    t = time.perf_counter()
                    rep = imports.import_file(con, ADMIN, csv_path)
                    secs = time.perf_counter() - t
                    assert len(rep.created) == n and len(candidates.existing_ids(con)) == n
                cells.append(f"{secs:8.2f} s {n / secs:8,.0f}/s")
            print(f"{n:>8}  " + "  ".join(f"{c:>22}" for c in cells), flush=True)
        print(f"(row limit per import: {candidates.MAX_IMPORT_ROWS:,}; target 200,000 rows ≤ 30 s)")
    finally:
        if cluster is not None:
            store.close_pools()
            cluster.stop()


if __name__ == "__main__":
    main()
