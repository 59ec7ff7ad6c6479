"""Every setting of revitalize, declared once: its environment variable, default, meaning and check.

The functions below read the environment when called (tests and the CLI may change it); an invalid
value raises ConfigError naming the variable, what was expected and what was found. ``SETTINGS`` is
the table the README's settings section and ``describe()`` are made from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from revitalize.core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GEODATA_DIR = PROJECT_ROOT / "geodata"

TILE_CHOICES = ("none", "gsi_pale", "gsi_std", "gsi_photo", "osm")


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"one of {', '.join(choices)}")
        return value
    return check


def _flag(value: str) -> str:
    if value.strip().lower() not in {"", "0", "1", "true", "false", "yes", "no"}:
        raise ValueError("1/true/yes or 0/false/no")
    return value


def _postgres_url(value: str) -> str:
    if not value.startswith(("postgresql://", "postgres://")):
        raise ValueError("a URL starting postgresql:// (or postgres://)")
    return value


def _worker_count(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) >= 1):
        raise ValueError("'auto' or a whole number of processes, 1 or more")
    return value


def _positive_number(value: str) -> str:
    try:
        ok = float(value) > 0
    except ValueError:
        ok = False
    if not ok:
        raise ValueError("a number of seconds above 0")
    return value


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default (None: unset), meaning and a check returning the value."""

    name: str
    default: str | None
    doc: str
    check: Callable[[str], str] | None = None

    def value(self) -> str | None:
        return self.parse(os.environ.get(self.name))

    def parse(self, raw: str | None) -> str | None:
        """``raw`` (from the environment, or a secrets file) checked; the default when empty."""
        if raw is None or str(raw).strip() == "":
            return self.default
        raw = str(raw).strip()
        if self.check is not None:
            try:
                return self.check(raw)
            except ValueError as exc:
                raise ConfigError.one(self.name, "cfg.setting", repr(raw), what=str(exc)) from exc
        return raw


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("REVITALIZE_DB", None, "the DuckDB reference database (default geodata/revitalize.duckdb)"),
    Setting("REVITALIZE_CACHE", None, "where downloaded reference files are kept (default: per-user cache)"),
    Setting("REVITALIZE_DATA_MIRROR", None, "a folder laid out like shared/data, used before the network"),
    Setting("REVITALIZE_OFFLINE", "", "1: never try the network", _flag),
    Setting("REVITALIZE_TILES", "none", "the base map shown first", _choice(TILE_CHOICES)),
    Setting("REVITALIZE_WEIGHTS_DIR", None, "saved weight sets (default: per-user config folder)"),
    Setting("REVITALIZE_WORKFLOW_DB", None, "candidates, decisions and their audit trail (default: per-user "
                                             "data folder); never touched by build"),
    # -- shared deployment (issue 15) --
    Setting("REVITALIZE_WORKFLOW_URL", None, "postgresql://user:password@host:port/db — keep the workflow in "
                                              "PostgreSQL (shared by several app processes) instead of the DuckDB "
                                              "file; the app also reads it from .streamlit/secrets.toml",
            _postgres_url),
    Setting("REVITALIZE_WORKFLOW_WAIT_S", "10", "seconds to wait for another process's lock on the DuckDB workflow "
                                                "file before saying 'busy, try again'", _positive_number),
    # --
    Setting("REVITALIZE_USER", "local", "the local identity when no sign-in is configured"),
    Setting("REVITALIZE_ROLE", "admin", "that user's role (viewer, municipality, reviewer, admin; checked by auth.User)"),
    Setting("REVITALIZE_USER_MUNIS", "", "that user's municipality codes (for the municipality role)"),
    Setting("REVITALIZE_USERS_FILE", None, "TOML file giving signed-in people their role"),
    Setting("REVITALIZE_PDF_WORKERS", "auto", "processes laying out a batch of evidence sheets as PDF (auto: one "
            "per CPU core, at most 4; 1: in this process)", _worker_count),
    Setting("REVITALIZE_LANG", "ja", "language of command-line error messages (ja or en; a command's --lang "
            "wins)", _choice(("ja", "en"))),
)}


def get(name: str) -> str | None:
    """The value of a declared setting (its default when unset)."""
    return SETTINGS[name].value()


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) of every setting, for help texts and the README."""
    return [(s.name, s.default or "", s.doc) for s in SETTINGS.values()]


def db_path() -> Path:
    """Path of the DuckDB database file."""
    return Path(get("REVITALIZE_DB") or GEODATA_DIR / "revitalize.duckdb")


def cache_dir() -> Path:
    """Folder for downloaded reference files (outside git)."""
    return Path(get("REVITALIZE_CACHE") or platformdirs.user_cache_dir("revitalize"))


def mirror_dir() -> Path | None:
    """A local mirror of the reference files, or None."""
    value = get("REVITALIZE_DATA_MIRROR")
    return Path(value) if value else None


def offline() -> bool:
    """True when the network must not be tried."""
    return (get("REVITALIZE_OFFLINE") or "").lower() in {"1", "true", "yes"}


def tiles() -> str:
    """The base map shown first (``TILE_CHOICES``)."""
    return get("REVITALIZE_TILES") or "none"


def weights_dir() -> Path:
    """Where named weight sets are saved."""
    return Path(get("REVITALIZE_WEIGHTS_DIR") or platformdirs.user_config_dir("revitalize")) / "weights"


def workflow_db_path() -> Path:
    """Path of the workflow database (candidates, applicants, decisions, audit trail)."""
    value = get("REVITALIZE_WORKFLOW_DB")
    if value:
        return Path(value)
    return Path(platformdirs.user_data_dir("revitalize")) / "workflow.duckdb"


def workflow_url() -> str | None:
    """The PostgreSQL URL of the shared workflow store, or None for the DuckDB file (the default)."""
    return get("REVITALIZE_WORKFLOW_URL")


def pdf_workers() -> int:
    """How many processes lay out a batch of evidence sheets as PDF (``REVITALIZE_PDF_WORKERS``)."""
    value = get("REVITALIZE_PDF_WORKERS")
    return min(os.cpu_count() or 1, 4) if value == "auto" else int(value)


def workflow_wait_s() -> float:
    """How long to wait for another process's lock on the DuckDB workflow file (seconds)."""
    return float(get("REVITALIZE_WORKFLOW_WAIT_S") or 10)


def local_identity() -> tuple[str, str, tuple[str, ...]]:
    """(user id, role, municipality codes) of the local user, from the environment."""
    munis = tuple(c.strip() for c in (get("REVITALIZE_USER_MUNIS") or "").replace(";", ",").split(",") if c.strip())
    return get("REVITALIZE_USER") or "local", get("REVITALIZE_ROLE") or "admin", munis


def users_file() -> Path | None:
    """The TOML file mapping login e-mails to roles, or None."""
    value = get("REVITALIZE_USERS_FILE")
    return Path(value) if value else None


def cli_lang() -> str:
    """The language of command-line error messages when the command has no ``--lang``."""
    return get("REVITALIZE_LANG") or "ja"
