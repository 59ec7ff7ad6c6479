"""Map formats of a shortlist: GeoJSON (RFC 7946, lon/lat), GeoPackage and KML (Google My Maps /
Google Earth), with a point per row (the municipality's representative point, or the item's own
coordinates) or, on request, the municipal polygons; a row covering several municipalities gets a
multi-geometry.
"""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from revitalize.core import codes
from revitalize.core.errors import Problem
from revitalize.data import layers
from revitalize.outputs.shortlists import (
    CORE_COLUMNS,
    Shortlist,
    criteria_table,
    data_frame,
    footer_lines,
    headers,
    plain,
)

KML_MY_MAPS_LIMIT = 5_000_000  # bytes: Google My Maps refuses larger KML imports
_URLS = re.compile(r"[;\s]+")


def municipality_places(con: duckdb.DuckDBPyConnection, *, polygons: bool = False) -> gpd.GeoDataFrame:
    """Each municipality's representative point (a point inside it) or polygon, indexed by muni_code."""
    g = layers.geodataframe(con, "municipalities", geometry="geom" if polygons else "inner_point")
    return g[["muni_code", "name_ja", "name_en", "pref_code", "geometry"]].set_index("muni_code")


def row_geometries(sl: Shortlist, places: gpd.GeoDataFrame) -> list:
    """A shapely geometry per row (None when unknown): the row's own ``lon``/``lat`` when given, else its
    municipalities' geometries from ``places`` — one as it is, several as a MultiPoint or a dissolved
    (Multi)Polygon."""
    geo = places.geometry
    lookup = {c: g for c, g in zip(geo.index, geo.array, strict=False) if g is not None and not g.is_empty}
    lon = sl.table["lon"].tolist() if "lon" in sl.table.columns else [None] * len(sl.table)
    lat = sl.table["lat"].tolist() if "lat" in sl.table.columns else [None] * len(sl.table)
    out = []
    for mine, x, y in zip(sl.table["muni_codes"].tolist(), lon, lat, strict=False):
        if plain(x) is not None and plain(y) is not None:
            out.append(shapely.Point(float(x), float(y)))
            continue
        parts = [lookup[c] for c in codes.split_codes(mine) if c in lookup]
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
    """Attribute table for GIS: the shortlist's column keys as field names, plain values.

    The keys are the stable canonical names (``rank``, ``status``, ``c_anime`` …; see ``field_labels``
    for their headers). GeoJSON, GeoPackage and KML all take Unicode field names, so a key is never
    rewritten; two columns never become one field (a repeated key gets ``_2``, ``_3`` …).
    """
    frame = data_frame(sl)
    names: list[str] = []
    for c in frame.columns:
        name, n = str(c), 1
        while name in names:
            n += 1
            name = f"{c}_{n}"
        names.append(name)
    frame.columns = names
    return frame


def field_labels(sl: Shortlist) -> dict[str, str]:
    """GIS field name → its header in the shortlist's language (the label table written into every GIS
    file: GeoJSON ``labels``, the GeoPackage layer ``fields``, KML ``displayName``)."""
    keys = _attributes(sl).columns
    return dict(zip(keys, headers(data_frame(sl).columns, sl.lang).values(), strict=False))


def _description(sl: Shortlist) -> str:
    return "\n".join(footer_lines(sl))


def to_geojson(sl: Shortlist, places: gpd.GeoDataFrame) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: WGS 84 lon/lat, counter-clockwise exteriors, no ``crs``).

    Properties are the shortlist's columns under canonical names; the collection carries ``title``,
    ``created``, ``weights``, ``credits`` and ``description`` (foreign members, ignored by readers that
    do not know them).
    """
    geoms = row_geometries(sl, places)
    attrs = _attributes(sl)
    features = []
    for rec, g in zip(attrs.to_dict("records"), geoms, strict=False):
        geometry = None
        if g is not None:
            if g.geom_type in ("Polygon", "MultiPolygon"):
                g = shapely.orient_polygons(g, exterior_cw=False)
            geometry = json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-6) if g.geom_type
                                                     in ("Point", "MultiPoint") else g))
        features.append({"type": "Feature", "properties": {k: plain(v) for k, v in rec.items()},
                         "geometry": geometry})
    doc = {"type": "FeatureCollection", "name": sl.title, "title": sl.title, "created": sl.created.isoformat(),
           "source_kind": sl.kind, "weights": dict(sl.weights) if sl.weights is not None else None,
           "credits": list(sl.credits), "description": _description(sl), "labels": field_labels(sl),
           "coverage": [c.as_dict() for c in sl.coverage], "features": features}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")


def to_gpkg(sl: Shortlist, places: gpd.GeoDataFrame) -> bytes:
    """A GeoPackage (EPSG:4326) with the layer ``shortlist`` (its description holds the title, date,
    weights and credit lines) and the attribute tables ``credits``, ``criteria`` and ``fields`` (each
    field of ``shortlist`` with its header in the shortlist's language)."""
    geoms = row_geometries(sl, places)
    attrs = _attributes(sl)
    for c in attrs.columns:
        if attrs[c].dtype == object:
            attrs[c] = attrs[c].map(plain)
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
        labels = field_labels(sl)
        pyogrio.write_dataframe(pd.DataFrame({"field": list(labels), "label": list(labels.values())}), path,
                                layer="fields", driver="GPKG")
        return path.read_bytes()


def _kml_coords(g) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y in g.coords)


def _kml_geometry(parent, g) -> None:
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
    geoms = row_geometries(sl, places)
    attrs = _attributes(sl)
    labels = field_labels(sl)
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
        ET.SubElement(ET.SubElement(schema, "SimpleField", name=c, type=kind), "displayName").text = labels[c]
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = sl.title
    for rec, g in zip(attrs.to_dict("records"), geoms, strict=False):
        pm = ET.SubElement(folder, "Placemark")
        ET.SubElement(pm, "name").text = str(plain(rec.get("name")) or "")
        lines = []
        for c, v in rec.items():  # the balloon shows the main columns; ExtendedData holds them all
            if c not in CORE_COLUMNS and c not in _BALLOON_EXTRA:
                continue
            v = plain(v)
            if v is None or v == "":
                continue
            if isinstance(v, str) and re.match(r"^https?://", v):
                links = " ".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in _URLS.split(v) if u)
                lines.append(f"<b>{html.escape(labels[c])}</b>: {links}")
            else:
                text = f"{v:.3f}" if isinstance(v, float) else str(v)
                lines.append(f"<b>{html.escape(labels[c])}</b>: {html.escape(text)}")
        ET.SubElement(pm, "description").text = "<br/>".join(lines)
        ext = ET.SubElement(ET.SubElement(pm, "ExtendedData"), "SchemaData", schemaUrl="#shortlist")
        for c, v in rec.items():
            v = plain(v)
            if v is not None and c != "name":
                ET.SubElement(ext, "SimpleData", name=c).text = (f"{round(v, 6)!r}" if isinstance(v, float) else
                                                                 str(v).lower() if isinstance(v, bool) else str(v))
        _kml_geometry(pm, g)
    ET.indent(kml)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(kml, encoding="utf-8")
