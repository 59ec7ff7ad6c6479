"""Candidate bases: records, the status lifecycle, the audit trail and optimistic concurrency.

A candidate is an initiative (not just a place): a name, one of the three types of the call, the
call's fiscal year, its applicants, the municipalities it covers and the content and resources it
builds on. Every change goes through this module, which checks the user's role (``auth``), the
lifecycle (``TRANSITIONS``) and the version the user read, and appends one row per change to
``candidate_events`` — in the same transaction as the change, so neither exists without the other.

The functions take a connection to the workflow database (``db.connect_workflow``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

import duckdb
import pandas as pd

from revitalize import auth, codes, db, i18n
from revitalize.auth import User
from revitalize.errors import ConflictError, InputError, NotFoundError, Problem, TransitionError

BASE_TYPES: dict[str, tuple[str, str]] = {
    "tourism": ("コンテンツ観光振興型", "Content tourism promotion"),
    "industry": ("コンテンツ産業振興型", "Content industry promotion"),
    "composite": ("複合型", "Composite"),
}
ORG_KINDS: dict[str, tuple[str, str]] = {
    "municipality": ("市区町村", "Municipality"),
    "prefecture": ("都道府県", "Prefecture"),
    "dmo": ("DMO", "DMO"),
    "tourism_association": ("観光協会", "Tourism association"),
    "company": ("企業", "Company"),
    "other": ("その他団体", "Other body"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("下書き", "Draft"),
    "applied": ("応募済み", "Applied"),
    "under_review": ("審査中", "Under review"),
    "shortlisted": ("候補に選抜", "Shortlisted"),
    "nominated": ("推薦", "Nominated"),
    "designated": ("選定（拠点）", "Designated"),
    "withdrawn": ("取下げ", "Withdrawn"),
    "rejected": ("不採択", "Rejected"),
}
ASSET_LAYERS = ("anime_sites", "filming_locations", "gi_products", "heritage")
PIPELINE = ("applied", "under_review", "shortlisted", "nominated")

# (from, to) -> the least role that may make the move (a municipality only for its own candidates).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "applied"): "municipality",
    ("applied", "under_review"): "reviewer",
    ("under_review", "shortlisted"): "reviewer",
    ("shortlisted", "nominated"): "reviewer",
    ("nominated", "designated"): "admin",
    **{(s, "withdrawn"): "municipality" for s in auth.OPEN_STATUSES},
    **{(s, "rejected"): "reviewer" for s in PIPELINE},
}

# Labels in the user's language for Japanese/English values typed in imports.
_TYPE_ALIASES = {**{k: k for k in BASE_TYPES}, **{ja: k for k, (ja, _) in BASE_TYPES.items()},
                 **{en.lower(): k for k, (_, en) in BASE_TYPES.items()}, "観光振興型": "tourism", "産業振興型": "industry"}
_KIND_ALIASES = {**{k: k for k in ORG_KINDS}, **{ja: k for k, (ja, _) in ORG_KINDS.items()},
                 **{en.lower(): k for k, (_, en) in ORG_KINDS.items()}}
_STATUS_ALIASES = {**{k: k for k in STATUSES}, **{ja: k for k, (ja, _) in STATUSES.items()},
                   **{en.lower(): k for k, (_, en) in STATUSES.items()}, "選定": "designated"}


def parse_applicants(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """'市:municipality; 協会:観光協会' (``;`` or new lines) → ((name, kind), …) and the parts with an unknown kind.

    A part without ``:kind`` is an 'other' body; kinds may be given in English or Japanese.
    """
    out, bad = [], []
    for part in [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]:
        org, sep, kind = part.rpartition(":")
        if not sep:
            org, kind = part, "other"
        k = _KIND_ALIASES.get(kind.strip().lower(), _KIND_ALIASES.get(kind.strip()))
        if k is None:
            bad.append(part)
            k = kind.strip()
        out.append((org.strip(), k))
    return tuple(out), bad


def allowed_next(status: str) -> list[str]:
    """The statuses a candidate in ``status`` may move to."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


