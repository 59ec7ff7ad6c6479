"""The export formats, as a registry: for each, its file extension, MIME type and writer.

Table and map formats write a :class:`~revitalize.outputs.shortlists.Shortlist` (``export``); the
document formats (html, pdf) write evidence sheets for the shortlist's rows (``evidence.render``).
File names are made safe for every system here too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd

from revitalize.core.errors import ExportError, Problem
from revitalize.outputs import geo, map_html, tables
from revitalize.outputs.shortlists import Shortlist


@dataclass(frozen=True)
class Format:
    """One export format: its key, extension, MIME type, whether it needs places (map formats) and its
    writer ``(shortlist, places) -> (bytes, warnings)``; documents (evidence sheets) have no writer here."""

    key: str
    extension: str
    mime: str
    writer: Callable[[Shortlist, gpd.GeoDataFrame | None], tuple[bytes, list[Problem]]] | None = None
    needs_places: bool = False
    polygons: bool = False  # places must be the municipal polygons (the interactive map draws the outlines)

    @property
    def document(self) -> bool:
        return self.writer is None


def _map(write: Callable[[Shortlist, gpd.GeoDataFrame], bytes], fmt: str):
    def writer(sl: Shortlist, places: gpd.GeoDataFrame | None) -> tuple[bytes, list[Problem]]:
        if places is None:
            raise ExportError(f"format {fmt}: expected the municipalities' places (municipality_places), found None")
        data, gaps = write(sl, places), geo.geometry_gaps(sl, places)
        if fmt == "kml" and len(data) > geo.KML_MY_MAPS_LIMIT:
            gaps.append(Problem(sl.title, f"at most {geo.KML_MY_MAPS_LIMIT / 1e6:.0f} MB for a Google My Maps import "
                                "(fewer rows: --top, or points instead of polygons)", f"{len(data) / 1e6:.1f} MB"))
        return data, gaps
    return writer


REGISTRY: dict[str, Format] = {f.key: f for f in (
    Format("csv", "csv", "text/csv", lambda sl, _: tables.to_csv(sl)),
    Format("csv-cp932", "csv", "text/csv", lambda sl, _: tables.to_csv(sl, encoding="cp932")),
    Format("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           lambda sl, _: (tables.to_xlsx(sl), [])),
    Format("geojson", "geojson", "application/geo+json", _map(geo.to_geojson, "geojson"), needs_places=True),
    Format("gpkg", "gpkg", "application/geopackage+sqlite3", _map(geo.to_gpkg, "gpkg"), needs_places=True),
    Format("kml", "kml", "application/vnd.google-earth.kml+xml", _map(geo.to_kml, "kml"), needs_places=True),
    Format("map-html", "html", "text/html", _map(map_html.shortlist_document, "map-html"), needs_places=True,
           polygons=True),
    Format("html", "html", "text/html"),
    Format("pdf", "pdf", "application/pdf"),
)}
FORMATS: dict[str, str] = {k: f.extension for k, f in REGISTRY.items()}  # format -> file extension
MIME: dict[str, str] = {k: f.mime for k, f in REGISTRY.items()}
TABLE_FORMATS = tuple(k for k, f in REGISTRY.items() if not f.document)
DOCUMENT_FORMATS = tuple(k for k, f in REGISTRY.items() if f.document)


def get(fmt: str) -> Format:
    """The format registered as ``fmt``; ExportError naming the known ones otherwise."""
    if fmt not in REGISTRY:
        raise ExportError(f"format: expected one of {list(REGISTRY)}, found {fmt!r}")
    return REGISTRY[fmt]


def export(sl: Shortlist, fmt: str, *, places: gpd.GeoDataFrame | None = None) -> tuple[bytes, list[Problem]]:
    """Bytes of ``sl`` in a table or map format (csv, csv-cp932, xlsx, geojson, gpkg, kml, map-html) and warnings.

    The map formats need ``places`` (``geo.municipality_places``; map-html the polygons). Evidence sheets (html,
    pdf) are made by ``evidence.render``.
    """
    f = get(fmt)
    if f.document:
        raise ExportError(f"format {fmt}: evidence sheets are made by evidence.render, not from a table export")
    return f.writer(sl, places)


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
    return safe_filename(f"revitalize_{shortlist.kind}_{shortlist.title}_{shortlist.created.isoformat()}"
                         f".{get(fmt).extension}")
