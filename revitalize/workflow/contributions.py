"""Contributions: the people who know fill the gaps in the curated layers, with review (issue 23).

A municipality user proposes, for its own municipalities, a new row of a curated layer (an anime place,
a filming location with its work and year — a 大河ドラマ館 is one, with ``work_type`` ``other`` —, a film
commission, a GI production area), a correction of a field, or a removal, each with a source URL
(http(s) only), an as-of date and a note. A reviewer or admin accepts or rejects it with a reason. Every
step appends one ``contribution_events`` row in the same transaction, as for candidates (the same store
seam, DuckDB or PostgreSQL). A decision carries the version the reviewer read, so of two reviewers
deciding at once one wins and the other gets a ``ConflictError``.

Accepted contributions are an overlay on the reference layers (``overlay``): they live in the workflow
store, so ``python -m revitalize build`` never overwrites them; when the rebuilt reference data holds the
same fact the overlay row says so (``official_id``) and a reviewer can retire it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import duckdb
import pandas as pd

from revitalize.core import codes, i18n
from revitalize.core.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    TransitionError,
)
from revitalize.data import curated, db, uploads
from revitalize.data.store import Store
from revitalize.workflow.auth import User

LAYERS: tuple[str, ...] = ("anime_sites", "filming_locations", "film_commissions", "gi_areas")
ACTIONS: tuple[str, ...] = ("add", "correct", "remove")
STATUSES: tuple[str, ...] = ("pending", "accepted", "rejected", "retired")
REVIEW_ROLES = ("reviewer", "admin")
# the moves a review makes: (from, decision) → to
DECISIONS: dict[tuple[str, str], str] = {("pending", "accept"): "accepted", ("pending", "reject"): "rejected",
                                         ("accepted", "retire"): "retired"}

MAX_NOTE = 2000  # characters of a note or a review reason
MAX_FIELD = 300  # characters of any other text field
MAX_URL = 2000
# The fields a contribution may give, per layer: (name, kind, required for 'add'). The id, codes,
# precision, source, as-of and note columns of the geodata/ layout are filled from the contribution itself.
FIELDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "anime_sites": (("work_title_ja", "text", True), ("work_title_en", "text", False),
                    ("place_name_ja", "text", True), ("place_name_en", "text", False),
                    ("kind", "setting|facility|event", True), ("lat", "lat", False), ("lon", "lon", False)),
    "filming_locations": (("work_title_ja", "text", True), ("work_title_en", "text", False),
                          ("work_type", "film|drama|anime_film|other", True), ("release_year", "year", True),
                          ("place_name_ja", "text", True), ("place_name_en", "text", False),
                          ("lat", "lat", False), ("lon", "lon", False)),
    "film_commissions": (("name_ja", "text", True), ("name_en", "text", False),
                         ("level", "municipality|region|prefecture", True), ("operator_ja", "text", False),
                         ("website", "url", False), ("lat", "lat", False), ("lon", "lon", False)),
    "gi_areas": (("gi_id", "text", True), ("coverage", "whole|part", True)),
}
ID_COLUMNS = {"anime_sites": "site_id", "filming_locations": "location_id", "film_commissions": "fc_id",
              "gi_areas": "gi_id"}


def _q(con: Store, name: str) -> str:
    return db.sql_for(f"contributions/{name}", con.dialect)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# ---- what a proposal is ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Proposal:
    """A contribution as proposed: ``fields`` are the new row's (add) or the changed fields (correct)."""

    layer: str
    action: str
    muni_code: str
    source_url: str
    as_of: dt.date | str
    note: str = ""
    fields: Mapping[str, object] | None = None
    target_id: str = ""

    def problems(self, *, known_munis: set[str] | None = None, where: str = "contribution",
                 row: int | None = None) -> list[Problem]:
        """Every problem at once (i18n keys ``pb.ct.*``)."""
        out: list[Problem] = []

        def bad(column: str, key: str, found: object, **params: object) -> None:
            out.append(Problem(where, found=_shown(found), row=row, column=column, **i18n.expect(key, **params)))

        if self.layer not in LAYERS:
            bad("layer", "pb.ct.layer", self.layer, choices=", ".join(LAYERS))
        if self.action not in ACTIONS:
            bad("action", "pb.ct.action", self.action, choices=", ".join(ACTIONS))
        code = str(self.muni_code or "")
        if not codes.is_muni_code(code):
            bad("muni_code", "pb.ct.muni", code)
        elif known_munis is not None and code not in known_munis:
            bad("muni_code", "pb.ct.muni_known", code)
        if not url_ok(self.source_url):
            bad("source_url", "pb.ct.url", self.source_url)
        if _date(self.as_of) is None:
            bad("as_of", "pb.ct.as_of", self.as_of, today=_now().date().isoformat())
        for name, text, limit in (("note", self.note, MAX_NOTE), ("target_id", self.target_id, MAX_FIELD)):
            if not isinstance(text, str) or "\x00" in text or len(text) > limit:
                bad(name, "pb.ct.text", text, limit=limit)
        if self.action in ("correct", "remove") and not str(self.target_id).strip():
            bad("target_id", "pb.ct.target", self.target_id)
        if self.layer in LAYERS and self.action in ACTIONS:
            _field_problems(self, code, bad)
        return out

    def check(self, *, known_munis: set[str] | None = None) -> None:
        problems = self.problems(known_munis=known_munis)
        if problems:
            raise InputError(problems)


