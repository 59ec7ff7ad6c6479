"""The one error boundary of the stores: a DuckDB, PostgreSQL (psycopg) or system error on the workflow
or the reference store becomes a project error (``core.errors.StorageError`` subclasses) that says what
happened, which file, and what to do, in both languages (``i18n.error_text``).

``classify`` translates one exception; ``boundary`` is the context manager that applies it around an
operation. The command line (``app/cli/main.py``) and the pages (``app/ui.py``) call them, so no user
sees a driver's message with an internal path and PID, or a stack trace (``--debug`` shows it).

psycopg is never imported here: its errors are recognised by their module and SQLSTATE, so this module
works whether or not the PostgreSQL backend is installed.
"""

from __future__ import annotations

import contextlib
import errno
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from revitalize.core import settings
from revitalize.core.errors import (
    ConfigError,
    DatabaseMissingError,
    DiskFullError,
    RevitalizeError,
    StorageError,
    StoreBusyError,
    StoreDamagedError,
    StoreReadOnlyError,
    StoreUnavailableError,
)

STORES = ("workflow", "reference", "file")  # "file": any other file (an export's destination, an input)
SETTING_OF_STORE = {"workflow": "REVITALIZE_WORKFLOW_DB", "reference": "REVITALIZE_DB", "file": "-o"}

_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}
# the driver's words, lower case, for each kind (DuckDB words first; psycopg is told by SQLSTATE)
_BUSY = ("conflicting lock", "could not set lock", "conflict on", "write-write conflict", "database is locked")
_DISK_FULL = ("no space left", "file too large", "disk quota", "not enough space", "out of disk")
_FOLDER = ("is a directory",)
_READ_ONLY = ("permission denied", "read-only file system", "operation not permitted", "read only mode",
              "read-only mode", "cannot execute", "attempted to write")
_DAMAGED = ("not a valid duckdb database", "could not read enough bytes", "corrupt", "checksum",
            "database file with version", "invalid database", "not a database", "failed to read database header",
            "serialization error", "unexpected end of file", "invalid block")
# SQLSTATE classes of PostgreSQL (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG = {"53100": "disk_full", "53000": "disk_full", "25006": "read_only", "42501": "read_only",
       "40001": "busy", "40P01": "busy", "55P03": "busy", "55006": "busy", "57014": "busy",
       "XX001": "damaged", "XX002": "damaged", "3D000": "unavailable", "57P01": "unavailable",
       "57P03": "unavailable"}
_KINDS = {"read_only": (StoreReadOnlyError, "fail.read_only"), "disk_full": (DiskFullError, "fail.disk_full"),
          "busy": (StoreBusyError, "fail.busy"), "folder": (StoreDamagedError, "fail.folder"),
          "damaged": (StoreDamagedError, "fail.damaged.{store}"),
          "unavailable": (StoreUnavailableError, "fail.unavailable")}
_QUOTED = re.compile(r'"([^"]+)"')
_PID = re.compile(r"\s*(is held in|by)\s.*?\(PID \d+\)[^.]*\.?|\s*\(PID \d+\)", re.IGNORECASE)
_CREDENTIALS = re.compile(r"(://)[^@/\s]*@|(password\s*=\s*)\S+", re.IGNORECASE)


def is_storage_error(exc: BaseException) -> bool:
    """True for the errors ``classify`` translates: DuckDB, psycopg and operating-system errors."""
    return isinstance(exc, (duckdb.Error, OSError)) or _is_psycopg(exc)


def _is_psycopg(exc: BaseException) -> bool:
    return any(k.__module__.split(".")[0] == "psycopg" for k in type(exc).__mro__)


def redact(text: str) -> str:
    """A message or DSN without passwords and without ``(PID n)`` lock-holder details."""
    text = _CREDENTIALS.sub(lambda m: (m.group(1) or m.group(2) or "") + ("***@" if m.group(1) else "***"), text)
    return _PID.sub("", text)


def _store_paths() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for store, fn in (("workflow", settings.workflow_db_path), ("reference", settings.db_path)):
        try:
            p = str(Path(fn()).expanduser().resolve(strict=False))
        except (ConfigError, OSError):
            continue
        out[store] = [p, p + ".wal"]
    return out


