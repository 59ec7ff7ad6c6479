"""Broken storage: every failure of the workflow or reference store is one clear message in the user's
language, exit status 2, no traceback, and the store as it was (row counts and a content hash compared).

Each case runs the real command line in a subprocess on a real file in a temporary folder: read-only
file, read-only folder, a full disk (RLIMIT_FSIZE) at commit and while the WAL grows, truncated /
zero-byte / garbage / plain-text files, a folder in the file's place, a damaged reference database
during an import. Running as root, the command runs without the capabilities that let root write
through permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH dropped from its bounding set), so a
read-only file is read-only to it as to anyone.
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest
from conftest import open_app_page

from revitalize.core import errors, i18n, settings
from revitalize.data import db, failures, store
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

BAD = Path(__file__).parent / "data" / "bad"
ADMIN = User("boss", "admin")
TABLES = ("candidates", "candidate_applicants", "candidate_assets", "candidate_events", "candidate_municipalities",
          "schema_migrations")
ROOT = os.geteuid() == 0
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


@pytest.fixture()
def place():
    """A temporary folder, made writable again and removed after."""
    d = Path(tempfile.mkdtemp(prefix="revitalize-failures-"))
    d.chmod(0o755)
    yield d
    for p in [d, *d.rglob("*")]:
        with_mode = 0o755 if p.is_dir() else 0o644
        p.chmod(with_mode)
    shutil.rmtree(d)


def make_store(path: Path, n: int = 3) -> Path:
    """A workflow database with ``n`` candidates (and their events)."""
    con = db.connect_workflow(path)
    try:
        for i in range(n):
            C.create(con, ADMIN, C.CandidateData(f"候補{i}", "tourism", 2025, ("01202",),
                                                 applicants=((f"団体{i}", "dmo"),)))
    finally:
        con.close()
    return path


def snapshot(path: Path) -> tuple[dict[str, int], str]:
    """(rows per table, sha256 of every row in order) of a workflow database, read without writing."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts, h = {}, hashlib.sha256()
        for t in TABLES:
            rows = con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # test-only read of known tables
            counts[t] = len(rows)
            h.update(repr(rows).encode())
        return counts, h.hexdigest()
    finally:
        con.close()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_csv(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["名称", "類型", "年度", "市区町村コード", "状況"])
        for i in range(n):
            w.writerow([f"取込{i}" + "あ" * 40, "tourism", "2025", "01202", "applied"])
    path.chmod(0o644)
    return path