def _shown(value: object) -> str:
    """A found value for a message: NUL shown as \\x00, cut to 80 characters."""
    text = repr(value) if not isinstance(value, str) else value.replace("\x00", "\\x00")
    return text if len(text) <= 80 else text[:77] + f"… ({len(text):,} characters)"


def url_ok(url: object) -> bool:
    """An http(s) URL with a host, no spaces or control characters, at most ``MAX_URL`` characters."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL or any(ord(c) < 33 or c == "\x7f" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _date(value: object) -> dt.date | None:
    """``value`` as a date between 1900-01-01 and today, else None."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.date) or not dt.date(1900, 1, 1) <= value <= _now().date():
        return None
    return value


def _field_problems(p: Proposal, code: str, bad) -> None:
    spec = {name: (kind, required) for name, kind, required in FIELDS[p.layer]}
    given = dict(p.fields or {})
    unknown = sorted(set(given) - set(spec) - {"pref_code"})
    if unknown:
        bad("fields", "pb.ct.fields", ", ".join(unknown), layer=p.layer, allowed=", ".join(spec))
    if "pref_code" in given and str(given["pref_code"]) != code[:2]:  # a row of another prefecture
        bad("pref_code", "pb.ct.pref", given["pref_code"], pref=code[:2])
    if p.action == "add":
        for name, (_, required) in spec.items():
            if required and not str(given.get(name) or "").strip():
                bad(name, "pb.ct.required", given.get(name, ""))
    elif p.action == "correct" and not given:
        bad("fields", "pb.ct.fields_none", "")
    elif p.action == "remove" and given:
        bad("fields", "pb.ct.fields_remove", ", ".join(given))
    for name, value in given.items():
        if name not in spec or value is None or value == "":
            continue
        kind = spec[name][0]
        if isinstance(value, str) and ("\x00" in value or len(value) > MAX_FIELD):
            bad(name, "pb.ct.text", value, limit=MAX_FIELD)
        elif "|" in kind and value not in kind.split("|"):
            bad(name, "pb.ct.choice", value, choices=kind.replace("|", ", "))
        elif kind == "url" and not url_ok(value):
            bad(name, "pb.ct.url", value)
        elif kind in ("lat", "lon", "year") and _number(value, kind) is None:
            bad(name, f"pb.ct.{kind}", value)
    if ("lat" in given) != ("lon" in given):
        bad("lat", "pb.ct.point", f"lat={given.get('lat')}, lon={given.get('lon')}")


