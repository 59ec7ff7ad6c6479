"""The one place that opens DuckDB, loads the spatial extension and applies migrations."""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import random
import re
import string
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from revitalize.core import domain, settings
from revitalize.core.errors import DatabaseMissingError, StoreBusyError
from revitalize.data import store
from revitalize.data.store import ident  # the one identifier-quoting helper (db.ident)

_SQL = importlib.resources.files("revitalize.data") / "sql"
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")  # a regular expression's {4} inside a statement, not a placeholder


def spatial_extension_path() -> Path | None:
    """The spatial extension file shipped in the duckdb-extension-spatial wheel, if installed."""
    try:
        import duckdb_extension_spatial
    except ImportError:
        return None
    base = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    exact = base / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if exact.exists():
        return exact
    found = sorted(base.glob("*/spatial.duckdb_extension"))
    return found[-1] if found else None


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Load the spatial extension with no network: from the wheel's file, else an installed copy."""
    path = spatial_extension_path()
    if path is not None:
        con.load_extension(path.as_posix())
        return
    con.install_extension("spatial")  # only reached where the wheel is absent
    con.load_extension("spatial")


@functools.cache
def _sql_text(name: str) -> str:
    return (_SQL / f"{name}.sql").read_text(encoding="utf-8")


def sql(name: str, **identifiers: str | Sequence[str]) -> str:
    """The statement in ``revitalize/data/sql/<name>.sql`` (``name`` may hold a folder: ``"check/x"``).

    A statement that names a table or column chosen at run time marks it ``{placeholder}`` (its
    header says which); each keyword argument fills one, quoted by :func:`ident` (a sequence becomes
    a comma-separated list of quoted names). Values are never put into the text: bind them.
    """
    text = _sql_text(name)
    # comment lines go first: a name holding a line break must not end a comment and become SQL
    statement = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("--"))
    wanted = {f for _, f, _, _ in string.Formatter().parse(statement) if f and not f.isdigit()} if identifiers \
        or "{" in statement and not _QUANTIFIER.search(statement) else set()
    if wanted != set(identifiers):
        raise ValueError(f"sql {name!r}: expected identifiers {sorted(wanted)}, found {sorted(identifiers)}")
    if not identifiers:
        return text
    quoted = {k: ident(v) if isinstance(v, str) else ", ".join(ident(x) for x in v) for k, v in identifiers.items()}
    return statement.format(**quoted)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *,
                 wkb_column: str | None = None) -> int:
    """Append every row of ``frame`` to ``table``, matching columns by name; returns the row count.

    ``wkb_column`` names the frame column holding WKB bytes for the table's GEOMETRY column of the
    same name.
    """
    con.register("_frame", frame)
    try:
        if wkb_column is None:
            con.execute(sql("insert_frame", table=table))
        else:
            con.execute(sql("insert_frame_with_geometry", table=table, geom=wkb_column))
    finally:
        con.unregister("_frame")
    return len(frame)


def migrations(folder: str = "migrations") -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration in ``revitalize/data/sql/<folder>``, in order; the domain's
    facts a table checks (``{FIRST_FY}``, ``{LAST_FY}``) are filled from ``core/domain.py``."""
    out = []
    for entry in (_SQL / folder).iterdir():
        if entry.name.endswith(".sql"):
            version, _, rest = entry.name.partition("_")
            text = entry.read_text(encoding="utf-8")
            for token, value in _DOMAIN_FACTS.items():
                text = text.replace("{" + token + "}", str(value))
            out.append((int(version), rest.removesuffix(".sql"), text))
    return sorted(out)


# Facts of the domain that a migration's CHECK states: declared once in core/domain.py (integers only).
_DOMAIN_FACTS = {"FIRST_FY": int(domain.FIRST_FY), "LAST_FY": int(domain.LAST_FY)}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration (0 for a new database)."""
    if not con.execute(sql("schema/table_exists"), ["schema_migrations"]).fetchone()[0]:
        return 0
    return con.execute(sql("schema/latest_migration")).fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, folder: str = "migrations") -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied."""
    con.execute(sql("schema/create_migrations_table"))
    current = schema_version(con)
    applied = []
    for version, name, text in migrations(folder):
        if version <= current:
            continue
        con.begin()
        try:
            con.execute(text)
            con.execute(sql("schema/record_migration"), [version, name])
            con.commit()
        except Exception:
            con.rollback()
            raise
        applied.append(version)
    return applied


def connect(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (``:memory:`` allowed), load spatial, and migrate unless read-only.

    Raises DatabaseMissingError when opening read-only a file that does not exist.
    """
    target = str(path) if path is not None else str(settings.db_path())
    if target != ":memory:":
        p = Path(target)
        if read_only and not p.exists():
            raise DatabaseMissingError(f"database {p} does not exist; run `python -m revitalize build`")
        p.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target, read_only=read_only)
    load_spatial(con)
    if not read_only:
        migrate(con)
    return con


# ---- the workflow store (issue 15): DuckDB file by default, PostgreSQL when REVITALIZE_WORKFLOW_URL is set ----

