"""The workflow store on both backends: several processes at once, kill -9, lost connections, locks, the
append-only audit table, backup/restore between backends and ``workflow check`` (issue 15)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from revitalize.core import settings
from revitalize.core.errors import InputError, StoreBusyError, StoreRefusedError, StoreUnavailableError
from revitalize.data import db, store
from revitalize.workflow import candidates as C
from revitalize.workflow import imports, maintenance
from revitalize.workflow.auth import User

ADMIN = User("boss", "admin")
REVIEWER = User("rev", "reviewer")
WORKER = str(Path(__file__).with_name("wf_worker.py"))


def data(**kw) -> C.CandidateData:
    base = dict(name_ja="函館アニメ聖地めぐり", base_type="tourism", fiscal_year=2025, muni_codes=("01202",),
                applicants=(("函館市", "municipality"),))
    return C.CandidateData(**{**base, **kw})


def env(**extra) -> dict:
    """The test's environment (the monkeypatched store settings) for a child process."""
    return {**os.environ, "PYTHONPATH": str(settings.PROJECT_ROOT), "REVITALIZE_WORKFLOW_WAIT_S": "60", **extra}


def run_workers(args_per_worker: list[list[str]], tmp_path: Path, timeout: float = 240) -> list[dict]:
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, WORKER, *a, str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env()) for a in args_per_worker]
    time.sleep(2.5)  # let every worker import the package before the start signal
    go.write_text("go")
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err[-3000:]
        outs.append(json.loads(out.strip().splitlines()[-1]))
    return outs


# ---- several processes ------------------------------------------------------------------------------------

def test_eight_processes_saving_one_candidate_lose_nothing(open_wf, tmp_path, backend):
    """8 processes × 25 saves, each on the version it read on an earlier visit: every accepted save is in
    the history in order, the rest were refused as conflicts, and audit rows = accepted changes + the create."""
    with open_wf() as setup:  # closed: a DuckDB file is written by one process at a time
        cid = C.create(setup, ADMIN, data())
    outs = run_workers([["update", cid, "25"] for _ in range(8)], tmp_path)
    wf = open_wf()
    assert all(o["errors"] == [] for o in outs), [o["errors"][:3] for o in outs]
    accepted = sorted((v, text) for o in outs for v, text in o["accepted"])
    conflicts = sum(o["conflicts"] for o in outs)
    assert len(accepted) + conflicts == 200 and len(accepted) >= 8
    final = C.get(wf, cid)
    assert final.version == 1 + len(accepted)
    assert [v for v, _ in accepted] == list(range(2, final.version + 1))  # one winner per version, no gaps
    h = C.history(wf, cid)
    assert len(h) == 1 + len(accepted)
    edits = h[h["action"] == "edit"]
    saved = [(int(v), json.loads(ch)["summary"][1]) for v, ch in zip(edits["version_after"], edits["changes"], strict=False)]
    assert saved == accepted
    assert final.data.summary == accepted[-1][1]  # the last accepted save is what the record holds


def test_eight_processes_creating_get_two_hundred_distinct_ids(open_wf, tmp_path, backend):
    open_wf().close()
    outs = run_workers([["create", "25"] for _ in range(8)], tmp_path)
    wf = open_wf()
    assert all(o["errors"] == [] for o in outs), [o["errors"][:3] for o in outs]
    ids = [i for o in outs for i in o["ids"]]
    assert len(ids) == 200 and len(set(ids)) == 200
    assert sorted(ids) == [f"C2025-{n:04d}" for n in range(1, 201)]
    assert sorted(C.table(wf)["candidate_id"]) == sorted(ids)
    assert wf.execute("SELECT count(*) FROM candidate_events").fetchone()[0] == 200


def write_list(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["名称", "類型", "年度", "市区町村コード", "状況", "申請者"])
        for i in range(n):
            w.writerow([f"一括 {i}", "tourism", str(2025 + i % 3), "01202;01203", "applied", "函館市:municipality"])
    return path


