"""Map specs: what the app's map view (``revitalize/app/frontend/mapview``) draws. Never imports Streamlit.

The map view keeps one Leaflet map mounted across reruns. What does not change between reruns is
published once as a static, browser-cached file under ``static/geo/`` (content-hashed names, derived from
the database, git-ignored, rewritten when the data changes): the municipal outlines (``outlines``) and
large point layers (``publish``). Each rerun sends a small spec (``spec``): the choropleth classes per
municipality, which rows of each point layer are shown, the extent. Offline by design: Leaflet and its
clustering plugin are served by the app (``static/vendor``, from the npm registry), never from a CDN;
base-map tiles are optional. Text from data reaches the page only through ``textContent`` or escaping.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from revitalize.core import codes, i18n, settings
from revitalize.core.domain import BASE_TYPES, STATUSES
from revitalize.data.credits import credit

# Colours of the point layers, shared by the maps and the evidence sheets.
COLORS = {"anime_sites": "#d6336c", "filming_locations": "#1c7ed6", "film_commissions": "#f08c00",
          "heritage": "#2b8a3e"}
CANDIDATE_COLORS = {"designated": "#1a7f37", "pipeline": "#d9822b"}
PORTFOLIO_COLORS = {"fixed": "#7048e8", "new": "#e8590c"}

STATIC_DIR = settings.PROJECT_ROOT / "static"
STATIC_URL = "/app/static/"  # Streamlit's static file serving (server.enableStaticServing)

ASSETS = {
    "leaflet_js": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "markercluster_js": "vendor/markercluster/leaflet.markercluster.js",
    "markercluster_css": "vendor/markercluster/MarkerCluster.css",
    "markercluster_default_css": "vendor/markercluster/MarkerCluster.Default.css",
}

# key -> (url template, attribution HTML, max zoom)
TILES: dict[str, tuple[str, str, int] | None] = {
    "none": None,
    "gsi_pale": ("https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
                 '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">地理院タイル</a>', 18),
    "gsi_std": ("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
                '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">地理院タイル</a>', 18),
    "gsi_photo": ("https://cyberjapandata.gsi.go.jp/xyz/seamlessphoto/{z}/{x}/{y}.jpg",
                  '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">地理院タイル</a>'
                  '（全国最新写真（シームレス））', 18),
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors',
            19),
}

JAPAN_CENTER = (36.5, 137.5)
GEO_DIR = "geo"  # static/geo/: files derived from the database (git-ignored)


def assets_available(static_dir: Path = STATIC_DIR) -> bool:
    """True when the Leaflet assets are installed where the app serves them."""
    return all((static_dir / rel).exists() for rel in ASSETS.values())


def safe_json(value: object) -> str:
    """JSON that is safe inside a <script> element (no '<', '>' or '&' characters)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@dataclass(frozen=True)
class Classes:
    """A classed colour scale: ``breaks`` are upper bounds of each class (ascending)."""

    breaks: tuple[float, ...]
    colors: tuple[str, ...]
    labels: tuple[str, ...]
    missing_color: str = "#d9d9d9"


SEQUENTIAL = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
DIVERGING = ("#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf", "#2166ac")


def quantile_classes(values: pd.Series, *, colors: tuple[str, ...] = SEQUENTIAL, fmt: str = "{:,.0f}"
                     ) -> Classes:
    """Quantile classes over the non-missing values (fewer when values repeat)."""
    v = pd.to_numeric(values, errors="coerce").astype("float64").dropna()
    if v.empty:
        return Classes((), (), ())
    qs = np.unique(np.quantile(v, np.linspace(0, 1, len(colors) + 1)[1:]))
    cols = colors[-len(qs):] if len(qs) < len(colors) else colors
    lows = [v.min()] + list(qs[:-1])
    labels = tuple(f"{fmt.format(lo)} – {fmt.format(hi)}" for lo, hi in zip(lows, qs, strict=False))
    return Classes(tuple(float(q) for q in qs), tuple(cols), labels)


def fixed_classes(breaks: tuple[float, ...], colors: tuple[str, ...], labels: tuple[str, ...]) -> Classes:
    """Classes with given upper bounds (the last should be +inf)."""
    if not (len(breaks) == len(colors) == len(labels)):
        raise ValueError("breaks, colors and labels must have the same length")
    return Classes(breaks, colors, labels)