def run(args, *, workflow_db: Path, reference_db: Path | None = None, lang: str = "ja",
        fsize: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "REVITALIZE_WORKFLOW_DB": str(workflow_db), "REVITALIZE_LANG": lang,
           "REVITALIZE_DB": str(reference_db or workflow_db.parent / "no-reference.duckdb"),
           "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(workflow_db.parent)}

    def before_exec() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if ROOT:  # permissions must bind root too
            libc = ctypes.CDLL(None, use_errno=True)
            for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
                if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                    raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return subprocess.run([sys.executable, "-m", "revitalize", *args], capture_output=True, text=True, env=env,
                          cwd=settings.PROJECT_ROOT, timeout=120, preexec_fn=before_exec)


def expect_clean_error(r: subprocess.CompletedProcess, key: str, lang: str, **params) -> None:
    """Exit 2, one ``error:`` line with the key's text in ``lang``, no traceback, no PID."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "PID" not in r.stderr, r.stderr
    head = i18n.t(key, lang, **params).split("：" if lang == "ja" else ":")[0]
    assert head in r.stderr, (head, r.stderr)


def _store_name(lang: str, store: str = "workflow") -> str:
    return i18n.t(f"fail.store.{store}", lang)


# ------------------------------------------------------------------------------------------ permissions

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_read_only_workflow_file(place, lang):
    wf = make_store(place / "wf.duckdb")
    before, raw = snapshot(wf), file_hash(wf)
    csv_path = import_csv(place / "list.csv", 5)
    wf.chmod(0o444)
    for args in (["candidates", "list"], ["candidates", "import", str(csv_path)]):
        r = run(args, workflow_db=wf, lang=lang)
        expect_clean_error(r, "fail.read_only", lang, store=_store_name(lang), path=wf)
        assert str(wf) in r.stderr
    assert snapshot(wf) == before and file_hash(wf) == raw


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_read_only_folder(place, lang):
    folder = place / "locked"
    folder.mkdir()
    wf = make_store(folder / "wf.duckdb")
    before = snapshot(wf)
    wf.chmod(0o666)  # the file itself is writable; its folder (for the WAL) is not
    folder.chmod(0o555)
    r = run(["candidates", "import", str(import_csv(place / "list.csv", 5))], workflow_db=wf, lang=lang)
    expect_clean_error(r, "fail.read_only", lang, store=_store_name(lang), path=wf)
    folder.chmod(0o755)
    assert snapshot(wf) == before
    assert not (folder / "wf.duckdb.wal").exists() or (folder / "wf.duckdb.wal").stat().st_size == 0


# ---------------------------------------------------------------------------------------------- full disk

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_full_disk_at_commit(place, lang):
    wf = make_store(place / "wf.duckdb")
    before = snapshot(wf)
    r = run(["candidates", "import", str(import_csv(place / "list.csv", 300))], workflow_db=wf, lang=lang,
            fsize=4096)
    expect_clean_error(r, "fail.disk_full", lang, path=wf)
    assert snapshot(wf) == before  # the import is all or nothing, also when the disk fills


def test_full_disk_while_the_wal_grows(place):
    wf = make_store(place / "wf.duckdb")
    raw = duckdb.connect(str(wf))
    raw.execute("PRAGMA disable_checkpoint_on_shutdown")  # keep committed work in the WAL
    con = store.Store(raw, store.DUCKDB, path=str(wf))  # the package's connection type over that file
    for i in range(40):
        C.create(con, ADMIN, C.CandidateData(f"追加{i}", "industry", 2026, ("13101",)))
    con.close()
    wal = Path(str(wf) + ".wal")
    assert wal.stat().st_size > 0
    before = snapshot(wf)
    r = run(["candidates", "import", str(import_csv(place / "list.csv", 300))], workflow_db=wf,
            fsize=wal.stat().st_size + 2048)
    expect_clean_error(r, "fail.disk_full", "ja", path=wf)
    after = snapshot(wf)
    assert after == before and after[0]["candidates"] == 43  # the 40 committed in the WAL are all there


# ----------------------------------------------------------------------------------------- damaged files

def _truncated(p: Path) -> None:
    good = make_store(p.parent / "good.duckdb")
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _truncated_header(p: Path) -> None:
    good = make_store(p.parent / "good.duckdb")
    p.write_bytes(good.read_bytes()[:5000])


DAMAGED = {
    "truncated": _truncated,
    "truncated-header": _truncated_header,
    "zero-byte": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes((BAD / "garbage.bin").read_bytes() * 64),
    "plain-text": lambda p: p.write_bytes((BAD / "plain.txt").read_bytes()),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_workflow_file(place, case, lang):
    wf = place / "wf.duckdb"
    DAMAGED[case](wf)
    raw = file_hash(wf)
    for args in (["candidates", "list"], ["progress"], ["candidates", "import", str(import_csv(place / "l.csv", 2))]):
        r = run(args, workflow_db=wf, lang=lang)
        expect_clean_error(r, "fail.damaged.workflow", lang, path=wf)
        assert "workflow restore" in r.stderr
    assert file_hash(wf) == raw  # never "repaired" into an empty database


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_folder_in_place_of_the_workflow_file(place, lang):
    wf = place / "wf.duckdb"
    wf.mkdir()
    r = run(["candidates", "list"], workflow_db=wf, lang=lang)
    expect_clean_error(r, "fail.folder", lang, path=wf, store=_store_name(lang), setting="REVITALIZE_WORKFLOW_DB")
    assert "REVITALIZE_WORKFLOW_DB" in r.stderr and wf.is_dir() and not any(wf.iterdir())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_damaged_reference_database_during_an_import(place, lang):
    wf = make_store(place / "wf.duckdb")
    before = snapshot(wf)
    ref = place / "revitalize.duckdb"
    ref.write_bytes((BAD / "garbage.bin").read_bytes() * 64)
    raw = file_hash(ref)
    r = run(["candidates", "import", str(import_csv(place / "list.csv", 3))], workflow_db=wf, reference_db=ref,
            lang=lang)
    expect_clean_error(r, "fail.damaged.reference", lang, path=ref)
    assert "python -m revitalize build" in r.stderr
    assert snapshot(wf) == before and file_hash(ref) == raw


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_workflow_file_held_by_another_process_is_busy(place, lang):
    wf = make_store(place / "wf.duckdb")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(wf)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = run(["candidates", "import", str(import_csv(place / "list.csv", 3))], workflow_db=wf, lang=lang)
        expect_clean_error(r, "fail.busy", lang, store=_store_name(lang), path=wf)
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(wf)[0]["candidates"] == 3


def test_debug_shows_the_traceback(place):
    wf = place / "wf.duckdb"
    wf.write_bytes(b"")
    r = subprocess.run([sys.executable, "-m", "revitalize", "--debug", "candidates", "list"], capture_output=True,
                       text=True, cwd=settings.PROJECT_ROOT, env={**os.environ, "REVITALIZE_WORKFLOW_DB": str(wf)})
    assert r.returncode == 2 and "Traceback" in r.stderr and "revitalize のデータベースではありません" in r.stderr


# ------------------------------------------------------------------------------------------ classify itself

class _PgError(Exception):
    """Stands in for a psycopg error class: the boundary tells them by module and SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


_PgError.__module__ = "psycopg.errors"


@pytest.mark.parametrize(("sqlstate", "cls"), [
    ("53100", errors.DiskFullError), ("25006", errors.StoreReadOnlyError), ("42501", errors.StoreReadOnlyError),
    ("40001", errors.StoreBusyError), ("55P03", errors.StoreBusyError), ("XX001", errors.StoreDamagedError),
    ("08006", errors.StoreUnavailableError)])
def test_postgresql_errors_by_sqlstate(sqlstate, cls):
    err = failures.classify(_PgError("boom", sqlstate), store="workflow",
                            path="postgresql://tanaka:secret@db.example/revitalize")
    assert type(err) is cls and "secret" not in str(err) and "secret" not in i18n.error_text(err, "ja")
    assert "db.example" in str(err)


def test_a_lock_message_loses_its_pid_and_a_bug_is_not_a_storage_error(tmp_path):
    exc = duckdb.IOException(f'IO Error: Could not set lock on file "{tmp_path}/w.duckdb": Conflicting lock is '
                             'held in /usr/bin/python3.11 (PID 4242) by user root. See also https://duckdb.org')
    err = failures.classify(exc, store="workflow", path=tmp_path / "w.duckdb")
    assert isinstance(err, errors.StoreBusyError) and "4242" not in err.detail
    assert "使用中" in i18n.error_text(err, "ja") and "busy" in i18n.error_text(err, "en")
    assert failures.classify(KeyError("x")) is None
    assert failures.classify(duckdb.ConstraintException("Duplicate key")) is None  # a bug, not the disk


def test_an_os_error_on_another_file_names_that_file(tmp_path):
    err = failures.classify(PermissionError(13, "Permission denied", str(tmp_path / "out.kml")))
    assert isinstance(err, errors.StoreReadOnlyError) and err.store == "file" and "out.kml" in str(err)
    assert "ファイル" in i18n.error_text(err, "ja")


# --------------------------------------------------------------------------------------------------- pages

@pytest.mark.parametrize("page", ["pages/candidates.py", "pages/progress.py"])
def test_pages_say_what_is_wrong_with_a_damaged_workflow_file(app_env, page):
    from streamlit.testing.v1 import AppTest

    wf = settings.workflow_db_path()
    wf.write_bytes((BAD / "plain.txt").read_bytes())
    raw = file_hash(wf)
    at = AppTest.from_file(str(settings.PROJECT_ROOT / page), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (shown,) = [e.value for e in at.error]
    assert i18n.t("err.storage", "ja") in shown and "revitalize のデータベースではありません" in shown
    assert "workflow restore" in shown and "Traceback" not in shown and "IO Error" not in shown
    assert file_hash(wf) == raw


def _busy_page_script():
    from revitalize.app import ui

    with ui.error_boundary():  # as app.py runs every page
        with ui.workflow():
            pass


def test_a_busy_workflow_file_is_a_message_on_every_page_never_a_traceback(app_env, monkeypatch):
    """A workflow file another process keeps locked raises StoreBusyError (a StorageError, not a duckdb.Error):
    the explorer goes on without user layers, and a page needing the store says "busy" in Japanese through
    the error boundary app.py runs every page in."""
    from streamlit.testing.v1 import AppTest

    path = settings.workflow_db_path()
    db.connect_workflow(path).close()
    monkeypatch.setenv("REVITALIZE_WORKFLOW_WAIT_S", "0.2")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(600)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        at = AppTest.from_function(_busy_page_script, default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(e.value for e in at.error)
        assert i18n.t("err.storage", "ja") in shown and "使用中" in shown, shown
        assert "Could not set lock" not in shown and "PID" not in shown
        at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "explorer.py"), default_timeout=600)
        at.run()  # the map without user layers: no exception, no error
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
    finally:
        holder.kill()
        holder.wait()


def test_the_export_page_says_so_when_the_register_is_busy_or_damaged(app_env):
    settings.workflow_db_path().mkdir()  # a folder where the file should be
    at = open_app_page("pages/export.py")
    at.radio(key="ex_source").set_value("candidates").run()
    assert not at.exception and at.error
    assert "フォルダー" in at.error[0].value and "REVITALIZE_WORKFLOW_DB" in at.error[0].value
