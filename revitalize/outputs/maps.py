"""Folium maps built from GeoDataFrames. Never imports Streamlit.

Offline by design: Leaflet and its clustering plugin are served by the app (``static/vendor``,
installed from the npm registry at set-up), never from a CDN; base-map tiles are optional.
Large layers are sent as compact columnar JSON and drawn by a small script, not as one folium
object per feature, so 50,000 points stay small and fast. Text from data reaches the page only
through ``textContent`` or ``html.escape``; JSON embedded in scripts has ``<``, ``>`` and ``&``
escaped so it cannot close its script tag.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

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


def assets_available(static_dir: Path = STATIC_DIR) -> bool:
    """True when the Leaflet assets are installed where the app serves them."""
    return all((static_dir / rel).exists() for rel in ASSETS.values())


def safe_json(value: object) -> str:
    """JSON that is safe inside a <script> element (no '<', '>' or '&' characters)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _url(key: str, static_url: str) -> str:
    return static_url + ASSETS[key]


def base_map(*, tiles: str = "none", center: tuple[float, float] = JAPAN_CENTER, zoom: int = 5,
             static_url: str = STATIC_URL, lang: str = "ja") -> folium.Map:
    """An empty map of Japan with local assets and an optional tile layer (``TILES`` key)."""
    if tiles not in TILES:
        raise ValueError(f"tiles: expected one of {list(TILES)}, found {tiles!r}")
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                   prefer_canvas=True)
    m.options.update({"minZoom": 4, "maxZoom": 18})  # folium passes zoom limits only to tile layers
    # replace folium's CDN links (Leaflet, jQuery, Bootstrap, icon fonts) with the app's own copies
    m.default_js = [("leaflet", _url("leaflet_js", static_url))]
    m.default_css = [("leaflet_css", _url("leaflet_css", static_url))]
    spec = TILES[tiles]
    if spec is not None:
        url, attribution, max_zoom = spec
        folium.TileLayer(url, attr=attribution, name=tiles, max_zoom=max_zoom, overlay=False, control=False).add_to(m)
    else:
        # no tiles: a plain sea-coloured background so the land polygons read as a map
        m.get_root().header.add_child(Element(
            f"<style>#{m.get_name()}{{background:#dfe9f3;}}</style>"))
    return m


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
    labels = tuple(f"{fmt.format(lo)} – {fmt.format(hi)}" for lo, hi in zip(lows, qs))
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


def _round_coords(geom: dict, ndigits: int) -> dict:
    def r(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], ndigits), round(c[1], ndigits)]
        return [r(x) for x in c]
    return {"type": geom["type"], "coordinates": r(geom["coordinates"])}


