"""How complete the curated layers are: rows held against the official or documented totals (issue 23).

Every total is declared once in ``TOTALS`` with its source and as-of date (the figures of
``geodata/README.md``); ``coverage(con)`` counts what the reference database holds for each. A layer
or edition the database lacks counts 0 ("0 of N"), never an error: the point is to say honestly how much
of the real world a count rests on. ``check`` prints these figures too; the app shows them beside every
count, in score reasons and in exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from revitalize.core import i18n
from revitalize.data import db

COMPLETE_AT = 0.99  # at least this share counts as complete (2026: 174 of 175, 男木島・女木島 are one row)


@dataclass(frozen=True)
class Total:
    """One documented total: ``layer`` (table), ``part`` (edition, year or registry key), ``total`` rows
    (or works, for the NHK series), where the figure comes from and its date, and the statement counting
    the rows held (``held_sql`` in ``data/sql/``, with ``params``)."""

    layer: str
    part: str
    total: int
    total_source: str
    as_of: str
    held_sql: str
    params: tuple = ()
    label_ja: str = ""
    label_en: str = ""


def _anime(edition: int, total: int, announced: str, what: str) -> Total:
    return Total("anime_sites", str(edition), total,
                 f"一般社団法人アニメツーリズム協会「訪れてみたい日本のアニメ聖地88」{edition}年版 発表 ({what})",
                 announced, "coverage/anime_edition_rows", (edition,),
                 f"アニメ聖地88 {edition}年版", f"Anime Tourism 88, {edition} edition")


# Official entries of each Anime Tourism 88 edition (settings + facilities/events; geodata/README.md)
TOTALS: tuple[Total, ...] = (
    _anime(2018, 88, "2017-08-26", "88 places"),
    _anime(2019, 98, "2018-10-29", "98 places"),
    _anime(2020, 125, "2019-10-29", "99 places + 26 facilities/events"),
    _anime(2022, 142, "2021-12-15", "116 places + 26 facilities/events"),
    _anime(2023, 117, "2022-12-16", "117 municipalities"),
    _anime(2024, 107, "2024-02-09", "107 municipalities"),
    _anime(2025, 152, "2025-01-24", "124 settings + 28 facilities/events"),
    _anime(2026, 175, "2026-02-13", "146 settings + 29 facilities/events"),
    Total("filming_locations", "nhk_taiga", 27, "NHK 大河ドラマ 2000（葵 徳川三代）– 2026（豊臣兄弟!）: works",
          "2026-12-01", "coverage/nhk_series_works", ("NHK大河ドラマ",),
          "NHK 大河ドラマ 2000–2026（作品）", "NHK taiga dramas 2000–2026 (works)"),
    Total("filming_locations", "nhk_asadora", 53, "NHK 連続テレビ小説 2000前期 – 2026前期: works",
          "2026-12-01", "coverage/nhk_series_works", ("NHK連続テレビ小説",),
          "NHK 連続テレビ小説 2000–2026（作品）", "NHK morning dramas 2000–2026 (works)"),
    Total("film_commissions", "japan", 400, "日本金融通信社（ニッキン）2025-03-31: 約400のフィルムコミッション",
          "2025-03-31", "coverage/film_commission_rows", (),
          "国内のフィルムコミッション（約400）", "film commissions in Japan (about 400)"),
    Total("film_commissions", "jfc_members", 128, "Japan Film Commission 概要: 正会員 (FC) 128",
          "2024-07-24", "coverage/jfc_member_rows", (),
          "JFC 正会員（FC）", "JFC full members (FCs)"),
    Total("gi_products", "MAFF", 164, "農林水産省 地理的表示（GI）登録産品一覧（国内）", "2025-11-17",
          "coverage/gi_registry_rows", ("MAFF",), "GI 登録産品（農林水産省）", "GI products (MAFF)"),
    Total("gi_products", "NTA", 34, "国税庁 酒類の地理的表示 指定一覧（34指定）", "2025-10-01",
          "coverage/gi_registry_rows", ("NTA",), "酒類の GI（国税庁）", "liquor GIs (NTA)"),
)
LAYERS: tuple[str, ...] = tuple(dict.fromkeys(t.layer for t in TOTALS))
EXPECTED = {(t.layer, t.part): t.total for t in TOTALS}


@dataclass(frozen=True)
class Coverage:
    """Rows held of one documented total (``share`` = held / total, capped at 1)."""

    layer: str
    part: str
    held: int
    total: int
    total_source: str
    as_of: str

    @property
    def share(self) -> float:
        return min(1.0, self.held / self.total) if self.total else 1.0

    @property
    def complete(self) -> bool:
        return self.share >= COMPLETE_AT

    def as_dict(self) -> dict[str, object]:
        """The six fields of the JSON form: layer, part, held, total, total_source, as_of."""
        return asdict(self)


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(db.sql("schema/table_exists"), [table]).fetchone()[0])


def coverage(con: duckdb.DuckDBPyConnection, totals: Sequence[Total] = TOTALS) -> list[Coverage]:
    """Rows held against every documented total, in ``totals``' order; a missing table holds 0."""
    exists = {layer: _table_exists(con, layer) for layer in dict.fromkeys(t.layer for t in totals)}
    out = []
    for t in totals:
        held = int(con.execute(db.sql(t.held_sql), list(t.params)).fetchone()[0]) if exists[t.layer] else 0
        out.append(Coverage(t.layer, t.part, held, t.total, t.total_source, t.as_of))
    return out


