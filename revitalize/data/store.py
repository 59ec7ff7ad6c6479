"""The workflow store's seam: one connection type over DuckDB (embedded, the default) and PostgreSQL.

Code above this module (``workflow.candidates``, the CLI, the app) writes one SQL text with ``?``
placeholders and calls ``execute`` / ``executemany`` / ``copy_rows`` inside ``transaction()``; this module
translates placeholders for psycopg, turns each backend's failures into the project's errors and hands
out PostgreSQL connections from one pool per process and URL:

=====================================  =============================================================
backend failure                        project error
=====================================  =============================================================
write-write conflict, serialization,   ``ConflictError`` (nothing was changed; try again)
deadlock, duplicate key
DuckDB file locked by another process  retried with back-off by ``db.connect_workflow``, then
                                       ``StoreBusyError``
PostgreSQL unreachable / connection    ``StoreUnavailableError`` (the transaction was rolled back by
lost                                   the server; the next call gets a fresh connection)
append-only audit table touched        ``StoreRefusedError``
=====================================  =============================================================

Opening DuckDB files stays in ``data/db.py``; PostgreSQL is opened only here.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

import duckdb
import pandas as pd
import psycopg
import psycopg_pool

from revitalize.core import i18n
from revitalize.core.errors import (
    ConflictError,
    DiskFullError,
    StoreDamagedError,
    StoreReadOnlyError,
    StoreRefusedError,
    StoreUnavailableError,
)
from revitalize.data import failures

DUCKDB, POSTGRESQL = "duckdb", "postgresql"


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier: wrapped in double quotes, embedded quotes doubled (the same rule
    in DuckDB and PostgreSQL). The one way a table or column name enters SQL text (values are always bound
    parameters), as datasette's ``escape_sqlite``: ``ident('a"b')`` is ``"a""b"``; ``db.ident`` is this."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"identifier: expected a non-empty name, found {name!r}")
    return '"' + name.replace('"', '""') + '"'


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled, ``--`` comments dropped). Our SQL files
    hold no ``?`` or ``--`` inside string literals."""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return body.replace("%", "%%").replace("?", "%s")


