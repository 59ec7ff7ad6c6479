"""Cell checks shared by every format (vectorised): coordinates in Japan, ISO dates, control characters,
over-long cells and mojibake; problems collected in order, capped with a count of the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from revitalize.core import i18n
from revitalize.core.errors import Problem
from revitalize.data.uploads.encoding import _MOJIBAKE_ANY, _MOJIBAKE_CHARS, _mojibake_in, mojibake_found_key
from revitalize.data.uploads.limits import Limits

# Japan, roughly (lat 20–46 °N, lon 122–154 °E): Okinotorishima to Etorofu, Yonaguni to Minamitorishima.
JAPAN_LAT = (20.0, 46.0)
JAPAN_LON = (122.0, 154.0)

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe]")  # \ufffe stands for NUL inside the CSV parser
_NUL_STANDIN = "\ufffe"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"


class _Problems:
    """Problems collected in order, capped at ``limit`` with a count of the rest."""

    def __init__(self, file: str, limit: int) -> None:
        self.file, self.limit, self.items, self.left_out = file, limit, [], 0

    def put(self, key: str, found: str = "", row: int | None = None, column: str | None = None, *,
            found_key: str | None = None, **params: object) -> None:
        """Add the problem whose expected text is ``key`` (see :func:`problem`)."""
        self.append(problem(self.file, key, found, row=row, column=column, found_key=found_key, **params))

    def append(self, p: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(p)
        else:
            self.left_out += 1

    def extend(self, problems: Sequence[Problem]) -> None:
        for p in problems:
            self.append(p)

    def done(self) -> list[Problem]:
        tail = [problem(self.file, "pb.up.more", found_key="pb.up.more_found", n=self.left_out)] \
            if self.left_out else []
        return self.items + tail


def problem(file: str, key: str, found: str = "", *, row: int | None = None, column: str | None = None,
            found_key: str | None = None, **params: object) -> Problem:
    """A keyed problem: expected text ``key``; found either data (``found``) or the text ``found_key``, both
    formatted with ``params`` (a parameter ending ``_ja`` carries the Japanese form of its English twin)."""
    if found_key is not None:
        found = i18n.t(found_key, "en", **params)
    return Problem(file, found=found, found_key=found_key, row=None if row is None else int(row), column=column,
                   **i18n.expect(key, **params))


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
            problems.append(problem(file, f"pb.up.degrees.{what}", _show(value), row=row, column=col))
    one = lat_f.isna() ^ lon_f.isna()
    for row in one[one].index:
        warns.append(problem(file, "pb.up.pair", found_key="pb.up.pair_found", row=row,
                             column=lat_column if lat_f.isna()[row] else lon_column))

    def inside(y: pd.Series, x: pd.Series) -> pd.Series:
        return y.between(*JAPAN_LAT) & x.between(*JAPAN_LON)

    both = lat_f.notna() & lon_f.notna()
    ok = inside(lat_f, lon_f)
    swapped = both & ~ok & inside(lon_f, lat_f)
    outside = both & ~ok & ~swapped
    for row in swapped[swapped].index:
        problems.append(problem(file, "pb.up.in_japan", found_key="pb.up.swapped_found", row=row,
                                column=f"{lat_column}/{lon_column}", lat=lat_f[row], lon=lon_f[row]))
    for row in outside[outside].index:
        problems.append(problem(file, "pb.up.in_japan", found_key="pb.up.outside_found", row=row,
                                column=f"{lat_column}/{lon_column}", lat=lat_f[row], lon=lon_f[row]))
    bad = ~(ok & both)
    return lat_f.mask(bad), lon_f.mask(bad), problems, warns


def _number_text(values: pd.Series, file: str, column: str, warns: list[Problem]) -> pd.Series:
    """Coordinate cells as number text: NFKC (full-width digits), trimmed; a stray separator at either end
    (a real file has ', 139.451301') is dropped with a warning — the number itself is never guessed."""
    s = values.fillna("").astype(str).str.normalize("NFKC").str.strip()
    cleaned = s.str.strip(" \t,;")
    changed = cleaned != s
    for row, value in s[changed].items():
        warns.append(problem(file, "pb.up.number_alone", found_key="pb.up.number_alone_found", row=row,
                             column=column, value=_show(value), read=repr(cleaned[row])))
    return cleaned


def check_dates(values: pd.Series, *, file: str, column: str) -> list[Problem]:
    """Strict ISO dates (vectorised): every non-empty cell must be exactly ``YYYY-MM-DD`` and a real day."""
    s = values.fillna("").astype(str).str.strip()
    filled = s != ""
    shaped = s.str.fullmatch(_ISO_DATE)
    parsed = pd.to_datetime(s.where(shaped & filled), format="%Y-%m-%d", errors="coerce")
    bad = filled & parsed.isna()
    return [problem(file, "pb.up.iso_date", _show(v), row=r, column=column)
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
            out.put("pb.up.ctrl", row=row, column=col, found_key="pb.up.ctrl_found", names=names,
                    value=_show(value))
        long = s.str.len() > limits.max_cell_chars
        for row, value in s[long].items():
            out.put("pb.up.cell_chars", row=row, column=col, found_key="pb.up.chars_found",
                    limit=limits.max_cell_chars, n=len(value))
        if not moji:
            continue
        for row, value in s[s.str.contains(_MOJIBAKE_ANY, regex=True)].items():
            kind, sample = _mojibake_in(value)[0]
            out.put("pb.up.readable", row=row, column=col,
                    found_key=mojibake_found_key("pb.up.mojibake_found", kind), sample=repr(sample))


def geometry_points(geometry: gpd.GeoSeries, out: _Problems) -> tuple[pd.Series, pd.Series]:
    """(lat, lon) of each feature (a point's own, else a point inside it), with the Japan checks."""
    missing = geometry.isna() | geometry.is_empty
    for row in geometry.index[missing.to_numpy()]:
        out.put("pb.up.geometry", row=row, column="geometry", found_key="pb.up.geometry_found")
    pts = geometry.copy()
    pts[~missing] = geometry[~missing].representative_point()
    x = pd.Series(np.where(missing, np.nan, shapely.get_x(pts.to_numpy())), index=geometry.index)
    y = pd.Series(np.where(missing, np.nan, shapely.get_y(pts.to_numpy())), index=geometry.index)
    lat, lon, problems, _ = check_coordinates(y.astype(str).where(~missing, ""), x.astype(str).where(~missing, ""),
                                              file=out.file, lat_column="geometry y", lon_column="geometry x")
    out.extend(problems)
    return lat, lon