def test_an_import_killed_midway_leaves_the_store_as_it_was(wf, tmp_path, backend):
    before_id = C.create(wf, ADMIN, data())
    before = maintenance.dump(wf)["tables"]
    wf.close()
    marker = tmp_path / "midway"
    p = subprocess.Popen([sys.executable, WORKER, "import", str(write_list(tmp_path / "big.csv", 2000)), str(marker)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.05)
    assert marker.read_text() == "candidates", p.communicate()[1][-2000:]  # the candidates rows were written
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    deadline = time.monotonic() + 30
    while True:  # PostgreSQL notices the dead client at once on loopback; allow it a moment
        try:
            with db.connect_workflow(**_target(backend, wf)) as con:
                after = maintenance.dump(con)["tables"]
            break
        except StoreBusyError:
            assert time.monotonic() < deadline
    assert after == before
    with db.connect_workflow(**_target(backend, wf)) as con:
        rep = imports.import_file(con, ADMIN, write_list(tmp_path / "next.csv", 50))
        assert len(rep.created) == 50 and before_id not in rep.created
        assert len(C.table(con)) == 51
    found = maintenance.check(**_target(backend, wf))
    assert len(found) == 6 and all(f.ok for f in found), found


def _target(backend: str, con: store.Store) -> dict:
    return {"url": con.url} if backend == store.POSTGRESQL else {"path": con.path}


# ---- failures: locks, lost connections, the audit table ----------------------------------------------------

def test_a_locked_duckdb_file_is_busy_not_a_raw_lock_error(tmp_path, monkeypatch):
    path = tmp_path / "wf.duckdb"
    db.connect_workflow(path).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("REVITALIZE_WORKFLOW_WAIT_S", "0.6")
        t0 = time.monotonic()
        with pytest.raises(StoreBusyError) as e:
            db.connect_workflow(path)
        waited = time.monotonic() - t0
        assert 0.3 <= waited < 3
        text = str(e.value)
        assert "busy" in text and "try again" in text and "PID" not in text and "Could not set lock" not in text
        assert e.value.key == "fail.busy" and e.value.store == "workflow"
        r = subprocess.run([sys.executable, "-m", "revitalize", "candidates", "list"], capture_output=True, text=True,
                           env={**env(), "REVITALIZE_WORKFLOW_DB": str(path), "REVITALIZE_WORKFLOW_WAIT_S": "0.5",
                                "REVITALIZE_LANG": "en"},
                           cwd=settings.PROJECT_ROOT, timeout=60)
        assert r.returncode == 2 and "busy" in r.stderr and "Could not set lock" not in r.stderr, r.stderr[-1500:]
    finally:
        holder.kill()
        holder.wait()
    with db.connect_workflow(path) as con:  # free again: works at once
        assert C.table(con).empty


def test_a_lost_postgresql_connection_is_a_clear_error_and_nothing_is_half_written(pg_cluster, monkeypatch):
    url = pg_cluster.new_database()
    with db.connect_workflow(url=url) as con:
        cid = C.create(con, ADMIN, data())
    real_event = C._event

    def event_after_losing_the_connection(con, *args, **kwargs):  # the row is updated, its audit row not yet
        with db.connect_workflow(url=url) as killer:
            pid = con.execute("SELECT pg_backend_pid()").fetchone()[0]
            killer.execute("SELECT pg_terminate_backend(?)", [pid])
        return real_event(con, *args, **kwargs)

    monkeypatch.setattr(C, "_event", event_after_losing_the_connection)
    with db.connect_workflow(url=url) as con:
        with pytest.raises(StoreUnavailableError) as e:
            C.update(con, REVIEWER, cid, 1, {"summary": "途中で切断"})
    assert "cannot be reached" in str(e.value) and "try again" in str(e.value) and "password" not in str(e.value)
    monkeypatch.setattr(C, "_event", real_event)
    with db.connect_workflow(url=url) as con:  # the next action gets a fresh connection from the pool
        got = C.get(con, cid)
        assert got.version == 1 and got.data.summary == "" and len(C.history(con, cid)) == 1
        assert C.update(con, REVIEWER, cid, 1, {"summary": "再試行"}) == 2


def test_an_unreachable_postgresql_says_where_and_what_to_do():
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailableError) as e:
        db.connect_workflow(url="postgresql://someone:secret@127.0.0.1:1/nowhere")
    assert time.monotonic() - t0 < 15
    text = str(e.value)
    assert "127.0.0.1:1/nowhere" in text and "secret" not in text and "REVITALIZE_WORKFLOW_URL" in text