@dataclass(frozen=True)
class CandidateData:
    """The editable content of a candidate. ``applicants`` are (organisation, kind); ``assets`` (layer, id)."""

    name_ja: str
    base_type: str
    fiscal_year: int
    muni_codes: tuple[str, ...]
    applicants: tuple[tuple[str, str], ...] = ()
    name_en: str = ""
    assets: tuple[tuple[str, str], ...] = ()
    summary: str = ""
    contact: str = ""
    source_url: str = ""

    def problems(self, *, known_munis: set[str] | None = None, where: str = "candidate",
                 row: int | None = None) -> list[Problem]:
        """Every problem at once; ``known_munis`` (the reference list of codes) is checked when given."""
        p: list[Problem] = []

        def bad(column: str, expected: str, found: object) -> None:
            p.append(Problem(where, expected, repr(found), row=row, column=column))

        if not str(self.name_ja).strip():
            bad("name_ja", "a Japanese name", self.name_ja)
        if self.base_type not in BASE_TYPES:
            bad("base_type", "one of " + ", ".join(f"{k} ({ja})" for k, (ja, _) in BASE_TYPES.items()), self.base_type)
        if not isinstance(self.fiscal_year, int) or not 2025 <= self.fiscal_year <= 2040:
            bad("fiscal_year", "a fiscal year of the call from 2025 to 2040", self.fiscal_year)
        if not self.muni_codes:
            bad("muni_codes", "at least one 5-digit municipality code", "none")
        for c in self.muni_codes:
            if not codes.is_muni_code(c):
                bad("muni_codes", "5-digit municipality codes (JIS X 0402)", c)
            elif known_munis is not None and c not in known_munis:
                bad("muni_codes", "a code of an existing municipality", c)
        if len(set(self.muni_codes)) != len(self.muni_codes):
            bad("muni_codes", "each municipality once", ";".join(self.muni_codes))
        for name, kind in self.applicants:
            if not str(name).strip():
                bad("applicants", "an organisation name before the kind", f"{name}:{kind}")
            if kind not in ORG_KINDS:
                bad("applicants", "a kind among " + ", ".join(ORG_KINDS), kind)
        for layer, asset_id in self.assets:
            if layer not in ASSET_LAYERS:
                bad("assets", "a layer among " + ", ".join(ASSET_LAYERS), layer)
        if len(set(self.assets)) != len(self.assets):
            bad("assets", "each asset once", len(self.assets))
        if self.source_url and not str(self.source_url).startswith(("http://", "https://")):
            bad("source_url", "an http(s) URL", self.source_url)
        return p

    def check(self, *, known_munis: set[str] | None = None) -> None:
        problems = self.problems(known_munis=known_munis)
        if problems:
            raise InputError(problems)


_SCALARS = ("name_ja", "name_en", "base_type", "fiscal_year", "summary", "contact", "source_url")
_LISTS = ("muni_codes", "applicants", "assets")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def _next_id(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> str:
    prefix = f"C{fiscal_year}-"
    n = con.execute("SELECT count(*) FROM candidates WHERE starts_with(candidate_id, ?)", [prefix]).fetchone()[0]
    while True:
        n += 1
        cid = f"{prefix}{n:04d}"
        if not con.execute("SELECT 1 FROM candidates WHERE candidate_id = ?", [cid]).fetchone():
            return cid


def _write_lists(con: duckdb.DuckDBPyConnection, cid: str, data: CandidateData) -> None:
    for table in ("candidate_applicants", "candidate_municipalities", "candidate_assets"):
        con.execute(f"DELETE FROM {table} WHERE candidate_id = ?", [cid])  # table names are constants
    if data.applicants:
        con.executemany("INSERT INTO candidate_applicants VALUES (?, ?, ?, ?)",
                        [[cid, i, n, k] for i, (n, k) in enumerate(data.applicants, start=1)])
    con.executemany("INSERT INTO candidate_municipalities VALUES (?, ?)", [[cid, c] for c in data.muni_codes])
    if data.assets:
        con.executemany("INSERT INTO candidate_assets VALUES (?, ?, ?)", [[cid, la, a] for la, a in data.assets])


def _event(con: duckdb.DuckDBPyConnection, cid: str, user: User, action: str, version: int, *,
           frm: str | None = None, to: str | None = None, reason: str | None = None,
           changes: Mapping[str, tuple] | None = None, at: dt.datetime) -> None:
    con.execute(
        "INSERT INTO candidate_events (candidate_id, happened_at, actor, actor_role, action, from_status, to_status, reason,"
        " version_after, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [cid, at, user.user_id, user.role, action, frm, to, reason, version,
         json.dumps(changes, ensure_ascii=False, default=str) if changes else None])