_POLYGONS = Template("""
{% macro script(this, kwargs) %}
(function() {
  var data = {{ this.payload }};
  var map = {{ this._parent.get_name() }};
  var legendBox = L.control({position: 'bottomright'});
  legendBox.onAdd = function() { this._div = L.DomUtil.create('div', 'rv-legend'); return this._div; };
  legendBox.addTo(map);
  var shown = {};
  function esc(s) { var d = document.createElement('div'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }
  function renderLegend() {
    var div = legendBox._div; div.innerHTML = '';
    data.overlays.forEach(function(o) {
      if (!shown[o.key]) return;
      var box = document.createElement('div'); box.className = 'rv-legend-item';
      var h = document.createElement('b'); h.textContent = o.title; box.appendChild(h);
      o.labels.forEach(function(lab, i) {
        var row = document.createElement('div');
        var sw = document.createElement('span'); sw.className = 'rv-swatch'; sw.style.background = o.colors[i];
        row.appendChild(sw); row.appendChild(document.createTextNode(lab)); box.appendChild(row);
      });
      var na = document.createElement('div');
      var sw2 = document.createElement('span'); sw2.className = 'rv-swatch'; sw2.style.background = o.missing;
      na.appendChild(sw2); na.appendChild(document.createTextNode(data.missingLabel)); box.appendChild(na);
      var cr = document.createElement('div'); cr.className = 'rv-credit'; cr.textContent = o.credit; box.appendChild(cr);
      div.appendChild(box);
    });
  }
  function popupFor(i, o) {
    var p = data.props;
    var s = '<div class="rv-popup"><b>' + esc(p.name[i]) + '</b> <small>' + esc(p.code[i]) + '</small>';
    if (o) { var v = p[o.column][i]; s += '<br>' + esc(o.title) + ': ' + (v == null ? esc(data.missingLabel) : esc(v));
             if (o.detail && p[o.detail][i]) { s += '<div class="rv-detail">' + esc(p[o.detail][i]) + '</div>'; } }
    if (data.link) { s += '<br><a href="' + data.link.replace('{code}', encodeURIComponent(p.code[i])) + '" target="_blank" rel="noopener">' + esc(data.linkLabel) + '</a>'; }
    s += '<div class="rv-credit">' + esc(data.credit) + '</div></div>';
    return s;
  }
  function makeLayer(o) {
    var feats = data.geoms.map(function(g, i) { return {type: 'Feature', geometry: g, properties: {i: i}}; });
    return L.geoJSON({type: 'FeatureCollection', features: feats}, {
      style: function(f) {
        var i = f.properties.i;
        if (!o) return {color: '#555', weight: 0.5, fillColor: '#f4f1ea', fillOpacity: 0.9};
        var c = o.cls[i];
        return {color: '#666', weight: 0.4, fillColor: c < 0 ? o.missing : o.colors[c], fillOpacity: 0.8};
      },
      onEachFeature: function(f, layer) {
        layer.bindPopup(function() { return popupFor(f.properties.i, o); });
        layer.bindTooltip(function() { return esc(data.props.name[f.properties.i]); }, {sticky: true});
      }
    });
  }
  var base = makeLayer(null);
  base.addTo(map);
  window.rvLayers = window.rvLayers || {};
  window.rvLayers[data.baseName] = base;
  {{ this.get_name() }}_layers = {};
  var control = L.control.layers(null, null, {collapsed: !!data.collapsed, position: 'topright'});
  control.addOverlay(base, esc(data.baseName));
  data.overlays.forEach(function(o) {
    var lyr = makeLayer(o);
    lyr._rvKey = o.key;
    control.addOverlay(lyr, esc(o.title));
    window.rvLayers[o.title] = lyr;
    if (o.show) { lyr.addTo(map); shown[o.key] = true; }
  });
  window.rvLayerControl = control;
  control.addTo(map);
  map.on('overlayadd', function(e) { if (e.layer._rvKey) { shown[e.layer._rvKey] = true; renderLegend(); } });
  map.on('overlayremove', function(e) { if (e.layer._rvKey) { delete shown[e.layer._rvKey]; renderLegend(); } });
  renderLegend();
})();
{% endmacro %}
""")

_STYLE = """<style>
.leaflet-control-layers{font:12px sans-serif}.rv-legend{background:rgba(255,255,255,.92);padding:6px 8px;font:12px sans-serif;max-width:240px;border-radius:4px}
.rv-legend-item{margin-bottom:6px}.rv-swatch{display:inline-block;width:14px;height:10px;margin-right:5px;
border:1px solid #999}.rv-credit{color:#555;font-size:10px;margin-top:3px}.rv-popup{font:12px sans-serif;
max-width:280px}.rv-detail{max-height:120px;overflow:auto;color:#333;margin-top:2px}.rv-popup .rv-credit{border-top:1px solid #ddd;padding-top:2px}
.rv-dot{border-radius:50%;border:1px solid #fff;box-shadow:0 0 2px #333}
</style>"""


class MunicipalityLayers(MacroElement):
    """Municipal polygons sent once, drawn as a base outline layer plus one overlay per choropleth.

    Every overlay appears in a layer control; the legend shows the overlays that are on.
    """

    def __init__(self, gdf: gpd.GeoDataFrame, choropleths: list[Choropleth], *, base_name: str, credit: str,
                 link: str | None = None, link_label: str = "", missing_label: str = "no data",
                 precision: int = 3, collapsed: bool = False) -> None:
        super().__init__()
        self._name = "MunicipalityLayers"
        self._template = _POLYGONS
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        geoms = [_round_coords(g.__geo_interface__, precision) for g in gdf.geometry]
        props: dict[str, list] = {"code": list(gdf["muni_code"]), "name": list(gdf["label"])}
        overlays = []
        for c in choropleths:
            vals = pd.to_numeric(gdf[c.column], errors="coerce").astype("float64")
            props[c.column] = [None if pd.isna(v) else c.value_format.format(v) for v in vals]
            if c.detail_column:
                props[c.detail_column] = [v if isinstance(v, str) and v else None for v in gdf[c.detail_column]]
            overlays.append({"key": c.key, "title": c.title, "column": c.column, "detail": c.detail_column,
                             "colors": list(c.classes.colors),
                             "labels": list(c.classes.labels), "missing": c.classes.missing_color,
                             "cls": classify(vals, c.classes), "credit": c.credit, "show": c.show})
        self.payload = safe_json({"geoms": geoms, "props": props, "overlays": overlays, "baseName": base_name,
                                  "credit": credit, "link": link, "linkLabel": link_label,
                                  "missingLabel": missing_label, "collapsed": collapsed})

    def render(self, **kwargs):
        self.get_root().header.add_child(Element(_STYLE), name="rv_style")
        super().render(**kwargs)


