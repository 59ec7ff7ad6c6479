"""GIS uploads (GeoJSON, GeoPackage, KML, KMZ, zipped Shapefiles) read by pyogrio from memory, reprojected to
EPSG:4326, then checked like a table."""

from __future__ import annotations

import io
import warnings
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from revitalize.core import i18n
from revitalize.core.errors import InputError, Problem
from revitalize.data.uploads.checks import problem
from revitalize.data.uploads.encoding import Encoding
from revitalize.data.uploads.limits import Limits, check_zip, read_zip_member
from revitalize.data.uploads.tables import Upload, _cell_text, _Raw, finish

# EPSG codes of the coordinate systems Japanese GIS files come in (others are reprojected too, with a note).
JAPANESE_CRS: dict[int, str] = {4326: "WGS 84", 4612: "JGD2000", 6668: "JGD2011", 4301: "Tokyo Datum"}
JAPANESE_CRS.update({code: f"JGD2000 plane rectangular zone {code - 2442}" for code in range(2443, 2462)})
JAPANESE_CRS.update({code: f"JGD2011 plane rectangular zone {code - 6668}" for code in range(6669, 6688)})


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
                raise InputError([problem(file, f"pb.up.gis_features.{what}", found_key="pb.up.no_layers_found",
                                          kind=kind)], dataset=file)
            # layers by position: a layer read from memory may be named after its (random) in-memory file
            chosen = list(range(len(layers))) if kind in ("KML", "KMZ") else [0]
            counts = {i: pyogrio.read_info(data, layer=i, encoding=encoding)["features"] for i in chosen}
            known = sum(n for n in counts.values() if n is not None and n > 0)
            if known > limits.max_rows:
                raise InputError([problem(file, "pb.up.max_features", found_key="pb.up.features_found",
                                          limit=limits.max_rows, n=known)], dataset=file)
            frames = []
            for i in chosen:
                if counts[i] == 0:
                    continue
                # a driver that cannot count in advance (-1) is read one feature past the limit, no further
                g = pyogrio.read_dataframe(data, layer=i, encoding=encoding, max_features=limits.max_rows + 1)
                if len(chosen) > 1:
                    g["layer"] = layers[i]
                frames.append(g)
        except InputError:
            raise
        except Exception as exc:  # GDAL's words for an unreadable file
            raise InputError([Problem(file, found=f"{type(exc).__name__}: {exc}", found_key="pb.up.gis_found",
                                      **i18n.expect("pb.up.gis", kind=kind))], dataset=file) from exc
    total = sum(len(g) for g in frames)
    if total > limits.max_rows:
        raise InputError([problem(file, "pb.up.max_features", found_key="pb.up.features_over_found",
                                  limit=limits.max_rows)], dataset=file)
    if total == 0:
        raise InputError([problem(file, f"pb.up.gis_features.{what}", found_key="pb.up.none_in_layers_found",
                                  kind=kind, layers=", ".join(layers))], dataset=file)
    crs = frames[0].crs
    gdf = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    notes = [problem(file, "pb.up.one_layer", found_key="pb.up.one_layer_found", n=len(layers),
                     first=repr(layers[0]))] \
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
    infos = check_zip(data, file=file, limits=limits)
    zf = zipfile.ZipFile(io.BytesIO(data))
    budget = limits.max_decompressed_bytes
    kmls = [i for i in infos if i.filename.lower().endswith(".kml")]
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    if kmls and not shps:
        doc = next((i for i in kmls if i.filename.lower().endswith("doc.kml")), kmls[0])
        return "KMZ", read_zip_member(zf, doc, file=file, budget=budget), None, []
    if not shps:
        raise InputError([problem(file, "pb.up.shp_zip", found_key="pb.up.members_list_found",
                                  members=[i.filename for i in infos][:20])], dataset=file)
    notes: list[Problem] = []
    if len(shps) > 1:
        notes.append(problem(file, "pb.up.one_shp", found_key="pb.up.one_shp_found", n=len(shps),
                             first=repr(shps[0].filename)))
    stem = shps[0].filename[:-4]
    parts = {i.filename[len(stem):].lower(): i for i in infos if i.filename[:-4].lower() == stem.lower()
             or i.filename.lower().startswith(stem.lower() + ".")}
    problems = []
    for ext in (".dbf", ".prj", ".shx"):
        if ext not in parts:
            problems.append(problem(file, f"pb.up.shp_part{ext}", found_key="pb.up.shp_part_found",
                                    column=f"{stem}{ext}", stem=stem, ext=ext,
                                    members=[i.filename for i in infos][:20]))
    if problems:
        raise InputError(problems, dataset=file)
    flat = io.BytesIO()
    encoding = None
    with zipfile.ZipFile(flat, "w", zipfile.ZIP_STORED) as out:
        for ext, info in parts.items():
            if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                member = read_zip_member(zf, info, file=file, budget=budget)
                budget -= len(member)
                if ext == ".dbf" and ".cpg" not in parts:
                    encoding = _dbf_encoding(member)
                    if encoding:
                        notes.append(problem(file, "pb.up.cpg", found_key="pb.up.cpg_found", encoding=encoding))
                out.writestr("layer" + ext, member)
    return "Shapefile", flat.getvalue(), encoding, notes


def read_gis(data: bytes, file: str, fmt: str, limits: Limits, aliases, mapping, date_columns) -> Upload:
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
            notes.append(problem(file, "pb.up.crs_stated", found_key="pb.up.crs_geojson_found"))
        else:
            raise InputError([problem(file, "pb.up.crs", found_key="pb.up.none_found")], dataset=file)
    source = _crs_text(CRS.from_user_input(gdf.crs))
    epsg = CRS.from_user_input(gdf.crs).to_epsg(min_confidence=70)
    if epsg not in JAPANESE_CRS:
        notes.append(problem(file, "pb.up.crs_japan", found_key="pb.up.crs_other_found", source=source))
    gdf = gdf.to_crs(4326)
    gdf.index = pd.RangeIndex(1, len(gdf) + 1)
    attrs = gdf.drop(columns=gdf.geometry.name)
    body = pd.DataFrame({i: attrs[c].map(_cell_text) for i, c in enumerate(attrs.columns)}, index=gdf.index)
    raw = _Raw([str(c) for c in attrs.columns], body, len(gdf), problems, notes)
    return finish(raw, file=file, fmt=fmt, encoding=Encoding.because(encoding, "upl.enc.dbf")
                   if encoding else None, limits=limits, aliases=aliases, mapping=mapping,
                   date_columns=date_columns, geometry=gdf.geometry, source_crs=source)


