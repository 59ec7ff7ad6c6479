"""Exports that open correctly where planners work: Excel, GIS and reports.

Every export starts from one neutral :class:`Shortlist` — rows with municipality codes, names, scores,
reasons and links; the weights and criteria used; the sources and their credit lines; a title and a
date — and one writer per format turns it into bytes:

* ``to_csv`` — UTF-8 with BOM (opens in Japanese Excel) or CP932 (Shift_JIS); characters CP932 cannot
  hold are replaced and returned as warnings, never an exception;
* ``to_xlsx`` — a shortlist sheet (numbers as numbers, header frozen, filters on), the criteria and
  weights, the sources and credit lines;
* ``to_geojson`` (RFC 7946, lon/lat), ``to_gpkg`` and ``to_kml`` (Google My Maps / Google Earth), with
  a point per row (the municipality's representative point, or the item's own coordinates) or, on
  request, the municipal polygons; a row covering several municipalities gets a multi-geometry.

Sources become shortlists through adapters: ``shortlist_from_score``, ``shortlist_from_explorer``,
``shortlist_from_table`` (a ready DataFrame: portfolio, candidates) and ``shortlist_for`` (by name,
for the CLI and the page). Printable evidence sheets (HTML, PDF) are in ``revitalize.evidence``.

Text cells that a spreadsheet would run as a formula are neutralised in CSV and Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from revitalize import i18n
from revitalize.errors import ExportError, Problem

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import geopandas as gpd

    from revitalize.explorer import ExplorerData, Filters
    from revitalize.scoring import Weights

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FORMATS: dict[str, str] = {  # format -> file extension
    "csv": "csv", "csv-cp932": "csv", "xlsx": "xlsx", "geojson": "geojson", "gpkg": "gpkg", "kml": "kml",
    "html": "html", "pdf": "pdf",
}
MIME: dict[str, str] = {
    "csv": "text/csv", "csv-cp932": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
    "kml": "application/vnd.google-earth.kml+xml", "html": "text/html", "pdf": "application/pdf",
}
SOURCE_KINDS = ("score", "explorer", "portfolio", "candidates")
# Sources that other modules provide: ``revitalize.<kind>.shortlist(con, *, lang, top, weights) -> Shortlist``.
PLUGGED_SOURCES = ("portfolio", "candidates")

# Columns every shortlist has (in this order); other columns follow as given.
CORE_COLUMNS = ("rank", "item_id", "name", "pref_name", "muni_codes", "score", "reason", "source_urls")
CODE_RE = re.compile(r"^\d{5}$")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot be read as formulas (numbers stay numbers)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame, *, credits: list[str] | None = None) -> bytes:
    """CSV bytes for Japanese Excel: UTF-8 with BOM, CRLF, formulas neutralised, credit lines at the end."""
    buf = io.StringIO()
    safe_frame(df).to_csv(buf, index=False, lineterminator="\r\n")
    text = buf.getvalue()
    for line in credits or []:
        text += f"# {neutralise(line)}\r\n"
    return ("\ufeff" + text).encode("utf-8")


# --------------------------------------------------------------------------------------------- file names

_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"COM{i}" for i in "0123456789¹²³"), *(f"LPT{i}" for i in "0123456789¹²³")}


def safe_filename(name: str, *, default: str = "export", max_bytes: int = 200) -> str:
    """A file name that is safe on Windows, macOS and Linux; Japanese and other letters are kept.

    Path separators, ``<>:"|?*``, control and invisible format characters (e.g. right-to-left
    overrides) become ``_``; leading and trailing dots and spaces go; Windows device names (CON, NUL,
    COM1 …, also with an extension) get a ``_`` prefix; the name is cut to ``max_bytes`` UTF-8 bytes,
    keeping its extension. An empty result becomes ``default``.
    """
    if max_bytes < 16:
        raise ExportError(f"max_bytes: expected >= 16, found {max_bytes}")
    s = unicodedata.normalize("NFC", str(name))
    s = "".join("_" if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} else ch for ch in s)
    s = _UNSAFE_CHARS.sub("_", s)
    s = re.sub(r"\s", " ", s).strip(" .")
    if not s:
        s = default
    stem, dot, ext = s.rpartition(".") if "." in s.lstrip(".") else (s, "", "")
    if len(ext.encode()) > 16 or " " in ext:  # not an extension, just a dot in the name
        stem, dot, ext = s, "", ""
    if stem.split(".")[0].strip(" ").upper() in _RESERVED:
        stem = "_" + stem
    budget = max_bytes - len((dot + ext).encode())
    stem_b = stem.encode()
    if len(stem_b) > budget:
        stem = stem_b[:budget].decode("utf-8", errors="ignore").rstrip(" .") or default
    return stem + dot + ext


def export_filename(shortlist: Shortlist, fmt: str) -> str:
    """``revitalize_<kind>_<title>_<date>.<ext>``, made safe for every system."""
    if fmt not in FORMATS:
        raise ExportError(f"format: expected one of {list(FORMATS)}, found {fmt!r}")
    return safe_filename(f"revitalize_{shortlist.kind}_{shortlist.title}_{shortlist.created.isoformat()}"
                         f".{FORMATS[fmt]}")


# ----------------------------------------------------------------------------------------- the shortlist


@dataclass(frozen=True, eq=False)
class Shortlist:
    """What every export writes: rows, the weights and criteria behind them, sources and credit lines.

    ``table`` has one row per item, at least ``name`` and ``muni_codes`` (5-digit codes joined with
    ``;``; a row may cover several municipalities or, for GI products, none), usually also ``rank``,
    ``item_id``, ``pref_name``, ``score``, ``reason``, ``source_urls``; optional ``lon``/``lat`` give an
    item its own point. Other columns are kept as they are. ``assets`` lists items linked to rows
    (``item_id``, ``layer``, ``name``, ``source_url``; ``lon``/``lat`` optional), e.g. a candidate's assets.
    """

    table: pd.DataFrame
    kind: str
    title: str
    lang: str = "ja"
    weights: Mapping[str, float] | None = None
    criteria: pd.DataFrame | None = None
    credits: tuple[str, ...] = ()
    sources: pd.DataFrame | None = None
    created: dt.date = field(default_factory=dt.date.today)
    notes: tuple[str, ...] = ()
    assets: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.table, pd.DataFrame):
            problems.append(f"table: expected a pandas DataFrame, found {type(self.table).__name__}")
        else:
            missing = [c for c in ("name", "muni_codes") if c not in self.table.columns]
            if missing:
                problems.append(f"table: expected columns {missing}, found {list(self.table.columns)}")
        if self.lang not in i18n.LANGS:
            problems.append(f"lang: expected one of {list(i18n.LANGS)}, found {self.lang!r}")
        if not isinstance(self.kind, str) or not self.kind:
            problems.append(f"kind: expected a non-empty string, found {self.kind!r}")
        if self.assets is not None and not ({"item_id", "layer", "source_url"} <= set(self.assets.columns)
                                            and {"name", "label"} & set(self.assets.columns)):
            problems.append("assets: expected columns item_id, layer, name (or label), source_url; found "
                            f"{list(self.assets.columns)}")
        if problems:
            raise ExportError("invalid shortlist:\n  - " + "\n  - ".join(problems))
        object.__setattr__(self, "credits", tuple(self.credits))
        object.__setattr__(self, "notes", tuple(self.notes))

    def __len__(self) -> int:
        return len(self.table)

    def head(self, n: int | None) -> Shortlist:
        """The first ``n`` rows (all when None)."""
        if n is None:
            return self
        if n < 1:
            raise ExportError(f"top: expected >= 1, found {n}")
        return replace(self, table=self.table.head(n).reset_index(drop=True))

    def codes(self, row: int) -> list[str]:
        """The municipality codes of row ``row`` (0-based)."""
        return split_codes(self.table["muni_codes"].iloc[row])


def split_codes(value: object) -> list[str]:
    """Municipality codes from ``'01100;01202'``, a list/tuple, or nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return []
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [c.strip() for c in str(value).replace(",", ";").split(";") if c.strip()]


