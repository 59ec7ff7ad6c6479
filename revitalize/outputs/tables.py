"""Tables that open correctly where planners work: CSV for Japanese Excel (UTF-8 with BOM, or CP932)
and Excel workbooks. Text cells a spreadsheet would run as a formula are neutralised.

* ``to_csv`` — UTF-8 with BOM (opens in Japanese Excel) or CP932 (Shift_JIS); characters CP932 cannot
  hold are replaced and returned as warnings, never an exception. The credit lines (and the title, date,
  filters and weights) travel in a last column, ``出典`` / ``credits``, the same on every row, so the file
  reads back as exactly its rows in pandas, QGIS and Excel's filters (no trailing comment lines);
* ``to_xlsx`` — a shortlist sheet (numbers as numbers, header frozen, filters on), the criteria and
  weights, the sources and credit lines.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from revitalize.core import i18n
from revitalize.core.errors import ExportError, Problem
from revitalize.data import coverage
from revitalize.outputs.shortlists import (
    Shortlist,
    criteria_table,
    data_frame,
    footer_lines,
    headers,
    plain,
    weights_line,
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
            # lists of codes are written as one ';'-joined cell
            out[c] = out[c].map(lambda v: neutralise(";".join(map(str, v)) if isinstance(v, (list, tuple)) else v))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def credit_text(lines: Sequence[str], lang: str = "ja") -> str:
    """Credit (and title, weights …) lines as the one text of the credit column."""
    return (" ／ " if lang == "ja" else " / ").join(str(line) for line in lines)


def with_credit_column(df: pd.DataFrame, lines: Sequence[str], lang: str = "ja") -> pd.DataFrame:
    """A copy of ``df`` with the credit column (``csv.credit_col``) last, the same text on every row."""
    if not lines:
        return df
    return df.assign(**{i18n.t("csv.credit_col", lang): credit_text(lines, lang)})


def to_csv_bytes(df: pd.DataFrame, *, credits: Sequence[str] | None = None, lang: str = "ja") -> bytes:
    """CSV bytes for Japanese Excel: UTF-8 with BOM, CRLF, formulas neutralised, the credit lines in a last
    column (``with_credit_column``), ending with a newline: it reads back as exactly the rows of ``df``."""
    buf = io.StringIO()
    safe_frame(with_credit_column(df, list(credits or []), lang)).to_csv(buf, index=False, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


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
    title, date, filters, weights and credit lines are the last column (``with_credit_column``). In CP932,
    each cell holding characters CP932 cannot hold is reported once (row = data row, 1-based; the credit
    column once, without a row) and those characters are written as a close neighbour or ``?``.
    """
    if encoding not in ("utf-8-sig", "cp932"):
        raise ExportError(f"encoding: expected 'utf-8-sig' or 'cp932', found {encoding!r}")
    frame = data_frame(sl)
    frame = frame.rename(columns=headers(frame.columns, sl.lang))
    frame = safe_frame(frame)
    credit_col = i18n.t("csv.credit_col", sl.lang)
    footer = str(neutralise(credit_text(footer_lines(sl), sl.lang)))
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
        footer, changed = cp932_text(footer)
        if changed:
            warnings.append(Problem(where, expected, _describe(changed), column=credit_col))
        credit_col = cp932_text(credit_col)[0]
    frame[credit_col] = footer
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\r\n")
    text = buf.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors="replace"), warnings
    return ("\ufeff" + text).encode("utf-8"), warnings


# ---------------------------------------------------------------------------------------------- Excel

_URL_SPLIT = re.compile(r"[;\s]+")


_NUMBER_FORMATS = {"score": "0.000", "coverage": "0%", "weight_share": "0%", "rank": "0"}


def _xlsx_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))


def _write_sheet(ws, frame: pd.DataFrame, *, labels: Mapping[str, str], link_columns: Sequence[str] = (),
                 start_row: int = 1, filters: bool = True) -> None:
    """Header row + rows; numbers stay numbers; text is neutralised and stored as text; URLs are links."""
    bold = Font(bold=True)
    cols = list(frame.columns)
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=start_row, column=j, value=_xlsx_text(str(labels.get(c, c))))
        cell.data_type = "s"
        cell.font = bold
    widths = [min(60, max(8, len(str(labels.get(c, c))) * 2)) for c in cols]
    link_font = Font(color="0563C1", underline="single")
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=start_row + 1):
        for j, (c, v) in enumerate(zip(cols, row, strict=False), start=1):
            v = plain(v)
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
    lang = sl.lang
    wb = Workbook()
    ws = wb.active
    ws.title = i18n.t("ex.sheet.shortlist", lang)
    frame = data_frame(sl)
    _write_sheet(ws, frame, labels=headers(frame.columns, lang), link_columns=("source_urls", "source_url", "url"))

    ws2 = wb.create_sheet(i18n.t("ex.sheet.criteria", lang))
    crit = sl.criteria if sl.criteria is not None else criteria_table(sl.weights, lang)
    _write_sheet(ws2, crit, labels=headers(crit.columns, lang))
    if sl.weights is None:
        note = ws2.cell(row=len(crit) + 3, column=1, value=i18n.t("ex.no_weights", lang))
        note.data_type = "s"

    if sl.coverage:  # how complete each curated layer is (rows held of the official totals)
        cov = coverage.frame(sl.coverage, lang)
        _write_sheet(wb.create_sheet(i18n.t("cov.sheet", lang)), cov, labels={c: c for c in cov.columns})

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
