"""The map explorer's data: load once, filter with pure functions, build the map and the table.

``load_data`` reads the database; ``apply_filters`` returns new frames; ``build_map`` and
``items_table`` turn filtered data into a map spec (see ``maps``) and a table. Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import duckdb
import geopandas as gpd
import jaconv
import pandas as pd

from revitalize.core import codes, i18n
from revitalize.data import db, layers
from revitalize.data.credits import credit
from revitalize.outputs import maps
from revitalize.outputs.maps import COLORS
from revitalize.workflow import contributions

POINT_LAYERS = ("anime_sites", "filming_locations", "film_commissions", "heritage")
CHOROPLETHS = ("gi_areas", "roadside_stations", "population", "pop_change", "visitors", "score")
ALL_LAYERS = POINT_LAYERS + CHOROPLETHS

@dataclass(frozen=True)
class Filters:
    """What the user chose. Empty means 'no restriction'."""

    pref_codes: tuple[str, ...] = ()
    muni_code: str | None = None
    work: str = ""
    layers: tuple[str, ...] = POINT_LAYERS + ("gi_areas",)
    edition: int | None = None
    gi_class: str | None = None


@dataclass(frozen=True)
class ExplorerData:
    """Frames the explorer draws. ``munis`` has geometry and indicators; the rest are point/attribute tables."""

    munis: gpd.GeoDataFrame
    anime_sites: pd.DataFrame
    filming_locations: pd.DataFrame
    film_commissions: pd.DataFrame
    heritage: pd.DataFrame
    gi_products: pd.DataFrame
    gi_areas: pd.DataFrame
    scores: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)


def load_data(con: duckdb.DuckDBPyConnection) -> ExplorerData:
    """Everything the explorer shows, from the database."""
    munis = layers.geodataframe(con, "municipalities")
    ind = layers.municipality_indicators(con)
    keep = [c for c in ind.columns if c not in munis.columns or c == "muni_code"]
    munis = munis[["muni_code", "name_ja", "name_kana", "name_en", "pref_code", "kind", "is_disputed", "geometry"]
                  ].merge(ind[keep].drop(columns=["lat", "lon"]), on="muni_code", how="left")
    names = munis[["muni_code", "name_ja", "name_en", "pref_name_ja", "pref_name_en"]].rename(
        columns={"name_ja": "muni_name_ja", "name_en": "muni_name_en"})

    def with_names(df: pd.DataFrame) -> pd.DataFrame:
        out = df.merge(names, on="muni_code", how="left")
        if "pref_code" in out:  # without the boundaries the prefecture's name still comes from its code
            out["pref_name_ja"] = out["pref_name_ja"].fillna(out["pref_code"].map(codes.PREF_NAME_BY_CODE))
            out["pref_name_en"] = out["pref_name_en"].fillna(out["pref_code"].map(codes.PREF_NAME_EN_BY_CODE))
        return out

    q = lambda name: con.execute(db.sql(f"explorer/{name}")).df()  # noqa: E731
    anime, film, fc = q("anime_sites"), q("filming_locations"), q("film_commissions")
    her, gi, gia = q("heritage_properties"), q("gi_products"), q("gi_areas")
    pref_of = dict(zip(munis["muni_code"], munis["pref_code"], strict=False))
    her["pref_code"] = her["muni_code"].map(pref_of)
    return ExplorerData(munis=munis, anime_sites=with_names(anime), filming_locations=with_names(film),
                        film_commissions=with_names(fc), heritage=with_names(her), gi_products=gi, gi_areas=gia,
                        extra={"visitor_year": ind.attrs.get("visitor_year")})


_OVERLAID = ("anime_sites", "filming_locations", "film_commissions")


def with_contributions(data: ExplorerData, overlay: pd.DataFrame | None) -> ExplorerData:
    """New data with the accepted contributions (``contributions.overlay``) laid over the reference layers:
    removed rows gone, corrected fields changed, added rows appended; every contributed row carries its
    ``provenance`` (official rows: empty) and municipality counts (``munis``) follow. Additions the
    reference data now holds itself (``official_id``) are not added twice."""
    if overlay is None or overlay.empty:
        return data
    names = data.munis[["muni_code", "name_ja", "name_en", "pref_name_ja", "pref_name_en"]].rename(
        columns={"name_ja": "muni_name_ja", "name_en": "muni_name_en"})
    frames = {layer: _placed(overlay_rows(getattr(data, layer), overlay, layer, names=names), data.munis)
              for layer in _OVERLAID}
    counts = contributions.municipality_counts(overlay)
    munis = data.munis.copy()
    for layer in _OVERLAID:
        n = munis["muni_code"].map(counts[counts["layer"] == layer].groupby("muni_code")["n"].sum()).fillna(0)
        if layer in munis:
            munis[layer] = (pd.to_numeric(munis[layer]).fillna(0) + n).clip(lower=0).astype(int)
    return replace(data, munis=munis, **frames)


def _placed(df: pd.DataFrame, munis: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows without a point (contributions at municipality precision) at their municipality's inner point."""
    lost = df["lat"].isna() & df["muni_code"].isin(munis["muni_code"])
    if not lost.any():
        return df
    wanted = munis[munis["muni_code"].isin(df.loc[lost, "muni_code"])]
    points = dict(zip(wanted["muni_code"], wanted.geometry.representative_point(), strict=False))
    df = df.copy()
    df.loc[lost, "lat"] = [points[c].y for c in df.loc[lost, "muni_code"]]
    df.loc[lost, "lon"] = [points[c].x for c in df.loc[lost, "muni_code"]]
    return df