_RANGES = {"lat": (20.0, 46.0), "lon": (122.0, 154.0), "year": (1900, 2100)}  # Japan's extent; film years


def _number(value: object, kind: str) -> float | None:
    try:
        x = float(value) if kind != "year" else int(str(value).strip())
    except (TypeError, ValueError):
        return None
    lo, hi = _RANGES[kind]
    return x if lo <= x <= hi else None


def clean_fields(p: Proposal) -> dict[str, object]:
    """The proposal's fields as stored: text stripped, numbers as numbers, empty ones left out."""
    spec = {name: kind for name, kind, _ in FIELDS[p.layer]}
    out: dict[str, object] = {}
    for name, value in (p.fields or {}).items():
        if name == "pref_code" or value is None or (isinstance(value, str) and not value.strip()):
            continue
        kind = spec[name]
        out[name] = _number(value, kind) if kind in ("lat", "lon", "year") else str(value).strip()
        if kind == "year":
            out[name] = int(out[name])
    return out


# ---- who may do what ---------------------------------------------------------------------------------------

def require_propose(user: User, muni_code: str) -> None:
    """A municipality user proposes for its own municipalities; reviewers and admins for any; viewers never."""
    if user.role in REVIEW_ROLES:
        return
    if user.role == "municipality" and muni_code in user.muni_codes:
        return
    if user.role == "municipality":
        raise PermissionDeniedError(
            f"{user.label} may not propose for municipality {muni_code} (its own: "
            f"{', '.join(sorted(user.muni_codes))})").keyed("ct.err.not_own", user=user.label, code=muni_code,
                                                            own=", ".join(sorted(user.muni_codes)))
    raise PermissionDeniedError(f"{user.label} may not propose contributions").keyed("ct.err.viewer",
                                                                                     user=user.label)


def require_review(user: User) -> None:
    if user.role not in REVIEW_ROLES:
        raise PermissionDeniedError(f"{user.label} may not review contributions (reviewer or admin only)"
                                    ).keyed("ct.err.review_role", user=user.label)


# ---- the store ---------------------------------------------------------------------------------------------

def _guarded(fn):
    @functools.wraps(fn)
    def run(con: Store, *args, **kwargs):
        with con.transaction():
            return fn(con, *args, **kwargs)
    return run


def _event(con: Store, cid: str, user: User, action: str, frm: str | None, to: str, reason: str | None,
           version: int, at: dt.datetime) -> None:
    con.execute(_q(con, "insert_event"), [cid, at, user.user_id, user.role, action, frm, to, reason, version])


@_guarded
def _propose_once(con: Store, user: User, p: Proposal, known_munis: set[str] | None,
                  ref: duckdb.DuckDBPyConnection | None) -> str:
    require_propose(user, str(p.muni_code))
    p.check(known_munis=known_munis)
    if ref is not None and p.action in ("correct", "remove") and not target_exists(ref, p.layer, p.target_id):
        raise InputError([Problem("contribution", found=_shown(p.target_id), column="target_id",
                                  **i18n.expect("pb.ct.target_known", layer=p.layer))])
    at = _now()
    cid = f"K-{con.execute(_q(con, 'reserve_id')).fetchone()[0]:05d}"
    con.execute(_q(con, "insert"), [cid, p.layer, p.action, p.target_id.strip() or None, p.muni_code,
                                    json.dumps(clean_fields(p), ensure_ascii=False, sort_keys=True), p.source_url,
                                    _date(p.as_of), p.note.strip(), at, user.user_id, user.role])
    _event(con, cid, user, "propose", None, "pending", p.note.strip() or None, 1, at)
    return cid


