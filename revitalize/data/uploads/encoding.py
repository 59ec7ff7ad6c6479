"""The text encoding of a CSV upload: UTF-8 (with or without BOM), UTF-16 with BOM, or CP932 when it reads as
plausible Japanese; EUC-JP, stray bytes and mojibake are refused with the reason."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from revitalize.core import i18n
from revitalize.core.errors import InputError, Problem

# Mojibake: UTF-8 read as CP932 (縺 繧 繝 come from the lead byte E3 of kana), EUC-JP read as CP932
# (､ ･ are the lead bytes A4/A5 of hiragana/katakana, followed by more half-width kana), UTF-8 read as
# Latin-1/CP1252 (ã/â/å…é followed by C1 controls or CP1252 punctuation); U+FFFD from an earlier lossy conversion.
_MOJIBAKE = {
    "UTF-8 read as CP932 (縺/繧/繝 runs)": re.compile(r"[縺繧繝].?[縺繧繝]"),
    # a run of half-width kana / private-use characters (CP932's user-defined area) holding a private-use
    # character or at least two of ､ ･ (the bytes A4/A5 that start every EUC-JP hiragana/katakana)
    "EUC-JP read as CP932 (half-width ､/･ kana runs)": re.compile(
        r"(?=[\uff61-\uff9f\ue000-\uf8ff]{4})(?:[\uff61-\uff9f]*[\ue000-\uf8ff]|"
        r"[\uff61-\uff9f]*[､･][\uff61-\uff9f]*[､･])"),
    "UTF-8 read as Latin-1/CP1252": re.compile(
        r"[ãâ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
        r"\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|[åæçèé][\x80-\x9f]"),
    "U+FFFD replacement characters (an earlier lossy conversion)": re.compile("\ufffd"),
}
# the i18n key of each kind above (its English text is the kind's name)
_MOJIBAKE_KEY = dict(zip(_MOJIBAKE, ("pb.up.moji.utf8_cp932", "pb.up.moji.euc_cp932", "pb.up.moji.latin1",
                                     "pb.up.moji.fffd"), strict=False))
_MOJIBAKE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in _MOJIBAKE.values()))
# every mojibake pattern above starts with one of these characters: a fast first scan of a whole file
_MOJIBAKE_CHARS = re.compile("[縺繧繝\uff61-\uff9f\ue000-\uf8ffãâåæçèé\ufffd]")


@dataclass(frozen=True)
class Encoding:
    """The text encoding assumed for a file (a Python codec name) and why (``reason``, English; ``text(lang)``
    in either language from ``key`` and ``params``)."""

    name: str
    reason: str
    key: str | None = None
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def because(cls, name: str, key: str, **params: object) -> Encoding:
        """The encoding ``name`` assumed for the reason ``key`` (core/strings/uploads.py)."""
        return cls(name, i18n.t(key, "en", **params), key, tuple(params.items()))

    def text(self, lang: str = "ja") -> str:
        """Why this encoding was assumed, in ``lang``."""
        return i18n.t(self.key, lang, **dict(self.params)) if self.key else self.reason


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _mojibake_in(text: str) -> list[tuple[str, str]]:
    """(kind, a short sample) for every kind of mojibake pattern found in ``text``."""
    found = []
    for kind, pattern in _MOJIBAKE.items():
        m = pattern.search(text)
        if m:
            found.append((kind, text[max(0, m.start() - 8): m.end() + 8]))
    return found


_NOT_TEXT = "none (not text)"


def mojibake_found_key(prefix: str, kind: str) -> str:
    """The found text of a mojibake problem of this kind: ``<prefix>.<kind id>`` (core/strings/uploads.py)."""
    return f"{prefix}.{_MOJIBAKE_KEY[kind].rsplit('.', 1)[1]}"


def _guess(data: bytes) -> str:
    """charset-normalizer's best guess for (the first 64 kB of) ``data``, cut at a line end."""
    head = data[:65536]
    if len(data) > len(head) and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]
    best = charset_normalizer.from_bytes(head).best()
    return best.encoding if best is not None else _NOT_TEXT


def _implausible_share(text: str) -> float | None:
    """Share of half-width katakana and rare kanji among the non-ASCII characters of CP932-decoded ``text``
    when they outweigh plausible Japanese, else None.

    EUC-JP bytes read as CP932 become mostly half-width katakana (EUC's A1–DF bytes) and JIS level-2 /
    user-defined kanji (its E0–FE lead bytes), with no common kanji ('函館ロケ地' → 'ﾈ｡ｴﾛ･愠ｱﾃﾏ'). Real CP932 files
    in half-width kana still use common (level-1) kanji, or none at all, so rare kanji must outnumber common
    ones (among at least four half-width kana) for the text to be refused.
    """
    half = rare = common = total = 0
    for ch in text:
        code = ord(ch)
        if code < 128:
            continue
        total += 1
        if 0xFF61 <= code <= 0xFF9F:
            half += 1
        elif 0xE000 <= code <= 0xF8FF:  # CP932's user-defined area
            rare += 1
        elif unicodedata.category(ch) == "Lo" and 0x4E00 <= code <= 0x9FFF:
            b = ch.encode("cp932", errors="replace")
            if len(b) == 2 and (b[0] > 0x98 or (b[0] == 0x98 and b[1] >= 0x9F)):  # JIS level 2 and beyond
                rare += 1
            else:
                common += 1
    share = (half + rare) / total if total else 0.0
    # EUC-JP's A1–DF bytes always leave runs of half-width kana; text without them is never judged here
    return share if half >= 4 and rare > common and share > 0.5 else None