def overlay_rows(df: pd.DataFrame, overlay: pd.DataFrame | None, layer: str, *,
                 names: pd.DataFrame | None = None, muni_code: str | None = None) -> pd.DataFrame:
    """Rows of one reference layer (``df``, e.g. a profile's anime places) with the accepted contributions to
    ``layer`` laid over: removed rows gone, corrections applied, additions (of ``muni_code`` when given)
    appended; column ``provenance`` says who contributed a row. ``names`` adds municipality names."""
    df = df.copy()
    df["provenance"] = None
    if overlay is None or overlay.empty:
        return df
    if muni_code is not None:
        overlay = overlay[overlay["muni_code"] == muni_code]
    id_col = contributions.ID_COLUMNS[layer]
    df = df[~df[id_col].astype(str).isin(contributions.removed_ids(overlay, layer))]
    for r in overlay[(overlay["layer"] == layer) & (overlay["action"] == "correct")].to_dict("records"):
        hit = df[id_col] == r["target_id"]
        for name, value in r["fields"].items():
            if name in df.columns:
                df.loc[hit, name] = value
        df.loc[hit, "provenance"] = r["provenance"]
    added = contributions.added_rows(overlay, layer)
    if len(added):
        added = added.drop(columns=["contribution_id"], errors="ignore")
        if names is not None:
            added = added.merge(names, on="muni_code", how="left")
        df = pd.concat([df, added[[c for c in added.columns if c in df.columns]]], ignore_index=True)
    return df


def with_outline(data: ExplorerData, muni: gpd.GeoDataFrame) -> ExplorerData:
    """New data whose municipalities in ``muni`` (muni_code, geometry; e.g. ``Profile.muni``) are drawn with
    that geometry: the finer outline for a map of one municipality."""
    by_code = dict(zip(muni["muni_code"], muni.geometry, strict=False))
    geoms = [by_code.get(c, g) for c, g in zip(data.munis["muni_code"], data.munis.geometry, strict=False)]
    munis = data.munis.set_geometry(gpd.GeoSeries(geoms, index=data.munis.index, crs=data.munis.crs))
    return replace(data, munis=munis)