def propose(con: Store, user: User, p: Proposal, *, known_munis: set[str] | None = None,
            ref: duckdb.DuckDBPyConnection | None = None) -> str:
    """Record a pending contribution; returns its id ``K-NNNNN``. ``known_munis``: the reference codes;
    ``ref``: the reference database, to check that a corrected or removed row exists. Nothing is written
    unless every check passes; concurrent proposals never share an id (the counter row; a DuckDB write
    conflict is retried)."""
    for attempt in range(8):
        try:
            return _propose_once(con, user, p, known_munis, ref)
        except ConflictError:
            if attempt == 7:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")


def _row(con: Store, cid: str) -> dict:
    cur = con.execute(_q(con, "one"), [cid])
    r = cur.fetchone()
    if r is None:
        raise NotFoundError(f"contribution {cid!r} does not exist").keyed("ct.err.missing", id=cid)
    return dict(zip(cur.columns, r, strict=False))


def get(con: Store, cid: str) -> dict:
    """One contribution as a dict (``fields`` decoded)."""
    r = _row(con, cid)
    return {**r, "fields": json.loads(r["fields"])}


@_guarded
def review(con: Store, user: User, cid: str, decision: str, *, reason: str, read_version: int) -> int:
    """Accept, reject (a pending contribution) or retire (an accepted one) with a reason; returns the new
    version. ``read_version`` is the version the reviewer saw: if anyone decided since, ``ConflictError``
    says who and nothing is changed."""
    require_review(user)
    if not isinstance(reason, str) or not reason.strip() or "\x00" in reason or len(reason) > MAX_NOTE:
        raise InputError([Problem(f"contribution {cid}", found=_shown(reason), column="reason",
                                  **i18n.expect("pb.ct.reason", limit=MAX_NOTE))])
    current = _row(con, cid)
    if current["version"] != read_version:
        raise _conflict(cid, read_version, current)
    to = DECISIONS.get((current["status"], decision))
    if to is None:
        raise TransitionError(f"contribution {cid} is {current['status']}: cannot {decision}").keyed(
            "ct.err.decision", id=cid, status=current["status"], decision=decision)
    at, version = _now(), read_version + 1
    n = len(con.execute(_q(con, "review"), [to, version, at, user.user_id, reason.strip(), cid,
                                            read_version]).fetchall())
    if n != 1:  # decided by someone else between our read and our write
        raise _conflict(cid, read_version, _row(con, cid))
    _event(con, cid, user, decision, current["status"], to, reason.strip(), version, at)
    return version


def _conflict(cid: str, read_version: int, now: Mapping) -> ConflictError:
    who, status = now.get("reviewed_by") or now.get("proposed_by"), now.get("status")
    return ConflictError(f"contribution {cid}: you read version {read_version}, but {who} saved version "
                         f"{now['version']} ({status}) since; nothing of yours was saved").keyed(
        "ct.err.conflict", id=cid, read=read_version, version=now["version"], who=who, status=status)


def table(con: Store) -> pd.DataFrame:
    """Every contribution, newest first (``fields`` as JSON text)."""
    return con.df(_q(con, "table"))


def history(con: Store, cid: str) -> pd.DataFrame:
    """A contribution's audit trail, oldest first."""
    _row(con, cid)
    return con.df(_q(con, "history"), [cid])


def versions(con: Store) -> tuple[tuple[str, int], ...]:
    """(id, version) of the accepted contributions: a cache key of the overlay."""
    return tuple(tuple(r) for r in con.execute(_q(con, "versions")).fetchall())


# ---- the overlay on the reference layers -------------------------------------------------------------------

def target_exists(ref: duckdb.DuckDBPyConnection, layer: str, target_id: str) -> bool:
    """Whether the reference layer holds the row a correction or removal names."""
    return bool(ref.execute(db.sql("contributions_ref/target_exists", table=layer, id=ID_COLUMNS[layer]),
                            [target_id]).fetchone()[0])


@dataclass(frozen=True)
class _Facts:
    """What the reference layers hold, read once per overlay: (muni_code, key) → id, and every id."""

    keyed: dict[str, dict[tuple[str, str], str]]
    ids: dict[str, set[str]]


