"""Weight sets on disk: TOML files read by the command line, and named sets saved by the Scoring page.

The scoring module itself is pure; this module is its file I/O. Named sets live in
``settings.weights_dir()`` (REVITALIZE_WEIGHTS_DIR, else the per-user config folder).
"""

from __future__ import annotations

import re
from pathlib import Path

from revitalize.analysis.scoring import Weights
from revitalize.core import settings
from revitalize.core.errors import ConfigError

_NAME_OK = re.compile(r"^[\w\-. ]{1,60}$", re.UNICODE)


def from_file(path: Path | str) -> Weights:
    """The ``[weights]`` table of a TOML file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ConfigError.one(str(p), "cfg.toml", exc) from exc
    return Weights.from_toml_bytes(data, source=str(p))


def save_weight_set(name: str, weights: Weights, *, folder: Path | None = None) -> Path:
    """Save a named weight set as TOML; the name may hold letters (any script), digits, space, - _ ."""
    if not _NAME_OK.match(name) or name.strip(" .") != name.strip() or not name.strip(" ."):
        raise ConfigError.one("weight set", "cfg.weights.name", repr(name), column="name")
    d = folder or settings.weights_dir()
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{name.strip()}.toml"
    path.write_text(weights.to_toml(name=name), encoding="utf-8")
    return path


def list_weight_sets(*, folder: Path | None = None) -> list[str]:
    """Names of the saved weight sets."""
    d = folder or settings.weights_dir()
    return sorted(p.stem for p in d.glob("*.toml")) if d.exists() else []


def load_weight_set(name: str, *, folder: Path | None = None) -> Weights:
    """A saved weight set by name."""
    d = folder or settings.weights_dir()
    if name not in list_weight_sets(folder=d):
        raise ConfigError.one("weight set", "cfg.weights.known", repr(name), column="name",
                              names=", ".join(list_weight_sets(folder=d)))
    return from_file(d / f"{name}.toml")


def resolve(name: str | None) -> Weights:
    """The saved set ``name``, or the default weights when None."""
    return load_weight_set(name) if name else Weights()
