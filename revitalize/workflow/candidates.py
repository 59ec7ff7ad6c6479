"""Candidate bases: records, the status lifecycle, the audit trail and optimistic concurrency.

A candidate is an initiative (not just a place): a name, one of the three types of the call, the
call's fiscal year, its applicants, the municipalities it covers and the content and resources it
builds on. Every change — a form, a status move, a suggestion turned into a draft, a row of an
imported official list — goes through this module, which checks the user's role (``auth``), the
lifecycle (``domain.TRANSITIONS``) and the version the user read, and appends one row per change to
``candidate_events`` in the same transaction as the change, so neither exists without the other.

The functions take a connection to the workflow store (``db.connect_workflow``: a ``store.Store`` over
the DuckDB file or PostgreSQL); the SQL is the same for both except where a ``.postgresql.sql`` file
says otherwise. Ids are reserved from one counter row per fiscal year, so concurrent creates never
collide; imports write all their rows in one transaction with bulk appends (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from revitalize.core import codes, domain, i18n
from revitalize.core.domain import ASSET_LAYERS, BASE_TYPES, FIRST_FY, LAST_FY, ORG_KINDS, STATUSES, TRANSITIONS
from revitalize.core.errors import ConflictError, InputError, NotFoundError, Problem, TransitionError
from revitalize.data import db, layers
from revitalize.data.store import Store
from revitalize.workflow import audit, auth
from revitalize.workflow.auth import User


def _q(con: Store, name: str) -> str:
    """A statement of ``data/sql/candidates/`` in the store's dialect."""
    return db.sql_for(f"candidates/{name}", con.dialect)


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

    def problems(self, *, known_munis: set[str] | None = None, where: str = "candidate",  # noqa: C901 (listed in NOTES.md: to split)
                 row: int | None = None) -> list[Problem]:
        """Every problem at once; ``known_munis`` (the reference list of codes) is checked when given."""
        p: list[Problem] = []

        def bad(column: str, key: str, found: object, **params: object) -> None:
            p.append(Problem(where, found=repr(found), row=row, column=column, **i18n.expect(key, **params)))

        if not str(self.name_ja).strip():
            bad("name_ja", "pb.cd.name_ja", self.name_ja)
        if self.base_type not in BASE_TYPES:
            bad("base_type", "pb.cd.base_type", self.base_type,
                choices=", ".join(f"{k} ({ja})" for k, (ja, _) in BASE_TYPES.items()))
        if not isinstance(self.fiscal_year, int) or not FIRST_FY <= self.fiscal_year <= LAST_FY:
            bad("fiscal_year", "pb.cd.fiscal_year", self.fiscal_year, first=FIRST_FY, last=LAST_FY)
        if not self.muni_codes:
            p.append(Problem(where, found="none", found_key="pb.none", row=row, column="muni_codes",
                             **i18n.expect("pb.cd.muni_required")))
        for c in self.muni_codes:
            if not codes.is_muni_code(c):
                bad("muni_codes", "pb.cd.muni_form", c)
            elif known_munis is not None and c not in known_munis:
                bad("muni_codes", "pb.cd.muni_known", c)
        if len(set(self.muni_codes)) != len(self.muni_codes):
            bad("muni_codes", "pb.cd.muni_once", ";".join(self.muni_codes))
        for name, kind in self.applicants:
            if not str(name).strip():
                bad("applicants", "pb.cd.applicant_name", f"{name}:{kind}")
            if kind not in ORG_KINDS:
                bad("applicants", "pb.cd.applicant_kind", kind, kinds=", ".join(ORG_KINDS))
        for layer, _asset_id in self.assets:
            if layer not in ASSET_LAYERS:
                bad("assets", "pb.cd.asset_layer", layer, layers=", ".join(ASSET_LAYERS))
        if len(set(self.assets)) != len(self.assets):
            bad("assets", "pb.cd.asset_once", len(self.assets))
        if self.source_url and not str(self.source_url).startswith(("http://", "https://")):
            bad("source_url", "pb.cd.url", self.source_url)
        return p

    def check(self, *, known_munis: set[str] | None = None) -> None:
        problems = self.problems(known_munis=known_munis)
        if problems:
            raise InputError(problems)