def test_postgresql_refuses_to_rewrite_or_delete_audit_rows(pg_cluster):
    with db.connect_workflow(url=pg_cluster.new_database()) as con:
        cid = C.create(con, ADMIN, data())
        before = C.history(con, cid).to_dict("records")
        for statement in ("UPDATE candidate_events SET reason = 'rewritten'", "DELETE FROM candidate_events",
                          "TRUNCATE candidate_events"):
            with pytest.raises(StoreRefusedError, match="append-only"):
                con.execute(statement)
        assert C.history(con, cid).to_dict("records") == before


def test_the_only_statements_dropping_the_audit_table_replace_a_whole_store():
    """Append-only in the package too: no statement updates or deletes audit rows; only the two reset files of
    `workflow restore --replace` drop the table (with the whole schema, inside the restore's transaction)."""
    import re

    root = settings.PROJECT_ROOT / "revitalize"
    pattern = re.compile(r"(UPDATE\s+candidate_events|DELETE\s+FROM\s+candidate_events|TRUNCATE\s+candidate_events|"
                         r"DROP\s+TABLE\s+(IF\s+EXISTS\s+)?candidate_events)", re.IGNORECASE)
    hits = sorted(str(p.relative_to(root)) for p in [*root.rglob("*.py"), *root.rglob("*.sql")]
                  if pattern.search(p.read_text(encoding="utf-8")))
    assert hits == ["data/sql/workflow_store/reset.postgresql.sql", "data/sql/workflow_store/reset.sql"]


# ---- backup, restore, check ---------------------------------------------------------------------------------

def populate(con) -> None:
    a = C.create(con, ADMIN, data(assets=(("anime_sites", "A1"), ("gi_products", "G7"))))
    C.update(con, REVIEWER, a, 1, {"summary": "概要 %s ? ' \" 改行\n", "muni_codes": ("01202", "01203")})
    C.transition(con, ADMIN, a, "applied", reason="受理", read_version=2)
    b = C.create(con, ADMIN, data(name_ja="京都", fiscal_year=2026, base_type="industry", muni_codes=("26100",)))
    C.transition(con, ADMIN, b, "withdrawn", reason="取下げ", read_version=1)
    C.create(con, ADMIN, data(name_ja="選定済み"), status="designated", origin="import",
             designated_on=__import__("datetime").date(2026, 3, 27))