def search_municipalities(munis: pd.DataFrame, query: str, *, limit: int = 50) -> pd.DataFrame:
    """Municipalities whose kanji, kana (hiragana or katakana) or romaji name contains ``query``."""
    q = query.strip()
    if not q:
        return munis.iloc[0:0]
    hira = jaconv.kata2hira(jaconv.h2z(q, kana=True, ascii=False, digit=False))
    low = q.lower()
    mask = (munis["name_ja"].fillna("").str.contains(q, regex=False)
            | munis["name_kana"].fillna("").str.contains(hira, regex=False)
            | munis["name_en"].fillna("").str.lower().str.contains(low, regex=False)
            | (munis["pref_name_ja"].fillna("") + munis["name_ja"].fillna("")).str.contains(q, regex=False))
    return munis[mask].head(limit)


def _in_scope(df: pd.DataFrame, f: Filters) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    if f.pref_codes:
        mask &= df["pref_code"].isin(f.pref_codes)
    if f.muni_code:
        mask &= df["muni_code"].eq(f.muni_code)
    return mask


def _work_mask(df: pd.DataFrame, work: str) -> pd.Series:
    w = work.strip().lower()
    if not w:
        return pd.Series(True, index=df.index)
    return (df["work_title_ja"].fillna("").str.lower().str.contains(w, regex=False)
            | df["work_title_en"].fillna("").str.lower().str.contains(w, regex=False))


def apply_filters(data: ExplorerData, f: Filters) -> ExplorerData:
    """New frames restricted to the filters (point layers not chosen become empty)."""
    munis = data.munis[_in_scope(data.munis, f)] if (f.pref_codes or f.muni_code) else data.munis
    anime = data.anime_sites[_in_scope(data.anime_sites, f) & _work_mask(data.anime_sites, f.work)]
    if f.edition is not None:
        # a boolean mask even when no row is left (an empty object Series would select columns instead)
        in_edition = anime["editions"].fillna("").str.split(";").map(lambda ys: str(f.edition) in ys)
        anime = anime.loc[in_edition.astype(bool)]
    film = data.filming_locations[_in_scope(data.filming_locations, f) & _work_mask(data.filming_locations, f.work)]
    fc = data.film_commissions[_in_scope(data.film_commissions, f)]
    her = data.heritage[_in_scope(data.heritage, f)]
    if f.work.strip():  # a work filter applies to works; layers without works are hidden
        fc, her = fc.iloc[0:0], her.iloc[0:0]
    gi = data.gi_products
    if f.gi_class:
        gi = gi[gi["product_class"].fillna("").eq(f.gi_class)]
    gia = data.gi_areas[data.gi_areas["gi_id"].isin(gi["gi_id"])]
    chosen = set(f.layers)
    empty = lambda df: df.iloc[0:0]  # noqa: E731
    return replace(
        data, munis=munis,
        anime_sites=anime if "anime_sites" in chosen else empty(anime),
        filming_locations=film if "filming_locations" in chosen else empty(film),
        film_commissions=fc if "film_commissions" in chosen else empty(fc),
        heritage=her if "heritage" in chosen else empty(her),
        gi_products=gi, gi_areas=gia,
        extra={**data.extra, "layers": tuple(f.layers), "scoped": bool(f.pref_codes or f.muni_code)},
    )


def gi_products_in(data: ExplorerData, muni_codes: list[str] | None = None) -> pd.DataFrame:
    """GI products whose production area covers any of the municipalities (all when None), with coverage."""
    areas = data.gi_areas if muni_codes is None else data.gi_areas[data.gi_areas["muni_code"].isin(muni_codes)]
    out = areas.merge(data.gi_products, on="gi_id", how="inner")
    nationwide = data.gi_products[data.gi_products["gi_id"].isin(
        data.gi_areas.loc[data.gi_areas["note"].eq("nationwide"), "gi_id"])]
    if muni_codes is not None and len(nationwide):
        extra = nationwide.assign(muni_code=None, coverage="whole")
        out = pd.concat([out, extra], ignore_index=True)
    return out


