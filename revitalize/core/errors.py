"""The project's exceptions. Every message names where the problem is and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where it is, what was expected, what was found."""

    file: str
    expected: str
    found: str
    row: int | None = None  # 1-based data row (header excluded); None for file-level problems
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: expected {self.expected}, found {self.found}"


class RevitalizeError(ValueError):
    """Base class of the project's errors."""


class InputError(RevitalizeError):
    """An input file (reference or curated) has problems; carries all of them at once."""

    def __init__(self, problems: list[Problem], *, dataset: str | None = None) -> None:
        self.problems = list(problems)
        self.dataset = dataset
        head = f"dataset {dataset!r}: " if dataset else ""
        lines = [f"{head}{len(self.problems)} problem(s)"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class DataUnavailableError(RevitalizeError):
    """A reference file could be neither found in the cache or mirror nor downloaded."""

    def __init__(self, dataset: str, file_name: str, reason: str) -> None:
        self.dataset = dataset
        self.file_name = file_name
        self.reason = reason
        super().__init__(
            f"dataset {dataset!r} ({file_name}) is not available: {reason}. "
            "Connect to the internet, or set REVITALIZE_DATA_MIRROR to a folder holding the file, "
            "then run `python -m revitalize build`."
        )


class HashMismatchError(RevitalizeError):
    """A reference file's sha256 differs from the registry's: the file is rejected, never used."""

    def __init__(self, dataset: str, path: str, expected: str, found: str) -> None:
        self.dataset = dataset
        self.path = path
        super().__init__(
            f"dataset {dataset!r}: file {path} was rejected: expected sha256 {expected}, found {found}"
        )


class DatabaseMissingError(RevitalizeError):
    """The database file does not exist yet."""


class ConfigError(RevitalizeError):
    """A configuration value (weights, settings) is invalid; lists every problem."""


class ExportError(RevitalizeError):
    """An export cannot be made as asked (unknown format or source, bad table, no PDF engine); says what is needed."""


class PermissionDeniedError(RevitalizeError):
    """The user's role does not allow the action; nothing was changed."""


class TransitionError(RevitalizeError):
    """A status change the lifecycle does not allow; nothing was changed."""


class ConflictError(RevitalizeError):
    """Someone else saved the same record since it was read (optimistic concurrency); nothing was changed.

    ``changes`` lists what the other saves changed: (version, actor, at, field, before, after).
    """

    def __init__(self, message: str, changes: list[tuple] | None = None) -> None:
        self.changes = list(changes or [])
        super().__init__(message)


class NotFoundError(RevitalizeError):
    """A record (candidate, municipality) does not exist."""


@dataclass(frozen=True)
class Cause:
    """Why a selection is impossible: the constraint responsible and the reason in both languages."""

    constraint: str  # e.g. "max_per_pref", "min_km", "min_type_share", "k"
    en: str
    ja: str

    def text(self, lang: str = "en") -> str:
        return self.ja if lang == "ja" else self.en


class InfeasibleError(RevitalizeError):
    """No selection meets the constraints; ``causes`` name the constraint(s) responsible (all found at once)."""

    def __init__(self, causes: list[Cause]) -> None:
        self.causes = list(causes)
        self.constraints = list(dict.fromkeys(c.constraint for c in self.causes))
        lines = [f"no selection meets the constraints; responsible: {', '.join(self.constraints)}"]
        super().__init__("\n".join(lines + [f"  - {c.constraint}: {c.en}" for c in self.causes]))

    def text(self, lang: str = "en") -> str:
        """The reasons in one language, one per line."""
        return "\n".join(f"- {c.text(lang)}" for c in self.causes)


# ---- the workflow store (issue 15: shared deployment) -----------------------------------------------------

class BusyError(RevitalizeError):
    """The workflow store stayed locked by other processes for longer than the wait allowed; nothing was
    changed. ``i18n_key`` names the message shown to people."""

    i18n_key = "wf.busy"


class StoreUnavailableError(RevitalizeError):
    """The workflow store cannot be reached (PostgreSQL down, connection lost); nothing half-written was
    kept, and the next action connects again."""

    i18n_key = "wf.unavailable"


class StoreError(RevitalizeError):
    """The workflow store refused a statement (append-only audit table, schema not current, restore into a
    store that is not empty); says what to do."""