_SCALARS = ("name_ja", "name_en", "base_type", "fiscal_year", "summary", "contact", "source_url")
_LISTS = ("muni_codes", "applicants", "assets")


def _reserve_ids(con: Store, fiscal_year: int, n: int = 1) -> list[str]:
    """``n`` new ids ``C<fiscal year>-NNNN`` from the year's counter row (inside the caller's transaction)."""
    last = con.execute(_q(con, "reserve_ids"), [fiscal_year, n]).fetchone()[0]
    return [f"C{fiscal_year}-{i:04d}" for i in range(last - n + 1, last + 1)]


def _append(con: Store, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Bulk-append rows (DuckDB: from a DataFrame; PostgreSQL: COPY)."""
    con.copy_rows(table, columns, rows, insert_sql=db.template("workflow_store/insert_rows"),
                  copy_sql=db.template("workflow_store/copy_rows"))


def _write_lists(con: Store, cid: str, data: CandidateData) -> None:
    for name in ("delete_applicants", "delete_municipalities", "delete_assets"):
        con.execute(_q(con, name), [cid])
    if data.applicants:
        con.executemany(_q(con, "insert_applicant"), [[cid, i, n, k] for i, (n, k) in enumerate(data.applicants, start=1)])
    con.executemany(_q(con, "insert_municipality"), [[cid, c] for c in data.muni_codes])
    if data.assets:
        con.executemany(_q(con, "insert_asset"), [[cid, la, a] for la, a in data.assets])


def _event(con: Store, cid: str, user: User, action: str, version: int, *,
           frm: str | None = None, to: str | None = None, reason: str | None = None,
           changes: Mapping[str, tuple] | None = None, at: dt.datetime) -> None:
    audit.record(con, _q(con, "insert_event"), cid, user, action, [frm, to, reason, version], details=changes, at=at)


def _guarded(fn):
    """Run ``fn`` in one transaction (the store maps a concurrent write to ConflictError, a lock held too long
    to StoreBusyError, a lost connection to StoreUnavailableError; the transaction is rolled back in each case)."""
    @functools.wraps(fn)
    def run(con: Store, *args, **kwargs):
        with con.transaction():
            return fn(con, *args, **kwargs)
    return run


def create(con: Store, user: User, data: CandidateData, **kwargs) -> str:
    """Record a new candidate (by default a draft); returns its id (``C<fiscal year>-<n>``).

    Keyword arguments as ``insert``. The id comes from the fiscal year's counter row, so concurrent creates
    never share one; where two sessions of one DuckDB file update that row at the same moment, the loser's
    transaction is rolled back and tried again (a new record has nothing of anyone's to overwrite), up to
    eight times.
    """
    for attempt in range(8):
        try:
            return insert(con, user, data, **kwargs)
        except ConflictError:
            if attempt == 7:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")


def _insert(con: Store, user: User, data: CandidateData, *, status: str = "draft",
           origin: str = "manual", known_munis: set[str] | None = None, designated_on: dt.date | None = None,
           reason: str = "") -> str:
    """Record a new candidate inside the caller's transaction; returns its id."""
    auth.require_create(user, set(data.muni_codes))
    if status != "draft":
        auth.require_import(user)  # only an import may create a candidate past draft
    data.check(known_munis=known_munis)
    at = audit.now()
    cid = _reserve_ids(con, data.fiscal_year)[0]
    con.execute(
        _q(con, "insert"),
        [cid, data.name_ja.strip(), data.name_en.strip() or None, data.base_type, data.fiscal_year, status,
         data.summary or None, data.contact or None, designated_on, origin, data.source_url or None,
         at, user.user_id, at, user.user_id])
    _write_lists(con, cid, data)
    _event(con, cid, user, "create" if origin != "import" else "import", 1, to=status, reason=reason or None, at=at)
    return cid


insert = _guarded(_insert)
insert.__doc__ = """One attempt at recording a new candidate, in one transaction (``create`` retries it)."""


def _row(con: Store, cid: str) -> dict:
    cur = con.execute(_q(con, "one"), [cid])
    r = cur.fetchone()
    if r is None:
        raise NotFoundError(f"candidate {cid!r} does not exist")
    return dict(zip(cur.columns, r, strict=False))


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


def get(con: Store, candidate_id: str) -> Candidate:
    """The candidate with its lists; NotFoundError when it does not exist."""
    r = _row(con, candidate_id)
    apps = con.execute(_q(con, "applicants_of"), [candidate_id]).fetchall()
    munis = con.execute(_q(con, "municipalities_of"), [candidate_id]).fetchall()
    assets = con.execute(_q(con, "assets_of"), [candidate_id]).fetchall()
    data = CandidateData(
        name_ja=r["name_ja"], name_en=r["name_en"] or "", base_type=r["base_type"], fiscal_year=r["fiscal_year"],
        muni_codes=tuple(m for (m,) in munis), applicants=tuple(map(tuple, apps)), assets=tuple(map(tuple, assets)),
        summary=r["summary"] or "", contact=r["contact"] or "", source_url=r["source_url"] or "")
    return Candidate(candidate_id, data, r["status"], r["version"], r["origin"], r["designated_on"],
                     r["created_at"], r["created_by"], r["updated_at"], r["updated_by"])


def _conflict(con: Store, cid: str, read_version: int, current: int) -> ConflictError:
    rows = con.execute(_q(con, "events_since"), [cid, read_version]).fetchall()
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
def update(con: Store, user: User, candidate_id: str, read_version: int,
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
    at, version = audit.now(), current.version + 1
    n = len(con.execute(
        _q(con, "update_fields"),
        [new.name_ja.strip(), new.name_en.strip() or None, new.base_type, new.fiscal_year, new.summary or None,
         new.contact or None, new.source_url or None, version, at, user.user_id, candidate_id, read_version]
    ).fetchall())
    if n != 1:  # saved by someone else between our read and our write
        raise _conflict(con, candidate_id, read_version, _row(con, candidate_id)["version"])
    if any(k in diff for k in _LISTS):
        _write_lists(con, candidate_id, new)
    _event(con, candidate_id, user, "edit", version, changes=diff, at=at)
    return version


@_guarded
def transition(con: Store, user: User, candidate_id: str, to_status: str, *, reason: str,
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
        nxt = domain.allowed_next(current.status)
        raise TransitionError(f"candidate {candidate_id}: cannot move from {current.status} to {to_status}; "
                              f"allowed from {current.status}: {', '.join(nxt) if nxt else 'none (closed)'}")
    auth.require_transition(user, to_status, set(current.data.muni_codes), min_role)
    if not reason.strip():
        raise TransitionError(f"candidate {candidate_id}: a reason is required for every status change")
    if current.version != read_version:
        raise _conflict(con, candidate_id, read_version, current.version)
    at, version = audit.now(), current.version + 1
    on = (designated_on or at.date()) if to_status == "designated" else current.designated_on
    n = len(con.execute(_q(con, "update_status"),
                        [to_status, on, version, at, user.user_id, candidate_id, read_version]).fetchall())
    if n != 1:
        raise _conflict(con, candidate_id, read_version, _row(con, candidate_id)["version"])
    _event(con, candidate_id, user, "transition", version, frm=current.status, to=to_status, reason=reason.strip(),
           at=at)
    return version


def history(con: Store, candidate_id: str) -> pd.DataFrame:
    """The candidate's audit trail, oldest first."""
    _row(con, candidate_id)
    return con.df(_q(con, "history"), [candidate_id])


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
                         zip(hist["from_status"], hist["to_status"], strict=False)],
        t("s.reason"): hist["reason"].fillna(""), t("cd.h_changes"): [changes(v) for v in hist["changes"]],
        t("cd.version"): hist["version_after"]})


LIST_COLUMNS = {"candidate_id": "cd.col_id", "name_ja": "cd.name_ja", "name_en": "cd.name_en", "status": "cd.status",
                "base_type": "cd.base_type", "fiscal_year": "cd.fiscal_year", "score": "cd.col_score",
                "muni_codes": "cd.munis", "applicants": "cd.col_applicants", "assets": "cd.col_assets",
                "designated_on": "cd.designated_on", "version": "cd.version", "updated_at": "cd.col_updated",
                "updated_by": "cd.col_by", "origin": "cd.origin"}


def list_view(rows: pd.DataFrame, *, lang: str = "ja", muni_labels: Mapping[str, str] | None = None,
              scores: pd.Series | None = None) -> pd.DataFrame:
    """``table`` rows for people: labels in ``lang``, municipalities named, the score (0–1, by candidate_id)
    when given, headers in ``lang``."""
    labels = muni_labels or {}
    view = rows.assign(status=rows["status"].map(lambda s: domain.label(STATUSES, s, lang)),
                       base_type=rows["base_type"].map(lambda s: domain.label(BASE_TYPES, s, lang)),
                       muni_codes=rows["muni_codes"].map(lambda cs: "、".join(labels.get(c, c) for c in cs)))
    if scores is not None:
        view["score"] = rows["candidate_id"].map(scores).round(3)
    keep = [c for c in LIST_COLUMNS if c in view]
    return view[keep].rename(columns={k: i18n.t(v, lang) for k, v in LIST_COLUMNS.items()})


def table(con: Store) -> pd.DataFrame:
    """All candidates, one row each; ``muni_codes`` is a tuple of codes, applicants are joined (``;``)."""
    df = con.df(_q(con, "table"))
    df["muni_codes"] = [tuple(v) if isinstance(v, (list, tuple, np.ndarray)) else () for v in df["muni_codes"]]
    return df


def versions(con: Store) -> tuple[tuple[str, int], ...]:
    """(candidate_id, version) of every candidate: changes whenever any candidate does (a cache key)."""
    return tuple(con.execute(_q(con, "versions")).fetchall())


def members(con: Store) -> pd.DataFrame:
    """(candidate_id, muni_code) for every candidate."""
    return con.df(_q(con, "members"))


@dataclass(frozen=True)
class CandidateFilter:
    """Which candidates a list shows. The default — every candidate except withdrawn ones — is the one
    candidate list of the page, ``candidates list`` and the export; a withdrawn candidate shows when
    ``include_withdrawn`` is set or its status is asked for."""

    statuses: tuple[str, ...] = ()
    fiscal_years: tuple[int, ...] = ()
    base_types: tuple[str, ...] = ()
    pref_codes: tuple[str, ...] = ()
    text: str = ""
    include_withdrawn: bool = False


def filter_table(df: pd.DataFrame, f: CandidateFilter) -> pd.DataFrame:
    """Rows of ``table()`` matching every set criterion (text: in id, names, applicants or summary)."""
    keep = pd.Series(True, index=df.index)
    if f.statuses:
        keep &= df["status"].isin(f.statuses)
    elif not f.include_withdrawn:
        keep &= df["status"] != "withdrawn"
    if f.fiscal_years:
        keep &= df["fiscal_year"].isin(f.fiscal_years)
    if f.base_types:
        keep &= df["base_type"].isin(f.base_types)
    if f.pref_codes:
        wanted = set(f.pref_codes)
        keep &= df["muni_codes"].map(lambda cs: any(c[:2] in wanted for c in cs))
    if f.text.strip():
        needle = f.text.strip().lower()
        hay = (df["candidate_id"].fillna("") + " " + df["name_ja"].fillna("") + " " + df["name_en"].fillna("") + " "
               + df["applicants"].fillna("") + " " + df["summary"].fillna("")).str.lower()
        keep &= hay.str.contains(needle, regex=False)
    return df[keep]


def linked_assets(con: Store) -> pd.DataFrame:
    """(item_id = candidate_id, layer, asset_id) of every asset any candidate links."""
    return con.df(_q(con, "linked_assets"))


def create_from_suggestion(con: Store, user: User, suggestion: Mapping, *, fiscal_year: int,
                           catalog: pd.DataFrame | None = None, base_type: str = "tourism",
                           known_munis: set[str] | None = None) -> str:
    """Turn a suggestion (``suggestions.suggest`` row) into a draft candidate, its assets linked from
    ``catalog`` (``layers.asset_catalog``); returns the new id."""
    munis = codes.muni_codes(suggestion["muni_codes"])
    assets = layers.asset_keys(catalog, munis)
    data = CandidateData(name_ja=str(suggestion["name_ja"]), name_en=str(suggestion.get("name_en") or ""),
                         base_type=base_type, fiscal_year=fiscal_year, muni_codes=munis, assets=assets,
                         summary=f"スコアからの提案 {suggestion['suggestion_id']} を下書きにしたもの"
                                 f" / drafted from suggestion {suggestion['suggestion_id']}")
    return create(con, user, data, origin="suggestion", known_munis=known_munis)


@dataclass(frozen=True)
class ImportRow:
    """One validated row of an official list: which candidate (None: a new one), its data and status."""

    candidate_id: str | None
    data: CandidateData
    status: str
    designated_on: dt.date | None


def existing_ids(con: Store) -> set[str]:
    """Every candidate id in the register."""
    return {c for (c,) in con.execute(_q(con, "ids")).fetchall()}


def import_problems(con: Store, rows: Sequence[ImportRow], *, file: str, first_row: int = 1) -> list[Problem]:
    """Status moves an import would make that the lifecycle forbids (backwards or out of a closed status)."""
    wanted = {r.candidate_id for r in rows if r.candidate_id is not None}
    if not wanted:
        return []
    current = {c: s for c, s in con.execute(_q(con, "statuses")).fetchall() if c in wanted}
    out = []
    for i, r in enumerate(rows, start=first_row):
        if r.candidate_id is None or r.candidate_id not in current:
            continue  # an unknown id is reported by the caller
        now = current[r.candidate_id]
        if not domain.reachable(now, r.status):
            out.append(Problem(file, found=repr(r.status), row=i, column="status", **i18n.expect(
                "pb.cd.reachable", current=now, next=", ".join(domain.allowed_next(now)) or "closed")))
    return out


MAX_IMPORT_ROWS = 250_000  # one transaction; beyond this, split the list (the refusal says so)

_CANDIDATE_COLUMNS = ("candidate_id", "name_ja", "name_en", "base_type", "fiscal_year", "status", "summary", "contact",
                      "designated_on", "origin", "source_url", "version", "created_at", "created_by", "updated_at",
                      "updated_by")
_EVENT_COLUMNS = ("candidate_id", "happened_at", "actor", "actor_role", "action", "from_status", "to_status", "reason",
                  "version_after", "changes")


def apply_import(con: Store, user: User, rows: Sequence[ImportRow], *, label: str,
                 known_munis: set[str] | None = None, checked: bool = False) -> tuple[list[str], list[str]]:
    """Write an imported official list in ONE transaction: new rows become candidates (status as the
    list says, origin 'import'), rows with an id update that candidate (fields and status, moving only
    forward along the lifecycle) — each with one 'import' audit row. Returns (created, updated) ids.

    Admins only. Raises InputError listing every problem (data, forbidden moves, more than
    ``MAX_IMPORT_ROWS`` rows) before anything is written (``checked``: the rows' data was already checked
    against ``known_munis`` by ``imports.parse_rows``, so it is not checked twice); any failure midway — including the process
    being killed — rolls the whole file back. New rows are appended in bulk (ids reserved once per
    fiscal year, COPY on PostgreSQL), so 200,000 rows take seconds, not minutes.
    """
    auth.require_import(user)
    if len(rows) > MAX_IMPORT_ROWS:
        raise InputError([Problem(label, f"at most {MAX_IMPORT_ROWS:,} rows in one import (split the list)",
                                  f"{len(rows):,} rows")])
    problems = import_problems(con, rows, file=label)
    new = [(i, r) for i, r in enumerate(rows, start=1) if r.candidate_id is None]
    if not checked:
        for i, r in new:
            problems.extend(r.data.problems(known_munis=known_munis, where=label, row=i))
    if problems:
        raise InputError(problems)
    created: list[str] = []
    updated: list[str] = []
    with con.transaction():
        if new:
            created = _insert_many(con, user, [r for _, r in new], label=label)
        for r in rows:
            if r.candidate_id is not None and _import_update(con, user, r, label=label, known_munis=known_munis):
                updated.append(r.candidate_id)
    return created, updated


def _insert_many(con: Store, user: User, rows: Sequence[ImportRow], *, label: str) -> list[str]:
    """Append validated new rows of an import with their lists and audit rows (inside the caller's transaction)."""
    by_year: dict[int, list[int]] = {}
    for k, r in enumerate(rows):
        by_year.setdefault(r.data.fiscal_year, []).append(k)
    ids: list[str] = [""] * len(rows)
    for fy, ks in sorted(by_year.items()):
        for k, cid in zip(ks, _reserve_ids(con, fy, len(ks)), strict=False):
            ids[k] = cid
    at, reason = audit.now(), f"import {label}"
    cands, apps, munis, assets, evs = [], [], [], [], []
    for cid, r in zip(ids, rows, strict=False):
        d = r.data
        cands.append((cid, d.name_ja.strip(), d.name_en.strip() or None, d.base_type, d.fiscal_year, r.status,
                      d.summary or None, d.contact or None, r.designated_on, "import", d.source_url or None, 1,
                      at, user.user_id, at, user.user_id))
        apps.extend((cid, n, name, kind) for n, (name, kind) in enumerate(d.applicants, start=1))
        munis.extend((cid, c) for c in d.muni_codes)
        assets.extend((cid, layer, a) for layer, a in d.assets)
        evs.append((cid, at, user.user_id, user.role, "import", None, r.status, reason, 1, None))
    _append(con, "candidates", _CANDIDATE_COLUMNS, cands)
    _append(con, "candidate_applicants", ("candidate_id", "ord", "org_name", "org_kind"), apps)
    _append(con, "candidate_municipalities", ("candidate_id", "muni_code"), munis)
    _append(con, "candidate_assets", ("candidate_id", "layer", "asset_id"), assets)
    _append(con, "candidate_events", _EVENT_COLUMNS, evs)
    return ids


def _import_update(con: Store, user: User, r: ImportRow, *, label: str,
                   known_munis: set[str] | None) -> bool:
    """Apply an imported row to its existing candidate (inside the caller's transaction); False when unchanged."""
    old = get(con, r.candidate_id)
    r.data.check(known_munis=known_munis)
    diff = _diff(old.data, r.data)
    if old.status != r.status:
        diff["status"] = (old.status, r.status)
    if old.designated_on != r.designated_on:
        diff["designated_on"] = (str(old.designated_on) if old.designated_on else None,
                                 str(r.designated_on) if r.designated_on else None)
    if not diff:
        return False
    at, version, d = audit.now(), old.version + 1, r.data
    n = len(con.execute(_q(con, "update_all"),
                        [d.name_ja.strip(), d.name_en.strip() or None, d.base_type, d.fiscal_year, d.summary or None,
                         d.contact or None, d.source_url or None, r.status, r.designated_on, version, at,
                         user.user_id, r.candidate_id, old.version]).fetchall())
    if n != 1:
        raise _conflict(con, r.candidate_id, old.version, _row(con, r.candidate_id)["version"])
    _write_lists(con, r.candidate_id, d)
    _event(con, r.candidate_id, user, "import", version, frm=old.status, to=r.status, reason=f"import {label}",
           changes=diff, at=at)
    return True
