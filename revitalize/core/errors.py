"""The project's exceptions. Every message names where the problem is and what was expected."""

from __future__ import annotations

from dataclasses import dataclass

from revitalize.core import i18n  # effect verification: EffectError.text


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where it is, what was expected, what was found.

    ``expected`` is the English text (what ``str`` shows); ``key`` names the same text in
    ``core/i18n.py`` so a page can show it in the user's language (``i18n.problem_text``), formatted
    with ``params``. ``found`` is data (the cell as found) unless ``found_key`` names a text for it.
    """

    file: str
    expected: str
    found: str
    row: int | None = None  # 1-based data row (header excluded); None for file-level problems
    column: str | None = None
    key: str | None = None
    params: tuple[tuple[str, object], ...] = ()
    found_key: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: expected {self.expected}, found {self.found}"


class RevitalizeError(ValueError):
    """Base class of the project's errors.

    ``key`` (an entry of ``core/i18n.py``) and ``params`` give the message in every language
    (``i18n.error_text``); ``str()`` is the English message. Errors without a key show ``str()``.
    """

    key: str | None = None
    params: dict[str, object] = {}

    def keyed(self, key: str, **params: object) -> RevitalizeError:
        """Attach the message key and its parameters; returns the error (``raise Err(en).keyed(k, n=1)``)."""
        self.key = key
        self.params = dict(params)
        return self


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


class StorageError(RevitalizeError):
    """The workflow or reference store cannot be used (permissions, disk, damage, busy); nothing was changed.

    Made from the driver's or the system's error by ``data.failures.classify``: ``store`` is
    ``"workflow"`` or ``"reference"``, ``path`` the file (or the server, without credentials).
    """

    def __init__(self, message: str, *, key: str, store: str, path: str, detail: str = "", **params: object) -> None:
        self.store = store
        self.path = path
        self.detail = detail  # the driver's own words without PIDs (for --debug and logs)
        super().__init__(message)
        self.keyed(key, store=store, path=path, **params)


class StoreReadOnlyError(StorageError):
    """The store's file, its folder or the server refuses writes."""


class DiskFullError(StorageError):
    """The disk (or the file-size limit, or the quota) is full; the transaction was not committed."""


class StoreDamagedError(StorageError):
    """The file is not a revitalize database, or is damaged (truncated, overwritten, a folder in its place)."""


class StoreBusyError(StorageError):
    """Another process holds the store (lock, conflicting transaction); trying again later will work."""


class StoreUnavailableError(StorageError):
    """The store cannot be reached or opened for another reason (server down, I/O error)."""


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


# --- effect verification (issue 12) -------------------------------------------------------------------------
class EffectError(RevitalizeError):
    """An effect estimate cannot be made as asked (unknown code, no visitor data, event outside the data, …).

    ``problems`` holds every problem found, each as (i18n key, parameters); ``key`` is the first one's key.
    ``text(lang)`` gives the messages in Japanese or English; ``str()`` is English.
    """

    def __init__(self, problems: list[tuple[str, dict]]) -> None:
        self.problems = [(key, dict(params)) for key, params in problems]
        self.key = self.problems[0][0]
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """Every problem in one language, one per line."""
        return "\n".join(i18n.t(key, lang, **params) for key, params in self.problems)
# --- end effect verification --------------------------------------------------------------------------------


# ---- the workflow store (issue 15: shared deployment) -----------------------------------------------------

class BusyError(StoreBusyError):
    """The workflow store stayed locked by other processes for longer than the wait allowed; nothing was
    changed (a ``StoreBusyError``: the same message as the error boundary's)."""

    i18n_key = "wf.busy"


class StoreUnreachableError(StoreUnavailableError):
    """The workflow store cannot be reached (PostgreSQL down, connection lost); nothing half-written was
    kept, and the next action connects again. Raised by ``data.store`` (a ``StoreUnavailableError``)."""

    i18n_key = "wf.unavailable"

    def __init__(self, message: str) -> None:  # the store's own message; no file path to name
        self.store, self.path, self.detail = "workflow", "", ""
        RevitalizeError.__init__(self, message)


class StoreError(RevitalizeError):
    """The workflow store refused a statement (append-only audit table, schema not current, restore into a
    store that is not empty); says what to do."""