def _guarded(fn):
    """Run ``fn`` in one transaction; a write conflict with another session becomes a ConflictError."""
    @functools.wraps(fn)
    def run(con: duckdb.DuckDBPyConnection, *args, **kwargs):
        try:
            with db.transaction(con):
                return fn(con, *args, **kwargs)
        except duckdb.TransactionException as exc:
            raise ConflictError(f"another save of the same candidate was committed at the same moment; nothing "
                                f"was changed — reload and try again ({exc})") from exc
        except duckdb.ConstraintException as exc:  # two new candidates given the same id at the same moment
            raise ConflictError(f"another candidate was recorded at the same moment; nothing was changed — "
                                f"try again ({exc})") from exc
    return run


def create(con: duckdb.DuckDBPyConnection, user: User, data: CandidateData, **kwargs) -> str:
    """Record a new candidate (by default a draft); returns its id (``C<fiscal year>-<n>``).

    Keyword arguments as ``insert``. Two sessions creating at the same moment may pick the same next
    id; the loser's transaction is rolled back and tried again with the next free id (a new record
    has nothing of anyone's to overwrite), up to five times.
    """
    import random
    import time

    for attempt in range(5):
        try:
            return insert(con, user, data, **kwargs)
        except ConflictError:
            if attempt == 4:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")


@_guarded
def insert(con: duckdb.DuckDBPyConnection, user: User, data: CandidateData, *, status: str = "draft",
           origin: str = "manual", known_munis: set[str] | None = None, designated_on: dt.date | None = None,
           reason: str = "") -> str:
    """One attempt at recording a new candidate, in one transaction (``create`` retries it)."""
    auth.require_create(user, set(data.muni_codes))
    if status != "draft":
        auth.require_import(user)  # only an import may create a candidate past draft
    data.check(known_munis=known_munis)
    at = _now()
    cid = _next_id(con, data.fiscal_year)
    con.execute(
        "INSERT INTO candidates (candidate_id, name_ja, name_en, base_type, fiscal_year, status, summary, contact, "
        "designated_on, origin, source_url, version, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
        [cid, data.name_ja.strip(), data.name_en.strip() or None, data.base_type, data.fiscal_year, status,
         data.summary or None, data.contact or None, designated_on, origin, data.source_url or None,
         at, user.user_id, at, user.user_id])
    _write_lists(con, cid, data)
    _event(con, cid, user, "create" if origin != "import" else "import", 1, to=status, reason=reason or None, at=at)
    return cid


def _row(con: duckdb.DuckDBPyConnection, cid: str) -> dict:
    cur = con.execute("SELECT * FROM candidates WHERE candidate_id = ?", [cid])
    r = cur.fetchone()
    if r is None:
        raise NotFoundError(f"candidate {cid!r} does not exist")
    return dict(zip([d[0] for d in cur.description], r))


@dataclass(frozen=True)
class Candidate:
    """A stored candidate: its data, status and version (pass the version back when saving)."""

    candidate_id: str
    data: CandidateData
    status: str
    version: int
    origin: str
    designated_on: dt.date | None
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


def get(con: duckdb.DuckDBPyConnection, candidate_id: str) -> Candidate:
    """The candidate with its lists; NotFoundError when it does not exist."""
    r = _row(con, candidate_id)
    apps = con.execute("SELECT org_name, org_kind FROM candidate_applicants WHERE candidate_id = ? ORDER BY ord",
                       [candidate_id]).fetchall()
    munis = con.execute("SELECT muni_code FROM candidate_municipalities WHERE candidate_id = ? ORDER BY muni_code",
                        [candidate_id]).fetchall()
    assets = con.execute("SELECT layer, asset_id FROM candidate_assets WHERE candidate_id = ? ORDER BY layer, asset_id",
                         [candidate_id]).fetchall()
    data = CandidateData(
        name_ja=r["name_ja"], name_en=r["name_en"] or "", base_type=r["base_type"], fiscal_year=r["fiscal_year"],
        muni_codes=tuple(m for (m,) in munis), applicants=tuple(map(tuple, apps)), assets=tuple(map(tuple, assets)),
        summary=r["summary"] or "", contact=r["contact"] or "", source_url=r["source_url"] or "")
    return Candidate(candidate_id, data, r["status"], r["version"], r["origin"], r["designated_on"],
                     r["created_at"], r["created_by"], r["updated_at"], r["updated_by"])


