"""The interactive map as one self-contained HTML file, built with folium (issue 24).

``document`` turns a map spec (``maps.spec``: what the app's map view draws) into one ``.html`` file: a
folium ``Map`` whose layers are the spec's municipal outlines (coloured by the chosen choropleth, with its
legend; the layer control switches between choropleths) and point layers (clustered as in the app), under a
header with the title, the date, the filters and weights, and the credit line of every layer. The file works
offline: folium's default CDN links (Leaflet, jQuery, bootstrap, awesome-markers …) are dropped and the
Leaflet and marker-cluster files the app installs from the npm registry (``static/vendor``) are inlined, their
images as data URIs; base-map tiles only when asked for (``tiles``). Text from data reaches the page only
escaped (layer names, credits) or through ``textContent`` (popups, legend), as in the app.

``shortlist_document`` maps any :class:`~revitalize.outputs.shortlists.Shortlist` (the ``map-html`` export
format of every ``--from`` source); ``explorer_document``, ``spec_document`` reproduce a page's current map.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure
from folium.map import Layer
from folium.template import Template

from revitalize.core import codes, i18n
from revitalize.core.errors import ExportError
from revitalize.outputs import explorer, maps
from revitalize.outputs.shortlists import Shortlist, describe_filters, headers, plain, weights_line

TEMPLATES = Path(__file__).resolve().parent / "templates"
# every reference a browser would follow to load code or style (another file or host), and CSS imports/urls
_EXTERNAL = re.compile(r"""<script[^>]*\bsrc\s*=|<link[^>]*\bhref\s*=|@import|(?<![\w$.])url\(\s*["']?(?!data:|#)""",
                       re.IGNORECASE)
SHORTLIST_COLOR = "#c2255c"
CLUSTER_FROM = 200  # a shortlist with more located rows than this is clustered


def external_references(text: str) -> list[str]:
    """Script, stylesheet and CSS references to other files or hosts in an HTML text (none in ours): any
    ``<script src>``, any ``<link href>``, ``@import``, and CSS ``url()`` other than a data URI or ``#``."""
    return [m.group(0) for m in _EXTERNAL.finditer(text)]


# ------------------------------------------------------------------------------------------ inlined assets


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _asset(static_dir: Path, key: str) -> str:
    path = static_dir / maps.ASSETS[key]
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: expected the Leaflet files (make static/vendor/.stamp), found {exc}").keyed(
            "map.assets_missing") from exc


def _script(text: str, name: str) -> str:
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # would end the inline element early
        raise ExportError(f"{name}: expected JavaScript without '</script' or '<!--', found one")
    return f"<script>{text}</script>"


def _assets(static_dir: Path) -> str:
    """Leaflet, the marker-cluster plugin, their CSS (images as data URIs) and the export's own script/style."""
    images = static_dir / "vendor" / "leaflet" / "images"
    leaflet_css = re.sub(r"url\(images/([\w.-]+\.png)\)", lambda m: f"url({_data_uri(images / m.group(1))})",
                         _asset(static_dir, "leaflet_css"))
    icons = {"iconUrl": "marker-icon.png", "iconRetinaUrl": "marker-icon-2x.png", "shadowUrl": "marker-shadow.png"}
    default_icon = ("L.Icon.Default.imagePath = '';L.Icon.Default.mergeOptions({"
                    + ",".join(f"{k}:'{_data_uri(images / v)}'" for k, v in icons.items()) + "});")
    css = "\n".join((leaflet_css, _asset(static_dir, "markercluster_css"),
                     _asset(static_dir, "markercluster_default_css"),
                     (TEMPLATES / "map_html.css").read_text(encoding="utf-8")))
    return "\n".join((f"<style>{css}</style>", _script(_asset(static_dir, "leaflet_js"), "leaflet.js"),
                      _script(_asset(static_dir, "markercluster_js"), "leaflet.markercluster.js"),
                      _script(default_icon, "icons"),
                      _script((TEMPLATES / "map_html.js").read_text(encoding="utf-8"), "map_html.js")))


# ---------------------------------------------------------------------------------------- folium elements


class _Points(Layer):
    """A point layer of ``maps.point_payload`` columns (drawn by ``rv.points``), clustered or not."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = rv.points({{ this.data_json }}, null, {{ this.opts|tojson }});
        {% endmacro %}""")

    def __init__(self, data: dict, *, cluster: bool, show: bool, source_text: str):
        super().__init__(name=html.escape(str(data["name"])), overlay=True, control=True, show=show)
        self._name = "RvPoints"
        self.data_json = maps.safe_json(data)  # Japanese kept as it is (tojson would \u-escape it)
        self.opts = {"cluster": cluster, "text": {"source": source_text}}


