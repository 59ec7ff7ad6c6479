"""Simulated users on the workflow store, both backends side by side (issue 15). Prints figures; asserts nothing.

    python benchmarks/workflow_load.py [--users 20] [--seconds 60] [--processes 1] [--backends duckdb,postgresql]

Each user loops until the time is up (and at most 5,000 rounds): list every candidate (``candidates.table``),
filter the list (``filter_table``), open one candidate (``get``) and save an edit on the version just read
(``update``) — each step a separate visit to the store, as a page does. Saves refused because someone else
saved first are clean conflicts (counted apart); anything else is an error. The users are threads, split
over ``--processes`` processes (two or more: several app replicas on one store). Loopback only: the
PostgreSQL server is a throwaway cluster on 127.0.0.1 (tests/pg.py).
Targets: p95 save ≤ 200 ms, p95 list ≤ 300 ms, 0 errors other than clean conflicts.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
import pg  # noqa: E402

from revitalize.core.errors import ConflictError, RevitalizeError  # noqa: E402
from revitalize.data import db, store  # noqa: E402
from revitalize.workflow import candidates as C  # noqa: E402
from revitalize.workflow.auth import User  # noqa: E402

REVIEWER = User("bench", "reviewer")
MAX_ROUNDS = 5000


def seed(target: dict, n: int) -> list[str]:
    with db.connect_workflow(**target) as con:
        ids = []
        for i in range(n):
            ids.append(C.create(con, REVIEWER, C.CandidateData(
                name_ja=f"候補 {i}", base_type=("tourism", "industry", "composite")[i % 3], fiscal_year=2025 + i % 4,
                muni_codes=(f"{1100 + i % 700:05d}", "13101"), applicants=((f"団体{i}", "municipality"),))))
        return ids


def user_loop(target: dict, ids: list[str], until: float, seed_: int, out: dict) -> None:
    rnd = random.Random(seed_)
    lists, saves, conflicts, errors = [], [], 0, []
    for _ in range(MAX_ROUNDS):
        if time.monotonic() >= until:
            break
        try:
            t = time.perf_counter()
            with db.connect_workflow(**target) as con:
                table = C.table(con)
            C.filter_table(table, C.CandidateFilter(statuses=("draft",), text=str(rnd.randrange(10))))
            lists.append(time.perf_counter() - t)
            cid = rnd.choice(ids)
            with db.connect_workflow(**target) as con:
                read = C.get(con, cid).version
            time.sleep(rnd.uniform(0.0, 0.05))  # the person edits
            t = time.perf_counter()
            try:
                with db.connect_workflow(**target) as con:
                    C.update(con, REVIEWER, cid, read, {"summary": f"user {seed_} at {time.time():.3f}"})
            except ConflictError:
                conflicts += 1
            saves.append(time.perf_counter() - t)
        except RevitalizeError as exc:
            errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    out[seed_] = (lists, saves, conflicts, errors)


def process_main(target: dict, ids: list[str], seconds: float, users: list[int], q) -> None:
    until = time.monotonic() + seconds
    out: dict = {}
    threads = [threading.Thread(target=user_loop, args=(target, ids, until, u, out)) for u in users]
    [t.start() for t in threads]
    [t.join() for t in threads]
    q.put(out)


def run(target: dict, *, users: int, seconds: float, processes: int, n_seed: int) -> dict:
    ids = seed(target, n_seed)
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    groups = [list(range(users))[p::processes] for p in range(processes)]
    procs = [ctx.Process(target=process_main, args=(target, ids, seconds, g, q)) for g in groups]
    [p.start() for p in procs]
    merged: dict = {}
    for _ in procs:
        merged.update(q.get(timeout=seconds + 300))
    [p.join() for p in procs]
    lists = np.array([x for v in merged.values() for x in v[0]]) * 1000
    saves = np.array([x for v in merged.values() for x in v[1]]) * 1000
    with db.connect_workflow(**target) as con:
        versions = sum(v - 1 for _, v in C.versions(con))
        audit = con.execute(db.sql("workflow_store/count_rows")).fetchone()[1] - len(ids)
    return {"lists": len(lists), "list_p50": np.percentile(lists, 50), "list_p95": np.percentile(lists, 95),
            "saves": len(saves), "save_p50": np.percentile(saves, 50), "save_p95": np.percentile(saves, 95),
            "conflicts": sum(v[2] for v in merged.values()), "errors": [e for v in merged.values() for e in v[3]],
            "accepted": versions, "audit_rows": audit}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument("--backends", default="duckdb,postgresql")
    args = ap.parse_args()
    backends = args.backends.split(",")
    cluster = pg.Cluster().start() if store.POSTGRESQL in backends else None
    tmp = Path(tempfile.mkdtemp(prefix="wf-load-"))
    try:
        rows = {}
        for b in backends:
            target = {"url": cluster.new_database()} if b == store.POSTGRESQL else {"path": str(tmp / "load.duckdb")}
            rows[b] = run(target, users=args.users, seconds=args.seconds, processes=args.processes,
                          n_seed=args.candidates)
        print(f"{args.users} users, {args.seconds:g} s, {args.processes} process(es), {args.candidates} candidates")
        print(f"{'':24}" + "".join(f"{b:>14}" for b in backends))
        for key, fmt in [("lists", "{:.0f}"), ("list_p50", "{:.1f} ms"), ("list_p95", "{:.1f} ms"),
                         ("saves", "{:.0f}"), ("save_p50", "{:.1f} ms"), ("save_p95", "{:.1f} ms"),
                         ("conflicts", "{:.0f}"), ("accepted", "{:.0f}"), ("audit_rows", "{:.0f}")]:
            print(f"{key:24}" + "".join(f"{fmt.format(rows[b][key]):>14}" for b in backends))
        print(f"{'errors':24}" + "".join(f"{len(rows[b]['errors']):>14}" for b in backends))
        for b in backends:
            for e in rows[b]["errors"][:5]:
                print(f"  {b}: {e}")
        print("targets: p95 save ≤ 200 ms, p95 list ≤ 300 ms, 0 errors other than clean conflicts;"
              " accepted saves = audit rows (no lost update)")
    finally:
        if cluster is not None:
            store.close_pools()
            cluster.stop()


if __name__ == "__main__":
    main()
