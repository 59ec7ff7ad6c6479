"""Events for effect verification: when did something happen in these municipalities?

An event is a month from which an effect on visitors is expected, with a label and the page that states it:

- ``anime_release``: a work set at an anime place first aired or was released (``anime_sites.first_released_on``);
- ``anime88``: an Anime Tourism 88 edition was announced and selected a place there (``anime_site_editions``;
  announcement dates in ``EDITION_ANNOUNCED``);
- ``drama``: a drama filmed or set there started broadcasting (``filming_locations.broadcast_start``: the NHK
  morning and taiga dramas);
- ``designation``: a candidate base was designated (the register's ``designated_on``; ``designation_events``
  takes the register table, so this module never opens the workflow database).

Every event row carries a ``key`` naming what is shared: all places of one work, one edition, one designation day.
Municipalities with the subject's key share its event and are never comparison municipalities (``sharing``);
municipalities with another event near the window are passed to the estimator as ``donor_flags`` so that
weight on them is warned about (``donor_flags``).

Frames: ``EVENT_COLUMNS`` = muni_code, source, key, label_ja, label_en, month ('YYYY-MM'), source_url.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from revitalize.analysis import effects
from revitalize.core import i18n
from revitalize.core.errors import EffectError
from revitalize.data import coverage, db

SOURCES = ("designation", "anime_release", "anime88", "drama")
EVENT_COLUMNS = ("muni_code", "source", "key", "label_ja", "label_en", "month", "source_url")
# Anime Tourism 88 announcement dates (geodata/README.md "Counts per edition"; geodata/notes/anime_editions.md).
EDITION_ANNOUNCED = {int(t.part): t.as_of for t in coverage.TOTALS if t.layer == "anime_sites"}
FLAG_MONTHS_BEFORE = 12  # a donor's own event from 12 months before the subject's event to its end is flagged


def month_text(value: object) -> str | None:
    """A date-like value as 'YYYY-MM' (None when missing or not a date)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    try:
        return pd.Timestamp(value).strftime("%Y-%m")
    except (ValueError, TypeError):
        return None


def work_key(title: object) -> str:
    """A work title folded for matching places of one work (NFKC, no spaces or punctuation, lower case)."""
    text = unicodedata.normalize("NFKC", str(title or "")).lower()
    return re.sub(r"[\s!！?？・:：~〜\-‐]+", "", text)


def _first_url(value: object) -> str:
    parts = [p for p in re.split(r"[;\s]+", str(value or "")) if p]
    return parts[0] if parts else ""


def content_events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every content event of the reference database (anime releases, 88 editions, drama broadcasts)."""
    rows: list[dict] = []
    for r in con.execute(db.sql("events/anime_releases")).df().itertuples(index=False):
        en = r.work_title_en if isinstance(r.work_title_en, str) and r.work_title_en else r.work_title_ja
        rows.append({"muni_code": r.muni_code, "source": "anime_release", "key": f"anime_release:{work_key(r.work_title_ja)}",
                     "label_ja": i18n.t("effect.ev.anime_release", "ja", work=r.work_title_ja),
                     "label_en": i18n.t("effect.ev.anime_release", "en", work=en),
                     "month": month_text(r.on_date), "source_url": _first_url(r.source_url)})
    for r in con.execute(db.sql("events/anime_editions")).df().itertuples(index=False):
        on = EDITION_ANNOUNCED.get(int(r.edition))
        if on is None:
            continue
        rows.append({"muni_code": r.muni_code, "source": "anime88", "key": f"anime88:{int(r.edition)}",
                     "label_ja": i18n.t("effect.ev.anime88", "ja", edition=int(r.edition), works=r.works_ja)
                     + ("" if r.first_here else i18n.t("effect.ev.reselected", "ja")),
                     "label_en": i18n.t("effect.ev.anime88", "en", edition=int(r.edition), works=r.works_en)
                     + ("" if r.first_here else i18n.t("effect.ev.reselected", "en")),
                     "month": month_text(on), "source_url": _first_url(r.source_url), "first_here": bool(r.first_here)})
    for r in con.execute(db.sql("events/drama_broadcasts")).df().itertuples(index=False):
        en = r.work_title_en if isinstance(r.work_title_en, str) and r.work_title_en else r.work_title_ja
        month = month_text(r.on_date)
        rows.append({"muni_code": r.muni_code, "source": "drama", "key": f"drama:{work_key(r.work_title_ja)}:{month}",
                     "label_ja": i18n.t("effect.ev.drama", "ja", work=r.work_title_ja),
                     "label_en": i18n.t("effect.ev.drama", "en", work=en),
                     "month": month, "source_url": _first_url(r.source_url)})
    frame = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "first_here"])
    frame["first_here"] = frame["first_here"].fillna(True).astype(bool)
    return frame[frame["month"].notna()].reset_index(drop=True)


def cohort_dramas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """NHK taiga and morning dramas by municipality (muni_code, series, work_title_ja/en, on_date, source_url)."""
    return con.execute(db.sql("events/cohort_dramas")).df()


def cohort_awards(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Location Japan award prizes by municipality (muni_code, work_title_ja/en, award_year, prize, source_url)."""
    return con.execute(db.sql("events/cohort_awards")).df()