def _facts(ref: duckdb.DuckDBPyConnection, wanted: set[str]) -> _Facts:
    keyed, ids = {}, {}
    for layer in wanted:
        keyed[layer] = {(m, k): i for m, k, i in ref.execute(db.sql(f"contributions_ref/facts_{layer}")).fetchall()}
        ids[layer] = {str(i) for (i,) in ref.execute(
            db.sql("contributions_ref/ids", table=layer, id=ID_COLUMNS[layer])).fetchall()}
    return _Facts(keyed, ids)


def _key(layer: str, fields: Mapping[str, object]) -> str:
    return str(fields.get("gi_id") if layer == "gi_areas" else fields.get(
        "name_ja" if layer == "film_commissions" else "work_title_ja"))


def official_id(ref: duckdb.DuckDBPyConnection | None, layer: str, action: str, muni_code: str,
                fields: Mapping[str, object], target_id: str | None, *, facts: _Facts | None = None) -> str | None:
    """The reference row that now holds the contributed fact (an addition found in the rebuilt data: same
    municipality and work title / name / GI id; a removed row gone: its id), else None. Corrections are not
    matched. ``facts``: the reference read once for many rows (``overlay``)."""
    if ref is None and facts is None:
        return None
    facts = facts or _facts(ref, {layer})
    if action == "add":
        return facts.keyed[layer].get((muni_code, _key(layer, fields)))
    if action == "remove" and target_id and target_id not in facts.ids[layer]:
        return target_id
    return None


def provenance(row: Mapping, lang: str = "ja", muni_labels: Mapping[str, str] | None = None) -> str:
    """'〇〇市（user）が提供、reviewer が 2026-12-07 に承認' — who contributed and who reviewed."""
    labels = muni_labels or {}
    when = row.get("reviewed_at")
    return i18n.t("ct.provenance", lang, muni=labels.get(row["muni_code"], row["muni_code"]),
                  user=row["proposed_by"], reviewer=row.get("reviewed_by") or "",
                  on=when.date().isoformat() if isinstance(when, (dt.datetime, pd.Timestamp)) else str(when or ""))


OVERLAY_COLUMNS = ("contribution_id", "layer", "action", "target_id", "muni_code", "pref_code", "fields",
                   "source_url", "as_of", "note", "provenance", "official_id")


