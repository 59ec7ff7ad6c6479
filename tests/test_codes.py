"""The one parser of municipality codes, prefecture names and the domain vocabulary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revitalize.core import codes, domain, i18n

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_separators_fullwidth_digits_and_check_digits():
    assert codes.parse_muni_codes("01100;01202") == (["01100", "01202"], [])
    assert codes.parse_muni_codes("01100, 01202、13101；13102") == (["01100", "01202", "13101", "13102"], [])
    assert codes.parse_muni_codes("０１１００") == (["01100"], [])
    assert codes.parse_muni_codes("011002") == (["01100"], [])  # 札幌市 with its check digit 2
    good, bad = codes.parse_muni_codes("011003;99999;abc")
    assert good == [] and len(bad) == 3
    assert "check digit" in i18n.say(bad[0], "en") and "prefecture" in i18n.say(bad[1], "en")
    assert [b.key for b in bad] == ["code.check_digit", "code.pref_part", "code.not_code"]
    assert codes.parse_muni_codes(["01100", "01100", "1202"]) == (["01100", "01202"], [])
    assert codes.parse_muni_codes(None) == ([], []) and codes.parse_muni_codes(float("nan")) == ([], [])


@given(st.lists(st.sampled_from([c for c, *_ in codes.PREFECTURES]), min_size=1, max_size=6),
       st.lists(st.integers(0, 999), min_size=6, max_size=6),
       st.sampled_from([";", ",", "；", "、", " ", "\n"]), st.booleans(), st.booleans())
def test_any_spelling_of_a_code_list_parses_to_the_same_codes(prefs, nums, sep, wide, with_check):
    want = list(dict.fromkeys(f"{p}{n:03d}" for p, n in zip(prefs, nums, strict=False)))
    typed = [c + codes.check_digit(c) if with_check else c for c in want]
    text = sep.join(typed)
    if wide:
        text = text.translate(FULLWIDTH)
    assert codes.parse_muni_codes(text) == (want, [])
    assert codes.muni_codes(text) == tuple(want)
    assert codes.split_codes(codes.join_codes(want)) == want


def test_prefecture_and_region_names():
    assert codes.pref_name("13") == "東京都" and codes.pref_name("13", "en") == "Tokyo"
    assert codes.region_name("九州・沖縄", "en") == "Kyushu-Okinawa"
    assert len(codes.PREF_CODES) == 47 and len(codes.REGIONS) == 8


def test_the_lifecycle_moves_only_forward_and_closed_statuses_stay_closed():
    assert domain.reachable("draft", "designated") and domain.reachable("applied", "rejected")
    assert not domain.reachable("designated", "draft") and not domain.reachable("withdrawn", "applied")
    assert not domain.reachable("rejected", "designated")
    assert domain.allowed_next("nominated") == ["designated", "withdrawn", "rejected"]


@pytest.mark.parametrize("typed, key", [("複合型", "composite"), ("Content tourism promotion", "tourism"),
                                        ("観光振興型", "tourism"), ("選定", "designated"), ("Under review", "under_review")])
def test_vocabulary_accepts_japanese_and_english_labels(typed, key):
    assert key in (domain.base_type_of(typed), domain.status_of(typed))


def test_fiscal_year_turns_in_april():
    import datetime as dt

    assert domain.fiscal_year(dt.date(2026, 3, 31)) == 2025 and domain.fiscal_year(dt.date(2026, 4, 1)) == 2026
