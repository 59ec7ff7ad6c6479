"""The one place that opens DuckDB, loads the spatial extension and applies migrations."""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import re
import string
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from revitalize.core import settings
from revitalize.core.errors import DatabaseMissingError

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


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier: wrapped in double quotes, embedded quotes doubled.

    The one way a table or column name enters SQL text (values are always bound parameters),
    as datasette's ``escape_sqlite``: ``ident('a"b')`` is ``"a""b"``.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"identifier: expected a non-empty name, found {name!r}")
    return '"' + name.replace('"', '""') + '"'


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
    """(version, name, sql) of every migration in ``revitalize/data/sql/<folder>``, in order."""
    out = []
    for entry in (_SQL / folder).iterdir():
        if entry.name.endswith(".sql"):
            version, _, rest = entry.name.partition("_")
            out.append((int(version), rest.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    return sorted(out)


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


def connect_workflow(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the workflow database read-write and migrate it.

    It is a separate file from the reference database so that a rebuild never touches candidates,
    decisions or their audit trail. Open it per operation and close it: DuckDB lets only one process
    write a file, so the app and the command line take turns instead of one holding it.
    """
    target = str(path) if path is not None else str(settings.workflow_db_path())
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = _connect_retrying(target)
    migrate(con, "workflow")
    return con


def _connect_retrying(target: str, *, attempts: int = 20, pause_s: float = 0.1) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting briefly while another process holds the file's lock."""
    import time

    for i in range(attempts):
        try:
            return duckdb.connect(target)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or i == attempts - 1:
                raise
            time.sleep(pause_s)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block succeeds, roll back on any exception."""
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()