def overlay(con: Store, ref: duckdb.DuckDBPyConnection | None = None, *, lang: str = "ja",
            muni_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The accepted contributions as an overlay on the reference layers, one row each, with ``provenance``
    and ``official_id`` (the reference row now holding the same fact, or None)."""
    acc = con.df(_q(con, "accepted"))
    facts = _facts(ref, set(acc["layer"])) if ref is not None and len(acc) else None
    rows = []
    for r in acc.to_dict("records"):
        fields = json.loads(r["fields"])
        rows.append({"contribution_id": r["contribution_id"], "layer": r["layer"], "action": r["action"],
                     "target_id": r["target_id"], "muni_code": r["muni_code"], "pref_code": r["muni_code"][:2],
                     "fields": fields, "source_url": r["source_url"], "as_of": r["as_of"], "note": r["note"],
                     "provenance": provenance(r, lang, muni_labels),
                     "official_id": official_id(ref, r["layer"], r["action"], r["muni_code"], fields,
                                                r["target_id"], facts=facts)})
    return pd.DataFrame(rows, columns=list(OVERLAY_COLUMNS))


def added_rows(ov: pd.DataFrame, layer: str) -> pd.DataFrame:
    """The overlay's additions to ``layer`` not yet in the reference data, in the layer's columns
    (id = the contribution id), with ``provenance``."""
    keep = ov[(ov["layer"] == layer) & (ov["action"] == "add") & ov["official_id"].isna()]
    out = []
    for r in keep.to_dict("records"):
        f = r["fields"]
        point = "lat" in f and "lon" in f
        out.append({ID_COLUMNS[layer] if layer != "gi_areas" else "contribution_id": r["contribution_id"], **f,
                    "pref_code": r["pref_code"], "muni_code": r["muni_code"],
                    "location_precision": "landmark" if point else "municipality",
                    "source_url": r["source_url"], "as_of": r["as_of"], "note": r["note"],
                    "provenance": r["provenance"], "contribution_id": r["contribution_id"]})
    return pd.DataFrame(out)


def removed_ids(ov: pd.DataFrame, layer: str) -> set[str]:
    """Ids of reference rows of ``layer`` an accepted removal takes out."""
    keep = ov[(ov["layer"] == layer) & (ov["action"] == "remove")]
    return {str(t) for t in keep["target_id"] if t}


def export_frame(ov: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Accepted additions to ``layer`` in the ``geodata/<layer>.csv`` column layout, the provenance in
    ``note``, for maintainers to fold into the curated file."""
    cols = [c.name for c in curated.LAYERS_BY_KEY[layer].columns]
    add = added_rows(ov, layer)
    if add.empty:
        return pd.DataFrame(columns=cols)
    if layer == "anime_sites":
        add = add.assign(editions="")
    add = add.assign(note=[f"{p}; {n}".rstrip("; ") for p, n in zip(add["provenance"], add["note"], strict=False)])
    if layer == "gi_areas":
        add = add.drop(columns=["contribution_id"], errors="ignore")
    for c in cols:
        if c not in add:
            add[c] = None
    return add[cols]


def municipality_counts(ov: pd.DataFrame | None) -> pd.DataFrame:
    """Per (muni_code, layer): how many rows the overlay adds (not yet official) minus the rows it removes
    — what profile counts and scores add to the reference counts (none for no overlay)."""
    if ov is None or ov.empty:
        return pd.DataFrame(columns=["muni_code", "layer", "n"])
    add = ov[(ov["action"] == "add") & ov["official_id"].isna()].assign(n=1)
    rem = ov[(ov["action"] == "remove") & ov["official_id"].isna()].assign(n=-1)
    both = pd.concat([add, rem])[["muni_code", "layer", "n"]] if len(add) + len(rem) else \
        pd.DataFrame(columns=["muni_code", "layer", "n"])
    return both.groupby(["muni_code", "layer"], as_index=False)["n"].sum()


def view(df: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """``table`` for people: headers and statuses in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return pd.DataFrame({
        t("ct.col.id"): df["contribution_id"], t("ct.col.status"): [t(f"ct.status.{s}") for s in df["status"]],
        t("ct.col.layer"): [t(f"cov.layer.{x}") if f"cov.layer.{x}" in i18n.STRINGS else x for x in df["layer"]],
        t("ct.col.action"): [t(f"ct.action.{a}") for a in df["action"]], t("ct.col.muni"): df["muni_code"],
        t("ct.col.target"): df["target_id"].fillna(""), t("ct.col.fields"): df["fields"],
        t("ct.col.source"): df["source_url"], t("ct.col.as_of"): df["as_of"].astype(str),
        t("ct.col.note"): df["note"], t("ct.col.by"): df["proposed_by"],
        t("ct.col.reviewed_by"): df["reviewed_by"].fillna(""), t("ct.col.reason"): df["review_reason"].fillna(""),
        t("ct.col.version"): df["version"]})


def proposals_from_rows(rows: Sequence[Mapping[str, object]]) -> list[Proposal]:
    """Proposals from plain rows (CLI JSON or a bulk list): layer, action, muni_code, source_url, as_of, note,
    target_id and any layer field."""
    fixed = {"layer", "action", "muni_code", "source_url", "as_of", "note", "target_id"}
    return [Proposal(layer=str(r.get("layer", "")), action=str(r.get("action", "add")),
                     muni_code=str(r.get("muni_code", "")), source_url=str(r.get("source_url", "")),
                     as_of=str(r.get("as_of", "")), note=str(r.get("note", "") or ""),
                     target_id=str(r.get("target_id", "") or ""),
                     fields={k: v for k, v in r.items() if k not in fixed}) for r in rows]


# ---- bulk: a location list through the same checks as an own-data import -----------------------------------

# Headers of a bulk list (normalised by uploads.normalise_header) → contribution field
BULK_HEADERS: dict[str, str] = {
    "作品名": "work_title_ja", "作品": "work_title_ja", "work": "work_title_ja", "title": "work_title_ja",
    "年": "release_year", "公開年": "release_year", "放送年": "release_year", "year": "release_year",
    "場所": "place_name_ja", "ロケ地": "place_name_ja", "名称": "place_name_ja", "place": "place_name_ja",
    "団体コード": "muni_code", "市区町村コード": "muni_code", "緯度": "lat", "経度": "lon", "latitude": "lat",
    "longitude": "lon", "出典": "source_url", "出典url": "source_url", "url": "source_url", "source": "source_url",
    "時点": "as_of", "確認日": "as_of", "メモ": "note", "備考": "note", "種別": "work_type", "type": "work_type",
}


def read_list(data: bytes, file_name: str) -> uploads.Upload:
    """A bulk location list read through the own-data import's checks (``uploads.read_upload``: size, zip/xlsx
    bombs, encoding, cells, coordinates); the place (or the work) is the row's name. InputError lists every
    problem."""
    names = {h: "name" for h in ("場所", "ロケ地", "place_name_ja", "place", "名称")}
    return uploads.read_upload(data, file_name, aliases=names)


def proposals_from_upload(upload: uploads.Upload, *, layer: str = "filming_locations",
                          default_as_of: dt.date | None = None) -> list[Proposal]:
    """One ``add`` proposal per row of a checked upload (``uploads.read_upload``: size, encoding, cells,
    coordinates already checked), columns by their geodata/ names or the Japanese headers of
    ``BULK_HEADERS``; a filming row without ``work_type`` is a ``film``."""
    own = {name for name, _, _ in FIELDS[layer]} | {"muni_code", "source_url", "as_of", "note"}  # every row: add
    rename = {}
    for col in upload.table.columns:
        key = uploads.normalise_header(col)
        target = key if key in own else BULK_HEADERS.get(key) or BULK_HEADERS.get(str(col).strip())
        if target and target not in rename.values():
            rename[col] = target
    rows = []
    for _, r in upload.table.rename(columns=rename)[list(rename.values())].iterrows():
        row = {k: (v.strip() if isinstance(v, str) else v) for k, v in r.items()}
        if not row.get("as_of"):
            row["as_of"] = (default_as_of or _now().date()).isoformat()
        if layer == "filming_locations" and not row.get("work_type"):
            row["work_type"] = "film"
        rows.append({"layer": layer, "action": "add", **row})
    return proposals_from_rows(rows)


def propose_many(con: Store, user: User, proposals: Sequence[Proposal], *, file: str,
                 known_munis: set[str] | None = None) -> list[str]:
    """Record every proposal of a bulk list as a pending contribution, all or nothing: every problem of every
    row (row = 1-based data row, as in the file) is reported at once and nothing is written; a row for a
    municipality the user does not speak for is a problem of that row."""
    problems: list[Problem] = []
    for i, p in enumerate(proposals, start=1):
        problems += p.problems(known_munis=known_munis, where=file, row=i)
        try:
            require_propose(user, str(p.muni_code))
        except PermissionDeniedError:
            if user.role not in ("municipality",) + REVIEW_ROLES:
                raise
            problems.append(Problem(file, found=_shown(p.muni_code), row=i, column="muni_code",
                                    **i18n.expect("pb.ct.own", own=", ".join(sorted(user.muni_codes)))))
    if problems:
        raise InputError(problems, dataset=file)
    ids = []
    with con.transaction():
        for p in proposals:
            ids.append(_propose_once(con, user, p, known_munis, None))
    return ids