class _Choice(Layer):
    """One choice of the layer control's radio buttons: the outlines plain or coloured by a choropleth."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup();
            {{ this.get_name() }}._rvChoro = {{ this.key|tojson }};
        {% endmacro %}""")

    def __init__(self, title: str, key: str | None, *, show: bool):
        super().__init__(name=html.escape(title), overlay=False, control=True, show=show)
        self._name = "RvChoice"
        self.key = key


class _Outlines(folium.MacroElement):
    """The municipal outlines with the choropleths and the legend (drawn by ``rv.outlines``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = rv.outlines({{ this._parent.get_name() }}, {{ this.fc_json }},
                                                    {{ this.spec_json }});
        {% endmacro %}""")

    def __init__(self, fc: dict, spec: dict):
        super().__init__()
        self._name = "RvOutlines"
        self.fc_json = maps.safe_json(fc)
        self.spec_json = maps.safe_json(spec)


def _subset(layer: dict, idx: Sequence[int] | None) -> dict:
    if idx is None:
        return layer
    pick = lambda xs: None if xs is None else [xs[i] for i in idx]  # noqa: E731
    return {**layer, "lat": pick(layer["lat"]), "lon": pick(layer["lon"]), "title": pick(layer["title"]),
            "url": pick(layer["url"]), "values": {k: pick(v) for k, v in layer["values"].items()}}


def _header(title: str, lang: str, created: dt.date, lines: Sequence[str], credits: Sequence[str]) -> str:
    t = lambda key, **kw: html.escape(i18n.t(key, lang, **kw))  # noqa: E731
    parts = [f'<header class="rv-header"><h1>{html.escape(title)}</h1>',
             f'<p class="rv-date">{t("ex.created")} {created.isoformat()} · {t("mh.offline")}</p>']
    parts += [f"<p>{html.escape(line)}</p>" for line in lines if line]
    if credits:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in dict.fromkeys(credits) if c)
        parts.append(f'<details open><summary>{t("mh.credits")}</summary><ul class="rv-credits">{items}</ul></details>')
    return "".join(parts) + "</header>"


def document(spec: Mapping, *, outlines: dict, point_layers: Mapping[str, dict] | None = None, title: str,
             lines: Sequence[str] = (), credits: Sequence[str] = (), created: dt.date | None = None,
             static_dir: Path = maps.STATIC_DIR) -> bytes:
    """One self-contained HTML file (UTF-8 bytes) of a map spec (``maps.spec``).

    ``outlines`` is the FeatureCollection the spec's choropleths are ordered by (``maps.outline_collection``
    of the same municipalities); ``point_layers`` are the layers that points with a ``src`` refer to
    (``explorer.point_layers``); ``lines`` (filters, weights) go under the title; ``credits`` are listed in
    the header, beside the credit of every layer drawn (also in the map's attribution).
    """
    lang = spec["lang"]
    text = spec["text"]
    created = created or dt.date.today()
    fig = Figure(title=html.escape(title))
    m = folium.Map(location=list(maps.JAPAN_CENTER), zoom_start=5, tiles=None, prefer_canvas=True, zoom_snap=0.25,
                   zoom_delta=0.5,
                   **{"minZoom": 3, "maxZoom": 18})  # folium's min_zoom/max_zoom go to its own tiles only
    m.default_js, m.default_css = [], []  # folium's CDN links: replaced by the inlined files below
    fig.add_child(m)
    fig.header.add_child(Element(_assets(static_dir)), name="rv_assets")

    layer_credits = [spec["outlines"]["credit"]]
    if spec.get("tiles"):
        tl = spec["tiles"]
        folium.TileLayer(tiles=tl["url"], attr=tl["attribution"], max_zoom=tl["maxZoom"], overlay=True, control=True,
                         show=True, name=html.escape(i18n.t("map.basemap", lang))).add_to(m)
    choros = spec.get("choropleths") or []
    active = spec.get("active") if any(c["key"] == spec.get("active") for c in choros) else None
    _Outlines(outlines, {"lang": lang, "label": spec.get("label") or "map", "active": active, "choropleths": choros,
                         "scope": spec.get("scope"), "highlight": spec.get("highlight"), "text": text,
                         "outlines": {"credit": spec["outlines"]["credit"]}}).add_to(m)
    if choros:
        _Choice(text["outlines"], None, show=active is None).add_to(m)
        for c in choros:
            _Choice(c["title"], c["key"], show=c["key"] == active).add_to(m)
            layer_credits.append(c["credit"])
    for p in spec.get("points") or []:
        if p.get("src") is not None:
            if point_layers is None or p.get("layer", p["key"]) not in point_layers:
                raise ExportError(f"point layer {p['key']!r}: expected its rows in point_layers, found none")
            data = _subset(point_layers[p.get("layer", p["key"])], p.get("idx"))
        else:
            data = p["data"]
        if not data["lat"]:
            continue
        _Points(data, cluster=bool(p.get("cluster")), show=bool(p.get("show", True)),
                source_text=text["source"]).add_to(m)
        layer_credits.append(data.get("credit") or "")
    folium.LayerControl(collapsed=bool(spec.get("collapsed")), position="topright").add_to(m)
    fit = spec.get("fit")
    if fit:
        m.fit_bounds(fit, padding=(8, 8))
    fig.html.add_child(Element(_header(title, lang, created, lines, [*layer_credits, *credits])), name="rv_header",
                       index=0)
    out = fig.render().replace("<html>", f'<html lang="{lang}">', 1)
    out = out.replace("<head>", '<head>\n<meta charset="utf-8">', 1)  # first, before the (Japanese) title
    found = external_references(out)
    if found:  # pragma: no cover - folium changed what it emits
        raise ExportError(f"map HTML: expected no external script or stylesheet, found {found[:3]}")
    return out.encode("utf-8")