_POINTS = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function() {
  var d = {{ this.payload }};
  function esc(s) { var x = document.createElement('div'); x.textContent = s == null ? '' : String(s); return x.innerHTML; }
  function safeUrl(u) { return /^https?:\\/\\//.test(u || '') ? u : null; }
  var group = d.cluster ? L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
      maxClusterRadius: 45, iconCreateFunction: function(c) {
        var n = c.getChildCount();
        return L.divIcon({html: '<div style="background:' + d.color + '">' + n + '</div>',
                          className: 'rv-cluster', iconSize: L.point(30, 30)});
      }}) : L.featureGroup();
  var markers = [];
  for (var i = 0; i < d.lat.length; i++) {
    var mk = L.marker([d.lat[i], d.lon[i]], {icon: L.divIcon({className: 'rv-dot', iconSize: [12, 12],
        html: '<div style="width:12px;height:12px;border-radius:50%;background:' + d.color + '"></div>'}),
        title: d.title ? d.title[i] : ''});
    (function(i) {
      mk.bindPopup(function() {
        var s = '<div class="rv-popup"><div style="color:' + d.color + '">' + esc(d.layer) + '</div>';
        if (d.title) s += '<b>' + esc(d.title[i]) + '</b>';
        d.fields.forEach(function(f) { var v = d.values[f][i]; if (v != null && v !== '') s += '<br>' + esc(f) + ': ' + esc(v); });
        var u = d.url ? safeUrl(d.url[i]) : null;
        if (u) s += '<br><a href="' + esc(u) + '" target="_blank" rel="noopener">' + esc(d.sourceLabel) + '</a>';
        s += '<div class="rv-credit">' + esc(d.credit) + '</div></div>';
        return s;
      });
    })(i);
    markers.push(mk);
  }
  if (d.cluster) { group.addLayers(markers); } else { markers.forEach(function(m) { group.addLayer(m); }); }
  window.rvLayers = window.rvLayers || {};
  window.rvLayers[d.layer] = group;
  if (window.rvLayerControl) { window.rvLayerControl.addOverlay(group, esc(d.layer)); }
  return group;
})();
{% endmacro %}
""")

_CLUSTER_STYLE = """<style>.rv-cluster div{width:30px;height:30px;border-radius:50%;color:#fff;font:bold 11px/30px
sans-serif;text-align:center;opacity:.85;box-shadow:0 0 3px #333}.rv-dot{background:transparent;border:none}</style>"""


class PointLayer(JSCSSMixin, folium.map.Layer):
    """A point layer from columnar arrays, clustered with Leaflet.markercluster (served locally).

    Popups are built in the browser with escaped text; the source link is shown only for http(s) URLs.
    """

    def __init__(self, gdf: pd.DataFrame, *, name: str, color: str, credit: str, title_col: str | None,
                 fields: dict[str, str] | None = None, url_col: str | None = None, source_label: str = "source",
                 cluster: bool = True, show: bool = True, static_url: str = STATIC_URL, precision: int = 5) -> None:
        super().__init__(name=name, overlay=True, control=False, show=show)
        self._name = "PointLayer"
        self._template = _POINTS
        fields = fields or {}
        lat = gdf["lat"].astype(float).round(precision).tolist()
        lon = gdf["lon"].astype(float).round(precision).tolist()

        def col(c: str) -> list:
            return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else
                    (v if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)) for v in gdf[c]]

        self.payload = safe_json({
            "lat": lat, "lon": lon, "title": col(title_col) if title_col else None,
            "fields": list(fields), "values": {label: col(c) for label, c in fields.items()},
            "url": col(url_col) if url_col else None, "color": color, "layer": name, "credit": credit,
            "sourceLabel": source_label, "cluster": cluster,
        })
        self.default_js = [("markercluster_js", _url("markercluster_js", static_url))] if cluster else []
        self.default_css = ([("markercluster_css", _url("markercluster_css", static_url)),
                             ("markercluster_default_css", _url("markercluster_default_css", static_url))]
                            if cluster else [])

    def render(self, **kwargs):
        root = self.get_root()
        root.header.add_child(Element(_CLUSTER_STYLE), name="rv_cluster_style")
        root.header.add_child(Element(_STYLE), name="rv_style")
        super().render(**kwargs)


