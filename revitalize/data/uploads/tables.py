"""Tables as read (CSV, .xlsx) and the checks every format shares: header, rows, cells, the column mapping and
the canonical records of an :class:`Upload`."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd

from revitalize.core import i18n
from revitalize.core.errors import InputError, Problem
from revitalize.data.uploads.checks import (
    _NUL_STANDIN,
    _check_cells,
    _Problems,
    _show,
    check_coordinates,
    check_dates,
    geometry_points,
    problem,
)
from revitalize.data.uploads.columns import (
    FIELDS,
    STANDARD_COLUMNS,
    STANDARD_DATE_COLUMNS,
    ColumnMapping,
    map_columns,
    normalise_header,
)
from revitalize.data.uploads.encoding import Encoding
from revitalize.data.uploads.limits import Limits, check_zip


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


def parse_csv(text: str, file: str, limits: Limits) -> _Raw:
    """CSV text → header and text body; rows with more fields than the header are reported, not guessed."""
    notes: list[Problem] = []
    if text.endswith("\x1a"):  # DOS end-of-file mark left by old Shift_JIS tools
        text = text[:-1]
        notes.append(problem(file, "pb.up.no_eof", found_key="pb.up.eof_found"))
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
            raise InputError([problem(file, "pb.up.header_rows", found_key="pb.up.empty_file_found")],
                             dataset=file) from None
        except pd.errors.ParserError as exc:
            raise InputError([csv_problem(file, exc)], dataset=file) from None
    problems: list[Problem] = []
    bad_lines: list[int] = []
    for w in caught:
        for line, n_exp, n_found in _BAD_LINE.findall(str(w.message)):
            bad_lines.append(int(line))
            problems.append(problem(file, "pb.up.fields", found_key="pb.up.fields_found", row=int(line) - 1,
                                    n=n_exp, count=n_found))
    if df.empty:
        raise InputError([problem(file, "pb.up.header_rows", found_key="pb.up.empty_file_found")], dataset=file)
    header = [str(h) for h in df.iloc[0].tolist()]
    body = df.iloc[1:]
    n_records = len(body) + len(bad_lines)
    if n_records > limits.max_rows:
        raise InputError([problem(file, "pb.up.max_rows", found_key="pb.up.rows_found", limit=limits.max_rows)],
                         dataset=file)
    kept = np.setdiff1d(np.arange(1, n_records + 1), np.array(bad_lines, dtype=int) - 1)
    body = body.set_axis(kept[: len(body)], axis=0)
    body.columns = range(body.shape[1])
    return _Raw(header, body, n_records, problems, notes, text)


_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")
_NEAR_LINE = re.compile(r"line (\d+)")


def csv_problem(file: str, exc: Exception) -> Problem:
    """The problem a CSV parser's error stands for (pandas' or the csv module's), keyed; the parser's own words
    stay in the English text."""
    words = str(exc).strip()
    limit = _FIELD_LIMIT.search(words)
    if limit:
        return Problem(file, found=words, found_key="pb.up.field_limit_found",
                       **i18n.expect("pb.up.csv", limit=int(limit.group(1))))
    near = _NEAR_LINE.search(words)
    return Problem(file, found=words, found_key="pb.up.csv_found",
                   **i18n.expect("pb.up.csv", line=near.group(1) if near else "?"))


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


def parse_xlsx(data: bytes, file: str, limits: Limits, sheet: str | None) -> _Raw:
    """The first (or named) sheet of a checked .xlsx, streamed row by row (openpyxl read-only)."""
    check_zip(data, file=file, limits=limits)
    notes: list[Problem] = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook: report its words
        raise InputError([Problem(file, found=f"{type(exc).__name__}: {exc}", found_key="pb.up.xlsx_found",
                                      **i18n.expect("pb.up.xlsx"))], dataset=file) from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError([problem(file, "pb.up.sheet", found_key="pb.up.sheets_found", sheet=repr(sheet),
                                      sheets=wb.sheetnames)], dataset=file)
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        if sheet is None and len(wb.sheetnames) > 1:
            notes.append(problem(file, "pb.up.one_sheet", found_key="pb.up.one_sheet_found", n=len(wb.sheetnames),
                                 first=repr(ws.title)))
        rows: list[list[str]] = []
        try:
            for values in ws.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in values])
                if len(rows) > limits.max_rows + 1:
                    raise InputError([problem(file, "pb.up.max_rows", found_key="pb.up.rows_found",
                                              limit=limits.max_rows)], dataset=file)
        except InputError:
            raise
        except Exception as exc:  # broken sheet XML, or an entity-expansion bomb stopped by expat
            raise InputError([Problem(file, found=f"{type(exc).__name__}: {exc}", found_key="pb.up.xlsx_found",
                                      **i18n.expect("pb.up.xlsx_sheet"))], dataset=file) from exc
    finally:
        wb.close()
    if not rows:
        raise InputError([problem(file, "pb.up.header_rows", found_key="pb.up.empty_sheet_found")], dataset=file)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    body = pd.DataFrame(rows[1:], columns=range(width), index=range(1, len(rows)), dtype=object).astype(str)
    return _Raw(rows[0], body, len(rows) - 1, [], notes)


def finish(raw: _Raw, *, file: str, fmt: str, encoding: Encoding | None, limits: Limits,  # noqa: C901 (listed in NOTES.md: to split)
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
            out.put("pb.up.header_name", column=f"#{i + 1}",
                    found_key="pb.up.header_empty_data_found" if filled[i] else "pb.up.header_empty_found")
    if trailing:
        warns.append(problem(file, "pb.up.no_trailing", found_key="pb.up.trailing_found", n=len(trailing)))
    keep = [i for i in range(len(header)) if i not in trailing]
    header = [header[i] or f"#{i + 1}" for i in keep]  # an empty header (reported above) gets a unique name
    body = body[[i for i in keep if i in body.columns]]
    body.columns = header[: body.shape[1]]
    # duplicate headers, also after NFKC/case folding
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h:
            seen.setdefault(normalise_header(h), []).append(i)
    dup_positions = set()
    for _key, pos in seen.items():
        if len(pos) > 1:
            names = ", ".join(f"{header[p]!r} (#{p + 1})" for p in pos)  # the same in both languages
            out.put("pb.up.header_once", column=header[pos[0]], names=names,
                    found_key="pb.up.header_twice_norm_found" if len({header[p] for p in pos}) > 1
                    else "pb.up.header_twice_found")
            dup_positions.update(pos[1:])
    if dup_positions:  # keep the first of each so later checks can run
        body = body.iloc[:, [i for i in range(body.shape[1]) if i not in dup_positions]]
        header = [h for i, h in enumerate(header) if i not in dup_positions]
    # rows: blank ones are dropped (noted); a tail of rows with a single filled cell is garbage (totals, notes)
    nonempty = (body != "").sum(axis=1) if body.shape[1] else pd.Series(0, index=body.index)
    blank = nonempty == 0
    if blank.any():
        warns.append(problem(file, "pb.up.no_blank", found_key="pb.up.blank_found", n=int(blank.sum()),
                             rows=_rows_text(blank[blank].index)))
    body = body[~blank]
    nonempty = nonempty[~blank]
    if body.shape[1] >= 3 and len(body):
        singles = (nonempty == 1).to_numpy()
        n_tail = int(np.argmax(~singles[::-1])) if not singles.all() else 0  # 0 when every row is so sparse
        for row in body.index[len(body) - n_tail:]:
            cells = body.loc[row]
            col = cells[cells != ""].index[0]
            out.put("pb.up.data_only", row=row, column=col, found_key="pb.up.single_found", value=_show(cells[col]))
    _check_cells(body, out, limits, raw.text)
    # mapping
    cmap, clashes = map_columns(header, aliases=aliases, mapping=mapping, has_geometry=geometry is not None)
    for f, col in clashes:
        out.put("pb.up.one_column", column=col, found_key="pb.up.one_column_found", field=repr(f),
                first=repr(cmap.column(f)), col=repr(col))
    for f, cols in cmap.fields.items():
        for c in cols:
            if c not in body.columns:
                out.put("pb.up.mapped_column", column=c, found_key="pb.up.columns_found", col=repr(c), field=repr(f),
                        columns=header)
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
        out.put("pb.up.data_row", found_key="pb.up.header_only_found")
    name_col = cmap.column("name")
    if name_col is None or name_col not in body.columns:
        out.put("pb.up.name_column", found_key="pb.up.columns_found", columns=header)
    else:
        empty = records["name"] == ""
        for row in empty[empty].index:
            out.put("pb.up.name", row=row, column=name_col, found_key="pb.up.empty_cell_found")
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
        lat, lon = geometry_points(geometry, out)
    records["lat"], records["lon"] = lat.astype(float), lon.astype(float)
    for col in [c for c in header if c in set(STANDARD_DATE_COLUMNS) | set(date_columns)]:
        out.extend(check_dates(body[col], file=file, column=col))
    for col in date_columns:
        if col not in body.columns:
            out.put("pb.up.date_column", column=col, found_key="pb.up.columns_found", col=repr(col), columns=header)
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


