"""Settings read from environment variables, in one place.

REVITALIZE_DB           path of the DuckDB database (default geodata/revitalize.duckdb)
REVITALIZE_CACHE        folder where downloaded reference files are cached (default: per-user cache)
REVITALIZE_DATA_MIRROR  folder laid out like shared/data (<folder>/<file>), used before the network
REVITALIZE_OFFLINE      set to 1 to never try the network
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GEODATA_DIR = PROJECT_ROOT / "geodata"


def db_path() -> Path:
    """Path of the DuckDB database file."""
    return Path(os.environ.get("REVITALIZE_DB") or GEODATA_DIR / "revitalize.duckdb")


def cache_dir() -> Path:
    """Folder for downloaded reference files (outside git)."""
    return Path(os.environ.get("REVITALIZE_CACHE") or platformdirs.user_cache_dir("revitalize"))


def mirror_dir() -> Path | None:
    """A local mirror of the reference files, or None."""
    value = os.environ.get("REVITALIZE_DATA_MIRROR")
    return Path(value) if value else None


def offline() -> bool:
    """True when the network must not be tried."""
    return os.environ.get("REVITALIZE_OFFLINE", "").strip().lower() in {"1", "true", "yes"}