def to_html(m: folium.Map) -> str:
    """The standalone HTML of a map (what a browser receives)."""
    return m.get_root().render()


# ------------------------------------------------------------------------------ shared layers and maps


def add_outlines(m: folium.Map, munis: gpd.GeoDataFrame, *, lang: str = "ja") -> None:
    """Municipal outlines (no choropleth) with their names and the boundaries' credit, under other layers."""
    g = munis[["muni_code", "geometry"]].copy()
    names = munis["name_ja"]
    if lang == "en" and "name_en" in munis:
        names = munis["name_en"].fillna(munis["name_ja"])
    g["label"] = names.fillna("")
    MunicipalityLayers(g, [], base_name=i18n.t("layer.municipalities", lang), credit=credit("boundaries", lang),
                       collapsed=True).add_to(m)


def add_candidate_layers(m: folium.Map, placed: pd.DataFrame, *, lang: str = "ja", show: bool = True) -> None:
    """Designated bases and the pipeline (``progress.places`` output) as two point layers."""
    L = 0 if lang == "ja" else 1
    tab = placed.assign(
        _title=placed["name_en"].where(placed["name_en"].notna() & (lang == "en"), placed["name_ja"]),
        _status=placed["status"].map(lambda s: STATUSES[s][L]),
        _type=placed["base_type"].map(lambda s: BASE_TYPES[s][L]))
    fields = {i18n.t("cd.status", lang): "_status", i18n.t("cd.base_type", lang): "_type",
              i18n.t("cd.col_id", lang): "candidate_id"}
    for group, name_key in (("designated", "layer.bases_designated"), ("pipeline", "layer.bases_pipeline")):
        part = tab[tab["group"] == group]
        if len(part):
            PointLayer(part, name=i18n.t(name_key, lang), color=CANDIDATE_COLORS[group],
                       credit=i18n.t("pg.map_credit", lang), title_col="_title", fields=fields,
                       cluster=False, show=show).add_to(m)


def progress_map(placed: pd.DataFrame, *, lang: str = "ja", tiles: str = "none", outlines=None) -> folium.Map:
    """Designated bases and the pipeline in two colours, optional municipal outlines."""
    m = base_map(tiles=tiles, lang=lang)
    if outlines is not None and len(outlines):
        add_outlines(m, outlines, lang=lang)
    add_candidate_layers(m, placed, lang=lang)
    return m


def portfolio_map(chosen: pd.DataFrame, *, lang: str = "ja", tiles: str = "none", outlines=None,
                  static_url: str | None = None) -> folium.Map:
    """The chosen set of a portfolio (``Result.table`` rows that are selected): fixed bases and new picks
    in two colours. ``outlines`` (GeoDataFrame with ``muni_code``, ``name_ja``, geometry) draws municipalities."""
    kw = {} if static_url is None else {"static_url": static_url}
    m = base_map(tiles=tiles, lang=lang, **kw)
    if outlines is not None and len(outlines):
        add_outlines(m, outlines, lang=lang)
    tab = chosen.copy()
    name_col = "name_en" if lang == "en" and "name_en" in tab else "name"
    tab["_title"] = tab[name_col].where(tab[name_col].notna(), tab["name"])
    tab["_score"] = tab["score"].round(1)
    tab["_pref"] = [codes.pref_name(c, lang) for c in tab["pref_code"]]
    tab["_type"] = tab["base_type"].map(lambda v: i18n.t(f"pf.type.{v}", lang) if isinstance(v, str) else "")
    fields = {i18n.t("layer.score", lang): "_score", i18n.t("col.prefecture", lang): "_pref",
              i18n.t("pf.base_type", lang): "_type"}
    for key, mask in (("fixed", tab["fixed"]), ("new", ~tab["fixed"])):
        part = tab[mask]
        if len(part):
            PointLayer(part, name=i18n.t(f"pf.layer.{key}", lang), color=PORTFOLIO_COLORS[key],
                       credit=i18n.t("pf.map_credit", lang), title_col="_title", fields=fields,
                       cluster=False, **kw).add_to(m)
    return m