def _guess_store(exc: BaseException, text: str) -> tuple[str | None, str | None]:
    """(store, file) named by the error: a quoted path or ``filename`` matched against the settings."""
    named = [getattr(exc, "filename", None), getattr(exc, "filename2", None), *_QUOTED.findall(text)]
    named = [str(n) for n in named if n]
    known = _store_paths()
    for n in named:
        resolved = str(Path(n).expanduser().resolve(strict=False))
        for store, paths in known.items():
            if resolved in paths or any(resolved.startswith(p + ".") for p in paths[:1]):
                return store, paths[0]
    return None, (named[0] if named else None)


def _kind(exc: BaseException, text: str) -> str | None:
    low = text.lower()
    if _is_psycopg(exc):
        state = getattr(exc, "sqlstate", None) or ""
        if state in _PG:
            return _PG[state]
        if state.startswith("08") or type(exc).__name__ in ("OperationalError", "InterfaceError"):
            return "unavailable"
        if state.startswith("53"):
            return "disk_full"
        return None
    if isinstance(exc, IsADirectoryError) or any(w in low for w in _FOLDER):
        return "folder"
    code = getattr(exc, "errno", None)
    if code in _DISK_FULL_ERRNOS or any(w in low for w in _DISK_FULL):
        return "disk_full"
    if any(w in low for w in _BUSY):
        return "busy"
    if code in _READ_ONLY_ERRNOS or isinstance(exc, PermissionError) or any(w in low for w in _READ_ONLY):
        return "read_only"
    if isinstance(exc, duckdb.SerializationException) or any(w in low for w in _DAMAGED):
        return "damaged"
    if isinstance(exc, duckdb.CatalogException):  # a DuckDB file without the tables revitalize made
        return "damaged"
    if isinstance(exc, (duckdb.IOException, duckdb.PermissionException, OSError)):
        return "unavailable"
    if isinstance(exc, duckdb.TransactionException) and "invalidated" not in low:
        return "busy"
    if isinstance(exc, duckdb.FatalException) or "invalidated" in low:
        return "unavailable"
    return None


def classify(exc: BaseException, *, store: str | None = None, path: Path | str | None = None) -> RevitalizeError | None:
    """The project error for ``exc`` met while using ``store`` (``"workflow"`` or ``"reference"``) at
    ``path`` (a file, or a server address; credentials are removed), or None when ``exc`` is not a
    storage failure (a bug: let it surface).

    A project error is returned as it is. When ``store`` or ``path`` is not given they are read from the
    error (the file it names, matched against ``REVITALIZE_WORKFLOW_DB`` and ``REVITALIZE_DB``).
    """
    if isinstance(exc, RevitalizeError):
        return exc
    if not is_storage_error(exc):
        return None
    text = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    guessed_store, guessed_path = _guess_store(exc, str(exc))
    # an OS error naming no store's file is about another file; a driver error is about a store
    store = store or guessed_store or ("file" if isinstance(exc, OSError) else "workflow")
    if store not in STORES:
        raise ValueError(f"store: expected one of {STORES}, found {store!r}")
    where = redact(str(path)) if path is not None else (guessed_path or str(_default_path(store)))
    if isinstance(exc, FileNotFoundError) and store == "reference":
        return DatabaseMissingError(f"database {where} does not exist; run `python -m revitalize build`")
    kind = _kind(exc, text)
    if kind is None:
        return None
    cls, key = _KINDS[kind]
    if store == "file" and kind in ("folder", "damaged", "unavailable"):
        cls, key = StoreUnavailableError, "fail.file"
    key = key.format(store=store)
    reason = getattr(exc, "strerror", None) or text
    params = {"setting": SETTING_OF_STORE[store], "reason": redact(str(reason))}
    return cls(key=key, store=store, path=where, detail=text, **params)


def _default_path(store: str) -> Path | str:
    if store == "file":
        return "?"
    try:
        return settings.workflow_db_path() if store == "workflow" else settings.db_path()
    except ConfigError:
        return SETTING_OF_STORE[store]


@contextlib.contextmanager
def boundary(store: str, path: Path | str | None = None) -> Iterator[None]:
    """Run a block on ``store``; a storage failure inside it is raised as its project error (``classify``),
    chained to the original (which ``--debug`` shows). Project errors and bugs pass through unchanged."""
    try:
        yield
    except RevitalizeError:
        raise
    except Exception as exc:
        err = classify(exc, store=store, path=path)
        if err is None:
            raise
        raise err from exc


__all__ = ["STORES", "StorageError", "boundary", "classify", "is_storage_error", "redact"]