def designation_events(register: pd.DataFrame) -> pd.DataFrame:
    """Designations in the register (``workflow.candidates.table``): one row per (municipality, base).

    The key is the designation day, so bases designated on the same day share their event."""
    rows = []
    for r in register.itertuples(index=False):
        month = month_text(r.designated_on) if r.status == "designated" else None
        if month is None:
            continue
        for code in r.muni_codes:
            rows.append({"muni_code": code, "source": "designation", "key": f"designation:{r.designated_on}",
                         "label_ja": i18n.t("effect.ev.designation", "ja", name=r.name_ja, cid=r.candidate_id),
                         "label_en": i18n.t("effect.ev.designation", "en", name=r.name_en or r.name_ja,
                                            cid=r.candidate_id),
                         "month": month, "source_url": r.source_url or "", "first_here": True,
                         "candidate_id": r.candidate_id})
    return pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "first_here", "candidate_id"])


def all_events(con: duckdb.DuckDBPyConnection, register: pd.DataFrame | None = None) -> pd.DataFrame:
    """Content events plus the register's designations (when ``register`` is given)."""
    frames = [content_events(con)]
    if register is not None and len(register):
        frames.append(designation_events(register).drop(columns="candidate_id"))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def for_municipalities(events: pd.DataFrame, muni_codes: Sequence[str], *, lang: str = "ja",
                       first: str | None = None, last: str | None = None,
                       sources: Iterable[str] = SOURCES) -> pd.DataFrame:
    """The events of a subject (one or several municipalities), one row per shared event (key).

    Columns: key, source, label (in ``lang``), month, source_url, muni_codes (the subject's municipalities
    it concerns, a tuple). ``first``/``last`` ('YYYY-MM') keep events in that range (the visitor data's);
    newest first."""
    mine = events[events["muni_code"].isin(list(muni_codes)) & events["source"].isin(list(sources))]
    if first:
        mine = mine[mine["month"] >= first]
    if last:
        mine = mine[mine["month"] <= last]
    col = "label_en" if lang == "en" else "label_ja"
    out = (mine.groupby("key", sort=False)
           .agg(source=("source", "first"), label=(col, "first"), month=("month", "min"),
                source_url=("source_url", "first"), muni_codes=("muni_code", lambda s: tuple(sorted(set(s)))))
           .reset_index())
    return out.sort_values(["month", "key"], ascending=[False, True]).reset_index(drop=True)


def sharing(events: pd.DataFrame, key: str | None, subject: Iterable[str] = ()) -> tuple[str, ...]:
    """Municipalities (other than ``subject``'s) that share the event ``key``: never comparison municipalities."""
    if not key:
        return ()
    own = set(subject)
    return tuple(sorted(set(events.loc[events["key"] == key, "muni_code"]) - own))


def donor_flags(events: pd.DataFrame, start: str, end: str | None = None, *, key: str | None = None,
                lang: str = "ja", months_before: int = FLAG_MONTHS_BEFORE) -> dict[str, str]:
    """Municipalities with another event from ``months_before`` months before ``start`` to ``end``: code → label.

    Re-selections in a later 88 edition are not events (only a place's first selection is)."""
    lo = str(pd.Period(start, freq="M") - months_before)
    near = events[(events["month"] >= lo) & (events["first_here"])]
    if end:
        near = near[near["month"] <= end]
    if key:
        near = near[near["key"] != key]
    col = "label_en" if lang == "en" else "label_ja"
    out: dict[str, str] = {}
    for r in near.sort_values("month").itertuples(index=False):
        text = f"{getattr(r, col)} {r.month}"
        out[r.muni_code] = text if r.muni_code not in out else f"{out[r.muni_code]}; {text}"
    return out


