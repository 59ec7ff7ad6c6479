"""Excel-safe CSV and the i18n table."""

import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from revitalize.core import i18n
from revitalize.data import credits as credits_mod
from revitalize.outputs import tables


@given(st.text())
def test_neutralised_text_never_starts_a_formula(s):
    out = tables.neutralise(s)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out == s or out == "'" + s


def test_csv_has_bom_keeps_numbers_and_neutralises_formulas():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "札幌市"], "score": [-0.5, 1.0]})
    data = tables.to_csv_bytes(df, credits=["出典：テスト"])
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(back) == 2 and back["出典"].tolist() == ["出典：テスト"] * 2
    assert back["name"].tolist() == ["'=HYPERLINK(\"x\")", "札幌市"]
    assert back["score"].tolist() == [-0.5, 1.0]
    assert "出典：テスト" in data.decode("utf-8-sig")


def test_every_string_has_both_languages():
    for key, (ja, en) in i18n.STRINGS.items():
        assert ja.strip() and en.strip(), key


@pytest.mark.parametrize("lang,expected", [("ja", "地図で探す"), ("en", "Map explorer")])
def test_t(lang, expected):
    assert i18n.t("nav.explorer", lang) == expected


def test_localized_falls_back_to_japanese():
    row = {"name_ja": "札幌市", "name_en": None}
    assert i18n.localized(row, "name", "en") == "札幌市"
    assert i18n.localized({"name_ja": "札幌市", "name_en": "Sapporo City"}, "name", "en") == "Sapporo City"


def test_explorer_export_carries_every_layer_credit():

    lines = credits_mod.credits(credits_mod.SCORING_SOURCES, "ja")
    data = tables.to_csv_bytes(pd.DataFrame({"a": [1]}), credits=lines).decode("utf-8-sig")
    for key in ("国土数値情報", "国勢調査", "デジタル観光統計", "日本遺産", "道の駅", "アニメツーリズム協会", "農林水産省"):
        assert key in data


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(["ja", "en"]))
def test_compact_numbers_fit_a_metric_and_keep_their_value(v, lang):
    """Issue 13: the profile's visitors metric was cut off ("11,618,…"); abbreviated values must stay close."""
    text = i18n.compact_number(v, lang)
    assert len(text) <= 8
    units = {"万": 1e4, "億": 1e8} if lang == "ja" else {"k": 1e3, "M": 1e6, "B": 1e9}
    unit = units.get(text[-1], 1)
    number = float(text.rstrip("".join(units)).replace(",", "").replace("−", "-"))
    assert abs(number * unit - v) <= max(0.051 * abs(v), 0.5)
    if abs(v) >= 10_000:
        assert text[-1] in units


def test_compact_numbers_examples():
    assert i18n.compact_number(11_618_000, "ja") == "1,162万" and i18n.compact_number(11_618_000, "en") == "11.6M"
    assert i18n.compact_number(9_999, "ja") == "9,999" and i18n.compact_number(123_456_789, "ja") == "1.23億"