def source_table(keys: Iterable[str], lang: str = "ja") -> pd.DataFrame:
    """The datasets/curated layers behind an export: title, publisher, as-of, licence, credit line, URL."""
    from revitalize import curated, sources

    rows = []
    for key in dict.fromkeys(keys):
        item = curated.LAYERS_BY_KEY.get(key) or sources.DATASETS_BY_KEY.get(key)
        if item is None:
            raise ExportError(f"source key: expected a dataset or curated layer, found {key!r}")
        rows.append({"dataset": key, "title": item.title_en if lang == "en" else item.title_ja,
                     "publisher": item.publisher, "as_of": item.as_of, "licence": item.licence,
                     "credit": item.credit_en if lang == "en" else item.credit_ja, "url": item.url})
    return pd.DataFrame(rows, columns=["dataset", "title", "publisher", "as_of", "licence", "credit", "url"])


def _names_credit(lang: str) -> str:
    from revitalize import names

    return names.CREDIT_EN if lang == "en" else names.CREDIT_JA


def criteria_table(weights: Mapping[str, float] | None, lang: str = "ja") -> pd.DataFrame:
    """Every indicator with its criterion, definition, unit, direction, normalisation and the weight used."""
    from revitalize import scoring

    docs = scoring.indicator_docs(lang)
    w = dict(weights) if weights is not None else {i.key: i.default_weight for i in scoring.INDICATORS}
    docs["weight"] = docs["key"].map(lambda k: float(w.get(k, 0.0)))
    total = docs["weight"].sum()
    docs["weight_share"] = docs["weight"] / total if total > 0 else 0.0
    return docs


def weights_line(weights: Mapping[str, float] | None, lang: str = "ja") -> str:
    """One line naming every weight used, e.g. ``重み：アニメ聖地 3, ロケ地 2, …``."""
    from revitalize import scoring

    if weights is None:
        return ""
    parts = []
    for ind in scoring.INDICATORS:
        label = ind.label_en if lang == "en" else ind.label_ja
        parts.append(f"{label} {float(weights.get(ind.key, 0.0)):g}")
    return i18n.t("ex.weights_line", lang, weights=", ".join(parts))


def _header_label(col: str, lang: str) -> str:
    from revitalize import scoring

    key = f"ex.col.{col}"
    if key in i18n.STRINGS:
        return i18n.t(key, lang)
    if f"col.{col}" in i18n.STRINGS:
        return i18n.t(f"col.{col}", lang)
    prefix, _, rest = col.partition("_")
    j = 1 if lang == "en" else 0
    if prefix == "k" and rest in scoring.CRITERIA:
        return i18n.t("ex.hdr.k", lang, label=scoring.CRITERIA[rest][j])
    if prefix in {"c", "raw", "s"} and rest in scoring.INDICATORS_BY_KEY:
        ind = scoring.INDICATORS_BY_KEY[rest]
        return i18n.t(f"ex.hdr.{prefix}", lang, label=ind.label_en if j else ind.label_ja)
    return col


