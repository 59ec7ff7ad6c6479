"""User layers in the outputs: on the map, in a municipality's profile and a candidate's evidence, as an export.

:func:`map_points` is the one function that turns user layers into point layers of a map spec (one toggle
per layer, popups built in the browser from escaped text, the layer's credit line; a line or area is drawn
at its representative point). Names holding HTML or spreadsheet formulas are data: the map view shows them
as text, the exports neutralise formulas (``tables``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from revitalize.analysis import scoring
from revitalize.core import i18n
from revitalize.data import uploads
from revitalize.outputs import formats, geo, maps, shortlists
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
    credit = _text(layer.get("credit"))
    if credit:
        return credit
    parts = [_text(layer.get("source")), _text(layer.get("licence"))]
    return i18n.t("ul.credit_fallback", lang, source=" / ".join(p for p in parts if p))


def _text(value: object) -> str:
    """A stored text cell as text: '' for None and for the NaN pandas puts in an all-missing column."""
    return value.strip() if isinstance(value, str) else ""


def map_layers(work: duckdb.DuckDBPyConnection, *, lang: str = "ja") -> list[MapLayer]:
    """Every visible user layer with its located features (for :func:`add_layers`)."""
    out = []
    for _, layer in user_layers.layers(work, include_hidden=False).iterrows():
        feats = user_layers.features(work, layer["name"])
        out.append(MapLayer(layer["name"], layer["title"], credit_line(layer, lang),
                            feats[["name", "category", "muni_code", "lat", "lon", "geometry"]]))
    return out


def map_points(layers: Sequence[MapLayer], *, lang: str = "ja", show: bool = True) -> list[dict]:
    """User layers as point layers of a map spec (``maps.inline_points``): one toggle each, every located
    feature with a popup of escaped text (name, category, municipality) and the layer's credit line."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    out = []
    for i, layer in enumerate(layers):
        pts = layer.features[layer.features["lat"].notna() & layer.features["lon"].notna()]
        if not len(pts):
            continue
        payload = maps.point_payload(pts, name=layer.title, color=COLORS[i % len(COLORS)], credit=layer.credit,
                                     title_col="name", fields={t("upl.field.category"): "category",
                                                               t("upl.field.muni_code"): "muni_code"})
        out.append(maps.inline_points(f"user:{layer.name}", payload, cluster=len(pts) > 200, show=show))
    return out


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


def export_layer(work: duckdb.DuckDBPyConnection, ref: duckdb.DuckDBPyConnection | None, name: str, fmt: str, *,
                 lang: str = "ja") -> tuple[bytes, str, str, list]:
    """(bytes, file name, MIME type, warnings) of layer ``name`` in a table or map format of ``formats``."""
    sl = shortlist(work, name, lang=lang)
    f = formats.get(fmt)
    places = geo.municipality_places(ref, polygons=f.polygons) if ref is not None and f.needs_places else None
    data, problems = formats.export(sl, fmt, places=places)
    return data, formats.export_filename(sl, fmt), formats.MIME[fmt], problems


# ------------------------------------------------------------------------------ what the import page shows

def limits_text(lang: str = "ja", limits: uploads.Limits = uploads.DEFAULT_LIMITS) -> str:
    return i18n.t("ul.limits", lang, mb=limits.max_upload_bytes // uploads.MiB,
                  zmb=limits.max_decompressed_bytes // uploads.MiB, rows=limits.max_rows, chars=limits.max_cell_chars)


def preview_view(p: user_layers.Preview, lang: str = "ja") -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """(facts as lines, the column mapping, the first rows) of a preview, with headers in ``lang``."""
    s = p.summary()
    facts = [f"{i18n.t('upl.format', lang)}: {s['format']}",
             i18n.t("ul.reason", lang, enc=s["encoding"], reason=s["encoding_reason"]) if s["encoding"]
             else i18n.t("ul.no_encoding", lang, fmt=s["format"]),
             i18n.t("upl.rows", lang, n=s["rows"], total=s["records_in_file"]),
             i18n.t("upl.standard", lang) + (f" ({s['dataset']})" if s["dataset"] else "") if s["standard"]
             else i18n.t("upl.proposed", lang)]
    if s["source_crs"]:
        facts.append(f"{i18n.t('upl.source_crs', lang)}: {s['source_crs']}")
    mapping = pd.DataFrame([{i18n.t("ul.mapping_field", lang): i18n.t(f"upl.field.{f}", lang)
                             if f"upl.field.{f}" in i18n.STRINGS else f,
                             i18n.t("ul.mapping_column", lang): " + ".join(cols)} for f, cols in s["mapping"].items()])
    first = p.first_rows.rename(columns={c: i18n.t(f"upl.field.{c}", lang) for c in p.first_rows.columns
                                         if f"upl.field.{c}" in i18n.STRINGS} | {"row_no": i18n.t("err.row", lang)})
    others = [c for c in p.upload.mapping.unmapped if c in p.upload.table.columns and c not in first.columns]
    if others and len(first):
        first = first.join(p.upload.table[others])
    return facts, mapping, first


def layer_table(work: duckdb.DuckDBPyConnection, lang: str = "ja") -> pd.DataFrame:
    """Every layer with name, title, rows, geometry, encoding, source, licence, credit, owner, date, hidden."""
    cols = ["name", "title", "rows", "geometry_type", "encoding", "source", "licence", "credit", "owner",
            "imported_on", "hidden"]
    return user_layers.layers(work)[cols].rename(columns={c: i18n.t(f"ul.col.{c}", lang) for c in cols})


def history_table(work: duckdb.DuckDBPyConnection, name: str, lang: str = "ja") -> pd.DataFrame:
    cols = ["happened_at", "actor", "action", "details"]
    return user_layers.history(work, name)[cols].rename(columns={c: i18n.t(f"ul.col.{c}", lang) for c in cols})


# ------------------------------------------------------------------------------ scoring

def indicator_options(work: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, str]]:
    """(layer, column or None, aggregate) of every indicator the layers offer: the count of rows per
    municipality, and the sum and mean of each numeric column."""
    out = []
    for name in user_layers.layers(work)["name"]:
        out.append((name, None, "count"))
        for col in user_layers.numeric_columns(work, name):
            out += [(name, col, "sum"), (name, col, "mean")]
    return out


def indicator_label(layer_title: str, column: str | None, aggregate: str, lang: str = "ja") -> str:
    what = i18n.t("ul.ind_count", lang) if column is None else i18n.t(f"ul.ind_{aggregate}", lang, col=column)
    return f"{layer_title}: {what}"


def extra_indicator(work: duckdb.DuckDBPyConnection, name: str, column: str | None = None, *,
                    aggregate: str = "count", weight: float = 1.0, direction: int = +1,
                    lang: str = "ja") -> scoring.ExtraIndicator:
    """A scoring indicator from layer ``name``: its row count per municipality (0 where none, log-scaled like
    the built-in counts) or a numeric column's sum/mean (percentile rank; municipalities without a value
    have no data)."""
    values = user_layers.indicator_values(work, name, column, aggregate="sum" if column is None else aggregate)
    title = user_layers.layers(work).set_index("name").loc[name, "title"]
    key = f"user.{name}" + (f".{aggregate}.{column}" if column is not None else ".count")
    return scoring.ExtraIndicator(key=key, label=indicator_label(title, column, aggregate, lang), values=values,
                                  weight=float(weight), direction=int(direction),
                                  normalisation="log_max" if column is None else "percentile",
                                  fill=0.0 if column is None else None)