def _conflict(con: duckdb.DuckDBPyConnection, cid: str, read_version: int, current: int) -> ConflictError:
    rows = con.execute(
        "SELECT version_after, actor, happened_at, action, from_status, to_status, changes FROM candidate_events "
        "WHERE candidate_id = ? AND version_after > ? ORDER BY version_after", [cid, read_version]).fetchall()
    changes, lines = [], []
    for version, actor, at, action, frm, to, ch in rows:
        if action == "transition":
            changes.append((version, actor, at, "status", frm, to))
        for fld, (before, after) in (json.loads(ch) if ch else {}).items():
            changes.append((version, actor, at, fld, before, after))
    for version, actor, at, fld, before, after in changes:
        lines.append(f"  v{version} {actor} {at:%Y-%m-%d %H:%M} UTC: {fld}: {before!r} → {after!r}")
    return ConflictError(f"candidate {cid}: you edited version {read_version}, but version {current} was saved "
                         f"since; nothing of yours was saved. Changes made in between:\n" + "\n".join(lines),
                         changes)


def _diff(old: CandidateData, new: CandidateData) -> dict[str, tuple]:
    out = {}
    for f in fields(CandidateData):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            out[f.name] = (list(a) if isinstance(a, tuple) else a, list(b) if isinstance(b, tuple) else b)
    return out


@_guarded
def update(con: duckdb.DuckDBPyConnection, user: User, candidate_id: str, read_version: int,
           changes: Mapping[str, object], *, known_munis: set[str] | None = None) -> int:
    """Save edits made on ``read_version``; returns the new version.

    Raises ConflictError (with what changed in between) when someone saved since ``read_version``.
    """
    current = get(con, candidate_id)
    unknown = sorted(set(changes) - set(_SCALARS) - set(_LISTS))
    if unknown:
        raise InputError([Problem(f"candidate {candidate_id}", "editable fields (" + ", ".join(_SCALARS + _LISTS) + ")",
                                  ", ".join(unknown))])
    auth.require_edit(user, current.status, set(current.data.muni_codes))
    if current.version != read_version:
        raise _conflict(con, candidate_id, read_version, current.version)
    new = replace(current.data, **{k: tuple(map(lambda x: tuple(x) if isinstance(x, list) else x, v))
                                   if k in _LISTS else v for k, v in changes.items()})
    if user.role == "municipality":
        auth.require_create(user, set(new.muni_codes))  # may not widen it beyond its own municipalities
    new.check(known_munis=known_munis)
    diff = _diff(current.data, new)
    if not diff:
        return current.version
    at, version = _now(), current.version + 1
    n = con.execute(
        "UPDATE candidates SET name_ja = ?, name_en = ?, base_type = ?, fiscal_year = ?, summary = ?, contact = ?, "
        "source_url = ?, version = ?, updated_at = ?, updated_by = ? WHERE candidate_id = ? AND version = ?",
        [new.name_ja.strip(), new.name_en.strip() or None, new.base_type, new.fiscal_year, new.summary or None,
         new.contact or None, new.source_url or None, version, at, user.user_id, candidate_id, read_version]
    ).fetchone()[0]
    if n != 1:  # saved by someone else between our read and our write
        raise _conflict(con, candidate_id, read_version, _row(con, candidate_id)["version"])
    if any(k in diff for k in _LISTS):
        _write_lists(con, candidate_id, new)
    _event(con, candidate_id, user, "edit", version, changes=diff, at=at)
    return version