def items_table(data: ExplorerData, lang: str) -> pd.DataFrame:
    """One row per visible item (anime place, filming location, film commission, heritage property, GI
    product in scope), with layer, name, work, municipality, prefecture and source."""
    lbl = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []

    def muni_name(r) -> str:
        return i18n.localized(r, "muni_name", lang) if isinstance(r.get("muni_name_ja"), str) else ""

    def pref_name(r) -> str:
        return i18n.localized(r, "pref_name", lang) if isinstance(r.get("pref_name_ja"), str) else ""

    def given_by(r) -> str:  # a contributed row says who gave it (contributions.overlay)
        return r.get("provenance") if isinstance(r.get("provenance"), str) else ""

    for key, df in (("anime_sites", data.anime_sites), ("filming_locations", data.filming_locations)):
        for r in df.to_dict("records"):
            rows.append((lbl(f"layer.{key}"), i18n.localized(r, "place_name", lang),
                         i18n.localized(r, "work_title", lang), muni_name(r), pref_name(r), r["muni_code"],
                         r["source_url"], given_by(r)))
    for r in data.film_commissions.to_dict("records"):
        rows.append((lbl("layer.film_commissions"), i18n.localized(r, "name", lang), "", muni_name(r),
                     pref_name(r), r["muni_code"], r["source_url"], given_by(r)))
    for r in data.heritage.to_dict("records"):
        rows.append((lbl("layer.heritage"), r["name_ja"], r["story_ja"], muni_name(r), pref_name(r), r["muni_code"],
                     r["source_url"], ""))
    if "gi_areas" in data.extra.get("layers", ("gi_areas",)):
        scope = list(data.munis["muni_code"]) if data.extra.get("scoped") else None
        gi = gi_products_in(data, scope).drop_duplicates("gi_id")
        for r in gi.to_dict("records"):
            rows.append((lbl("layer.gi_products"), i18n.localized(r, "name", lang), r.get("product_class") or "",
                         r.get("area_text_ja") or "", "", None, r["source_url"], ""))
    cols = ["layer", "name", "work", "municipality", "prefecture", "muni_code", "source_url", "provenance"]
    return pd.DataFrame(rows, columns=cols)


def _point_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["lat"].notna() & df["lon"].notna()]


def municipality_frame(data: ExplorerData, lang: str) -> pd.DataFrame:
    """One row per municipality with the columns the choropleths use (GI counts follow the GI filter), without
    the polygons (the map view has them) and without scores (``build_map`` adds ``data.scores``): so the frame
    depends only on the filters and the language, and the app caches it per (data version, filters, language)."""
    m = pd.DataFrame(data.munis.drop(columns="geometry"))
    m["label"] = [f"{i18n.localized(r, 'pref_name', lang)} {i18n.localized(r, 'name', lang)}"
                  for r in m[["name_ja", "name_en", "pref_name_ja", "pref_name_en"]].to_dict("records")]
    areas = data.gi_areas.dropna(subset=["muni_code"])
    gi_count = areas.groupby("muni_code")["gi_id"].nunique()
    m["gi_count"] = m["muni_code"].map(gi_count).fillna(0)
    names = {r["gi_id"]: i18n.localized(r, "name", lang) for r in data.gi_products.to_dict("records")}
    part = "（一部）" if lang == "ja" else " (part)"
    listed = areas.assign(label=[names.get(g, g) + (part if c == "part" else "")
                                 for g, c in zip(areas["gi_id"], areas["coverage"], strict=False)])
    m["gi_names"] = m["muni_code"].map(listed.groupby("muni_code")["label"].agg("、".join if lang == "ja" else
                                                                               ", ".join))
    m["pop_2020_f"] = m["pop_2020"].astype("Float64")
    return m


@dataclass(frozen=True, eq=False)
class PointSources:
    """The explorer's point layers (all rows that have coordinates) published once per data version and
    language (``maps.publish``); ``index`` maps each layer's row labels to their position in the file, so
    a rerun sends only which positions a filter keeps."""

    url: str | None
    index: dict[str, pd.Index]
    data: dict | None = field(default=None, repr=False)  # the layers themselves when the file could not be written