def classify(values: pd.Series, classes: Classes) -> list[int]:
    """Class index per value (-1 for missing)."""
    out = []
    for v in pd.to_numeric(values, errors="coerce").astype("float64"):
        if math.isnan(v) or not classes.breaks:
            out.append(-1)
            continue
        idx = next((i for i, b in enumerate(classes.breaks) if v <= b), len(classes.breaks) - 1)
        out.append(idx)
    return out


@dataclass(frozen=True)
class Choropleth:
    """One overlay of the shared polygon layer: a column, its classes, legend title and credit."""

    key: str
    title: str
    column: str
    classes: Classes
    credit: str
    show: bool = False
    value_format: str = "{:,.0f}"
    detail_column: str | None = None  # text shown under the value in the popup (e.g. the GI products)




def choropleth_payload(c: Choropleth, frame: pd.DataFrame, order: Sequence[str]) -> dict:
    """One choropleth for the map view: classes (one character per municipality in ``order``, ``-`` for
    missing), the value as text for popups, legend colours and labels, credit."""
    f = frame.drop_duplicates("muni_code").set_index("muni_code").reindex(list(order))
    vals = pd.to_numeric(f[c.column], errors="coerce").astype("float64")
    cls = "".join("-" if i < 0 else str(i) for i in classify(vals, c.classes))
    out = {"key": c.key, "title": c.title, "colors": list(c.classes.colors), "labels": list(c.classes.labels),
           "missing": c.classes.missing_color, "credit": c.credit, "cls": cls,
           "text": [None if math.isnan(v) else c.value_format.format(v) for v in vals]}
    if c.detail_column:
        out["detail"] = [v if isinstance(v, str) and v else None for v in f[c.detail_column]]
    return out


# ------------------------------------------------------------------------------------ static, cached files