@_guarded
def transition(con: duckdb.DuckDBPyConnection, user: User, candidate_id: str, to_status: str, *, reason: str,
               read_version: int, designated_on: dt.date | None = None) -> int:
    """Move a candidate to ``to_status`` with a reason; returns the new version.

    Only the moves in ``TRANSITIONS`` are allowed, each by a least role. Designation records the date
    (today when not given).
    """
    current = get(con, candidate_id)
    if to_status not in STATUSES:
        raise TransitionError(f"status: expected one of {', '.join(STATUSES)}, found {to_status!r}")
    min_role = TRANSITIONS.get((current.status, to_status))
    if min_role is None:
        nxt = allowed_next(current.status)
        raise TransitionError(f"candidate {candidate_id}: cannot move from {current.status} to {to_status}; "
                              f"allowed from {current.status}: {', '.join(nxt) if nxt else 'none (closed)'}")
    auth.require_transition(user, to_status, set(current.data.muni_codes), min_role)
    if not reason.strip():
        raise TransitionError(f"candidate {candidate_id}: a reason is required for every status change")
    if current.version != read_version:
        raise _conflict(con, candidate_id, read_version, current.version)
    at, version = _now(), current.version + 1
    on = (designated_on or at.date()) if to_status == "designated" else current.designated_on
    n = con.execute("UPDATE candidates SET status = ?, designated_on = ?, version = ?, updated_at = ?, updated_by = ? "
                    "WHERE candidate_id = ? AND version = ?",
                    [to_status, on, version, at, user.user_id, candidate_id, read_version]).fetchone()[0]
    if n != 1:
        raise _conflict(con, candidate_id, read_version, _row(con, candidate_id)["version"])
    _event(con, candidate_id, user, "transition", version, frm=current.status, to=to_status, reason=reason.strip(),
           at=at)
    return version


def history(con: duckdb.DuckDBPyConnection, candidate_id: str) -> pd.DataFrame:
    """The candidate's audit trail, oldest first."""
    _row(con, candidate_id)
    return con.execute("SELECT event_id, happened_at, actor, actor_role, action, from_status, to_status, reason, "
                       "version_after, changes FROM candidate_events WHERE candidate_id = ? ORDER BY event_id",
                       [candidate_id]).df()