def _refuse(file: str, key: str, found_key: str, **params: object) -> InputError:
    """An InputError with one keyed problem whose found text is keyed too (same parameters)."""
    return InputError([Problem(file, found=i18n.t(found_key, "en", **params), found_key=found_key,
                               **i18n.expect(key, **params))], dataset=file)


def decode_text(data: bytes, *, file: str, encoding: str | None = None) -> tuple[str, Encoding]:  # noqa: C901 (listed in NOTES.md: to split)
    """Decode a text upload: (text, the encoding assumed and why). Raises InputError when it cannot be trusted.

    Order: an explicit ``encoding`` (strict); a byte-order mark (UTF-8, UTF-16); strict UTF-8; strict CP932
    (Shift_JIS with Microsoft's extensions, so ``～`` is U+FF5E) when the text shows no mojibake and reads as
    plausible Japanese. Rejected, with the reason: EUC-JP (decodes, but as CP932 it fails, is mojibake or is
    implausible), UTF-8 with stray bytes (line and offset of the first), CP932 that decodes to mojibake, and
    anything else (charset-normalizer's guess named).
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError([Problem(file, found=repr(encoding), **i18n.expect("pb.up.encoding_name"))],
                             dataset=file) from None
        try:
            return data.decode(codec), Encoding.because(codec, "upl.enc.given", given=encoding)
        except UnicodeDecodeError as exc:
            raise _refuse(file, "pb.up.encoding_given", "pb.up.encoding_given_found", encoding=encoding,
                          byte=f"{data[exc.start]:02x}", line=_line_of(data, exc.start), offset=exc.start,
                          codec=codec) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), Encoding.because("utf-8-sig", "upl.enc.bom8")
        except UnicodeDecodeError as exc:
            raise InputError([_stray_utf8(data, exc, file)], dataset=file) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), Encoding.because("utf-16", "upl.enc.bom16")
        except UnicodeDecodeError as exc:
            raise _refuse(file, "pb.up.utf16", "pb.up.utf16_found", offset=exc.start) from None
    try:
        text = data.decode("utf-8")
        return text, Encoding.because("utf-8", "upl.enc.ascii" if text.isascii() else "upl.enc.utf8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    cp932_text: str | None
    try:
        cp932_text = data.decode("cp932")
    except UnicodeDecodeError:
        cp932_text = None
    cp932_mess = _mojibake_in(cp932_text) if cp932_text is not None else []
    implausible = _implausible_share(cp932_text) if cp932_text is not None and not cp932_mess else None
    if cp932_text is not None and not cp932_mess and implausible is None:
        line = _line_of(data, utf8_error.start)
        return cp932_text, Encoding.because("cp932", "upl.enc.cp932", byte=f"{data[utf8_error.start]:02x}",
                                            line=line, guess=_guess(data))
    expected = "pb.up.csv_encoding"
    try:
        euc_text = data.decode("euc_jp")
    except UnicodeDecodeError:
        euc_text = None
    if euc_text is not None and not _mojibake_in(euc_text) and not euc_text.isascii():
        raise _refuse(file, expected, "pb.up.euc_found" if cp932_text is not None else "pb.up.euc_invalid_found")
    as_utf8 = data.decode("utf-8", errors="replace")
    stray = as_utf8.count("\ufffd")
    non_ascii = sum(1 for ch in as_utf8 if ord(ch) > 127)
    if stray <= max(3, non_ascii // 100):  # almost all of it is UTF-8: a few stray bytes
        raise InputError([_stray_utf8(data, utf8_error, file, stray)], dataset=file)
    if cp932_text is not None and cp932_mess:
        kind, sample = cp932_mess[0]
        raise _refuse(file, expected, mojibake_found_key("pb.up.cp932_mojibake_found", kind), sample=repr(sample))
    if cp932_text is not None and implausible is not None:
        raise _refuse(file, expected, "pb.up.implausible_found", share=implausible,
                      sample=repr(_first_non_ascii_line(cp932_text)))
    guess = _guess(data)
    raise _refuse(file, expected, "pb.up.binary_found" if guess == _NOT_TEXT else "pb.up.undecodable_found",
                  byte=f"{data[utf8_error.start]:02x}", line=_line_of(data, utf8_error.start), guess=guess)


def _first_non_ascii_line(text: str, n: int = 40) -> str:
    line = next((ln for ln in text.splitlines() if not ln.isascii()), "")
    return line[:n]


def _stray_utf8(data: bytes, exc: UnicodeDecodeError, file: str, count: int | None = None) -> Problem:
    n = data.decode("utf-8", errors="replace").count("\ufffd") if count is None else count
    params = {"n": n, "byte": f"{data[exc.start]:02x}", "line": _line_of(data, exc.start), "offset": exc.start}
    return Problem(file, found=i18n.t("pb.up.stray_found", "en", **params), found_key="pb.up.stray_found",
                   **i18n.expect("pb.up.utf8", **params))
