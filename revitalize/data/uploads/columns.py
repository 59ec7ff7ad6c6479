"""Which column gives which canonical field: the 推奨データセット / 自治体標準オープンデータセット headers, or a
proposal from parts of the headers that the caller can override."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Canonical fields and the 推奨データセット / 自治体標準オープンデータセット headers that name them (FORMAT.md);
# headers are compared after NFKC and case folding, so 名称(カナ) and 名称（カナ）, URL and url are the same.
STANDARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "muni_code": ("全国地方公共団体コード", "都道府県コード又は市区町村コード", "市区町村コード", "地方公共団体コード"),
    "name": ("名称", "イベント名"),
    "kana": ("名称_カナ", "名称(カナ)", "イベント名_カナ"),
    "name_en": ("名称_英語", "名称(英字)", "イベント名_英語"),
    "category": ("種別", "カテゴリ", "カテゴリー", "種類", "イベント種類"),
    "address": ("住所", "所在地_連結表記"),
    "lat": ("緯度",),
    "lon": ("経度",),
    "url": ("URL",),
    "days": ("利用可能曜日",),
    "opens": ("開始時間", "開始時刻"),
    "closes": ("終了時間", "終了時刻"),
    "muni_name": ("市区町村名", "地方公共団体名"),
    "pref_name": ("都道府県名",),
}
FIELDS = ("name", "kana", "name_en", "category", "address", "lat", "lon", "muni_code", "muni_name",
          "pref_name", "url", "hours")
"""The canonical record columns (``hours`` is made from ``days``, ``opens`` and ``closes``)."""

# Columns that hold dates in the standard layouts; the whole cell must be an ISO date (or empty).
STANDARD_DATE_COLUMNS = ("開始日", "終了日", "最終確認日", "参加申込終了日", "申込期限日")

# For files that are not in a standard layout: a header containing one of these proposes the field.
_PROPOSE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lat", ("緯度", "latitude", "lat", "y座標")),
    ("lon", ("経度", "longitude", "lon", "lng", "x座標")),
    ("muni_code", ("団体コード", "市区町村コード", "muni_code", "citycode", "city_code", "jiscode")),
    ("muni_name", ("市区町村", "市町村", "自治体", "municipality", "city")),
    ("kana", ("カナ", "かな", "kana", "ヨミ", "よみ")),
    ("name", ("名称", "名前", "施設名", "name", "title")),
    ("address", ("住所", "所在地", "address")),
    ("category", ("種別", "カテゴリ", "分類", "category", "type")),
    ("url", ("url", "ホームページ", "website")),
)



@dataclass(frozen=True)
class ColumnMapping:
    """Which source column(s) give each canonical field.

    ``standard`` is True when the headers are those of the 推奨データセット / 自治体標準オープンデータセット and
    the mapping needs no questions; otherwise it is a proposal the caller can override (``mapping=``).
    ``hours`` maps to up to three columns (days, opening, closing time), every other field to one.
    """

    fields: Mapping[str, tuple[str, ...]]
    standard: bool
    dataset: str | None = None
    unmapped: tuple[str, ...] = ()

    def column(self, name: str) -> str | None:
        cols = self.fields.get(name)
        return cols[0] if cols else None



def normalise_header(name: object) -> str:
    """A header as compared: NFKC (full-width brackets and letters to half-width), trimmed, case-folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(name))).strip().casefold()


_STANDARD_LOOKUP = {normalise_header(h): f for f, hs in STANDARD_COLUMNS.items() for h in hs}
_STANDARD_MARKERS = {"イベント": ("開始日", "イベント名"), "文化財一覧": ("文化財分類",), "公衆無線LAN": ("ssid",),
                     "観光施設一覧": ("poiコード", "料金(基本)", "アクセス方法")}


def map_columns(columns: Sequence[str], *, aliases: Mapping[str, str] | None = None,
                mapping: Mapping[str, str | Sequence[str]] | None = None,
                has_geometry: bool = False) -> tuple[ColumnMapping, list[tuple[str, str]]]:
    """The column mapping for ``columns`` and the clashes ((field, column) pairs that map to a taken field).

    ``aliases`` (header → canonical field) extends the standard table; ``mapping`` (field → column(s))
    overrides everything (the caller's answer to a proposal). ``has_geometry``: the points come from the
    features' geometry (GIS formats), so no latitude/longitude columns are needed.
    """
    lookup = dict(_STANDARD_LOOKUP)
    lookup.update({normalise_header(k): v for k, v in (aliases or {}).items()})
    fields: dict[str, list[str]] = {}
    clashes: list[tuple[str, str]] = []
    standard_hits = 0
    for col in columns:
        f = lookup.get(normalise_header(col))
        if f is None:
            continue
        if f in fields:
            clashes.append((f, col))
            continue
        fields[f] = [col]
        standard_hits += 1
    located = has_geometry or ("lat" in fields and "lon" in fields) or "address" in fields
    standard = "name" in fields and located and (
        "muni_code" in fields or "muni_name" in fields)
    if not standard:  # propose from parts of the headers, never overriding an exact match
        for col in columns:
            key = normalise_header(col)
            if any(col in cs for cs in fields.values()):
                continue
            for f, words in _PROPOSE:
                if f not in fields and any(w in key for w in words):
                    fields[f] = [col]
                    break
    if mapping:
        for f, cols in mapping.items():
            fields[f] = [cols] if isinstance(cols, str) else list(cols)
    if any(k in fields for k in ("days", "opens", "closes")) and "hours" not in fields:
        fields["hours"] = [fields[k][0] for k in ("days", "opens", "closes") if k in fields]
    for k in ("days", "opens", "closes"):
        fields.pop(k, None)
    keys = {normalise_header(c) for c in columns}
    dataset = next((d for d, marks in _STANDARD_MARKERS.items() if any(m in keys for m in marks)), None)
    used = {c for cs in fields.values() for c in cs}
    return (ColumnMapping({f: tuple(c) for f, c in fields.items()}, standard=standard and not mapping,
                          dataset=dataset if standard else None,
                          unmapped=tuple(c for c in columns if c not in used)), clashes)