# ------------------------------------------------------------------------------------ what is exported


def explorer_document(data: explorer.ExplorerData, filters: explorer.Filters, *, lang: str = "ja",
                      tiles: str = "none", title: str | None = None, weights: Mapping[str, float] | None = None,
                      candidates: pd.DataFrame | None = None, extra_points: Sequence[dict] = (),
                      outline_data: explorer.ExplorerData | None = None, created: dt.date | None = None,
                      static_dir: Path = maps.STATIC_DIR) -> bytes:
    """The explorer's map under ``filters`` (as ``explorer.build_map`` draws it in the app) as one HTML file.

    ``data`` is the unfiltered explorer data (with ``scores`` for the score choropleth); ``outline_data``
    the data whose outlines are drawn (default ``data``; the profile passes its finer outline)."""
    view = explorer.apply_filters(data, filters)
    ol, fc = maps.inline_outlines((outline_data or data).munis, lang=lang)
    sources = explorer.inline_point_sources(data, lang)
    spec = explorer.build_map(view, filters, outlines=ol, sources=sources, lang=lang, tiles=tiles,
                              candidates=candidates, extra_points=extra_points)
    lines = filter_lines(data, filters, lang)
    if weights is not None:
        lines.append(weights_line(weights, lang))
    return document(spec, outlines=fc, title=title or i18n.t("mh.title_explorer", lang), lines=lines,
                    created=created, static_dir=static_dir)


def filter_lines(data: explorer.ExplorerData, filters: explorer.Filters, lang: str = "ja") -> list[str]:
    """The explorer's filters in words for the header, and the chosen municipality by name."""
    lines = [i18n.t("ex.note_filters", lang, filters=describe_filters(filters, lang))]
    if filters.muni_code:
        hit = data.munis[data.munis["muni_code"].eq(filters.muni_code)]
        if len(hit):
            r = hit.iloc[0]
            name = f"{i18n.localized(r, 'pref_name', lang)} {i18n.localized(r, 'name', lang)} ({filters.muni_code})"
            lines.append(i18n.t("mh.subject", lang, name=name))
    return lines


def spec_document(spec: Mapping, munis: gpd.GeoDataFrame, *, title: str, lines: Sequence[str] = (),
                  point_layers: Mapping[str, dict] | None = None, created: dt.date | None = None,
                  static_dir: Path = maps.STATIC_DIR) -> bytes:
    """The map a page shows (its spec as sent to the map view: ``explorer.build_map``, ``maps.progress_spec``,
    ``maps.portfolio_spec``) as one HTML file: ``munis`` are the municipalities its outlines were made of
    (``maps.outlines``), ``point_layers`` the published point layers it refers to (``explorer.point_layers``)."""
    return document(spec, outlines=maps.outline_collection(munis), point_layers=point_layers, title=title,
                    lines=lines, created=created, static_dir=static_dir)


