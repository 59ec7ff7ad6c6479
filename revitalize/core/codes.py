"""Official codes: prefectures (JIS X 0401) with their English names and regions, and municipality
codes (JIS X 0402). ``parse_muni_codes`` is the one parser of typed code lists used everywhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# (pref_code, name_ja, name_en, region_ja, region_en); regions as in the common 8-region division.
PREFECTURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("01", "北海道", "Hokkaido", "北海道", "Hokkaido"),
    ("02", "青森県", "Aomori", "東北", "Tohoku"),
    ("03", "岩手県", "Iwate", "東北", "Tohoku"),
    ("04", "宮城県", "Miyagi", "東北", "Tohoku"),
    ("05", "秋田県", "Akita", "東北", "Tohoku"),
    ("06", "山形県", "Yamagata", "東北", "Tohoku"),
    ("07", "福島県", "Fukushima", "東北", "Tohoku"),
    ("08", "茨城県", "Ibaraki", "関東", "Kanto"),
    ("09", "栃木県", "Tochigi", "関東", "Kanto"),
    ("10", "群馬県", "Gunma", "関東", "Kanto"),
    ("11", "埼玉県", "Saitama", "関東", "Kanto"),
    ("12", "千葉県", "Chiba", "関東", "Kanto"),
    ("13", "東京都", "Tokyo", "関東", "Kanto"),
    ("14", "神奈川県", "Kanagawa", "関東", "Kanto"),
    ("15", "新潟県", "Niigata", "中部", "Chubu"),
    ("16", "富山県", "Toyama", "中部", "Chubu"),
    ("17", "石川県", "Ishikawa", "中部", "Chubu"),
    ("18", "福井県", "Fukui", "中部", "Chubu"),
    ("19", "山梨県", "Yamanashi", "中部", "Chubu"),
    ("20", "長野県", "Nagano", "中部", "Chubu"),
    ("21", "岐阜県", "Gifu", "中部", "Chubu"),
    ("22", "静岡県", "Shizuoka", "中部", "Chubu"),
    ("23", "愛知県", "Aichi", "中部", "Chubu"),
    ("24", "三重県", "Mie", "近畿", "Kinki"),
    ("25", "滋賀県", "Shiga", "近畿", "Kinki"),
    ("26", "京都府", "Kyoto", "近畿", "Kinki"),
    ("27", "大阪府", "Osaka", "近畿", "Kinki"),
    ("28", "兵庫県", "Hyogo", "近畿", "Kinki"),
    ("29", "奈良県", "Nara", "近畿", "Kinki"),
    ("30", "和歌山県", "Wakayama", "近畿", "Kinki"),
    ("31", "鳥取県", "Tottori", "中国", "Chugoku"),
    ("32", "島根県", "Shimane", "中国", "Chugoku"),
    ("33", "岡山県", "Okayama", "中国", "Chugoku"),
    ("34", "広島県", "Hiroshima", "中国", "Chugoku"),
    ("35", "山口県", "Yamaguchi", "中国", "Chugoku"),
    ("36", "徳島県", "Tokushima", "四国", "Shikoku"),
    ("37", "香川県", "Kagawa", "四国", "Shikoku"),
    ("38", "愛媛県", "Ehime", "四国", "Shikoku"),
    ("39", "高知県", "Kochi", "四国", "Shikoku"),
    ("40", "福岡県", "Fukuoka", "九州・沖縄", "Kyushu-Okinawa"),
    ("41", "佐賀県", "Saga", "九州・沖縄", "Kyushu-Okinawa"),
    ("42", "長崎県", "Nagasaki", "九州・沖縄", "Kyushu-Okinawa"),
    ("43", "熊本県", "Kumamoto", "九州・沖縄", "Kyushu-Okinawa"),
    ("44", "大分県", "Oita", "九州・沖縄", "Kyushu-Okinawa"),
    ("45", "宮崎県", "Miyazaki", "九州・沖縄", "Kyushu-Okinawa"),
    ("46", "鹿児島県", "Kagoshima", "九州・沖縄", "Kyushu-Okinawa"),
    ("47", "沖縄県", "Okinawa", "九州・沖縄", "Kyushu-Okinawa"),
)

PREF_CODE_BY_NAME: dict[str, str] = {name: code for code, name, *_ in PREFECTURES}
PREF_NAME_BY_CODE: dict[str, str] = {code: name for code, name, *_ in PREFECTURES}
PREF_NAME_EN_BY_CODE: dict[str, str] = {code: en for code, _, en, *_ in PREFECTURES}
PREF_CODES: tuple[str, ...] = tuple(r[0] for r in PREFECTURES)
REGION_OF_PREF: dict[str, str] = {r[0]: r[3] for r in PREFECTURES}
REGIONS: tuple[str, ...] = tuple(dict.fromkeys(r[3] for r in PREFECTURES))
REGION_EN: dict[str, str] = {r[3]: r[4] for r in PREFECTURES}

MuniCodes = tuple[str, ...]
"""Municipality codes as they travel through the package: a tuple of 5-digit texts, never a joined string."""


def pref_name(pref_code: str, lang: str = "ja") -> str:
    """The prefecture's name in ``lang`` ('13' → '東京都' / 'Tokyo'); the code itself when unknown."""
    names = PREF_NAME_BY_CODE if lang == "ja" else PREF_NAME_EN_BY_CODE
    return names.get(str(pref_code), str(pref_code))