def redact(url: str) -> str:
    """A PostgreSQL URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


class Result:
    """Rows of one statement: ``fetchone``, ``fetchall``, ``df`` and the column names."""

    def __init__(self, columns: list[str], rows: list[tuple]) -> None:
        self.columns = columns
        self.rows = rows
        self.description = [(c,) for c in columns]

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple]:
        return list(self.rows)

    def df(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows, columns=self.columns)


def _duckdb_error(exc: duckdb.Error, path: str = "") -> Exception:
    # a read-only file or folder, a full disk or a damaged file is said as such (the error boundary's words)
    told = failures.classify(exc, store="workflow", path=path or None)
    if isinstance(told, (StoreReadOnlyError, DiskFullError, StoreDamagedError)):
        return told
    text = str(exc)
    if isinstance(exc, duckdb.TransactionException):
        return _conflict("fail.conflict", text.splitlines()[0])
    if isinstance(exc, duckdb.ConstraintException) and ("duplicate key" in text.lower() or "unique" in text.lower()):
        return _conflict("fail.conflict_record", text)
    return StoreRefusedError(key="fail.refused", store="workflow", path=path, reason=text)


def _conflict(key: str, reason: str) -> ConflictError:
    return ConflictError(i18n.t(key, "en", reason=reason)).keyed(key, reason=reason)


def _postgres_error(exc: psycopg.Error, url: str) -> Exception:
    if isinstance(exc, (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected,
                        psycopg.errors.UniqueViolation)):
        return _conflict("fail.conflict", type(exc).__name__)
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StoreRefusedError(key="fail.refused", store="workflow", path=redact(url),
                                 reason=str(exc).splitlines()[0])
    if isinstance(exc, psycopg.OperationalError):
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreUnavailableError(key="fail.unreachable", store="workflow", path=redact(url), reason=reason)
    return StoreRefusedError(key="fail.refused", store="workflow", path=redact(url), reason=str(exc).strip())


class Store:
    """One connection to the workflow store. Close it after each operation (``with`` or ``close()``)."""

    def __init__(self, raw, dialect: str, *, url: str = "", path: str = "", release=None,
                 read_only: bool = False) -> None:
        self.raw = raw
        self.dialect = dialect
        self.url = url
        self.path = path
        self.read_only = read_only
        self._release = release
        self._in_tx = False

    # -- what the store is ---------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """Where the store is, for messages (no password)."""
        return redact(self.url) if self.dialect == POSTGRESQL else self.path

    # -- statements ----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _mapped(self) -> Iterator[None]:
        try:
            yield
        except duckdb.Error as exc:
            raise _duckdb_error(exc, self.path) from exc
        except psycopg.Error as exc:
            raise _postgres_error(exc, self.url) from exc

    def execute(self, sql: str, params: Sequence | None = None) -> Result:
        """Run one statement with ``?`` parameters; returns its rows (empty for statements without)."""
        with self._mapped():
            if self.dialect == DUCKDB:
                cur = self.raw.execute(sql, params) if params is not None else self.raw.execute(sql)
                if cur.description is None:
                    return Result([], [])
                return Result([d[0] for d in cur.description], cur.fetchall())
            with self.raw.cursor() as cur:
                if params is None:
                    cur.execute(sql)
                else:
                    cur.execute(to_pyformat(sql), list(params))
                if cur.description is None:
                    return Result([], [])
                return Result([d.name for d in cur.description], cur.fetchall())

    def df(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        """The rows of a query as a DataFrame (DuckDB's own conversion where it is the backend)."""
        if self.dialect == DUCKDB:
            with self._mapped():
                return (self.raw.execute(sql, params) if params is not None else self.raw.execute(sql)).df()
        return self.execute(sql, params).df()

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> None:
        """Run one statement once per row of parameters."""
        if not rows:
            return
        with self._mapped():
            if self.dialect == DUCKDB:
                self.raw.executemany(sql, [list(r) for r in rows])
            else:
                with self.raw.cursor() as cur:
                    cur.executemany(to_pyformat(sql), [list(r) for r in rows])

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence], *, insert_sql: str,
                  copy_sql: str) -> int:
        """Append many rows to ``table`` fast (DuckDB: from a DataFrame; PostgreSQL: COPY); returns the count.

        ``insert_sql`` / ``copy_sql`` are the templates of ``data/sql/workflow_store`` with ``{table}``,
        ``{columns}`` and ``{source}`` left for the quoted identifiers.
        """
        rows = list(rows)
        if not rows:
            return 0
        cols = ", ".join(ident(c) for c in columns)
        with self._mapped():
            if self.dialect == DUCKDB:
                name = f"batch_{threading.get_ident()}_{id(rows)}"
                self.raw.register(name, pd.DataFrame.from_records(rows, columns=list(columns)))
                try:
                    self.raw.execute(insert_sql.format(table=ident(table), columns=cols,
                                                       source=ident(name)))
                finally:
                    self.raw.unregister(name)
            else:
                with self.raw.cursor() as cur, cur.copy(copy_sql.format(table=ident(table), columns=cols)) as cp:
                    for r in rows:
                        cp.write_row(r)
        return len(rows)

    # -- transactions --------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """All or nothing: commit when the block succeeds, roll back on any exception (also a lost connection)."""
        if self._in_tx:  # an inner call joins the caller's transaction
            yield self
            return
        with self._mapped():
            self.raw.execute("BEGIN TRANSACTION" if self.dialect == DUCKDB else "BEGIN")
        self._in_tx = True
        try:
            yield self
        except BaseException:
            self._in_tx = False
            with contextlib.suppress(duckdb.Error, psycopg.Error):
                self.raw.execute("ROLLBACK")
            raise
        self._in_tx = False
        try:
            with self._mapped():
                self.raw.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error, psycopg.Error):
                self.raw.execute("ROLLBACK")
            raise

    # -- lifetime ------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Give the connection back (PostgreSQL: to the pool; DuckDB: close the file)."""
        if self.raw is None:
            return
        raw, self.raw = self.raw, None
        if self._release is not None:
            self._release(raw)
        else:
            with contextlib.suppress(Exception):
                raw.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- PostgreSQL --------------------------------------------------------------------------------------------

_POOLS: dict[tuple[int, str], psycopg_pool.ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(url: str, *, max_size: int, timeout_s: float) -> psycopg_pool.ConnectionPool:
    key = (os.getpid(), url)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = psycopg_pool.ConnectionPool(url, min_size=0, max_size=max_size, timeout=timeout_s, open=True,
                                               kwargs={"autocommit": True, "connect_timeout": max(1, int(timeout_s))},
                                               check=psycopg_pool.ConnectionPool.check_connection,
                                               name="revitalize-workflow")
            _POOLS[key] = pool
        return pool


def open_postgres(url: str, *, read_only: bool = False, max_size: int = 10, timeout_s: float = 5.0) -> Store:
    """A pooled connection to the PostgreSQL workflow store; StoreUnavailableError when it cannot be reached."""
    pool = _pool(url, max_size=max_size, timeout_s=timeout_s)
    try:
        raw = pool.getconn()
    except psycopg_pool.PoolTimeout as exc:
        reason = "no connection within the wait"
        try:  # say why, in the server's or the network's words
            psycopg.connect(url, connect_timeout=2).close()
        except psycopg.Error as probe:
            reason = str(probe).strip().splitlines()[0] if str(probe).strip() else type(probe).__name__
        raise StoreUnavailableError(key="fail.unreachable", store="workflow", path=redact(url),
                                    reason=reason) from exc
    if read_only:
        with contextlib.suppress(psycopg.Error):
            raw.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    def release(conn) -> None:
        if read_only and not conn.broken:
            with contextlib.suppress(psycopg.Error):
                conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        pool.putconn(conn)

    return Store(raw, POSTGRESQL, url=url, release=release, read_only=read_only)


def close_pools() -> None:
    """Close this process's PostgreSQL pools (tests, and before a restore replaces the schema)."""
    with _POOLS_LOCK:
        for key, pool in list(_POOLS.items()):
            if key[0] == os.getpid():
                pool.close()
                del _POOLS[key]