_POINT_SPECS = {
    "anime_sites": ("place_name", {"f.work": "work_title", "map.muni": "muni_name", "88": "editions",
                                   "col.provenance": "provenance"}),
    "filming_locations": ("place_name", {"f.work": "work_title", "map.muni": "muni_name", "year": "release_year",
                                         "col.provenance": "provenance"}),
    "film_commissions": ("name", {"map.muni": "muni_name", "col.provenance": "provenance"}),
    "heritage": ("name", {"日本遺産": "story_ja", "map.muni": "muni_name"}),
}


def _point_layer(df: pd.DataFrame, key: str, lang: str) -> dict:
    title_base, fields = _POINT_SPECS[key]
    pts = _point_frame(df).copy()
    records = pts.to_dict("records")
    pts["_title"] = [i18n.localized(r, title_base, lang) for r in records]
    cols = {}
    for label, base in fields.items():
        pts[f"_{base}"] = [i18n.localized(r, base, lang) for r in records]
        cols[i18n.t(label, lang) if label in i18n.STRINGS else label] = f"_{base}"
    return maps.point_payload(pts, name=i18n.t(f"layer.{key}", lang), color=COLORS[key], credit=credit(key, lang),
                              title_col="_title", fields=cols, url_col="source_url")


def point_layers(data: ExplorerData, lang: str = "ja") -> dict[str, dict]:
    """The four point layers of the data in ``lang`` (``maps.point_payload`` each), by layer key."""
    return {k: _point_layer(getattr(data, k), k, lang) for k in POINT_LAYERS}


def inline_point_sources(data: ExplorerData, lang: str = "ja") -> PointSources:
    """The point layers of the (unfiltered) data carried in the spec itself (nothing published; e.g. for a file)."""
    index = {k: pd.Index(_point_frame(getattr(data, k)).index) for k in POINT_LAYERS}
    return PointSources(url=None, index=index, data=point_layers(data, lang))


def point_sources(data: ExplorerData, lang: str = "ja", *, static_dir=maps.STATIC_DIR,
                  static_url: str = maps.STATIC_URL) -> PointSources:
    """Publish the four point layers of the (unfiltered) data in ``lang`` as one static file."""
    layers_ = point_layers(data, lang)
    index = {k: pd.Index(_point_frame(getattr(data, k)).index) for k in POINT_LAYERS}
    url = maps.publish(f"points-{lang}", {"layers": layers_}, static_dir=static_dir, static_url=static_url)
    return PointSources(url=url, index=index, data=None if url else layers_)