def headers(columns: Iterable[str], lang: str = "ja") -> dict[str, str]:
    """Column → header in ``lang`` (Japanese by default); unknown columns keep their name; never two alike."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for c in columns:
        label = _header_label(str(c), lang)
        if label in seen:
            label = f"{label} ({c})"
        seen.add(label)
        out[c] = label
    return out


def _plain(value: object) -> object:
    """A JSON/Excel-friendly scalar: numpy → Python, NaN/NA → None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return ";".join(str(v) for v in value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _data_frame(sl: Shortlist) -> pd.DataFrame:
    """The table as written: core columns first, codes as ``;``-joined text, no coordinates."""
    t = sl.table.copy()
    t["muni_codes"] = t["muni_codes"].map(lambda v: ";".join(split_codes(v)))
    front = [c for c in CORE_COLUMNS if c in t.columns]
    rest = [c for c in t.columns if c not in front and c not in ("lon", "lat")]
    return t[front + rest]


def _footer_lines(sl: Shortlist) -> list[str]:
    lines = [f"{sl.title} ({i18n.t('ex.created', sl.lang)} {sl.created.isoformat()})"]
    lines += list(sl.notes)
    if sl.weights is not None:
        lines.append(weights_line(sl.weights, sl.lang))
    lines += list(sl.credits)
    return lines


# ----------------------------------------------------------------------------------------------- CSV

# Characters outside CP932 that have a close CP932 neighbour (written as it; still reported).
_CP932_BEST_FIT = {"\u2014": "\u2015", "\u2013": "\uff0d", "\u2264": "\u2266", "\u2265": "\u2267",
                   "\u00a0": " ", "\u2012": "\uff0d"}


def _cp932_char(ch: str) -> str:
    """What ``ch`` becomes in CP932 text read back: itself when representable, else a neighbour or '?'."""
    if ch in _CP932_BEST_FIT:
        return _CP932_BEST_FIT[ch]
    back = ch.encode("cp932", errors="replace").decode("cp932")
    return back


def cp932_text(s: str) -> tuple[str, list[tuple[str, str]]]:
    """``s`` with every character CP932 cannot hold as itself replaced; the (original, written) pairs."""
    try:
        if s.encode("cp932").decode("cp932") == s:
            return s, []
    except UnicodeEncodeError:
        pass
    out, changed = [], []
    for ch in s:
        new = _cp932_char(ch)
        if new != ch:
            changed.append((ch, new))
        out.append(new)
    return "".join(out), changed


def _describe(changed: list[tuple[str, str]]) -> str:
    seen = dict.fromkeys(changed)
    return ", ".join(f"{a!r} (U+{ord(a):04X}) written as {b!r}" for a, b in seen)


def to_csv(sl: Shortlist, *, encoding: str = "utf-8-sig") -> tuple[bytes, list[Problem]]:
    """CSV bytes and warnings. ``utf-8-sig`` (default): UTF-8 with BOM; ``cp932``: Shift_JIS for old Excel.

    Headers are in the shortlist's language; text that could run as a formula is neutralised; the
    title, date, filters, weights and credit lines follow the data as ``# `` lines. In CP932, each cell
    holding characters CP932 cannot hold is reported once (row = data row, 1-based) and those
    characters are written as a close neighbour or ``?``.
    """
    if encoding not in ("utf-8-sig", "cp932"):
        raise ExportError(f"encoding: expected 'utf-8-sig' or 'cp932', found {encoding!r}")
    frame = _data_frame(sl)
    frame = frame.rename(columns=headers(frame.columns, sl.lang))
    frame = safe_frame(frame)
    footer = [f"# {neutralise(line)}" for line in _footer_lines(sl)]
    warnings: list[Problem] = []
    if encoding == "cp932":
        where = "CSV (CP932)"
        expected = "characters that CP932 (Shift_JIS) can hold"
        new_cols = []
        for c in frame.columns:
            text, changed = cp932_text(str(c))
            if changed:
                warnings.append(Problem(where, expected, _describe(changed), column=str(c)))
            new_cols.append(text)
        for j, c in enumerate(frame.columns):
            col = frame.iloc[:, j]
            if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
                continue
            values = col.tolist()
            for i, v in enumerate(values):
                if isinstance(v, str):
                    text, changed = cp932_text(v)
                    if changed:
                        warnings.append(Problem(where, expected, _describe(changed), row=i + 1, column=str(c)))
                        values[i] = text
            frame.iloc[:, j] = pd.Series(values, index=frame.index, dtype=object)
        frame.columns = new_cols
        fixed = []
        for n, line in enumerate(footer, start=1):
            text, changed = cp932_text(line)
            if changed:
                warnings.append(Problem(where, expected, _describe(changed), column=f"footer line {n}"))
            fixed.append(text)
        footer = fixed
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\r\n")
    text = buf.getvalue() + "".join(line + "\r\n" for line in footer)
    if encoding == "cp932":
        return text.encode("cp932", errors="replace"), warnings
    return ("\ufeff" + text).encode("utf-8"), warnings


# ---------------------------------------------------------------------------------------------- Excel

_URL_SPLIT = re.compile(r"[;\s]+")
_NUMBER_FORMATS = {"score": "0.000", "coverage": "0%", "weight_share": "0%", "rank": "0"}


def _xlsx_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))


