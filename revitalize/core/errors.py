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

    @classmethod
    def message(cls, key: str, /, **params: object) -> Problem:
        """A problem that is one sentence (``key`` with ``params``), without a file, row or column: a refused
        request ("method X is not available"), a storage failure, a cause of infeasibility."""
        return cls("", found="", **i18n.expect(key, **params))

    @property
    def is_message(self) -> bool:
        """True for a one-sentence problem (``Problem.message``): shown as its sentence alone."""
        return not self.file and self.row is None and self.column is None and not self.found and not self.found_key

    def __str__(self) -> str:
        if self.is_message:
            return self.expected
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: expected {self.expected}, found {self.found}"


class RevitalizeError(ValueError):
    """Base class of the project's errors: every one carries its ``problems``, each a keyed ``Problem``.

    ``i18n.error_text`` renders them in either language (the one way an error is shown); ``str()`` is the
    English message. ``keyed(key, **params)`` makes an error one sentence (``key`` and ``params`` are kept
    as attributes too); an error that lists problems (``ProblemsError``) is made from them.
    """

    key: str | None = None
    params: dict[str, object] = {}
    problems: list[Problem] = []

    def keyed(self, key: str, **params: object) -> RevitalizeError:
        """Attach the message key and its parameters; returns the error (``raise Err(en).keyed(k, n=1)``)."""
        self.key = key
        self.params = dict(params)
        self.problems = [Problem.message(key, **params)]
        return self


class ProblemsError(RevitalizeError):
    """An error listing every problem found at once (file, row, column, expected, found — each keyed)."""

    def __init__(self, problems: list[Problem], *, dataset: str | None = None) -> None:
        self.problems = list(problems)
        self.dataset = dataset
        head = f"dataset {dataset!r}: " if dataset else ""
        lines = [f"{head}{len(self.problems)} problem(s)"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class InputError(ProblemsError):
    """An input file (reference or curated) has problems; carries all of them at once."""


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
    """The workflow or reference store cannot be used (permissions, disk, damage, busy, unreachable, a refused
    statement); nothing was changed. The one family of storage failures: every store raises these classes and
    the boundaries (``data.failures``, ``app.ui.show_error``, the CLI) render them.

    Made from the driver's or the system's error by ``data.failures.classify``, or raised by ``data.db`` /
    ``data.store`` / ``workflow.maintenance``: ``store`` is ``"workflow"``, ``"reference"`` or ``"file"``,
    ``path`` the file (or the server, without credentials); ``key`` (a ``fail.*`` text) with ``params`` is
    the message in both languages (``message`` is its English text unless given).
    """

    def __init__(self, message: str | None = None, *, key: str, store: str = "workflow", path: str = "",
                 detail: str = "", **params: object) -> None:
        self.store = store
        self.path = path
        self.detail = detail  # the driver's own words without PIDs (for --debug and logs)
        where = i18n.text(f"fail.store.{store}")  # the store's name in the message's language
        super().__init__(message if message is not None else i18n.t(key, "en", store=where, path=path, **params))
        self.keyed(key, store=where, path=path, **params)


class StoreReadOnlyError(StorageError):
    """The store's file, its folder or the server refuses writes."""


class DiskFullError(StorageError):
    """The disk (or the file-size limit, or the quota) is full; the transaction was not committed."""


class StoreDamagedError(StorageError):
    """The file is not a revitalize database, or is damaged (truncated, overwritten, a folder in its place)."""


class StoreBusyError(StorageError):
    """Another process holds the store (lock, conflicting transaction) for longer than the wait allowed;
    nothing was changed and trying again later will work."""


class StoreUnavailableError(StorageError):
    """The store cannot be reached or opened for another reason (PostgreSQL down, connection lost, I/O
    error); nothing half-written was kept, and the next action connects again."""


class StoreRefusedError(StorageError):
    """The store refused a statement (append-only audit table, schema newer than this program, a restore into
    a store that is not empty); says what to do. Nothing was changed."""


class ConfigError(ProblemsError):
    """A configuration value (weights, settings, constraints, users) is invalid; lists every problem.

    ``ConfigError([Problem(…), …])``; ``ConfigError.one(file, key, found, column=…, **params)`` for one."""

    @classmethod
    def one(cls, file: str, key: str, found: object, *, column: str | None = None, **params: object) -> ConfigError:
        """A ``ConfigError`` of one problem: in ``file`` (a file, a setting, a form), ``column`` (the field),
        expected ``key``'s text, ``found`` the value as found."""
        return cls([Problem(file, found=str(found), column=column, **i18n.expect(key, **params))])


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
    """Why a selection is impossible: the constraint responsible and the reason (``key`` with ``params``;
    a parameter that differs by language is an ``i18n.Bilingual``)."""

    constraint: str  # e.g. "max_per_pref", "min_km", "min_type_share", "k"
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "en") -> str:
        return i18n.t(self.key, lang, **dict(self.params))

    @property
    def en(self) -> str:
        return self.text("en")

    @property
    def ja(self) -> str:
        return self.text("ja")


class InfeasibleError(RevitalizeError):
    """No selection meets the constraints; ``causes`` name the constraint(s) responsible (all found at once).

    ``problems`` are the head ("responsible: …") and one sentence per cause."""

    def __init__(self, causes: list[Cause]) -> None:
        self.causes = list(causes)
        self.constraints = list(dict.fromkeys(c.constraint for c in self.causes))
        self.keyed("err.infeasible", constraints=", ".join(self.constraints))
        self.problems += [Problem.message(c.key, **dict(c.params)) for c in self.causes]
        super().__init__("\n".join([self.problems[0].expected] + [f"  - {c.constraint}: {c.en}" for c in self.causes]))

    def text(self, lang: str = "en") -> str:
        """The reasons in one language, one per line."""
        return "\n".join(f"- {c.text(lang)}" for c in self.causes)


# --- effect verification (issue 12) -------------------------------------------------------------------------
class EffectError(ProblemsError):
    """An effect estimate cannot be made as asked (unknown code, no visitor data, event outside the data, …).

    Made from (i18n key, parameters) pairs, ``EffectError([(key, params), …])``, each becoming a one-sentence
    ``Problem``; ``key`` is the first one's key. ``text(lang)`` gives the messages in Japanese or English, one
    per line; ``str()`` is English.
    """

    def __init__(self, problems: list[tuple[str, dict]] | list[Problem]) -> None:
        made = [p if isinstance(p, Problem) else Problem.message(p[0], **dict(p[1])) for p in problems]
        RevitalizeError.__init__(self, "\n".join(p.expected for p in made))
        self.problems, self.dataset = made, None
        self.key = made[0].key if made else None

    def text(self, lang: str = "en") -> str:
        """Every problem in one language, one per line."""
        return "\n".join(i18n.problem_line(p, lang) for p in self.problems)
# --- end effect verification --------------------------------------------------------------------------------