def test_backup_restore_round_trip_duckdb_postgresql_duckdb(tmp_path, pg_cluster):
    first = tmp_path / "pilot.duckdb"
    with db.connect_workflow(first) as con:
        populate(con)
        original = maintenance.dump(con)["tables"]
        maintenance.backup(con, tmp_path / "pilot.json.gz")
    url = pg_cluster.new_database()
    r = subprocess.run([sys.executable, "-m", "revitalize", "workflow", "restore", str(tmp_path / "pilot.json.gz"),
                        "--store", url], capture_output=True, text=True, env=env(), cwd=settings.PROJECT_ROOT,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    with db.connect_workflow(url=url) as con:
        assert maintenance.dump(con)["tables"] == original
        new = C.create(con, ADMIN, data(name_ja="本番で追加"))  # the counters came along: no collision
        assert new == "C2025-0003"
        maintenance.backup(con, tmp_path / "prod.json")
        events_pg = len(C.history(con, new))
    with db.connect_workflow(tmp_path / "back.duckdb") as con:
        maintenance.restore(con, tmp_path / "prod.json")
        back = maintenance.dump(con)["tables"]
    assert events_pg == 1
    for name, t in original.items():
        if name == "candidate_id_counters":
            assert t["rows"] == [[2025, 2], [2026, 1]] and back[name]["rows"] == [[2025, 3], [2026, 1]]
            continue
        extra = [r for r in back[name]["rows"] if r not in t["rows"]]
        assert all(new in r for r in extra), (name, extra)  # only the row added on PostgreSQL is new
        assert all(r in back[name]["rows"] for r in t["rows"]), name  # every original row, unchanged
    assert back["candidate_events"]["rows"][:len(original["candidate_events"]["rows"])] == \
        original["candidate_events"]["rows"]


def test_restore_refuses_a_store_that_is_not_empty_unless_replace(wf, tmp_path):
    populate(wf)
    maintenance.backup(wf, tmp_path / "b.json")
    before = maintenance.dump(wf)["tables"]
    with pytest.raises(StoreRefusedError, match="expected an empty workflow store, found 3 candidates"):
        maintenance.restore(wf, tmp_path / "b.json")
    assert maintenance.dump(wf)["tables"] == before
    C.create(wf, ADMIN, data(name_ja="後から"))
    maintenance.restore(wf, tmp_path / "b.json", replace=True)
    assert maintenance.dump(wf)["tables"] == before
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(InputError) as e:
        maintenance.restore(wf, tmp_path / "bad.json", replace=True)
    assert [(p.column, p.key, p.found) for p in e.value.problems] == [("format", "pb.bk.format", "'other'")]
    assert maintenance.dump(wf)["tables"] == before


def test_check_reports_every_problem_with_its_fix(wf_target, wf, backend, tmp_path):
    populate(wf)
    cli = lambda: subprocess.run([sys.executable, "-m", "revitalize", "workflow", "check"],  # noqa: E731
                                 capture_output=True, text=True, env=env(), cwd=settings.PROJECT_ROOT, timeout=120)
    wf.close()
    r = cli()
    assert r.returncode == 0 and "6 ok, 0 problem(s)" in r.stdout, r.stdout + r.stderr
    with db.connect_workflow(**wf_target) as con:  # a write that bypassed the package
        con.execute("UPDATE candidates SET version = version + 5 WHERE candidate_id = 'C2025-0001'")
        con.execute("UPDATE candidate_id_counters SET last_n = 0")
    r = cli()
    assert r.returncode == 2, r.stdout
    assert "BAD consistent: versions = change events: 1 candidate(s) differ: C2025-0001: version 8, 3 change events" \
        in r.stdout
    assert "BAD consistent: id counters" in r.stdout and "--sync-ids" in r.stdout and "2 problem(s)" in r.stdout
    assert "fix: restore the last good backup" in r.stdout


def test_check_of_a_missing_duckdb_file_says_how_to_create_it(tmp_path):
    found = maintenance.check(path=tmp_path / "none.duckdb")
    assert [(f.name, f.ok) for f in found] == [("readable", False)] and "workflow migrate" in found[0].fix


# ---- two app processes on one PostgreSQL ---------------------------------------------------------------------

def test_two_app_processes_share_one_postgresql_store(app_env, pg_cluster, tmp_path):
    """A candidate created through the Candidates page in one Streamlit process is listed by another."""
    url = pg_cluster.new_database()
    worker = str(Path(__file__).with_name("app_worker.py"))
    e = env(REVITALIZE_WORKFLOW_URL=url, REVITALIZE_DB=str(app_env), REVITALIZE_WEIGHTS_DIR=str(tmp_path / "w"))
    run = lambda *a: subprocess.run([sys.executable, worker, *a], capture_output=True, text=True, env=e,  # noqa
                                    cwd=settings.PROJECT_ROOT, timeout=400)
    r = run("create", "二つのアプリで共有")
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["errors"] == [] and any("C2026-0001" in m for m in out["messages"]), out
    r = run("list")
    assert r.returncode == 0, r.stderr[-3000:]
    listed = json.loads(r.stdout.strip().splitlines()[-1])
    assert listed == {"ids": ["C2026-0001"], "names": ["二つのアプリで共有"]}


def test_the_candidates_page_says_busy_in_japanese_when_the_file_stays_locked(app_env, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from revitalize.core import i18n

    path = tmp_path / "locked.duckdb"
    db.connect_workflow(path).close()
    monkeypatch.setenv("REVITALIZE_WORKFLOW_DB", str(path))
    monkeypatch.setenv("REVITALIZE_WORKFLOW_WAIT_S", "0.3")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(120)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "candidates.py"), default_timeout=180)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(e.value for e in at.error)
        assert i18n.t("err.storage", "ja") in shown and "使用中" in shown and "Could not set lock" not in shown
    finally:
        holder.kill()
        holder.wait()