def _write_sheet(ws, frame: pd.DataFrame, *, labels: Mapping[str, str], link_columns: Sequence[str] = (),
                 start_row: int = 1, filters: bool = True) -> None:
    """Header row + rows; numbers stay numbers; text is neutralised and stored as text; URLs are links."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    cols = list(frame.columns)
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=start_row, column=j, value=_xlsx_text(str(labels.get(c, c))))
        cell.data_type = "s"
        cell.font = bold
    widths = [min(60, max(8, len(str(labels.get(c, c))) * 2)) for c in cols]
    link_font = Font(color="0563C1", underline="single")
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=start_row + 1):
        for j, (c, v) in enumerate(zip(cols, row), start=1):
            v = _plain(v)
            cell = ws.cell(row=i, column=j)
            if isinstance(v, str):
                cell.value = _xlsx_text(v)
                cell.data_type = "s"  # never a formula
                first = _URL_SPLIT.split(v)[0]
                if c in link_columns and re.match(r"^https?://\S+$", first):
                    cell.hyperlink = first  # the first of several ';'-separated URLs
                    cell.font = link_font
                widths[j - 1] = min(60, max(widths[j - 1], len(v) + 2))
            else:
                cell.value = v
                if isinstance(v, float):
                    fmt = _NUMBER_FORMATS.get(c)
                    if fmt is None and c.startswith(("k_", "c_", "s_")):
                        fmt = "0.0000"
                    if fmt:
                        cell.number_format = fmt
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if filters and cols:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(cols))}{start_row + len(frame)}"


def to_xlsx(sl: Shortlist) -> bytes:
    """An Excel workbook: the shortlist, the criteria and weights used, the sources and credit lines.

    Numbers stay numbers, the header row is frozen and has filters; headers are in the shortlist's
    language; text that could run as a formula is neutralised and stored as text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = sl.lang
    wb = Workbook()
    ws = wb.active
    ws.title = i18n.t("ex.sheet.shortlist", lang)
    frame = _data_frame(sl)
    _write_sheet(ws, frame, labels=headers(frame.columns, lang), link_columns=("source_urls", "source_url", "url"))

    ws2 = wb.create_sheet(i18n.t("ex.sheet.criteria", lang))
    crit = sl.criteria if sl.criteria is not None else criteria_table(sl.weights, lang)
    _write_sheet(ws2, crit, labels=headers(crit.columns, lang))
    if sl.weights is None:
        note = ws2.cell(row=len(crit) + 3, column=1, value=i18n.t("ex.no_weights", lang))
        note.data_type = "s"

    ws3 = wb.create_sheet(i18n.t("ex.sheet.sources", lang))
    bold = Font(bold=True)
    about = [(i18n.t("ex.title", lang), sl.title), (i18n.t("ex.created", lang), sl.created.isoformat()),
             (i18n.t("ex.source", lang), i18n.t(f"ex.src.{sl.kind}", lang)
              if f"ex.src.{sl.kind}" in i18n.STRINGS else sl.kind),
             (i18n.t("ex.rows", lang), len(sl.table))]
    about += [(i18n.t("ex.note", lang), n) for n in sl.notes]
    if sl.weights is not None:
        about.append((i18n.t("ex.weights", lang), weights_line(sl.weights, lang)))
    about += [(i18n.t("ex.credit", lang), c) for c in sl.credits]
    for i, (k, v) in enumerate(about, start=1):
        a = ws3.cell(row=i, column=1, value=_xlsx_text(k))
        a.font = bold
        b = ws3.cell(row=i, column=2, value=_xlsx_text(v) if isinstance(v, str) else v)
        if isinstance(v, str):
            b.data_type = "s"
    ws3.column_dimensions["A"].width = 18
    ws3.column_dimensions["B"].width = 100
    if sl.sources is not None and len(sl.sources):
        start = len(about) + 2
        _write_sheet(ws3, sl.sources, labels=headers(sl.sources.columns, lang), link_columns=("url",),
                     start_row=start, filters=False)
        ws3.freeze_panes = None
        ws3.column_dimensions["A"].width = 18
        ws3.column_dimensions["B"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ geo


def municipality_places(con: duckdb.DuckDBPyConnection, *, polygons: bool = False) -> gpd.GeoDataFrame:
    """Each municipality's representative point (a point inside it) or polygon, indexed by muni_code."""
    from revitalize import layers

    g = layers.geodataframe(con, "municipalities", geometry="geom" if polygons else "inner_point")
    return g[["muni_code", "name_ja", "name_en", "pref_code", "geometry"]].set_index("muni_code")


def row_geometries(sl: Shortlist, places: gpd.GeoDataFrame) -> list:
    """A shapely geometry per row (None when unknown): the row's own ``lon``/``lat`` when given, else its
    municipalities' geometries from ``places`` — one as it is, several as a MultiPoint or a dissolved
    (Multi)Polygon."""
    import shapely

    geo = places.geometry
    lookup = {c: g for c, g in zip(geo.index, geo.array) if g is not None and not g.is_empty}
    lon = sl.table["lon"].tolist() if "lon" in sl.table.columns else [None] * len(sl.table)
    lat = sl.table["lat"].tolist() if "lat" in sl.table.columns else [None] * len(sl.table)
    out = []
    for codes, x, y in zip(sl.table["muni_codes"].tolist(), lon, lat):
        if _plain(x) is not None and _plain(y) is not None:
            out.append(shapely.Point(float(x), float(y)))
            continue
        parts = [lookup[c] for c in split_codes(codes) if c in lookup]
        if not parts:
            out.append(None)
        elif len(parts) == 1:
            out.append(parts[0])
        elif all(p.geom_type == "Point" for p in parts):
            out.append(shapely.MultiPoint(parts))
        else:
            out.append(shapely.union_all(parts))
    return out


def geometry_gaps(sl: Shortlist, places: gpd.GeoDataFrame) -> list[Problem]:
    """Rows that get no geometry (no coordinates, and no municipality with one) — written without a location."""
    gaps = []
    for i, g in enumerate(row_geometries(sl, places)):
        if g is None:
            gaps.append(Problem(sl.title, "a location (coordinates or a municipality with a geometry)",
                                f"none for {sl.table['name'].iloc[i]!r} (codes {sl.table['muni_codes'].iloc[i]!r})",
                                row=i + 1))
    return gaps


def _attributes(sl: Shortlist) -> pd.DataFrame:
    """Attribute table for GIS: canonical (ASCII) column names, plain values."""
    frame = _data_frame(sl)
    frame.columns = [re.sub(r"[^0-9A-Za-z_]", "_", str(c)) for c in frame.columns]
    return frame


def _description(sl: Shortlist) -> str:
    return "\n".join(_footer_lines(sl))


def to_geojson(sl: Shortlist, places: gpd.GeoDataFrame) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: WGS 84 lon/lat, counter-clockwise exteriors, no ``crs``).

    Properties are the shortlist's columns under canonical names; the collection carries ``title``,
    ``created``, ``weights``, ``credits`` and ``description`` (foreign members, ignored by readers that
    do not know them).
    """
    import shapely

    geoms = row_geometries(sl, places)
    attrs = _attributes(sl)
    features = []
    for rec, g in zip(attrs.to_dict("records"), geoms):
        geometry = None
        if g is not None:
            if g.geom_type in ("Polygon", "MultiPolygon"):
                g = shapely.orient_polygons(g, exterior_cw=False)
            geometry = json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-6) if g.geom_type
                                                     in ("Point", "MultiPoint") else g))
        features.append({"type": "Feature", "properties": {k: _plain(v) for k, v in rec.items()},
                         "geometry": geometry})
    doc = {"type": "FeatureCollection", "name": sl.title, "title": sl.title, "created": sl.created.isoformat(),
           "source_kind": sl.kind, "weights": dict(sl.weights) if sl.weights is not None else None,
           "credits": list(sl.credits), "description": _description(sl), "features": features}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")


def to_gpkg(sl: Shortlist, places: gpd.GeoDataFrame) -> bytes:
    """A GeoPackage (EPSG:4326) with the layer ``shortlist`` (its description holds the title, date,
    weights and credit lines) and the attribute tables ``credits`` and ``criteria``."""
    import geopandas as gpd
    import pyogrio

    geoms = row_geometries(sl, places)
    attrs = _attributes(sl)
    for c in attrs.columns:
        if attrs[c].dtype == object:
            attrs[c] = attrs[c].map(_plain)
    gdf = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")
    types = {g.geom_type for g in geoms if g is not None}
    geometry_type, promote = (None, len(types) > 1 or None) if types else ("Point", None)
    if len({t.replace("Multi", "") for t in types}) > 1:  # points and polygons together (items and areas)
        geometry_type, promote = "Unknown", False
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "export.gpkg"
        pyogrio.write_dataframe(gdf, path, layer="shortlist", driver="GPKG", geometry_type=geometry_type,
                                promote_to_multi=promote,
                                layer_options={"IDENTIFIER": sl.title[:200], "DESCRIPTION": _description(sl)})
        credits = pd.DataFrame({"line": range(1, len(sl.credits) + 1), "credit": list(sl.credits)})
        pyogrio.write_dataframe(credits, path, layer="credits", driver="GPKG", append=False)
        crit = sl.criteria if sl.criteria is not None else criteria_table(sl.weights, sl.lang)
        pyogrio.write_dataframe(crit.reset_index(drop=True), path, layer="criteria", driver="GPKG")
        return path.read_bytes()


def _kml_coords(g) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y in g.coords)


def _kml_geometry(parent, g) -> None:
    import xml.etree.ElementTree as ET

    if g is None:
        return
    kind = g.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _kml_coords(g)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        outer = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(outer, "coordinates").text = _kml_coords(g.exterior)
        for ring in g.interiors:
            inner = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = _kml_coords(ring)
    elif kind == "LineString":
        ET.SubElement(ET.SubElement(parent, "LineString"), "coordinates").text = _kml_coords(g)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in g.geoms:
            _kml_geometry(multi, part)


_BALLOON_EXTRA = ("layer", "work", "municipality", "status", "coverage")


def to_kml(sl: Shortlist, places: gpd.GeoDataFrame) -> bytes:
    """KML 2.2 for Google My Maps and Google Earth: one Placemark per row (name, a description balloon with
    the main columns and links, every column as ExtendedData); the document's description holds the title,
    date, weights and credit lines."""
    import html
    import xml.etree.ElementTree as ET

    lang = sl.lang
    geoms = row_geometries(sl, places)
    attrs = _attributes(sl)
    labels = headers(_data_frame(sl).columns, lang)
    kml = ET.Element("kml", xmlns="http://www.opengis.net/kml/2.2")
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = sl.title
    ET.SubElement(doc, "description").text = _description(sl)
    schema = ET.SubElement(doc, "Schema", name="shortlist", id="shortlist")
    for c in attrs.columns:
        if c == "name":  # the Placemark's own <name>
            continue
        dtype = attrs[c].dtype
        kind = ("int" if pd.api.types.is_integer_dtype(dtype) else "double" if pd.api.types.is_float_dtype(dtype)
                else "bool" if pd.api.types.is_bool_dtype(dtype) else "string")
        ET.SubElement(schema, "SimpleField", name=c, type=kind)
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = sl.title
    for rec, orig, g in zip(attrs.to_dict("records"), _data_frame(sl).to_dict("records"), geoms):
        pm = ET.SubElement(folder, "Placemark")
        ET.SubElement(pm, "name").text = str(_plain(rec.get("name")) or "")
        lines = []
        for c, v in orig.items():  # the balloon shows the main columns; ExtendedData holds them all
            if c not in CORE_COLUMNS and c not in _BALLOON_EXTRA:
                continue
            v = _plain(v)
            if v is None or v == "":
                continue
            if isinstance(v, str) and re.match(r"^https?://", v):
                links = " ".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in _URL_SPLIT.split(v) if u)
                lines.append(f"<b>{html.escape(labels[c])}</b>: {links}")
            else:
                text = f"{v:.3f}" if isinstance(v, float) else str(v)
                lines.append(f"<b>{html.escape(labels[c])}</b>: {html.escape(text)}")
        ET.SubElement(pm, "description").text = "<br/>".join(lines)
        ext = ET.SubElement(ET.SubElement(pm, "ExtendedData"), "SchemaData", schemaUrl="#shortlist")
        for c, v in rec.items():
            v = _plain(v)
            if v is not None and c != "name":
                ET.SubElement(ext, "SimpleData", name=c).text = (f"{round(v, 6)!r}" if isinstance(v, float) else
                                                                 str(v).lower() if isinstance(v, bool) else str(v))
        _kml_geometry(pm, g)
    ET.indent(kml)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(kml, encoding="utf-8")


# -------------------------------------------------------------------------------------------- sources


def shortlist_from_ranking(ranking: pd.DataFrame, weights: Weights, *, top: int | None = None, lang: str = "ja",
                           pref_codes: Sequence[str] = (), title: str | None = None) -> Shortlist:
    """A shortlist from ``scoring.ranking`` (index muni_code): rank, names, score, reason, per-criterion and
    per-indicator contributions, raw values, coverage, missing indicators. Pure."""
    from revitalize import explorer, scoring

    t = ranking.reset_index()
    if pref_codes:
        t = t[t["muni_code"].str[:2].isin(set(pref_codes))]
    t = t[t["score"].notna()]
    if top is not None:
        if top < 1:
            raise ExportError(f"top: expected >= 1, found {top}")
        t = t.head(top)
    name_col = "name_en" if lang == "en" else "name_ja"
    pref = t["pref_name_ja"]
    if lang == "en":
        from revitalize import codes as codes_mod

        en = {c: e for c, _, e, *_ in codes_mod.PREFECTURES}
        pref = t["muni_code"].str[:2].map(en).fillna(t["pref_name_ja"])
    out = pd.DataFrame({
        "rank": t["rank"].astype("Int64"), "item_id": t["muni_code"],
        "name": t[name_col].fillna(t["name_ja"]), "pref_name": pref, "muni_codes": t["muni_code"],
        "score": t["score"].astype(float), "reason": t["reason"], "coverage": t["coverage"].astype(float)})
    for c in scoring.CRITERIA:
        out[f"k_{c}"] = t[f"k_{c}"].astype(float)
    for k in scoring.KEYS:
        out[f"c_{k}"] = t[f"c_{k}"].astype(float)
    for k in scoring.KEYS:
        out[f"raw_{k}"] = t[f"raw_{k}"].astype(float)
    out["missing"] = t["missing"].fillna("")
    keys = list(explorer.SCORING_SOURCES)
    notes = []
    if pref_codes:
        notes.append(i18n.t("ex.note_prefs", lang, prefs=", ".join(_pref_names(pref_codes, lang))))
    return Shortlist(
        table=out.reset_index(drop=True), kind="score",
        title=title or i18n.t("ex.title_score", lang, n=len(out)), lang=lang, weights=dict(weights.values),
        criteria=criteria_table(weights.values, lang), credits=tuple(explorer.credits(keys, lang)) + (
            _names_credit(lang),), sources=source_table(keys, lang), notes=tuple(notes))


def _pref_names(pref_codes: Sequence[str], lang: str) -> list[str]:
    from revitalize import codes as codes_mod

    names = {c: (en if lang == "en" else ja) for c, ja, en, *_ in codes_mod.PREFECTURES}
    return [names.get(c, c) for c in pref_codes]


def shortlist_from_score(con: duckdb.DuckDBPyConnection, weights: Weights | None = None, *,
                         top: int | None = None, lang: str = "ja", pref_codes: Sequence[str] = ()) -> Shortlist:
    """The scoring ranking as a shortlist (best first), optionally one prefecture set and the top ``top``."""
    from revitalize import scoring

    w = weights or scoring.Weights()
    ind, raw, sub = scoring.inputs(con)
    return shortlist_from_ranking(scoring.ranking(ind, raw, sub, w, lang=lang), w, top=top, lang=lang,
                                  pref_codes=pref_codes)


_EXPLORER_IDS = {"anime_sites": "site_id", "filming_locations": "location_id", "film_commissions": "fc_id",
                 "heritage": "property_id"}


def shortlist_from_explorer(data: ExplorerData, filters: Filters, lang: str = "ja", *,
                            ranking: pd.DataFrame | None = None, weights: Weights | None = None,
                            top: int | None = None) -> Shortlist:
    """What the map explorer shows under ``filters``: one row per visible item (anime place, filming
    location, film commission, heritage property, GI product) with its own coordinates, municipality and
    source URL; with ``ranking`` (``scoring.ranking``), each row also gets its municipality's score, rank
    and reason, and ``top`` keeps the best-scored rows."""
    from revitalize import explorer

    view = explorer.apply_filters(data, filters)
    items = explorer.items_table(view, lang)
    # items_table lists the point layers in this order, then GI products (no point of their own)
    frames = [(k, getattr(view, k)) for k in ("anime_sites", "filming_locations", "film_commissions", "heritage")]
    n_points = sum(len(df) for _, df in frames)
    ids = [f"{k}:{v}" for k, df in frames for v in df[_EXPLORER_IDS[k]].tolist()]
    lon = [v for _, df in frames for v in df["lon"].tolist()]
    lat = [v for _, df in frames for v in df["lat"].tolist()]
    gi_rows = len(items) - n_points
    if gi_rows < 0:  # pragma: no cover - explorer.items_table changed its order or content
        raise ExportError(f"explorer items: expected at least {n_points} rows, found {len(items)}")
    gi = items.iloc[n_points:]
    ids += [f"gi_products:{n}" for n in gi["name"].tolist()]
    lon += [None] * gi_rows
    lat += [None] * gi_rows
    out = pd.DataFrame({
        "item_id": ids, "name": items["name"], "layer": items["layer"], "work": items["work"],
        "municipality": items["municipality"], "pref_name": items["prefecture"],
        "muni_codes": items["muni_code"].map(lambda c: c if isinstance(c, str) else ""),
        "source_urls": items["source_url"], "lon": pd.Series(lon, dtype=float), "lat": pd.Series(lat, dtype=float)})
    if ranking is not None:
        r = ranking.reset_index().set_index("muni_code")
        out["rank"] = out["muni_codes"].map(r["rank"]).astype("Int64")
        out["score"] = out["muni_codes"].map(r["score"]).astype(float)
        out["reason"] = out["muni_codes"].map(r["reason"]).fillna("")
        out = out.sort_values(["score", "rank"], ascending=[False, True], na_position="last", kind="stable")
    if top is not None:
        if top < 1:
            raise ExportError(f"top: expected >= 1, found {top}")
        out = out.head(top)
    keys = ["boundaries", "anime_sites", "filming_locations", "film_commissions", "heritage", "gi_products"]
    if ranking is not None:
        keys = list(dict.fromkeys(keys + list(explorer.SCORING_SOURCES)))
    notes = [i18n.t("ex.note_filters", lang, filters=describe_filters(filters, lang))]
    w = dict(weights.values) if weights is not None else None
    return Shortlist(table=out.reset_index(drop=True), kind="explorer",
                     title=i18n.t("ex.title_explorer", lang, n=len(out)), lang=lang, weights=w,
                     criteria=criteria_table(w, lang) if w is not None else None,
                     credits=tuple(explorer.credits(keys, lang)) + (_names_credit(lang),),
                     sources=source_table(keys, lang), notes=tuple(notes))


def describe_filters(filters: Filters, lang: str = "ja") -> str:
    """The explorer filters in words (what a reader of the export needs to reproduce it)."""
    parts = []
    if filters.pref_codes:
        parts.append(f"{i18n.t('f.pref', lang)}: {', '.join(_pref_names(filters.pref_codes, lang))}")
    if filters.muni_code:
        parts.append(f"{i18n.t('map.muni', lang)}: {filters.muni_code}")
    if filters.work.strip():
        parts.append(f"{i18n.t('f.work', lang)}: {filters.work.strip()}")
    parts.append(f"{i18n.t('f.layers', lang)}: {', '.join(i18n.t(f'layer.{k}', lang) for k in filters.layers)}")
    if filters.edition is not None:
        parts.append(f"{i18n.t('f.edition', lang)}: {filters.edition}")
    if filters.gi_class:
        parts.append(f"{i18n.t('f.gi_class', lang)}: {filters.gi_class}")
    return "; ".join(parts)


def shortlist_from_table(df: pd.DataFrame, *, kind: str, title: str | None = None, lang: str = "ja",
                         weights: Weights | Mapping[str, float] | None = None,
                         credits: Sequence[str] | None = None, source_keys: Sequence[str] | None = None,
                         assets: pd.DataFrame | None = None, notes: Sequence[str] = ()) -> Shortlist:
    """A shortlist from a ready DataFrame (a portfolio, the candidate list …).

    Recognised columns: ``name`` (or ``name_<lang>``/``name_ja``), ``muni_codes`` (``;``-joined text or
    lists) or ``muni_code``, and optionally ``item_id`` (or ``candidate_id``), ``rank``, ``score``,
    ``reason``, ``pref_name``, ``source_urls`` (or ``source_url``), ``lon``/``lat``; every other column
    is kept. Credit lines: ``credits`` as given, else those of ``source_keys`` (default: the scoring
    sources). All problems are reported at once.
    """
    from revitalize import explorer

    problems = []
    if not isinstance(df, pd.DataFrame):
        raise ExportError(f"table: expected a pandas DataFrame, found {type(df).__name__}")
    t = df.copy().reset_index(drop=True)
    if "name" not in t.columns:
        for alt in (f"name_{lang}", "name_ja", "name_en", "label"):
            if alt in t.columns:
                t["name"] = t[alt].where(t[alt].notna() & (t[alt].astype(str) != ""), t.get("name_ja", t[alt]))
                break
        else:
            problems.append(f"column 'name' (or name_{lang}, name_ja): not found in {list(df.columns)}")
    if "muni_codes" not in t.columns:
        if "muni_code" in t.columns:
            t["muni_codes"] = t.pop("muni_code")
        else:
            problems.append(f"column 'muni_codes' (or muni_code): not found in {list(df.columns)}")
    if "muni_codes" in t.columns:
        t["muni_codes"] = t["muni_codes"].map(lambda v: ";".join(split_codes(v)))
        for i, v in enumerate(t["muni_codes"]):
            bad = [c for c in split_codes(v) if not CODE_RE.match(c)]
            if bad:
                problems.append(f"row {i + 1}, column 'muni_codes': expected 5-digit municipality codes, found {bad}")
    if "item_id" not in t.columns:
        if "candidate_id" in t.columns:
            t["item_id"] = t["candidate_id"].astype(str)
        elif "muni_codes" in t.columns:
            t["item_id"] = t["muni_codes"]
    if "source_urls" not in t.columns and "source_url" in t.columns:
        t["source_urls"] = t.pop("source_url")
    for c in ("score", "rank"):
        if c in t.columns and not pd.api.types.is_numeric_dtype(t[c]):
            problems.append(f"column {c!r}: expected numbers, found {t[c].dtype}")
    if problems:
        raise ExportError(f"{kind} table: {len(problems)} problem(s)\n  - " + "\n  - ".join(problems))
    if "rank" in t.columns:
        t["rank"] = t["rank"].astype("Int64")
    w = dict(weights.values) if hasattr(weights, "values") and not isinstance(weights, Mapping) else (
        dict(weights) if weights is not None else None)
    keys = list(source_keys) if source_keys is not None else list(explorer.SCORING_SOURCES)
    lines = tuple(credits) if credits is not None else tuple(explorer.credits(keys, lang))
    default_title = i18n.t(f"ex.src.{kind}", lang) if f"ex.src.{kind}" in i18n.STRINGS else kind
    return Shortlist(table=t, kind=kind, title=title or default_title, lang=lang, weights=w,
                     criteria=criteria_table(w, lang) if w is not None else None, credits=lines,
                     sources=source_table(keys, lang), notes=tuple(notes), assets=assets)


def shortlist_for(kind: str, con: duckdb.DuckDBPyConnection, *, lang: str = "ja", top: int | None = None,
                  weights: Weights | None = None, filters: Filters | None = None,
                  data: ExplorerData | None = None, pref_codes: Sequence[str] = (),
                  options: Mapping[str, object] | None = None) -> Shortlist:
    """The shortlist of a source by name: ``score``, ``explorer``, ``portfolio`` or ``candidates``.

    ``portfolio`` and ``candidates`` come from ``revitalize.<kind>.shortlist(con, *, lang, top, weights,
    **options)`` (e.g. ``options={"constraints": ...}`` for a portfolio); a module without that function
    raises ExportError saying the source is not available.
    """
    from revitalize import explorer, scoring

    if kind not in SOURCE_KINDS:
        raise ExportError(f"source: expected one of {list(SOURCE_KINDS)}, found {kind!r}")
    if kind == "score":
        return shortlist_from_score(con, weights, top=top, lang=lang, pref_codes=pref_codes)
    if kind == "explorer":
        d = data if data is not None else explorer.load_data(con)
        f = filters if filters is not None else explorer.Filters(pref_codes=tuple(pref_codes))
        w = weights or scoring.Weights()
        ind, raw, sub = scoring.inputs(con)
        return shortlist_from_explorer(d, f, lang, ranking=scoring.ranking(ind, raw, sub, w, lang=lang), weights=w,
                                       top=top)
    hook = source_available(kind)
    if hook is None:
        raise ExportError(i18n.t("ex.not_available", "en", source=kind) + f" (revitalize.{kind} has no "
                          "shortlist(con, *, lang, top, weights) function yet)")
    return hook(con, lang=lang, top=top, weights=weights, **(options or {}))


def source_available(kind: str):
    """The ``shortlist`` function of a plugged source (portfolio, candidates), or None when not there yet."""
    import importlib

    if kind not in PLUGGED_SOURCES:
        return None
    try:
        module = importlib.import_module(f"revitalize.{kind}")
    except ModuleNotFoundError as exc:
        if exc.name != f"revitalize.{kind}":
            raise
        return None
    hook = getattr(module, "shortlist", None)
    return hook if callable(hook) else None


KML_MY_MAPS_LIMIT = 5_000_000  # bytes: Google My Maps refuses larger KML imports


def export(sl: Shortlist, fmt: str, *, places: gpd.GeoDataFrame | None = None) -> tuple[bytes, list[Problem]]:
    """Bytes of ``sl`` in a table or map format (csv, csv-cp932, xlsx, geojson, gpkg, kml) and warnings.

    The map formats need ``places`` (``municipality_places``). Evidence sheets (html, pdf) are made by
    ``revitalize.evidence``.
    """
    if fmt == "csv":
        return to_csv(sl)
    if fmt == "csv-cp932":
        return to_csv(sl, encoding="cp932")
    if fmt == "xlsx":
        return to_xlsx(sl), []
    if fmt in ("geojson", "gpkg", "kml"):
        if places is None:
            raise ExportError(f"format {fmt}: expected the municipalities' places (municipality_places), found None")
        writer = {"geojson": to_geojson, "gpkg": to_gpkg, "kml": to_kml}[fmt]
        data, gaps = writer(sl, places), geometry_gaps(sl, places)
        if fmt == "kml" and len(data) > KML_MY_MAPS_LIMIT:
            gaps.append(Problem(sl.title, f"at most {KML_MY_MAPS_LIMIT / 1e6:.0f} MB for a Google My Maps import "
                                "(fewer rows: --top, or points instead of polygons)",
                                f"{len(data) / 1e6:.1f} MB"))
        return data, gaps
    raise ExportError(f"format: expected one of ['csv', 'csv-cp932', 'xlsx', 'geojson', 'gpkg', 'kml'] here "
                      f"(html and pdf: revitalize.evidence), found {fmt!r}")