def build_map(data: ExplorerData, f: Filters, *, outlines: maps.Outlines, sources: PointSources, lang: str = "ja",
              tiles: str = "none", profile_link: str | None = None, compact: bool = False,
              candidates: pd.DataFrame | None = None, extra_points: Sequence[dict] = (),
              frame: pd.DataFrame | None = None) -> dict:
    """The explorer's map spec for the map view: the chosen choropleths (the last chosen is shown), the point
    layers with the rows the filters keep (clustered), designated bases and the pipeline (``candidates``,
    ``progress.places`` output), fitted to the filter's extent (Japan when unscoped).

    ``data`` is the filtered view (``apply_filters``); ``outlines`` and ``sources`` come from the unfiltered data;
    ``frame`` is ``municipality_frame(data, lang)`` when the caller has it already (the app caches it).
    """
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    chosen = list(dict.fromkeys(f.layers))
    wanted = [k for k in chosen if k in CHOROPLETHS]
    mf = municipality_frame(data, lang) if frame is None else frame
    if data.scores is not None:
        mf = mf.merge(data.scores[["muni_code", "score"]], on="muni_code", how="left")
    defs: dict[str, maps.Choropleth] = {}
    if "gi_areas" in wanted:
        defs["gi_areas"] = maps.Choropleth("gi_areas", t("layer.gi_areas"), "gi_count", maps.fixed_classes(
            (0, 1, 2, 4, float("inf")), ("#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"),
            ("0", "1", "2", "3–4", "5+")), credit("gi_products", lang), detail_column="gi_names")
    if "roadside_stations" in wanted:
        defs["roadside_stations"] = maps.Choropleth(
            "roadside_stations", t("layer.roadside_stations"), "roadside_stations",
            maps.fixed_classes((0, 1, 2, float("inf")), ("#f7fbff", "#9ecae1", "#4292c6", "#08519c"),
                               ("0", "1", "2", "3+")), credit("michi_no_eki", lang))
    if "population" in wanted:
        defs["population"] = maps.Choropleth("population", t("layer.population"), "pop_2020_f",
                                             maps.quantile_classes(mf["pop_2020_f"]), credit("population", lang))
    if "pop_change" in wanted:
        defs["pop_change"] = maps.Choropleth("pop_change", t("layer.pop_change"), "pop_change_pct", maps.fixed_classes(
            (-10, -5, 0, 5, float("inf")), maps.DIVERGING, ("≤ −10 %", "−10 – −5 %", "−5 – 0 %", "0 – 5 %", "> 5 %")),
            credit("population", lang), value_format="{:+.1f} %")
    if "visitors" in wanted:
        year = data.extra.get("visitor_year")
        defs["visitors"] = maps.Choropleth("visitors", f"{t('layer.visitors')} ({year})", "visitors_latest",
                                           maps.quantile_classes(mf["visitors_latest"]), credit("tourism", lang))
    if "score" in wanted and "score" in mf.columns:
        defs["score"] = maps.Choropleth("score", t("layer.score"), "score", maps.quantile_classes(
            mf["score"], fmt="{:.2f}"), "revitalize scoring", value_format="{:.3f}")
    # without the boundaries there is nothing to colour: the points are drawn alone
    chs = [maps.choropleth_payload(defs[k], mf, outlines.codes) for k in wanted if k in defs and outlines.codes]
    pts = []
    for key in POINT_LAYERS:
        if key not in chosen:
            continue
        keep = sources.index[key].get_indexer(_point_frame(getattr(data, key)).index)
        keep = keep[keep >= 0]
        idx = None if len(keep) == len(sources.index[key]) else sorted(keep.tolist())
        if sources.url:
            pts.append(maps.static_points(key, sources.url, idx))
        else:
            layer = sources.data[key]
            pts.append(maps.inline_points(key, layer if idx is None else _subset(layer, idx), cluster=True))
    if candidates is not None and len(candidates):
        if f.pref_codes:
            candidates = candidates[candidates["muni_codes"].map(
                lambda cs: any(c[:2] in f.pref_codes for c in codes.muni_codes(cs)))]
        pts += maps.candidate_points(candidates, lang=lang)
    pts += list(extra_points)  # e.g. the user's own layers (outputs.user_layers.map_points)
    scoped = bool(f.pref_codes or f.muni_code)
    scope = list(data.munis["muni_code"]) if scoped else None
    return maps.spec(outlines, lang=lang, tiles=tiles, choropleths=chs, active=chs[-1]["key"] if chs else None,
                     points=pts, scope=scope, highlight=[f.muni_code] if f.muni_code else None,
                     fit=outlines.extent(scope) if scoped else None,
                     extent_key=repr((tuple(f.pref_codes), f.muni_code)), link=profile_link, collapsed=compact)


def _subset(layer: dict, idx: list[int]) -> dict:
    pick = lambda xs: None if xs is None else [xs[i] for i in idx]  # noqa: E731
    return {**layer, "lat": pick(layer["lat"]), "lon": pick(layer["lon"]), "title": pick(layer["title"]),
            "url": pick(layer["url"]), "values": {k: pick(v) for k, v in layer["values"].items()}}
