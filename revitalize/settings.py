"""Settings read from environment variables, in one place.

REVITALIZE_DB           path of the DuckDB database (default geodata/revitalize.duckdb)
REVITALIZE_CACHE        folder where downloaded reference files are cached (default: per-user cache)
REVITALIZE_DATA_MIRROR  folder laid out like shared/data (<folder>/<file>), used before the network
REVITALIZE_OFFLINE      set to 1 to never try the network
REVITALIZE_WORKFLOW_DB  path of the candidates/workflow database (default: per-user data folder); it is never
                        touched by `build`, so candidates, decisions and their history survive a rebuild
REVITALIZE_USER         local identity when no login (OIDC) is configured (default "local")
REVITALIZE_ROLE         that user's role: viewer | municipality | reviewer | admin (default "admin")
REVITALIZE_USER_MUNIS   that user's municipality codes, comma-separated (for the municipality role)
REVITALIZE_USERS_FILE   TOML file mapping login e-mails to roles, used when Streamlit login is configured
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


def workflow_db_path() -> Path:
    """Path of the workflow database (candidates, applicants, decisions, audit trail)."""
    value = os.environ.get("REVITALIZE_WORKFLOW_DB")
    if value:
        return Path(value)
    return Path(platformdirs.user_data_dir("revitalize")) / "workflow.duckdb"


def local_identity() -> tuple[str, str, tuple[str, ...]]:
    """(user id, role, municipality codes) of the local user, from the environment."""
    user = os.environ.get("REVITALIZE_USER", "").strip() or "local"
    role = os.environ.get("REVITALIZE_ROLE", "").strip() or "admin"
    munis = tuple(c.strip() for c in os.environ.get("REVITALIZE_USER_MUNIS", "").split(",") if c.strip())
    return user, role, munis


def users_file() -> Path | None:
    """The TOML file mapping login e-mails to roles, or None."""
    value = os.environ.get("REVITALIZE_USERS_FILE")
    return Path(value) if value else None