def event_label(events: pd.DataFrame, key: str, lang: str = "ja",
                muni_codes: Iterable[str] = ()) -> Mapping[str, str] | None:
    """label, month and source_url of the event ``key`` (None when there is none), from the rows of
    ``muni_codes`` when they have it (an edition's label names the subject's own works)."""
    rows = events[events["key"] == key]
    if rows.empty:
        return None
    own = rows[rows["muni_code"].isin(list(muni_codes))]
    rows = own if len(own) else rows
    r = rows.sort_values("month").iloc[0]
    return {"label": r["label_en" if lang == "en" else "label_ja"], "month": r["month"], "source_url": r["source_url"]}


# --- one estimate for a subject and its event (pure: frames in, result out) ---------------------------------
@dataclass(frozen=True, eq=False)
class EffectRun:
    """An estimate with what it was about: the event (label, month, source_url, key, source) and the
    municipalities left out of the comparison because they share the event."""

    result: effects.EffectResult
    event: Mapping[str, str]
    excluded: tuple[str, ...]
    title: str = ""


def manual_event(start: str, lang: str = "ja") -> dict[str, str]:
    return {"key": "", "source": "manual", "label": i18n.t("effect.ev.manual", lang), "month": start,
            "source_url": ""}


def run(long: pd.DataFrame, munis: pd.DataFrame, wards: Mapping[str, str], events: pd.DataFrame,
        muni_codes: Sequence[str], *, key: str | None = None, start: str | None = None, end: str | None = None,
        method: str = "synth", excluded: Iterable[str] = (), lang: str = "ja", title: str = "",
        progress: Callable[[str], None] | None = None, placebo: bool = True,
        time_placebo: bool = True, hygiene: effects.Hygiene = effects.Hygiene(),
        neighbours: Mapping[str, Sequence[str]] | None = None, robustness: bool = True) -> EffectRun:
    """The effect of event ``key`` (or of a manual ``start`` month) on the sum of ``muni_codes``' visitors.

    Donor-pool hygiene (``effects.HYGIENE_RULES``, each switched by ``hygiene``): municipalities sharing the
    event, with another event from 12 months before the start to the end, and (``neighbours``: code → codes
    within ``effects.SPILLOVER_KM``) the subject's neighbours are passed to the estimator as rule exclusions with
    their reasons; ``excluded`` are always left out. ``progress`` is called with the i18n key of each step.
    Raises ``EffectError`` (all problems at once)."""
    step = progress or (lambda _k: None)
    if key:
        found = event_label(events, key, lang, muni_codes)
        if found is None:
            raise EffectError([("effect.err.no_event_month", {})])
        event = {"key": key, "source": key.split(":", 1)[0], **found}
        if start:  # a start given with an event overrides its month (e.g. the first full month)
            event["month"] = start
    elif start:
        event = manual_event(start, lang)
    else:
        raise EffectError([("effect.err.no_event_month", {})])
    step("effect.step.panel")
    prepared = effects.prepare_panel(long, list(muni_codes), event["month"], end, known_codes=munis["muni_code"],
                                     ward_cities=wards)
    flags = donor_flags(events, str(prepared.start), str(prepared.end), key=key, lang=lang)
    rules = rule_exclusions(events, key, prepared.muni_codes, flags, neighbours or {}, lang=lang,
                            event_label_text=str(event.get("label", "")))
    step("effect.step.estimate")
    result = effects.estimate(prepared, method=method, excluded=list(excluded), rule_exclusions=rules,
                              hygiene=hygiene, donor_flags=flags, placebo=placebo, time_placebo=time_placebo,
                              robustness=robustness)
    step("effect.step.done")
    return EffectRun(result=result, event=event, excluded=tuple(result.excluded_donors), title=title)


def rule_exclusions(events: pd.DataFrame, key: str | None, subject: Sequence[str], flags: Mapping[str, str],
                    neighbours: Mapping[str, Sequence[str]], *, lang: str = "ja",
                    event_label_text: str = "") -> dict[str, dict[str, effects.Reason]]:
    """Per hygiene rule, the municipalities it leaves out with the reason (the ``own_shock`` rule is the
    estimator's own): ``shared_event`` — the event ``key``'s other places; ``other_event`` — ``flags``
    (another event in the window, code → label); ``neighbours`` — the subject's neighbours."""
    own = set(subject)
    near: dict[str, effects.Reason] = {}
    for code in subject:
        for other in neighbours.get(code, ()):
            if other not in own:
                near.setdefault(other, effects.Reason("effect.excl.neighbour",
                                                      {"of": code, "km": effects.SPILLOVER_KM}))
    return {
        "shared_event": {c: effects.Reason("effect.excl.shared_event", {"event": event_label_text or key})
                         for c in sharing(events, key, subject)},
        "other_event": {c: effects.Reason("effect.excl.other_event", {"label": label})
                        for c, label in flags.items() if c not in own},
        "neighbours": near,
    }