def publish(kind: str, payload: Mapping, *, static_dir: Path = STATIC_DIR, static_url: str = STATIC_URL
            ) -> str | None:
    """Write ``payload`` as ``static/geo/<kind>-<sha256 prefix>.json`` (once; the name changes with the content,
    so browsers may cache it) and return its URL, or None when the folder cannot be written (callers then
    send the payload inline)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    name = f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    folder = static_dir / GEO_DIR
    try:
        if not (folder / name).exists():
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, folder / name)  # atomic: a reader never sees half a file
    except OSError:
        return None
    return f"{static_url}{GEO_DIR}/{name}"


def _round_coords(geom: dict, ndigits: int) -> dict:
    def r(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], ndigits), round(c[1], ndigits)]
        return [r(x) for x in c]
    return {"type": geom["type"], "coordinates": r(geom["coordinates"])}


@dataclass(frozen=True, eq=False)
class Outlines:
    """The municipal outlines as the map view gets them: a static file (``url``) or, when it could not be
    written, the FeatureCollection itself (``data``); ``codes`` is the features' order (choropleth classes
    follow it); ``bounds`` (west, south, east, north, degrees) per code frames a scope."""

    url: str | None
    codes: tuple[str, ...]
    bounds: pd.DataFrame
    credit: str = ""
    data: dict | None = field(default=None, repr=False)

    def extent(self, muni_codes: Sequence[str] | None = None) -> list[list[float]] | None:
        """[[south, west], [north, east]] of the given municipalities (all when None)."""
        b = self.bounds if muni_codes is None else self.bounds.reindex(list(muni_codes)).dropna()
        if b.empty:
            return None
        return [[float(b["s"].min()), float(b["w"].min())], [float(b["n"].max()), float(b["e"].max())]]


def outline_collection(munis: gpd.GeoDataFrame, *, precision: int = 3) -> dict:
    """A GeoJSON FeatureCollection of the municipalities (sorted by code) with ``c`` (code) and the label
    in Japanese (``ja``) and English (``en``): "prefecture municipality"."""
    g = munis[munis.geometry.notna() & ~munis.geometry.is_empty].sort_values("muni_code")
    feats = []
    for r in g.to_dict("records"):
        ja = " ".join(v for v in (r.get("pref_name_ja"), r.get("name_ja")) if isinstance(v, str))
        en = " ".join(v for v in (r.get("pref_name_en"), r.get("name_en")) if isinstance(v, str)) or ja
        feats.append({"type": "Feature", "geometry": _round_coords(r["geometry"].__geo_interface__, precision),
                      "properties": {"c": r["muni_code"], "ja": ja, "en": en}})
    return {"type": "FeatureCollection", "features": feats}


def _outlines_of(munis: gpd.GeoDataFrame, fc: dict, url: str | None, lang: str) -> Outlines:
    order = tuple(f["properties"]["c"] for f in fc["features"])
    g = munis.drop_duplicates("muni_code").set_index("muni_code").reindex(list(order))
    b = shapely.bounds(np.asarray(g.geometry.values)) if len(g) else np.empty((0, 4))
    bounds = pd.DataFrame(b, columns=["w", "s", "e", "n"], index=list(order))
    return Outlines(url=url, codes=order, bounds=bounds, credit=credit("boundaries", lang), data=None if url else fc)


def outlines(munis: gpd.GeoDataFrame, *, static_dir: Path = STATIC_DIR, static_url: str = STATIC_URL,
             lang: str = "ja") -> Outlines:
    """Publish the municipal outlines once (see ``publish``) and describe them for ``spec``."""
    fc = outline_collection(munis)
    return _outlines_of(munis, fc, publish("municipalities", fc, static_dir=static_dir, static_url=static_url), lang)


def inline_outlines(munis: gpd.GeoDataFrame, *, lang: str = "ja") -> tuple[Outlines, dict]:
    """The municipal outlines carried in the spec itself (nothing published; e.g. for a file) and their
    FeatureCollection (``outline_collection``)."""
    fc = outline_collection(munis)
    return _outlines_of(munis, fc, None, lang), fc


def point_payload(df: pd.DataFrame, *, name: str, color: str, credit: str, title_col: str | None,
                  fields: Mapping[str, str] | None = None, url_col: str | None = None, precision: int = 5) -> dict:
    """A point layer as columnar arrays (lat, lon, title, one array per popup field, source URL)."""
    fields = fields or {}

    def col(c: str) -> list:
        return [None if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else
                (v if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)) for v in df[c]]

    return {"name": name, "color": color, "credit": credit,
            "lat": df["lat"].astype(float).round(precision).tolist(),
            "lon": df["lon"].astype(float).round(precision).tolist(),
            "title": col(title_col) if title_col else None, "fields": list(fields),
            "values": {label: col(c) for label, c in fields.items()}, "url": col(url_col) if url_col else None}


def _digest(value: object) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:12]


def inline_points(key: str, payload: dict, *, cluster: bool = False, show: bool = True) -> dict:
    """A small point layer sent with the spec itself (candidates, a portfolio)."""
    return {"key": key, "data": payload, "cluster": cluster, "show": show, "sig": _digest(payload)}


def static_points(key: str, src: str, idx: Sequence[int] | None, *, cluster: bool = True, show: bool = True,
                  layer: str | None = None) -> dict:
    """Rows ``idx`` (all when None) of layer ``layer`` (default ``key``) of a published point file ``src``."""
    rows = None if idx is None else [int(i) for i in idx]
    sig = src + ":" + ("all" if rows is None else hashlib.sha1(np.asarray(rows, dtype=np.int64).tobytes()
                                                                ).hexdigest()[:12])
    return {"key": key, "src": src, "layer": layer or key, "idx": rows, "cluster": cluster, "show": show, "sig": sig}


def tiles_spec(tiles: str) -> dict | None:
    """The tile layer of a ``TILES`` key for the map view (None: no tiles, nothing leaves the machine)."""
    if tiles not in TILES:
        raise ValueError(f"tiles: expected one of {list(TILES)}, found {tiles!r}")
    t = TILES[tiles]
    return None if t is None else {"url": t[0], "attribution": t[1], "maxZoom": t[2]}


def spec(ol: Outlines, *, lang: str = "ja", tiles: str = "none", choropleths: Sequence[dict] = (),
         active: str | None = None, points: Sequence[dict] = (), scope: Sequence[str] | None = None,
         highlight: Sequence[str] | None = None, fit: list | None = None, extent_key: str = "",
         link: str | None = None, collapsed: bool = False) -> dict:
    """Everything the map view needs for one rerun (JSON-serialisable).

    ``active`` is the choropleth shown first (the user may switch in the map's layer control); ``scope``
    dims municipalities outside it; ``highlight`` outlines the subject; ``fit`` ([[s, w], [n, e]]) is applied
    only when ``extent_key`` differs from the previous rerun's, so other changes keep the user's view.
    """
    if lang not in i18n.LANGS:
        raise ValueError(f"lang: expected one of {list(i18n.LANGS)}, found {lang!r}")
    return {
        "lang": lang, "label": i18n.t("map.label", lang), "tiles": tiles_spec(tiles),
        "outlines": {"url": ol.url, "data": ol.data, "credit": ol.credit or credit("boundaries", lang)},
        "choropleths": list(choropleths), "active": active, "points": list(points),
        "scope": list(scope) if scope is not None else None,
        "highlight": list(highlight) if highlight is not None else None,
        "fit": fit if fit is not None else ol.extent(), "extentKey": extent_key, "link": link,
        "collapsed": collapsed,
        "text": {"missing": i18n.t("map.no_data", lang), "link": i18n.t("nav.profile", lang),
                 "source": i18n.t("map.source", lang), "outlines": i18n.t("layer.municipalities", lang)},
    }


def spec_json(s: Mapping) -> str:
    """The spec as the JSON text the map view parses (safe inside HTML)."""
    return safe_json(s)


# ------------------------------------------------------------------------------ shared layers and maps


def candidate_points(placed: pd.DataFrame, *, lang: str = "ja", show: bool = True) -> list[dict]:
    """Designated bases and the pipeline (``progress.places`` output) as two inline point layers."""
    L = 0 if lang == "ja" else 1
    tab = placed.assign(
        _title=placed["name_en"].where(placed["name_en"].notna() & (lang == "en"), placed["name_ja"]),
        _status=placed["status"].map(lambda s: STATUSES[s][L]),
        _type=placed["base_type"].map(lambda s: BASE_TYPES[s][L]))
    fields = {i18n.t("cd.status", lang): "_status", i18n.t("cd.base_type", lang): "_type",
              i18n.t("cd.col_id", lang): "candidate_id"}
    out = []
    for group, name_key in (("designated", "layer.bases_designated"), ("pipeline", "layer.bases_pipeline")):
        part = tab[tab["group"] == group]
        if len(part):
            out.append(inline_points(group, point_payload(
                part, name=i18n.t(name_key, lang), color=CANDIDATE_COLORS[group], credit=i18n.t("pg.map_credit", lang),
                title_col="_title", fields=fields), show=show))
    return out


def progress_spec(placed: pd.DataFrame, ol: Outlines, *, lang: str = "ja", tiles: str = "none") -> dict:
    """Designated bases and the pipeline in two colours over the municipal outlines."""
    return spec(ol, lang=lang, tiles=tiles, points=candidate_points(placed, lang=lang), extent_key="japan")


def portfolio_spec(chosen: pd.DataFrame, ol: Outlines, *, lang: str = "ja", tiles: str = "none") -> dict:
    """The chosen set of a portfolio (``Result.table`` rows that are selected): fixed bases and new picks
    in two colours over the municipal outlines."""
    tab = chosen.copy()
    name_col = "name_en" if lang == "en" and "name_en" in tab else "name"
    tab["_title"] = tab[name_col].where(tab[name_col].notna(), tab["name"])
    tab["_score"] = tab["score"].round(1)
    tab["_pref"] = [codes.pref_name(c, lang) for c in tab["pref_code"]]
    tab["_type"] = tab["base_type"].map(lambda v: i18n.t(f"pf.type.{v}", lang) if isinstance(v, str) else "")
    fields = {i18n.t("layer.score", lang): "_score", i18n.t("col.prefecture", lang): "_pref",
              i18n.t("pf.base_type", lang): "_type"}
    pts = []
    for key, mask in (("fixed", tab["fixed"]), ("new", ~tab["fixed"])):
        part = tab[mask]
        if len(part):
            pts.append(inline_points(key, point_payload(
                part, name=i18n.t(f"pf.layer.{key}", lang), color=PORTFOLIO_COLORS[key],
                credit=i18n.t("pf.map_credit", lang), title_col="_title", fields=fields)))
    return spec(ol, lang=lang, tiles=tiles, points=pts, extent_key="japan")
