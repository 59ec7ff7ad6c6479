"""Results that take minutes to compute (the national cohorts of effect verification), kept on disk per data
version so that a restart of the app or a run of the command line does not recompute them.

A result is stored as a pickle under ``<cache_dir>/results/<kind>-<sha256 of the key>.pkl``; the key always
holds the reference database's version (path, size, modification time: ``data_version``), so a rebuild makes
every stored result stale. Only the project's own results are stored here (never user input), written
atomically; an unreadable or stale file is simply ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from revitalize.core import settings


def data_version(path: Path | None = None) -> tuple[str, int, int]:
    """(path, size, mtime in ns) of the reference database: changes with every build."""
    p = Path(path or settings.db_path())
    st = p.stat()
    return str(p.resolve()), st.st_size, st.st_mtime_ns


def _file(kind: str, key: tuple) -> Path:
    digest = hashlib.sha256(repr((kind, key)).encode("utf-8")).hexdigest()[:24]
    return settings.cache_dir() / "results" / f"{kind}-{digest}.pkl"


def load(kind: str, key: tuple) -> object | None:
    """The result stored for (``kind``, ``key``), or None."""
    try:
        with _file(kind, key).open("rb") as fh:
            stored_key, value = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
        return None
    return value if stored_key == key else None


def save(kind: str, key: tuple, value: object) -> None:
    """Store ``value`` for (``kind``, ``key``) atomically; a cache that cannot be written is skipped."""
    target = _file(kind, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, value), fh)
        os.replace(tmp, target)
    except OSError:
        return