def region_name(region_ja: str, lang: str = "ja") -> str:
    """A region's name in ``lang`` (regions are keyed by their Japanese name)."""
    return region_ja if lang == "ja" else REGION_EN.get(region_ja, region_ja)

# The six Northern Territories villages: coded municipalities without census figures.
DISPUTED_CODES: frozenset[str] = frozenset({"01695", "01696", "01697", "01698", "01699", "01700"})

_MUNI_RE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])[0-9]{3}$")
_PREF_RE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])$")


def is_muni_code(value: object) -> bool:
    """True for a 5-character municipality code with a valid prefecture part."""
    return isinstance(value, str) and bool(_MUNI_RE.match(value))


def is_pref_code(value: object) -> bool:
    """True for a 2-character prefecture code '01'..'47'."""
    return isinstance(value, str) and bool(_PREF_RE.match(value))


def check_digit(code5: str) -> str:
    """The 6th (check) digit of a 5-digit local government code (JIS X 0402): the last digit of 11 − (Σ dᵢ·wᵢ mod 11),
    weights 6, 5, 4, 3, 2."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=False))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True)
class CodeProblem:
    """What is wrong with a typed code: a message key (``code.*``) and its parameters. Put into another
    message's parameters, ``i18n.t`` says it in that message's language; ``i18n.say(p, lang)`` alone."""

    key: str
    params: tuple[tuple[str, object], ...]


def _problem(key: str, **params: object) -> CodeProblem:
    return CodeProblem(key, tuple(params.items()))


def parse_muni_code(value: object) -> tuple[str | None, CodeProblem | None]:
    """The one parser of a municipality code: (5-digit code, None), or (None, what is wrong as a keyed
    ``CodeProblem``). Full-width digits are folded (NFKC), a trailing ``.0`` (a number read from a spreadsheet)
    dropped, 4 digits zero-padded; a 6-digit code's check digit is verified."""
    text = unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isascii() or not text.isdigit() or len(text) not in (4, 5, 6):
        return None, _problem("code.not_code", code=text)
    if len(text) == 6:
        if check_digit(text[:5]) != text[5]:
            return None, _problem("code.check_digit", code=text, digit=text[5], expected=check_digit(text[:5]))
        text = text[:5]
    text = text.zfill(5)
    if not is_muni_code(text):
        return None, _problem("code.pref_part", code=text)
    return text, None


def muni_code_or_none(value: object) -> str | None:
    """``parse_muni_code``'s code, or None when ``value`` is none (a reference file's loader reports that)."""
    return parse_muni_code(value)[0]


def pref_from_address(text: str) -> str | None:
    """The prefecture code an address starts with ('茨城県水戸市' → '08'), or None."""
    for code, name, *_ in PREFECTURES:
        if text.startswith(name):
            return code
    return None


_SEPARATORS = re.compile(r"[;,、\s]+")


def split_codes(value: object) -> list[str]:
    """The parts of a typed list of codes: ``;`` ``,`` ``；`` ``，`` ``、`` or white space between them,
    full-width digits folded to ASCII (NFKC). A list or tuple is taken part by part; None gives []."""
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from a DataFrame cell
        return []
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        return [p for item in items for p in split_codes(item)]
    text = unicodedata.normalize("NFKC", str(value))
    return [p for p in _SEPARATORS.split(text) if p]


def parse_muni_codes(value: object) -> tuple[list[str], list[CodeProblem]]:
    """(valid 5-digit codes in the order given, without repeats; what is wrong with each bad part, keyed).

    Accepts everything ``split_codes`` does; each part is checked by ``parse_muni_code`` (4 digits are
    zero-padded, 6 digits must carry the right check digit)."""
    good: list[str] = []
    bad: list[str] = []
    for part in split_codes(value):
        code, why = parse_muni_code(part)
        if code is None and why is not None:
            bad.append(why)
        elif code not in good:
            good.append(code)
    return good, bad


def muni_codes(value: object) -> MuniCodes:
    """The valid codes of ``value`` as a tuple (bad parts dropped): for values the package wrote itself."""
    return tuple(parse_muni_codes(value)[0])


def join_codes(codes: Iterable[str]) -> str:
    """Codes as one ``;``-joined text: only for writing a cell of a CSV or spreadsheet."""
    return ";".join(codes)
