"""The domain's vocabulary, typed once: base types, applicant kinds, candidate statuses and the moves
between them, roles, and the national goal (about 200 bases by FY2033).

Everything above this module (analysis, workflow, outputs, app) takes these names from here.
"""

from __future__ import annotations

import datetime as dt

TARGET_BASES = 200  # about 200 Content Regional Revitalization Bases nationwide …
FIRST_FY = 2025     # … from the first call (FY2025) …
TARGET_FY = 2033    # … by FY2033 (Intellectual Property Strategic Program 2025)
LAST_FY = 2040      # the last fiscal year of a call a candidate may name (the register's range is FIRST_FY–LAST_FY;
                    # the workflow tables' CHECK is generated from these two, see data/db.py ``migrations``)

# Japan's extent in EPSG:4326 degrees, with a small margin: Okinotorishima 20.42° N to Etorofu 45.56° N,
# Yonaguni 122.93° E to Minamitorishima 153.98° E (the easternmost point: 154.0 holds it, 154.5 was too loose).
JAPAN_LAT = (20.0, 46.0)
JAPAN_LON = (122.0, 154.0)

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
ROLES = ("viewer", "municipality", "reviewer", "admin")
OPEN_STATUSES = ("draft", "applied", "under_review", "shortlisted", "nominated")
MUNICIPALITY_EDITABLE = ("draft", "applied")
PIPELINE = ("applied", "under_review", "shortlisted", "nominated")
# Candidates that still hold their municipalities: a withdrawn one frees them for suggestions again.
HOLDING = ("draft", *PIPELINE, "designated", "rejected")
ASSET_LAYERS = ("anime_sites", "filming_locations", "gi_products", "heritage")

# (from, to) -> the least role that may make the move (a municipality only for its own candidates).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "applied"): "municipality",
    ("applied", "under_review"): "reviewer",
    ("under_review", "shortlisted"): "reviewer",
    ("shortlisted", "nominated"): "reviewer",
    ("nominated", "designated"): "admin",
    **{(s, "withdrawn"): "municipality" for s in OPEN_STATUSES},
    **{(s, "rejected"): "reviewer" for s in PIPELINE},
}


def allowed_next(status: str) -> list[str]:
    """The statuses a candidate in ``status`` may move to in one step."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


def reachable(frm: str, to: str) -> bool:
    """True when ``to`` can be reached from ``frm`` by one or more allowed moves (or is ``frm``).

    An official list imported by an admin may skip steps (an application recorded straight as
    designated) but never move back (designated → draft) or reopen a closed candidate."""
    seen, todo = {frm}, [frm]
    while todo:
        for nxt in allowed_next(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return to in seen


def fiscal_year(day: dt.date) -> int:
    """Japanese fiscal year (April to March) of ``day``: 2026-03-31 → 2025, 2026-04-01 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def label(vocabulary: dict[str, tuple[str, str]], key: str, lang: str = "ja") -> str:
    """A vocabulary entry's label in ``lang`` (the key itself when unknown)."""
    pair = vocabulary.get(key)
    return key if pair is None else pair[0 if lang == "ja" else 1]


def _aliases(vocabulary: dict[str, tuple[str, str]], **extra: str) -> dict[str, str]:
    return {**{k: k for k in vocabulary}, **{ja: k for k, (ja, _) in vocabulary.items()},
            **{en.lower(): k for k, (_, en) in vocabulary.items()}, **extra}


_TYPE_ALIASES = _aliases(BASE_TYPES, 観光振興型="tourism", 産業振興型="industry")
_KIND_ALIASES = _aliases(ORG_KINDS)
_STATUS_ALIASES = _aliases(STATUSES, 選定="designated")


def _lookup(aliases: dict[str, str], text: object) -> str | None:
    s = str(text or "").strip()
    return aliases.get(s, aliases.get(s.lower()))


def base_type_of(text: object) -> str | None:
    """The base type key for a typed value in English or Japanese ('複合型' → 'composite'), or None."""
    return _lookup(_TYPE_ALIASES, text)


def status_of(text: object) -> str | None:
    """The status key for a typed value in English or Japanese ('選定' → 'designated'), or None."""
    return _lookup(_STATUS_ALIASES, text)


def org_kind_of(text: object) -> str | None:
    """The applicant kind key for a typed value in English or Japanese ('観光協会' → 'tourism_association')."""
    return _lookup(_KIND_ALIASES, text)


def parse_applicants(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """'市:municipality; 協会:観光協会' (``;`` or new lines) → ((name, kind), …) and the parts with an unknown kind.

    A part without ``:kind`` is an 'other' body; kinds may be given in English or Japanese.
    """
    out, bad = [], []
    for part in [p.strip() for p in str(text or "").replace("\n", ";").replace("；", ";").split(";") if p.strip()]:
        org, sep, kind = part.rpartition(":")
        if not sep:
            org, kind = part, "other"
        k = org_kind_of(kind)
        if k is None:
            bad.append(part)
            k = kind.strip()
        out.append((org.strip(), k))
    return tuple(out), bad