def _label(c: Coverage, lang: str) -> str:
    t = _BY_KEY.get((c.layer, c.part))
    if t is None:
        return f"{c.layer} {c.part}"
    return t.label_ja if lang == "ja" else t.label_en


_BY_KEY = {(t.layer, t.part): t for t in TOTALS}


def line(c: Coverage, lang: str = "ja") -> str:
    """One part in words: 'アニメ聖地88 2023年版: 117 件中 32 件を収録（27 %、2022-12-16 時点）'."""
    return i18n.t("cov.line", lang, part=_label(c, lang), held=f"{c.held:,}", total=f"{c.total:,}",
                  pct=f"{100 * c.share:.0f}", as_of=c.as_of)


def incomplete(rows: Iterable[Coverage], layer: str) -> list[Coverage]:
    """The parts of ``layer`` held less than completely."""
    return [c for c in rows if c.layer == layer and not c.complete]


def layer_note(rows: Iterable[Coverage], layer: str, lang: str = "ja") -> str:
    """The warning shown beside a count of ``layer``: '' when every documented part is complete, else
    'この件数は不完全な可能性があります：2023年版 27 % 収録; …'."""
    parts = incomplete(rows, layer)
    if not parts:
        return ""
    return i18n.t("cov.note", lang, parts="; ".join(
        i18n.t("cov.part_pct", lang, part=_label(c, lang), pct=f"{100 * c.share:.0f}") for c in parts))


def layer_shares(rows: Iterable[Coverage]) -> dict[str, float]:
    """The least covered share of each layer (1.0 when complete) — a criterion's warning uses it."""
    out: dict[str, float] = {}
    for c in rows:
        out[c.layer] = min(out.get(c.layer, 1.0), c.share)
    return out


def frame(rows: Iterable[Coverage], lang: str = "ja") -> pd.DataFrame:
    """The coverage as a table for people and exports: layer, part, held, total, share (%), source, as of."""
    rows = list(rows)
    return pd.DataFrame({
        i18n.t("cov.col_layer", lang): [i18n.t(f"cov.layer.{c.layer}", lang) for c in rows],
        i18n.t("cov.col_part", lang): [_label(c, lang) for c in rows],
        i18n.t("cov.col_held", lang): [c.held for c in rows],
        i18n.t("cov.col_total", lang): [c.total for c in rows],
        i18n.t("cov.col_share", lang): [round(100 * c.share, 1) for c in rows],
        i18n.t("cov.col_source", lang): [c.total_source for c in rows],
        i18n.t("cov.col_as_of", lang): [c.as_of for c in rows]})


def text(rows: Iterable[Coverage], lang: str = "ja") -> str:
    """The coverage as lines for the command line, grouped by layer."""
    out, last = [], None
    for c in rows:
        if c.layer != last:
            out.append(i18n.t(f"cov.layer.{c.layer}", lang))
            last = c.layer
        out.append("  " + line(c, lang) + ("" if c.complete else "  ⚠"))
    return "\n".join(out)


def property_text(rows: Iterable[Coverage], layers: Mapping[str, object] | Sequence[str], lang: str = "ja") -> str:
    """One cell for exports: the notes of ``layers`` joined ('' when all complete)."""
    rows = list(rows)
    return " / ".join(n for n in (layer_note(rows, layer, lang) for layer in layers) if n)