WORKFLOW_MIGRATIONS = {store.DUCKDB: "workflow", store.POSTGRESQL: "workflow_postgresql"}
_MIGRATED: set[str] = set()  # PostgreSQL URLs migrated by this process (checked once, not per operation)


def template(name: str) -> str:
    """The raw text of a statement with ``{placeholders}`` that the caller fills with identifiers it quotes
    with ``ident`` (the workflow store's bulk copy and backup statements)."""
    return _sql_text(name)


def sql_for(name: str, dialect: str) -> str:
    """``<name>.<dialect>.sql`` when that file exists (where the dialects differ), else ``<name>.sql``."""
    special = _SQL / f"{name}.{dialect}.sql"
    return special.read_text(encoding="utf-8") if special.is_file() else sql(name)


def workflow_schema_version(con: store.Store) -> int:
    """The highest workflow migration applied to the store (0 for a new one)."""
    if not con.execute(sql("workflow_store/has_migrations"), ["schema_migrations"]).fetchone()[0]:
        return 0
    return con.execute(sql("workflow_store/schema_version")).fetchone()[0]


def workflow_target_version(dialect: str) -> int:
    """The version a current store of this backend has (its newest migration file)."""
    return max(v for v, _, _ in migrations(WORKFLOW_MIGRATIONS[dialect]))


def migrate_workflow(con: store.Store) -> list[int]:
    """Apply the backend's pending workflow migrations, each in its own transaction; returns those applied.

    On PostgreSQL several app processes may start at once: each migration holds an advisory lock and
    re-reads the version inside its transaction, so every migration runs exactly once.
    """
    target = workflow_target_version(con.dialect)
    if workflow_schema_version(con) >= target:  # the common case: nothing to write
        return []
    con.execute(sql_for("workflow_store/create_migrations", con.dialect))
    applied = []
    for version, name, text in migrations(WORKFLOW_MIGRATIONS[con.dialect]):
        if version <= workflow_schema_version(con):
            continue
        with con.transaction():
            if con.dialect == store.POSTGRESQL:
                con.execute(sql("workflow_store/migration_lock.postgresql"))
                if version <= workflow_schema_version(con):
                    continue
            con.execute(text)
            con.execute(sql("workflow_store/record_migration"), [version, name])
        applied.append(version)
    return applied


def connect_workflow(path: Path | str | None = None, *, url: str | None = None, read_only: bool = False,
                     migrate_schema: bool = True) -> store.Store:
    """Open the workflow store for one operation (close it after) and bring its schema up to date.

    ``url`` (else REVITALIZE_WORKFLOW_URL) names a PostgreSQL database (``postgresql://…``); otherwise the
    DuckDB file ``path`` (else REVITALIZE_WORKFLOW_DB). The DuckDB file is separate from the reference
    database so that a rebuild never touches candidates, decisions or their audit trail; DuckDB lets one
    process at a time write it, so the app and the command line take turns — a process finding it locked
    waits with back-off up to REVITALIZE_WORKFLOW_WAIT_S, then raises StoreBusyError ("busy, try again").
    """
    url = url if url is not None else (None if path is not None else settings.workflow_url())
    if url:
        con = store.open_postgres(url, read_only=read_only)
        if migrate_schema and not read_only and url not in _MIGRATED:
            try:
                migrate_workflow(con)
            except BaseException:
                con.close()
                raise
            _MIGRATED.add(url)
        return con
    target = str(path) if path is not None else str(settings.workflow_db_path())
    if target != ":memory:":
        if read_only and not Path(target).exists():
            raise DatabaseMissingError(f"workflow database {target} does not exist")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    raw = _connect_retrying(target, read_only=read_only, wait_s=settings.workflow_wait_s())
    con = store.Store(raw, store.DUCKDB, path=target, read_only=read_only)
    if migrate_schema and not read_only:
        try:
            migrate_workflow(con)
        except BaseException:
            con.close()
            raise
    return con


# Small transactions, opened per operation: one worker thread makes each open about twice as fast.
_WORKFLOW_DUCKDB_CONFIG = {"threads": 1}


def _connect_retrying(target: str, *, read_only: bool = False, wait_s: float = 10.0) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting with back-off (10 ms doubling to 100 ms, jittered) while another process holds
    the file's lock; StoreBusyError after ``wait_s`` seconds, never DuckDB's own message (path, PID)."""
    deadline = time.monotonic() + wait_s
    pause = 0.01
    while True:
        try:
            return duckdb.connect(target, read_only=read_only, config=_WORKFLOW_DUCKDB_CONFIG)
        except (duckdb.IOException, duckdb.BinderException) as exc:
            # another process's lock, or two threads of this one attaching the file at the same instant
            text = str(exc).lower()
            if "lock" not in text and "file handle conflict" not in text:
                raise
            if time.monotonic() + pause > deadline:
                raise StoreBusyError(key="fail.busy", store="workflow", path=str(target)) from None
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, 0.1)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block succeeds, roll back on any exception (a workflow ``store.Store``
    uses its own transaction, joining one already open)."""
    if isinstance(con, store.Store):
        with con.transaction():
            yield con
        return
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()