def _row_points(sl: Shortlist, places: gpd.GeoDataFrame) -> pd.DataFrame:
    """lat/lon per row: its own coordinates, else its first municipality's representative point."""
    pts = places.geometry
    pts = pts if (pts.geom_type == "Point").all() else pts.representative_point()
    lookup = {c: (g.y, g.x) for c, g in zip(pts.index, pts.array, strict=False) if g is not None and not g.is_empty}
    lat, lon = [], []
    own_lon = sl.table["lon"].tolist() if "lon" in sl.table.columns else [None] * len(sl)
    own_lat = sl.table["lat"].tolist() if "lat" in sl.table.columns else [None] * len(sl)
    for mine, x, y in zip(sl.table["muni_codes"].tolist(), own_lon, own_lat, strict=False):
        if plain(x) is not None and plain(y) is not None:
            lat.append(float(y))
            lon.append(float(x))
            continue
        hit = next((lookup[c] for c in codes.split_codes(mine) if c in lookup), (math.nan, math.nan))
        lat.append(hit[0])
        lon.append(hit[1])
    return pd.DataFrame({"lat": lat, "lon": lon}, index=sl.table.index)


_SHORTLIST_FIELDS = ("rank", "score", "layer", "work", "municipality", "pref_name", "kind", "base_type", "status",
                     "reason", "muni_codes")


def shortlist_document(sl: Shortlist, places: gpd.GeoDataFrame, *, tiles: str = "none") -> bytes:
    """Any shortlist as an interactive map: its rows as points (their own coordinates, else a point inside their
    first municipality) with the row's fields in the popup, its municipalities outlined, and — for a ranking of
    municipalities — the score as a choropleth. ``places``: ``geo.municipality_places(con, polygons=True)``
    (outlines are drawn only from polygons)."""
    lang = sl.lang
    table = sl.table.copy()
    table["muni_codes"] = table["muni_codes"].map(lambda v: codes.join_codes(codes.split_codes(v)))
    xy = _row_points(sl, places)
    table["lat"], table["lon"] = xy["lat"], xy["lon"]
    located = table[table["lat"].notna() & table["lon"].notna()]
    shown = [c for c in _SHORTLIST_FIELDS if c in located.columns]
    labels = headers(shown, lang)  # the headers of the table exports; the portfolio's kind as on its page
    labels.update({c: i18n.t(f"pf.col.{c}", lang) for c in shown if labels[c] == c and f"pf.col.{c}" in i18n.STRINGS})
    for c in shown:
        located[f"_{c}"] = [plain(v) if not isinstance(plain(v), float) else round(plain(v), 3)
                            for v in located[c]]
    url = None
    if "source_urls" in located.columns:
        located["_url"] = located["source_urls"].map(lambda v: str(v).split(";")[0].strip() if plain(v) else None)
        url = "_url"
    # the rows' sources are many (the header lists them all): no credit line in each popup
    payload = maps.point_payload(located, name=sl.title, color=SHORTLIST_COLOR, credit="",
                                 title_col="name", fields={labels[c]: f"_{c}" for c in shown}, url_col=url)
    is_polygons = len(places) and not (places.geometry.geom_type == "Point").all()
    munis = places.reset_index()
    if not is_polygons:
        munis = munis.iloc[0:0]
    munis = munis.assign(pref_name_ja=[codes.pref_name(c, "ja") for c in munis["pref_code"]],
                         pref_name_en=[codes.pref_name(c, "en") for c in munis["pref_code"]])
    ol, fc = maps.inline_outlines(gpd.GeoDataFrame(munis, geometry="geometry", crs=places.crs), lang=lang)
    mine = sorted({c for v in table["muni_codes"] for c in codes.split_codes(v)})
    chs = []
    if sl.kind == "score" and "score" in table.columns:
        frame = table[["muni_codes", "score"]].rename(columns={"muni_codes": "muni_code"})
        ch = maps.Choropleth("score", i18n.t("layer.score", lang), "score",
                             maps.quantile_classes(frame["score"], fmt="{:.2f}"), "revitalize scoring",
                             value_format="{:.3f}")
        chs.append(maps.choropleth_payload(ch, frame, ol.codes))
    pts = [maps.inline_points("shortlist", payload, cluster=len(located) > CLUSTER_FROM)]
    fit = ol.extent(mine) if mine and not chs else None
    spec = maps.spec(ol, lang=lang, tiles=tiles, choropleths=chs, active=chs[0]["key"] if chs else None,
                     points=pts, highlight=mine if not chs else None, fit=fit)
    lines = list(sl.notes)
    if sl.weights is not None:
        lines.append(weights_line(sl.weights, lang))
    return document(spec, outlines=fc, title=sl.title, lines=lines, credits=sl.credits, created=sl.created)
