"""Read user-uploaded files safely: bytes in, validated tables out.

No database, no Streamlit, no temporary files: every reader takes the uploaded bytes and returns an
:class:`Upload` (the table as text, the canonical records, geometry in EPSG:4326, the encoding assumed and
why, the column mapping, every problem found). :func:`inspect_upload` never raises for what is wrong with
the content (a preview shows the problems); :func:`read_upload` raises :class:`InputError` with all of them.

Formats: CSV (UTF-8 with or without BOM, CP932/Shift_JIS; an explicit ``encoding=`` wins), Excel .xlsx,
GeoJSON, GeoPackage, KML, KMZ and zipped Shapefiles (read by pyogrio from memory).

Safety: the :class:`Limits` are checked before work starts — the upload's size first; a zip's (xlsx, kmz,
shapefile zip) declared member sizes and compression ratios before anything is extracted, and members are
streamed with a running count that stops at the limit; rows are counted while they are read. openpyxl and
GDAL open an .xlsx / a re-zipped Shapefile only after that check, and Python's zipfile never yields more
than a member's declared size, so the declared sizes bound what they can decompress.

Problems name the file, the 1-based data row (header excluded), the column, what was expected and what
was found (English, as everywhere in the package; the app translates the headings).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import charset_normalizer
import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from revitalize.core.errors import InputError, Problem

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an upload may cost; every limit is checked before the work it guards starts."""

    max_upload_bytes: int = 50 * MiB
    """Size of the uploaded file itself (bytes), checked before anything is read."""
    max_decompressed_bytes: int = 200 * MiB
    """Total uncompressed size of the members of a zip (xlsx, kmz, zipped Shapefile), bytes: checked on the
    sizes the zip declares before extracting, and again on the bytes actually streamed out."""
    max_ratio: float = 100.0
    """Uncompressed ÷ compressed size of any zip member larger than ``ratio_floor_bytes`` (a zip bomb's
    members compress 1,000:1 and more; real spreadsheets and Shapefiles stay well under 100:1)."""
    ratio_floor_bytes: int = 1 * MiB
    """Members smaller than this (uncompressed bytes) are exempt from the ratio check: tiny XML parts of an
    .xlsx compress far beyond 100:1 and cost nothing."""
    max_rows: int = 200_000
    """Data rows (records or features) per file; reading stops at the first row past the limit."""
    max_cell_chars: int = 10_000
    """Characters in one cell."""
    max_zip_members: int = 10_000
    """Members in one zip."""
    max_problems: int = 1_000
    """Problems listed one by one; past this, one more entry says how many were left out."""

    def __post_init__(self) -> None:
        bad = [f"{name}={getattr(self, name)!r}" for name in self.__dataclass_fields__
               if not getattr(self, name) > 0]
        if bad:
            raise ValueError("Limits must be positive: " + ", ".join(bad))


DEFAULT_LIMITS = Limits()

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "kml", "kmz", "shp")

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

# Japan, roughly (lat 20–46 °N, lon 122–154 °E): Okinotorishima to Etorofu, Yonaguni to Minamitorishima.
JAPAN_LAT = (20.0, 46.0)
JAPAN_LON = (122.0, 154.0)

# EPSG codes of the coordinate systems Japanese GIS files come in (others are reprojected too, with a note).
JAPANESE_CRS: dict[int, str] = {4326: "WGS 84", 4612: "JGD2000", 6668: "JGD2011", 4301: "Tokyo Datum"}
JAPANESE_CRS.update({code: f"JGD2000 plane rectangular zone {code - 2442}" for code in range(2443, 2462)})
JAPANESE_CRS.update({code: f"JGD2011 plane rectangular zone {code - 6668}" for code in range(6669, 6688)})

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe]")  # \ufffe stands for NUL inside the CSV parser
_NUL_STANDIN = "\ufffe"
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
_MOJIBAKE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in _MOJIBAKE.values()))
# every mojibake pattern above starts with one of these characters: a fast first scan of a whole file
_MOJIBAKE_CHARS = re.compile("[縺繧繝\uff61-\uff9f\ue000-\uf8ffãâåæçèé\ufffd]")
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"


# ---------------------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Encoding:
    """The text encoding assumed for a file (a Python codec name) and why."""

    name: str
    reason: str


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


@dataclass(frozen=True)
class Upload:
    """An uploaded file, read and checked. ``problems`` empty means it can be imported as it is."""

    file: str
    format: str
    encoding: Encoding | None
    columns: tuple[str, ...]
    table: pd.DataFrame
    """The kept rows with the file's own columns, every cell as text; index = 1-based data row."""
    records: pd.DataFrame
    """Canonical fields (:data:`FIELDS`), lat/lon as floats (degrees, EPSG:4326); index = 1-based data row."""
    geometry: gpd.GeoSeries | None
    """GIS formats: the features' geometry in EPSG:4326, index as ``records``; CSV/xlsx: None."""
    mapping: ColumnMapping
    source_crs: str | None
    records_in_file: int
    """Records in the file after the header, blank ones included (what the publisher's row count says)."""
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()
    """Things tolerated but worth saying (blank rows dropped, only one of lat/lon given, …)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> Upload:
        if self.problems:
            raise InputError(list(self.problems), dataset=self.file)
        return self


class _Stop(Exception):
    """Internal: a problem that stops reading (a limit, an unreadable container)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(problems)