def history_view(hist: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """``history`` for people: when, who (role), what, status move, reason, and each changed field as
    'field: before → after', with headers in ``lang``."""
    L = 0 if lang == "ja" else 1

    def status(v) -> str:
        return STATUSES[v][L] if isinstance(v, str) and v in STATUSES else ""

    def changes(v) -> str:
        if not isinstance(v, str) or not v:
            return ""
        return "; ".join(f"{k}: {before!r} → {after!r}" for k, (before, after) in json.loads(v).items())

    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame({
        t("cd.h_when"): hist["happened_at"].astype(str), t("cd.h_who"): hist["actor"] + " (" + hist["actor_role"] + ")",
        t("cd.h_action"): [t(f"cd.h_{a}") for a in hist["action"]],
        t("cd.h_move"): [f"{status(a)} → {status(b)}" if isinstance(b, str) else "" for a, b in
                         zip(hist["from_status"], hist["to_status"])],
        t("s.reason"): hist["reason"].fillna(""), t("cd.h_changes"): [changes(v) for v in hist["changes"]],
        t("cd.version"): hist["version_after"]})


def table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All candidates, one row each, with their municipality codes and applicants joined (``;``)."""
    return con.execute(
        "SELECT c.candidate_id, c.name_ja, c.name_en, c.base_type, c.fiscal_year, c.status, "
        "CAST(c.designated_on AS VARCHAR) AS designated_on, "
        "c.origin, c.summary, c.contact, c.source_url, c.version, c.updated_at, c.updated_by, "
        "(SELECT string_agg(m.muni_code, ';' ORDER BY m.muni_code) FROM candidate_municipalities m "
        "  WHERE m.candidate_id = c.candidate_id) AS muni_codes, "
        "(SELECT string_agg(a.org_name || ':' || a.org_kind, ';' ORDER BY a.ord) FROM candidate_applicants a "
        "  WHERE a.candidate_id = c.candidate_id) AS applicants, "
        "(SELECT count(*) FROM candidate_assets s WHERE s.candidate_id = c.candidate_id) AS assets "
        "FROM candidates c ORDER BY c.fiscal_year, c.candidate_id").df()


def scores(cands: pd.DataFrame, muni_scores: pd.Series, population: pd.Series) -> pd.Series:
    """Each candidate's score (``candidates.table`` rows): the population-weighted mean of its scored
    municipalities (``scoring.aggregate_candidates``); candidates with none scored are absent."""
    from revitalize import scoring

    members_ = cands[["candidate_id", "muni_codes"]].assign(
        muni_code=cands["muni_codes"].fillna("").str.split(";")).explode("muni_code")[["candidate_id", "muni_code"]]
    members_ = members_[members_["muni_code"].fillna("") != ""]
    agg = scoring.aggregate_candidates(muni_scores.to_frame("score"), members_, population.astype(float))
    return agg["score"]


def lead_place(muni_codes: str | None, points: pd.DataFrame) -> tuple[list[str], pd.Series | None]:
    """(the ``;``-joined codes found in ``points``, the row of the most populous of them) — where a
    candidate is placed on maps and in the portfolio. ``points`` is indexed by muni_code."""
    mine = [c for c in str(muni_codes or "").split(";") if c in points.index]
    if not mine:
        return mine, None
    return mine, points.loc[mine].sort_values("population", ascending=False, na_position="last").iloc[0]


def versions(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, int], ...]:
    """(candidate_id, version) of every candidate: changes whenever any candidate does (a cache key)."""
    return tuple(con.execute("SELECT candidate_id, version FROM candidates ORDER BY candidate_id").fetchall())


def members(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """(candidate_id, muni_code) for every candidate."""
    return con.execute("SELECT candidate_id, muni_code FROM candidate_municipalities ORDER BY 1, 2").df()


@dataclass(frozen=True)
class CandidateFilter:
    statuses: tuple[str, ...] = ()
    fiscal_years: tuple[int, ...] = ()
    base_types: tuple[str, ...] = ()
    pref_codes: tuple[str, ...] = ()
    text: str = ""


def filter_table(df: pd.DataFrame, f: CandidateFilter) -> pd.DataFrame:
    """Rows of ``table()`` matching every set criterion (text: in id, names, applicants or summary)."""
    keep = pd.Series(True, index=df.index)
    if f.statuses:
        keep &= df["status"].isin(f.statuses)
    if f.fiscal_years:
        keep &= df["fiscal_year"].isin(f.fiscal_years)
    if f.base_types:
        keep &= df["base_type"].isin(f.base_types)
    if f.pref_codes:
        prefs = df["muni_codes"].fillna("").map(lambda s: {c[:2] for c in s.split(";") if c})
        keep &= prefs.map(lambda p: bool(p & set(f.pref_codes)))
    if f.text.strip():
        needle = f.text.strip().lower()
        hay = (df["candidate_id"].fillna("") + " " + df["name_ja"].fillna("") + " " + df["name_en"].fillna("") + " "
               + df["applicants"].fillna("") + " " + df["summary"].fillna("")).str.lower()
        keep &= hay.str.contains(needle, regex=False)
    return df[keep]


def known_municipalities(ref_con: duckdb.DuckDBPyConnection | None) -> set[str] | None:
    """Codes of the reference municipalities, or None when the reference database is unavailable."""
    if ref_con is None:
        return None
    return {c for (c,) in ref_con.execute("SELECT muni_code FROM municipalities").fetchall()}


def asset_catalog(ref_con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every linkable asset with its municipality: layer, asset_id, label, source_url, muni_code."""
    return ref_con.execute(db.sql("asset_catalog")).df()


def assets_in(catalog: pd.DataFrame, muni_codes: Iterable[str]) -> pd.DataFrame:
    """The assets located in ``muni_codes`` (one row per asset): layer, asset_id, label, source_url."""
    hit = catalog[catalog["muni_code"].isin(set(muni_codes))]
    return hit.drop(columns="muni_code").drop_duplicates(["layer", "asset_id"]).reset_index(drop=True)


def asset_labels(catalog: pd.DataFrame, assets: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """(layer, asset_id, label, source_url) for linked assets; ids not in the catalogue keep an empty label."""
    pairs = pd.DataFrame(list(assets), columns=["layer", "asset_id"])
    known = catalog.drop(columns="muni_code").drop_duplicates(["layer", "asset_id"])
    return pairs.merge(known, on=["layer", "asset_id"], how="left")


def portfolio_pool(ref_con: duckdb.DuckDBPyConnection, work_con: duckdb.DuckDBPyConnection, weights) -> pd.DataFrame:
    """The portfolio's selection pool (designated, candidates, suggestions); see ``suggestions.pool``."""
    from revitalize import suggestions  # suggestions builds on this module

    return suggestions.portfolio_pool(ref_con, work_con, weights)


def shortlist(ref_con: duckdb.DuckDBPyConnection, *, lang: str = "ja", top: int | None = None, weights=None):
    """The candidate list as an export shortlist (``exports.Shortlist``): every candidate that is not
    withdrawn, scored as the population-weighted mean of its municipalities, best first, with its
    linked assets and their sources. Opens the workflow database itself."""
    from revitalize import exports, scoring, suggestions

    weights = weights or scoring.Weights()
    work = db.connect_workflow()
    try:
        cands = table(work)
        linked = work.execute("SELECT candidate_id AS item_id, layer, asset_id FROM candidate_assets").df()
    finally:
        work.close()
    cands = cands[cands["status"] != "withdrawn"]
    if cands.empty:
        from revitalize.errors import ExportError

        raise ExportError(i18n.t("cd.export_empty", lang))
    _, _, sub = scoring.inputs(ref_con)
    pts = suggestions.municipality_points(ref_con).set_index("muni_code")
    cand_scores = scores(cands, scoring.score(sub, weights)["score"], pts["population"])
    L = 0 if lang == "ja" else 1
    df = cands.assign(
        item_id=cands["candidate_id"], score=cands["candidate_id"].map(cand_scores),
        status=cands["status"].map(lambda v: STATUSES[v][L]), base_type=cands["base_type"].map(lambda v: BASE_TYPES[v][L]),
        source_urls=cands["source_url"])
    df = df.sort_values("score", ascending=False, na_position="last").reset_index(drop=True)
    df["rank"] = df["score"].rank(ascending=False, method="min").astype("Int64")
    if top is not None:
        df = df.head(top)
    catalog = asset_catalog(ref_con)
    assets = linked[linked["item_id"].isin(df["item_id"])].merge(
        catalog.drop(columns="muni_code").drop_duplicates(["layer", "asset_id"]), on=["layer", "asset_id"], how="left")
    df["name"] = df["name_en"].where(df["name_en"].notna() & (lang == "en"), df["name_ja"])
    labels = {"status": "cd.status", "base_type": "cd.base_type", "fiscal_year": "cd.fiscal_year",
              "applicants": "cd.col_applicants", "designated_on": "cd.designated_on"}
    table_ = df[["item_id", "rank", "name", "muni_codes", "score", "source_urls", *labels]].rename(
        columns={k: i18n.t(v, lang) for k, v in labels.items()})
    return exports.shortlist_from_table(table_, kind="candidates", lang=lang, weights=weights,
                                        assets=assets[["item_id", "layer", "asset_id", "label", "source_url"]])


def evidence_subject(cand: Candidate, catalog: pd.DataFrame | None, *, lang: str = "ja"):
    """The candidate as the subject of a printable evidence sheet (``evidence.Subject``): its
    municipalities, its name and the assets it links, with their sources."""
    from revitalize import evidence

    assets = asset_labels(catalog, cand.data.assets) if catalog is not None and cand.data.assets else None
    L = 0 if lang == "ja" else 1
    call = f"{cand.data.fiscal_year}年度公募" if lang == "ja" else f"FY{cand.data.fiscal_year} call"
    note = " / ".join(filter(None, [STATUSES[cand.status][L], BASE_TYPES[cand.data.base_type][L], call,
                                    cand.data.summary]))
    return evidence.Subject(cand.data.muni_codes, title=f"{cand.candidate_id} {cand.data.name_ja}", assets=assets,
                            note=note)
