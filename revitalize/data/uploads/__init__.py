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
import io
import zipfile
from collections.abc import Mapping, Sequence

import pandas as pd

from revitalize.core.errors import InputError
from revitalize.data.uploads.checks import JAPAN_LAT, JAPAN_LON, check_coordinates, check_dates, problem
from revitalize.data.uploads.columns import (
    FIELDS,
    STANDARD_COLUMNS,
    STANDARD_DATE_COLUMNS,
    ColumnMapping,
    map_columns,
    normalise_header,
)
from revitalize.data.uploads.encoding import Encoding, decode_text
from revitalize.data.uploads.gis import JAPANESE_CRS, read_gis
from revitalize.data.uploads.limits import (
    DEFAULT_LIMITS,
    Limits,
    MiB,
    check_size,
    check_zip,
    read_file,
    read_zip_member,
)
from revitalize.data.uploads.tables import Upload, csv_problem, finish, parse_csv, parse_xlsx

__all__ = ["DEFAULT_LIMITS", "FIELDS", "FORMATS", "JAPANESE_CRS", "JAPAN_LAT", "JAPAN_LON", "MiB", "STANDARD_COLUMNS",
           "STANDARD_DATE_COLUMNS", "ColumnMapping", "Encoding", "Limits", "Upload", "check_coordinates",
           "check_dates", "check_size", "check_zip", "csv_problem", "decode_text", "inspect_upload", "map_columns",
           "normalise_header", "read_file", "read_upload", "read_zip_member", "sniff_format"]

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "kml", "kmz", "shp")


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
            raw = parse_csv(text, file_name, limits)
            return finish(raw, file=file_name, fmt=fmt, encoding=enc, limits=limits, aliases=aliases,
                           mapping=mapping, date_columns=date_columns)
        if fmt == "xlsx":
            raw = parse_xlsx(data, file_name, limits, sheet)
            return finish(raw, file=file_name, fmt=fmt, encoding=None, limits=limits, aliases=aliases,
                           mapping=mapping, date_columns=date_columns)
        if fmt in ("geojson", "gpkg", "kml", "kmz", "shp"):
            return read_gis(data, file_name, fmt, limits, aliases, mapping, date_columns)
        raise InputError([problem(file_name, "pb.up.format", repr(fmt), formats=", ".join(FORMATS))], dataset=file_name)
    except InputError as exc:  # a refusal that stops reading (a limit, an unreadable container)
        return _replace(empty, problems=tuple(exc.problems))


def read_upload(data: bytes, file_name: str, **options) -> Upload:
    """:func:`inspect_upload`, raising InputError with every problem when there is any."""
    return inspect_upload(data, file_name, **options).raise_for_problems()


def _replace(upload: Upload, **changes) -> Upload:
    values = {f: getattr(upload, f) for f in upload.__dataclass_fields__}
    values.update(changes)
    return Upload(**values)