# ---------------------------------------------------------------------------------------------- limits

def _size(n: int) -> str:
    return f"{n / MiB:,.1f} MB ({n:,} bytes)" if n >= MiB else f"{n:,} bytes"


def check_size(data: bytes, *, file: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise InputError when the upload itself is larger than ``limits.max_upload_bytes``."""
    if len(data) > limits.max_upload_bytes:
        raise InputError([Problem(file, f"a file of at most {_size(limits.max_upload_bytes)} (max_upload_bytes)",
                                  _size(len(data)))], dataset=file)


def check_zip(data: bytes, *, file: str, limits: Limits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """The members of a zip, after checking what it declares against the limits (nothing is extracted).

    Raises InputError naming the limit and the value found: too many members, total declared size over
    ``max_decompressed_bytes``, a member over ``max_ratio`` (when larger than ``ratio_floor_bytes``),
    an encrypted member, or bytes that are not a zip.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError([Problem(file, "a readable zip container", f"{type(exc).__name__}: {exc}")],
                         dataset=file) from exc
    infos = [i for i in zf.infolist() if not i.is_dir()]
    problems: list[Problem] = []
    if len(infos) > limits.max_zip_members:
        problems.append(Problem(file, f"at most {limits.max_zip_members:,} zip members (max_zip_members)",
                                f"{len(infos):,} members"))
    total = sum(i.file_size for i in infos)
    if total > limits.max_decompressed_bytes:
        problems.append(Problem(file, f"at most {_size(limits.max_decompressed_bytes)} uncompressed "
                                      "(max_decompressed_bytes)", f"{_size(total)} declared by the zip"))
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            problems.append(Problem(file, f"a compression ratio of at most {limits.max_ratio:g}:1 (max_ratio)",
                                    f"{ratio:,.0f}:1 for member {i.filename!r} "
                                    f"({_size(i.compress_size)} → {_size(i.file_size)})", column=i.filename))
        if i.flag_bits & 0x1:
            problems.append(Problem(file, "an unencrypted zip", f"encrypted member {i.filename!r}",
                                    column=i.filename))
    if problems:
        raise InputError(problems, dataset=file)
    return infos


def read_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, file: str, budget: int,
                    chunk: int = MiB) -> bytes:
    """A member's bytes, streamed in chunks; stops (InputError) once more than ``budget`` bytes or more than the
    member declares have come out, whatever the zip's header claims."""
    cap = min(budget, info.file_size)
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(chunk)
                if not block:
                    break
                out += block
                if len(out) > cap:
                    raise InputError([Problem(file, f"at most {_size(cap)} from member {info.filename!r} "
                                                    "(declared size / max_decompressed_bytes)",
                                              f"more than {_size(cap)} when decompressed", column=info.filename)],
                                     dataset=file)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # e.g. more data than declared: CRC fails
        raise InputError([Problem(file, f"member {info.filename!r} as its zip header declares it "
                                        f"({_size(info.file_size)}, CRC-32)", f"{type(exc).__name__}: {exc}",
                                  column=info.filename)], dataset=file) from None
    return bytes(out)


# ---------------------------------------------------------------------------------------------- encoding

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


def _guess(data: bytes) -> str:
    """charset-normalizer's best guess for (the first 64 kB of) ``data``, cut at a line end."""
    head = data[:65536]
    if len(data) > len(head) and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]
    best = charset_normalizer.from_bytes(head).best()
    return best.encoding if best is not None else "none (not text)"


