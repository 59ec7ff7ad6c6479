"""Credit lines of the reference datasets and curated layers: what every layer and export must show."""

from __future__ import annotations

from collections.abc import Iterable

from revitalize.data import curated, names, sources

# The datasets and layers the scoring draws on (and so every ranking or shortlist credits).
SCORING_SOURCES = ("boundaries", "population", "tourism", "heritage", "michi_no_eki", "anime_sites",
                   "filming_locations", "film_commissions", "gi_products")


def credit(key: str, lang: str) -> str:
    """The credit line of a dataset or curated layer."""
    if key in curated.LAYERS_BY_KEY:
        layer = curated.LAYERS_BY_KEY[key]
        return layer.credit_en if lang == "en" else layer.credit_ja
    ds = sources.DATASETS_BY_KEY[key]
    return ds.credit_en if lang == "en" else ds.credit_ja


def credits(keys: Iterable[str], lang: str) -> list[str]:
    """Credit lines of several datasets/layers, in order, without repeats (for exports)."""
    return list(dict.fromkeys(credit(k, lang) for k in keys))


def names_credit(lang: str) -> str:
    """The credit line of the municipality readings and English names."""
    return names.CREDIT_EN if lang == "en" else names.CREDIT_JA
