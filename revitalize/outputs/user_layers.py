"""User layers in the outputs: on a folium map, in a municipality's profile and a candidate's evidence, as an export.

The maps code elsewhere stays untouched: :func:`add_layers` is the one function that puts user layers on a
folium map (one toggle per layer, popups built in the browser from escaped text, the layer's credit line).
Names holding HTML or spreadsheet formulas are data: the map shows them as text (``maps.PointLayer`` escapes),
the exports neutralise formulas (``tables``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import folium
import pandas as pd
import shapely

from revitalize.core import i18n
from revitalize.outputs import maps, shortlists
from revitalize.workflow import user_layers

# Colours of user layers, in turn (distinct from the curated layers' colours)
COLORS = ("#8c510a", "#01665e", "#762a83", "#b35806", "#1b7837", "#2166ac")


@dataclass(frozen=True, eq=False)
class MapLayer:
    """One visible user layer, ready for a map: name, title, credit line and its located features."""

    name: str
    title: str
    credit: str
    features: pd.DataFrame
    """Columns name, category, muni_code, lat, lon and geometry (shapely, EPSG:4326; None for table rows)."""


def credit_line(layer: pd.Series | dict, lang: str = "ja") -> str:
    """The layer's credit line; its source (and licence) when no credit was given."""
    credit = (layer.get("credit") or "").strip()
    if credit:
        return credit
    parts = [str(layer.get("source") or "")] + ([str(layer["licence"])] if layer.get("licence") else [])
    return i18n.t("ul.credit_fallback", lang, source=" / ".join(p for p in parts if p))


def map_layers(work: duckdb.DuckDBPyConnection, *, lang: str = "ja") -> list[MapLayer]:
    """Every visible user layer with its located features (for :func:`add_layers`)."""
    out = []
    for _, layer in user_layers.layers(work, include_hidden=False).iterrows():
        feats = user_layers.features(work, layer["name"])
        out.append(MapLayer(layer["name"], layer["title"], credit_line(layer, lang),
                            feats[["name", "category", "muni_code", "lat", "lon", "geometry"]]))
    return out


def add_layers(m: folium.Map, layers: Sequence[MapLayer], *, lang: str = "ja", show: bool = True,
               static_url: str = maps.STATIC_URL) -> None:
    """Add user layers to ``m``: one toggle each; lines and areas as plain outlines (no text in them), every
    feature's point with a popup of escaped text (name, category, municipality) and the layer's credit."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    for i, layer in enumerate(layers):
        color = COLORS[i % len(COLORS)]
        feats = layer.features
        shapes = [g for g in feats["geometry"] if g is not None and g.geom_type not in ("Point", "MultiPoint")]
        if shapes:
            outline = folium.FeatureGroup(name=f"{layer.title} ({t('ul.outlines')})", show=show)
            folium.GeoJson(shapely.geometry.mapping(shapely.GeometryCollection(shapes)),
                           style_function=lambda _f, c=color: {"color": c, "weight": 2, "fillOpacity": 0.15},
                           attr=layer.credit).add_to(outline)
            outline.add_to(m)
        pts = feats[feats["lat"].notna() & feats["lon"].notna()]
        if len(pts):
            maps.PointLayer(pts, name=layer.title, color=color, credit=layer.credit, title_col="name",
                            fields={t("upl.field.category"): "category", t("upl.field.muni_code"): "muni_code"},
                            show=show, static_url=static_url).add_to(m)


# ------------------------------------------------------------------------------ profile and evidence

def in_municipalities(work: duckdb.DuckDBPyConnection, muni_codes: Sequence[str], *, lang: str = "ja"
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, features) of the visible user layers in ``muni_codes``: counts per layer (title, rows, credit)
    and the features (layer title, name, category, municipality, lat, lon, credit)."""
    feats = user_layers.features_in(work, list(muni_codes))
    feats = feats.assign(credit=[credit_line(r, lang) for r in feats[["credit", "licence"]].assign(
        source=feats["layer_name"]).to_dict("records")])
    counts = (feats.groupby(["layer_name", "title", "credit"], sort=False).size().rename("rows").reset_index()
              if len(feats) else pd.DataFrame(columns=["layer_name", "title", "credit", "rows"]))
    return counts, feats[["layer_name", "title", "name", "category", "muni_code", "lat", "lon", "credit"]]


def evidence_assets(work: duckdb.DuckDBPyConnection, muni_codes: Sequence[str], *, item_id: str,
                    lang: str = "ja") -> pd.DataFrame:
    """A candidate's user-layer features as evidence-sheet assets (item_id, layer, name, source_url, credit)."""
    _, feats = in_municipalities(work, muni_codes, lang=lang)
    return pd.DataFrame({"item_id": item_id, "layer": feats["title"] + " — " + feats["credit"],
                         "name": feats["name"], "source_url": None, "lon": feats["lon"], "lat": feats["lat"]})


# ------------------------------------------------------------------------------ export

def shortlist(work: duckdb.DuckDBPyConnection, name: str, *, lang: str = "ja") -> shortlists.Shortlist:
    """Layer ``name`` as a shortlist for every export format, with its credit line (formulas are neutralised
    by the writers)."""
    layer = user_layers.layers(work).set_index("name").loc[name]
    feats = user_layers.features(work, name)
    table = pd.DataFrame({"item_id": feats["row_no"].map(lambda r: f"{name}:{r}"), "name": feats["name"],
                          "muni_codes": feats["muni_code"].map(lambda c: (c,) if isinstance(c, str) and len(c) == 5
                                                               else ()),
                          "category": feats["category"], "lat": feats["lat"], "lon": feats["lon"]})
    row = layer.to_dict() | {"name": name}
    return shortlists.shortlist_from_table(table, kind="user_layer", title=layer["title"], lang=lang,
                                           credits=[credit_line(row, lang)], source_keys=[],
                                           notes=[i18n.t("ul.export_note", lang, source=layer["source"],
                                                         owner=layer["owner"],
                                                         date=str(layer["imported_on"])[:10])])