def decode_text(data: bytes, *, file: str, encoding: str | None = None) -> tuple[str, Encoding]:
    """Decode a text upload: (text, the encoding assumed and why). Raises InputError when it cannot be trusted.

    Order: an explicit ``encoding`` (strict); a byte-order mark (UTF-8, UTF-16); strict UTF-8; strict CP932
    (Shift_JIS with Microsoft's extensions, so ``～`` is U+FF5E) when the text shows no mojibake. Rejected,
    with the reason: EUC-JP (decodes, but as CP932 it fails or is mojibake), UTF-8 with stray bytes (line and
    offset of the first), CP932 that decodes to mojibake, and anything else (charset-normalizer's guess named).
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError([Problem(file, "a known text encoding name (e.g. utf-8, cp932)",
                                      repr(encoding))], dataset=file) from None
        try:
            return data.decode(codec), Encoding(codec, f"given explicitly ({encoding})")
        except UnicodeDecodeError as exc:
            raise InputError([Problem(file, f"text in the encoding given ({encoding})",
                                      f"byte 0x{data[exc.start]:02x} at line {_line_of(data, exc.start)} "
                                      f"(offset {exc.start}) that is not {codec}")], dataset=file) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), Encoding("utf-8-sig", "UTF-8 byte-order mark")
        except UnicodeDecodeError as exc:
            raise InputError([_stray_utf8(data, exc, file)], dataset=file) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), Encoding("utf-16", "UTF-16 byte-order mark")
        except UnicodeDecodeError as exc:
            raise InputError([Problem(file, "UTF-16 text after its byte-order mark",
                                      f"undecodable bytes at offset {exc.start}")], dataset=file) from None
    try:
        text = data.decode("utf-8")
        return text, Encoding("utf-8", "ASCII only (read as UTF-8)" if text.isascii()
                              else "valid UTF-8 without byte-order mark")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    cp932_text: str | None
    try:
        cp932_text = data.decode("cp932")
    except UnicodeDecodeError:
        cp932_text = None
    cp932_mess = _mojibake_in(cp932_text) if cp932_text is not None else []
    if cp932_text is not None and not cp932_mess:
        line = _line_of(data, utf8_error.start)
        return cp932_text, Encoding("cp932", f"not UTF-8 (byte 0x{data[utf8_error.start]:02x} at line {line}); "
                                             "decodes as CP932 (Shift_JIS) with no mojibake "
                                             f"(charset-normalizer's guess: {_guess(data)})")
    expected = "a CSV in UTF-8 (with or without BOM) or Shift_JIS (CP932); re-save it as UTF-8"
    try:
        euc_text = data.decode("euc_jp")
    except UnicodeDecodeError:
        euc_text = None
    if euc_text is not None and not _mojibake_in(euc_text) and not euc_text.isascii():
        how = "as CP932 it is mojibake" if cp932_text is not None else "it is not valid CP932"
        raise InputError([Problem(file, expected, f"EUC-JP text (it decodes as EUC-JP; {how})")], dataset=file)
    as_utf8 = data.decode("utf-8", errors="replace")
    stray = as_utf8.count("\ufffd")
    non_ascii = sum(1 for ch in as_utf8 if ord(ch) > 127)
    if stray <= max(3, non_ascii // 100):  # almost all of it is UTF-8: a few stray bytes
        raise InputError([_stray_utf8(data, utf8_error, file, stray)], dataset=file)
    if cp932_text is not None:
        kind, sample = cp932_mess[0]
        raise InputError([Problem(file, expected, f"text that decodes as CP932 but is mojibake: {kind}, "
                                                  f"e.g. {sample!r}")], dataset=file)
    raise InputError([Problem(file, expected, f"undecodable bytes (byte 0x{data[utf8_error.start]:02x} at line "
                                              f"{_line_of(data, utf8_error.start)}); charset-normalizer's guess: "
                                              f"{_guess(data)}")], dataset=file)


def _stray_utf8(data: bytes, exc: UnicodeDecodeError, file: str, count: int | None = None) -> Problem:
    n = data.decode("utf-8", errors="replace").count("\ufffd") if count is None else count
    return Problem(file, "valid UTF-8 throughout",
                   f"{n} invalid byte sequence(s) in otherwise UTF-8 text; the first, 0x{data[exc.start]:02x}, at "
                   f"line {_line_of(data, exc.start)} (byte offset {exc.start})")


# ---------------------------------------------------------------------------------------------- mapping

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


# ---------------------------------------------------------------------------------------------- checks

class _Problems:
    """Problems collected in order, capped at ``limit`` with a count of the rest."""

    def __init__(self, file: str, limit: int) -> None:
        self.file, self.limit, self.items, self.left_out = file, limit, [], 0

    def add(self, expected: str, found: str, row: int | None = None, column: str | None = None) -> None:
        if len(self.items) < self.limit:
            self.items.append(Problem(self.file, expected, found, row=None if row is None else int(row),
                                      column=column))
        else:
            self.left_out += 1

    def extend(self, problems: Sequence[Problem]) -> None:
        for p in problems:
            self.add(p.expected, p.found, p.row, p.column)

    def done(self) -> list[Problem]:
        tail = [Problem(self.file, "at most the problems listed above",
                        f"{self.left_out:,} more problem(s) of the same kinds")] if self.left_out else []
        return self.items + tail


def _show(value: str, n: int = 40) -> str:
    value = value.replace(_NUL_STANDIN, "\x00")
    return repr(value if len(value) <= n else value[:n] + "…")


def check_coordinates(lat: pd.Series, lon: pd.Series, *, file: str, lat_column: str = "lat",
                      lon_column: str = "lon") -> tuple[pd.Series, pd.Series, list[Problem], list[Problem]]:
    """Parse and check coordinates (vectorised); index = row numbers.

    Returns (lat, lon as floats — NaN where empty or invalid, problems, warnings). Problems: not a number,
    outside Japan (lat 20–46, lon 122–154), swapped (outside, but inside once swapped). Warnings: only one of
    the pair given (the row gets no point).
    """
    problems: list[Problem] = []
    warns: list[Problem] = []
    lat_s, lon_s = (_number_text(s, file, c, warns) for s, c in ((lat, lat_column), (lon, lon_column)))
    lat_f = pd.to_numeric(lat_s.where(lat_s != ""), errors="coerce")
    lon_f = pd.to_numeric(lon_s.where(lon_s != ""), errors="coerce")
    for s, f, col, what in ((lat_s, lat_f, lat_column, "latitude"), (lon_s, lon_f, lon_column, "longitude")):
        for row, value in s[(s != "") & f.isna()].items():
            problems.append(Problem(file, f"a {what} in decimal degrees", _show(value), row=row, column=col))
    one = lat_f.isna() ^ lon_f.isna()
    for row in one[one].index:
        warns.append(Problem(file, "both latitude and longitude, or neither", "only one of them (no point made)",
                             row=row, column=lat_column if lat_f.isna()[row] else lon_column))

    def inside(y: pd.Series, x: pd.Series) -> pd.Series:
        return y.between(*JAPAN_LAT) & x.between(*JAPAN_LON)

    both = lat_f.notna() & lon_f.notna()
    ok = inside(lat_f, lon_f)
    swapped = both & ~ok & inside(lon_f, lat_f)
    outside = both & ~ok & ~swapped
    expected = "a point in Japan: latitude 20–46, longitude 122–154"
    for row in swapped[swapped].index:
        problems.append(Problem(file, expected, f"latitude {lat_f[row]:g}, longitude {lon_f[row]:g}: latitude and "
                                                "longitude look swapped", row=row, column=f"{lat_column}/{lon_column}"))
    for row in outside[outside].index:
        problems.append(Problem(file, expected, f"latitude {lat_f[row]:g}, longitude {lon_f[row]:g}: outside Japan",
                                row=row, column=f"{lat_column}/{lon_column}"))
    bad = ~(ok & both)
    return lat_f.mask(bad), lon_f.mask(bad), problems, warns


def _number_text(values: pd.Series, file: str, column: str, warns: list[Problem]) -> pd.Series:
    """Coordinate cells as number text: NFKC (full-width digits), trimmed; a stray separator at either end
    (a real file has ', 139.451301') is dropped with a warning — the number itself is never guessed."""
    s = values.fillna("").astype(str).str.normalize("NFKC").str.strip()
    cleaned = s.str.strip(" \t,;")
    changed = cleaned != s
    for row, value in s[changed].items():
        warns.append(Problem(file, "a number alone in the cell", f"{_show(value)}, read as {cleaned[row]!r}",
                             row=row, column=column))
    return cleaned


def check_dates(values: pd.Series, *, file: str, column: str) -> list[Problem]:
    """Strict ISO dates (vectorised): every non-empty cell must be exactly ``YYYY-MM-DD`` and a real day."""
    s = values.fillna("").astype(str).str.strip()
    filled = s != ""
    shaped = s.str.fullmatch(_ISO_DATE)
    parsed = pd.to_datetime(s.where(shaped & filled), format="%Y-%m-%d", errors="coerce")
    bad = filled & parsed.isna()
    return [Problem(file, "an ISO date YYYY-MM-DD (the whole cell)", _show(v), row=r, column=column)
            for r, v in s[bad].items()]


def _check_cells(table: pd.DataFrame, out: _Problems, limits: Limits, text: str | None = None) -> None:
    """NUL and other control characters, over-long cells and mojibake, per column (vectorised).

    One scan of the whole ``text`` (the decoded file, or all cells joined) decides whether the per-cell
    searches, which locate the row and column, are needed at all: a clean file costs two regex passes."""
    if text is None:
        text = "\n".join("\n".join(table[c].tolist()) for c in table.columns)
    ctrl = _CTRL.search(text) is not None
    moji = _MOJIBAKE_CHARS.search(text) is not None and _MOJIBAKE_ANY.search(text) is not None
    for col in table.columns:
        s = table[col]
        hits = s.str.contains(_CTRL, regex=True) if ctrl else pd.Series(False, index=s.index)
        for row, value in s[hits].items():
            chars = sorted({c for c in _CTRL.findall(value)})
            names = ", ".join("NUL (U+0000)" if c == _NUL_STANDIN else f"U+{ord(c):04X}" for c in chars)
            out.add("text without NUL or control characters (tab, CR, LF only)", f"{names} in {_show(value)}",
                    row, col)
        long = s.str.len() > limits.max_cell_chars
        for row, value in s[long].items():
            out.add(f"at most {limits.max_cell_chars:,} characters in a cell (max_cell_chars)",
                    f"{len(value):,} characters", row, col)
        if not moji:
            continue
        for row, value in s[s.str.contains(_MOJIBAKE_ANY, regex=True)].items():
            kind, sample = _mojibake_in(value)[0]
            out.add("readable text", f"mojibake ({kind}): {sample!r}", row, col)


# ---------------------------------------------------------------------------------------------- tables

@dataclass
class _Raw:
    """A table as read, before checks: header, body (text; index = 1-based data row), records in the file."""

    header: list[str]
    body: pd.DataFrame
    records_in_file: int
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    text: str | None = None  # the decoded CSV, scanned once for control characters and mojibake


_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields?, saw (\d+)")


def _parse_csv(text: str, file: str, limits: Limits) -> _Raw:
    """CSV text → header and text body; rows with more fields than the header are reported, not guessed."""
    notes: list[Problem] = []
    if text.endswith("\x1a"):  # DOS end-of-file mark left by old Shift_JIS tools
        text = text[:-1]
        notes.append(Problem(file, "no end-of-file mark", "a trailing Ctrl-Z (0x1A), ignored"))
    if "\x00" in text:  # the C parser ends a cell at NUL: keep it visible for the cell check
        text = text.replace("\x00", _NUL_STANDIN)
    first = text.split("\n", 1)[0]
    sep = "\t" if "\t" in first and "," not in first else ","
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_filter=False,
                             sep=sep, on_bad_lines="warn", nrows=limits.max_rows + 2, skip_blank_lines=True,
                             engine="c")
        except pd.errors.EmptyDataError:
            raise _Stop([Problem(file, "a header row and data rows", "an empty file")]) from None
        except pd.errors.ParserError as exc:
            raise _Stop([Problem(file, "well-formed CSV", f"{exc}".strip())]) from None
    problems: list[Problem] = []
    bad_lines: list[int] = []
    for w in caught:
        for line, n_exp, n_found in _BAD_LINE.findall(str(w.message)):
            bad_lines.append(int(line))
            problems.append(Problem(file, f"{n_exp} fields, as many as the header has",
                                    f"{n_found} fields (values past the last column)", row=int(line) - 1))
    if df.empty:
        raise _Stop([Problem(file, "a header row and data rows", "an empty file")])
    header = [str(h) for h in df.iloc[0].tolist()]
    body = df.iloc[1:]
    n_records = len(body) + len(bad_lines)
    if n_records > limits.max_rows:
        raise _Stop([Problem(file, f"at most {limits.max_rows:,} rows (max_rows)",
                             f"more than {limits.max_rows:,} rows (reading stopped there)")])
    kept = np.setdiff1d(np.arange(1, n_records + 1), np.array(bad_lines, dtype=int) - 1)
    body = body.set_axis(kept[: len(body)], axis=0)
    body.columns = range(body.shape[1])
    return _Raw(header, body, n_records, problems, notes, text)


def _cell_text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_xlsx(data: bytes, file: str, limits: Limits, sheet: str | None) -> _Raw:
    """The first (or named) sheet of a checked .xlsx, streamed row by row (openpyxl read-only)."""
    try:
        check_zip(data, file=file, limits=limits)
    except InputError as exc:
        raise _Stop(exc.problems) from None
    notes: list[Problem] = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook: report its words
        raise _Stop([Problem(file, "a readable .xlsx workbook", f"{type(exc).__name__}: {exc}")]) from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise _Stop([Problem(file, f"a sheet named {sheet!r}", f"sheets {wb.sheetnames}")])
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        if sheet is None and len(wb.sheetnames) > 1:
            notes.append(Problem(file, "one sheet", f"{len(wb.sheetnames)} sheets; read the first, {ws.title!r}"))
        rows: list[list[str]] = []
        try:
            for values in ws.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in values])
                if len(rows) > limits.max_rows + 1:
                    raise _Stop([Problem(file, f"at most {limits.max_rows:,} rows (max_rows)",
                                         f"more than {limits.max_rows:,} rows (reading stopped there)")])
        except _Stop:
            raise
        except Exception as exc:  # broken sheet XML, or an entity-expansion bomb stopped by expat
            raise _Stop([Problem(file, "a readable .xlsx worksheet", f"{type(exc).__name__}: {exc}")]) from exc
    finally:
        wb.close()
    if not rows:
        raise _Stop([Problem(file, "a header row and data rows", "an empty sheet")])
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    body = pd.DataFrame(rows[1:], columns=range(width), index=range(1, len(rows)), dtype=object).astype(str)
    return _Raw(rows[0], body, len(rows) - 1, [], notes)


def _finish(raw: _Raw, *, file: str, fmt: str, encoding: Encoding | None, limits: Limits,
            aliases: Mapping[str, str] | None, mapping: Mapping[str, str | Sequence[str]] | None,
            date_columns: Sequence[str], geometry: gpd.GeoSeries | None = None,
            source_crs: str | None = None) -> Upload:
    """Header, row and cell checks, the column mapping and the canonical records (shared by every format)."""
    out = _Problems(file, limits.max_problems)
    out.extend(raw.problems)
    warns = list(raw.warnings)
    body = raw.body.fillna("").astype(str) if len(raw.body.columns) else raw.body
    header = [h.strip() for h in raw.header]
    # empty headers: trailing ones over empty columns are Excel's leftovers (dropped); any other is a problem
    empties = [i for i, h in enumerate(header) if h == ""]
    filled = {i: bool((body[i] != "").any()) if i in body.columns else False for i in range(len(header))}
    trailing = []
    for i in reversed(range(len(header))):
        if header[i] == "" and not filled[i]:
            trailing.append(i)
        else:
            break
    for i in empties:
        if i not in trailing:
            out.add("a column name in every header cell", "an empty header" + (" above data" if filled[i] else ""),
                    column=f"#{i + 1}")
    if trailing:
        warns.append(Problem(file, "no columns past the last named one",
                             f"{len(trailing)} empty trailing column(s) without a header (dropped)"))
    keep = [i for i in range(len(header)) if i not in trailing]
    header = [header[i] for i in keep]
    body = body[[i for i in keep if i in body.columns]]
    body.columns = header[: body.shape[1]]
    # duplicate headers, also after NFKC/case folding
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h:
            seen.setdefault(normalise_header(h), []).append(i)
    dup_positions = set()
    for key, pos in seen.items():
        if len(pos) > 1:
            names = " and ".join(f"{header[p]!r} (column {p + 1})" for p in pos)
            out.add("each column name once", f"{names}" + (" — the same after normalising width and case"
                                                           if len({header[p] for p in pos}) > 1 else ""),
                    column=header[pos[0]])
            dup_positions.update(pos[1:])
    if dup_positions:  # keep the first of each so later checks can run
        body = body.iloc[:, [i for i in range(body.shape[1]) if i not in dup_positions]]
        header = [h for i, h in enumerate(header) if i not in dup_positions]
    # rows: blank ones are dropped (noted); a tail of rows with a single filled cell is garbage (totals, notes)
    nonempty = (body != "").sum(axis=1) if body.shape[1] else pd.Series(0, index=body.index)
    blank = nonempty == 0
    if blank.any():
        warns.append(Problem(file, "no blank rows", f"{int(blank.sum())} blank row(s) (dropped): rows "
                                                    f"{_rows_text(blank[blank].index)}"))
    body = body[~blank]
    nonempty = nonempty[~blank]
    if body.shape[1] >= 3 and len(body):
        singles = (nonempty == 1).to_numpy()
        n_tail = int(np.argmax(~singles[::-1])) if not singles.all() else 0  # 0 when every row is so sparse
        for row in body.index[len(body) - n_tail:]:
            cells = body.loc[row]
            col = cells[cells != ""].index[0]
            out.add("only data rows after the header (no totals or notes below the table)",
                    f"a row with a single value {_show(cells[col])}", row, col)
    _check_cells(body, out, limits, raw.text)
    # mapping
    cmap, clashes = map_columns(header, aliases=aliases, mapping=mapping, has_geometry=geometry is not None)
    for f, col in clashes:
        out.add(f"one column for the field {f!r}", f"{cmap.column(f)!r} and {col!r} both map to it", column=col)
    for f, cols in cmap.fields.items():
        for c in cols:
            if c not in body.columns:
                out.add(f"a column {c!r} (mapped to {f!r})", f"columns {header}", column=c)
    records = pd.DataFrame(index=body.index)
    for f in FIELDS:
        cols = [c for c in cmap.fields.get(f, ()) if c in body.columns]
        if f == "hours" and cols:
            records[f] = _hours(body, cols)
        elif cols and f not in ("lat", "lon"):
            records[f] = body[cols[0]].str.strip()
        elif f not in ("lat", "lon"):
            records[f] = ""
    if "muni_code" in records:
        records["muni_code"] = records["muni_code"].str.normalize("NFKC")
    if raw.records_in_file == 0:
        out.add("a header row and at least one data row", "a header only")
    name_col = cmap.column("name")
    if name_col is None or name_col not in body.columns:
        out.add("a name column (名称 or name; or mapping={'name': column})", f"columns {header}")
    else:
        empty = records["name"] == ""
        for row in empty[empty].index:
            out.add("a name", "an empty cell", row, name_col)
    if geometry is None:
        lat_c, lon_c = cmap.column("lat"), cmap.column("lon")
        if lat_c in body.columns and lon_c in body.columns:
            lat, lon, cp, cw = check_coordinates(body[lat_c], body[lon_c], file=file, lat_column=lat_c,
                                                 lon_column=lon_c)
            out.extend(cp)
            warns.extend(cw)
        else:
            lat = lon = pd.Series(np.nan, index=body.index)
    else:
        geometry = geometry.loc[body.index]
        lat, lon = _geometry_points(geometry, out)
    records["lat"], records["lon"] = lat.astype(float), lon.astype(float)
    for col in [c for c in header if c in set(STANDARD_DATE_COLUMNS) | set(date_columns)]:
        out.extend(check_dates(body[col], file=file, column=col))
    for col in date_columns:
        if col not in body.columns:
            out.add(f"a date column {col!r}", f"columns {header}", column=col)
    return Upload(file=file, format=fmt, encoding=encoding, columns=tuple(header), table=body,
                  records=records[list(FIELDS)], geometry=geometry, mapping=cmap, source_crs=source_crs,
                  records_in_file=raw.records_in_file, problems=tuple(out.done()), warnings=tuple(warns))


def _hours(body: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    """'月火水 9:00–17:00' from the days column (if any) and the opening/closing time columns (vectorised)."""
    day_names = {normalise_header(h) for h in STANDARD_COLUMNS["days"]}
    days = [body[c].str.strip() for c in cols if normalise_header(c) in day_names]
    times = [body[c].str.strip() for c in cols if normalise_header(c) not in day_names]
    blank = pd.Series("", index=body.index)
    span = times[0] if times else blank
    if len(times) > 1:
        span = span + np.where(span.ne("") & times[1].ne(""), "–", "") + times[1]
    d = days[0] if days else blank
    return d + np.where(d.ne("") & span.ne(""), " ", "") + span


def _rows_text(rows: Sequence[int], n: int = 10) -> str:
    rows = list(rows)
    return ", ".join(map(str, rows[:n])) + (f" and {len(rows) - n} more" if len(rows) > n else "")


# ---------------------------------------------------------------------------------------------- GIS

def _geometry_points(geometry: gpd.GeoSeries, out: _Problems) -> tuple[pd.Series, pd.Series]:
    """(lat, lon) of each feature (a point's own, else a point inside it), with the Japan checks."""
    missing = geometry.isna() | geometry.is_empty
    for row in geometry.index[missing.to_numpy()]:
        out.add("a geometry for every feature", "an empty geometry", row, "geometry")
    pts = geometry.copy()
    pts[~missing] = geometry[~missing].representative_point()
    x = pd.Series(np.where(missing, np.nan, shapely.get_x(pts.to_numpy())), index=geometry.index)
    y = pd.Series(np.where(missing, np.nan, shapely.get_y(pts.to_numpy())), index=geometry.index)
    lat, lon, problems, _ = check_coordinates(y.astype(str).where(~missing, ""), x.astype(str).where(~missing, ""),
                                              file=out.file, lat_column="geometry y", lon_column="geometry x")
    out.extend(problems)
    return lat, lon


def _crs_text(crs: CRS) -> str:
    epsg = crs.to_epsg(min_confidence=70)
    if epsg in JAPANESE_CRS:
        return f"EPSG:{epsg} ({JAPANESE_CRS[epsg]})"
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def _read_layers(data: bytes, file: str, limits: Limits, kind: str,
                 encoding: str | None = None) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Every feature of every layer (KML folders) or of the first layer (other formats, noted when there are
    more), features counted first; with the notes."""
    what = "placemark" if kind in ("KML", "KMZ") else "feature"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "GPKG application_id, but non conformant file extension"
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(data)]
            if not layers:
                raise _Stop([Problem(file, f"a {kind} file with at least one {what}", "no layers")])
            # layers by position: a layer read from memory may be named after its (random) in-memory file
            chosen = list(range(len(layers))) if kind in ("KML", "KMZ") else [0]
            counts = {i: pyogrio.read_info(data, layer=i, encoding=encoding)["features"] for i in chosen}
            known = sum(n for n in counts.values() if n is not None and n > 0)
            if known > limits.max_rows:
                raise _Stop([Problem(file, f"at most {limits.max_rows:,} features (max_rows)", f"{known:,} features")])
            frames = []
            for i in chosen:
                if counts[i] == 0:
                    continue
                # a driver that cannot count in advance (-1) is read one feature past the limit, no further
                g = pyogrio.read_dataframe(data, layer=i, encoding=encoding, max_features=limits.max_rows + 1)
                if len(chosen) > 1:
                    g["layer"] = layers[i]
                frames.append(g)
        except _Stop:
            raise
        except Exception as exc:  # GDAL's words for an unreadable file
            raise _Stop([Problem(file, f"a readable {kind} file", f"{type(exc).__name__}: {exc}")]) from exc
    total = sum(len(g) for g in frames)
    if total > limits.max_rows:
        raise _Stop([Problem(file, f"at most {limits.max_rows:,} features (max_rows)",
                             f"more than {limits.max_rows:,} features (reading stopped there)")])
    if total == 0:
        raise _Stop([Problem(file, f"a {kind} file with at least one {what}", f"none (layers: {', '.join(layers)})")])
    crs = frames[0].crs
    gdf = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    notes = [Problem(file, "one layer", f"{len(layers)} layers; read the first, {layers[0]!r}")] \
        if len(layers) > 1 and len(chosen) == 1 else []
    return gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name, crs=crs), notes


def _dbf_encoding(dbf: bytes) -> str | None:
    """The text encoding of a .dbf with no .cpg: UTF-8 when its records decode so, else CP932 when they do."""
    start = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 10 else 0
    records = dbf[start:]
    if records.isascii():
        return None
    for enc in ("utf-8", "cp932"):
        try:
            records.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return None


def _unzip_gis(data: bytes, file: str, limits: Limits) -> tuple[str, bytes, str | None, list[Problem]]:
    """(kind, bytes to read, encoding, notes) from a .zip/.kmz: the KML of a KMZ, or a Shapefile re-zipped flat."""
    try:
        infos = check_zip(data, file=file, limits=limits)
    except InputError as exc:
        raise _Stop(exc.problems) from None
    zf = zipfile.ZipFile(io.BytesIO(data))
    budget = limits.max_decompressed_bytes
    kmls = [i for i in infos if i.filename.lower().endswith(".kml")]
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    if kmls and not shps:
        doc = next((i for i in kmls if i.filename.lower().endswith("doc.kml")), kmls[0])
        try:
            return "KMZ", read_zip_member(zf, doc, file=file, budget=budget), None, []
        except InputError as exc:
            raise _Stop(exc.problems) from None
    if not shps:
        raise _Stop([Problem(file, "a zip holding a Shapefile (.shp, .shx, .dbf, .prj) or a KMZ (doc.kml)",
                             f"members {[i.filename for i in infos][:20]}")])
    notes: list[Problem] = []
    if len(shps) > 1:
        notes.append(Problem(file, "one Shapefile per zip", f"{len(shps)}; read {shps[0].filename!r}"))
    stem = shps[0].filename[:-4]
    parts = {i.filename[len(stem):].lower(): i for i in infos if i.filename[:-4].lower() == stem.lower()
             or i.filename.lower().startswith(stem.lower() + ".")}
    problems = []
    for ext, what in ((".dbf", "its attribute table"), (".prj", "its coordinate system (e.g. EPSG:6677, JGD2011 "
                                                               "plane rectangular zone IX)"), (".shx", "its index")):
        if ext not in parts:
            problems.append(Problem(file, f"{stem}{ext} ({what}) beside {stem}.shp in the zip",
                                    f"no {ext} file; members {[i.filename for i in infos][:20]}", column=f"{stem}{ext}"))
    if problems:
        raise _Stop(problems)
    flat = io.BytesIO()
    encoding = None
    try:
        with zipfile.ZipFile(flat, "w", zipfile.ZIP_STORED) as out:
            for ext, info in parts.items():
                if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                    member = read_zip_member(zf, info, file=file, budget=budget)
                    budget -= len(member)
                    if ext == ".dbf" and ".cpg" not in parts:
                        encoding = _dbf_encoding(member)
                        if encoding:
                            notes.append(Problem(file, "a .cpg file naming the attribute encoding",
                                                 f"none; attributes decode as {encoding}, read so"))
                    out.writestr("layer" + ext, member)
    except InputError as exc:
        raise _Stop(exc.problems) from None
    return "Shapefile", flat.getvalue(), encoding, notes


def _read_gis(data: bytes, file: str, fmt: str, limits: Limits, aliases, mapping, date_columns) -> Upload:
    notes: list[Problem] = []
    encoding = None
    kind = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "kml": "KML"}.get(fmt, fmt)
    if fmt in ("kmz", "shp"):
        kind, data, encoding, notes = _unzip_gis(data, file, limits)
    gdf, layer_notes = _read_layers(data, file, limits, kind, encoding)
    notes = notes + layer_notes
    problems: list[Problem] = []
    if gdf.crs is None:
        if kind == "GeoJSON":
            gdf = gdf.set_crs(4326)
            notes.append(Problem(file, "a stated coordinate system", "none; GeoJSON is WGS 84 (RFC 7946), read so"))
        else:
            raise _Stop([Problem(file, "a coordinate system (CRS) in the file", "none")])
    source = _crs_text(CRS.from_user_input(gdf.crs))
    epsg = CRS.from_user_input(gdf.crs).to_epsg(min_confidence=70)
    if epsg not in JAPANESE_CRS:
        notes.append(Problem(file, "a Japanese coordinate system (JGD2011/JGD2000/Tokyo/WGS 84, plane "
                                   "rectangular zones)", f"{source}; reprojected to EPSG:4326 all the same"))
    gdf = gdf.to_crs(4326)
    gdf.index = pd.RangeIndex(1, len(gdf) + 1)
    attrs = gdf.drop(columns=gdf.geometry.name)
    body = pd.DataFrame({i: attrs[c].map(_cell_text) for i, c in enumerate(attrs.columns)}, index=gdf.index)
    raw = _Raw([str(c) for c in attrs.columns], body, len(gdf), problems, notes)
    return _finish(raw, file=file, fmt=fmt, encoding=Encoding(encoding, "from the .dbf records (no .cpg)")
                   if encoding else None, limits=limits, aliases=aliases, mapping=mapping,
                   date_columns=date_columns, geometry=gdf.geometry, source_crs=source)


# ---------------------------------------------------------------------------------------------- entry points

def sniff_format(data: bytes, file_name: str) -> str:
    """The format of an upload from its name and first bytes: one of :data:`FORMATS`."""
    ext = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip()
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        if ext in ("xlsx", "xlsm"):
            return "xlsx"
        if ext == "kmz":
            return "kmz"
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "shp"
        if "[Content_Types].xml" in names:
            return "xlsx"
        return "kmz" if any(n.lower().endswith(".kml") for n in names) and not any(
            n.lower().endswith(".shp") for n in names) else "shp"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if ext in ("geojson", "json") or head[:1] == b"{":
        return "geojson"
    if ext == "kml" or (head.startswith(b"<?xml") and b"<kml" in head) or head.startswith(b"<kml"):
        return "kml"
    return {"xlsx": "xlsx", "gpkg": "gpkg", "kmz": "kmz", "zip": "shp"}.get(ext, "csv")


def inspect_upload(data: bytes, file_name: str, *, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None,
                   aliases: Mapping[str, str] | None = None, mapping: Mapping[str, str | Sequence[str]] | None = None,
                   date_columns: Sequence[str] = (), sheet: str | None = None,
                   format: str | None = None) -> Upload:
    """Read and check an upload without raising for its content: problems are in ``Upload.problems``.

    ``aliases``: extra header → canonical field names (e.g. ``{"name_ja": "name"}``); ``mapping``: the caller's
    field → column answer, overriding the proposal; ``date_columns``: columns that must hold ISO dates (the
    standard layouts' 開始日, 終了日, 最終確認日 … always do); ``encoding``: skip detection (CSV).
    """
    fmt = format or sniff_format(data, file_name)
    empty = Upload(file_name, fmt, None, (), pd.DataFrame(), pd.DataFrame(columns=list(FIELDS)), None,
                   ColumnMapping({}, standard=False), None, 0, ())
    try:
        check_size(data, file=file_name, limits=limits)
        if fmt == "csv":
            text, enc = decode_text(data, file=file_name, encoding=encoding)
            raw = _parse_csv(text, file_name, limits)
            return _finish(raw, file=file_name, fmt=fmt, encoding=enc, limits=limits, aliases=aliases,
                           mapping=mapping, date_columns=date_columns)
        if fmt == "xlsx":
            raw = _parse_xlsx(data, file_name, limits, sheet)
            return _finish(raw, file=file_name, fmt=fmt, encoding=None, limits=limits, aliases=aliases,
                           mapping=mapping, date_columns=date_columns)
        if fmt in ("geojson", "gpkg", "kml", "kmz", "shp"):
            return _read_gis(data, file_name, fmt, limits, aliases, mapping, date_columns)
        raise _Stop([Problem(file_name, f"one of the formats {', '.join(FORMATS)}", repr(fmt))])
    except InputError as exc:
        return _replace(empty, problems=tuple(exc.problems))
    except _Stop as stop:
        return _replace(empty, problems=tuple(stop.problems))


def read_upload(data: bytes, file_name: str, **options) -> Upload:
    """:func:`inspect_upload`, raising InputError with every problem when there is any."""
    return inspect_upload(data, file_name, **options).raise_for_problems()


def _replace(upload: Upload, **changes) -> Upload:
    values = {f: getattr(upload, f) for f in upload.__dataclass_fields__}
    values.update(changes)
    return Upload(**values)
