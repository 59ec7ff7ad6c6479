"""Printable evidence sheets (HTML and PDF) for a municipality or a group of them (a candidate base).

A sheet shows a map (inline SVG drawn from the municipal polygons, its neighbours and the asset points,
so it needs no network), the key figures, every scoring indicator with its raw value, national
percentile, sub-score, weight and contribution, every asset with its source, the weights used, the
date and the credit lines. Japanese text renders with the CJK fonts found by fontconfig.

Usage::

    ctx = evidence.context(con, weights)                          # national tables, once
    html = evidence.evidence_html(con, [evidence.Subject(("01100",))], ctx=ctx)
    pdf = evidence.evidence_pdf(con, [evidence.Subject(("13101", "13102"), title="候補A",
                                                       assets=linked_assets)], ctx=ctx)

A ``Subject`` is a plain description: its municipality codes, an optional title and optional linked
assets (a DataFrame with ``layer``, ``name`` or ``label``, ``source_url``; ``asset_id`` lets the sheet
find the points on the map; ``muni_code``, ``detail`` optional). Without assets, the sheet lists every
asset in its municipalities. PDF needs WeasyPrint (and the Pango library); ``pdf_problem()`` says why
it is unavailable, and HTML still works.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import duckdb
import geopandas as gpd
import jinja2
import markupsafe
import pandas as pd
import shapely

from revitalize.analysis import profile, scoring
from revitalize.core import codes, domain, i18n, settings
from revitalize.core.errors import ExportError, RevitalizeError
from revitalize.data import db, layers
from revitalize.data.credits import SCORING_SOURCES, credit, credits
from revitalize.outputs import maps, pdf_pages
from revitalize.workflow import contributions
from revitalize.workflow.candidates import Candidate

TEMPLATES = Path(__file__).resolve().parent / "templates"
LAYER_COLORS = {**maps.COLORS, "gi_products": "#7048e8", "roadside_stations": "#495057"}
ASSET_LAYERS = ("anime_sites", "filming_locations", "film_commissions", "heritage", "gi_products",
                "roadside_stations")
MAP_W, MAP_H = 520, 340  # SVG user units (the sheet scales it to the column width)


@dataclass(frozen=True, eq=False)
class Subject:
    """What one sheet is about: one municipality, or a group (a candidate) with a title and linked assets."""

    muni_codes: tuple[str, ...]
    title: str | None = None
    assets: pd.DataFrame | None = None
    note: str = ""
    user_features: pd.DataFrame | None = None
    """Features of the user's imported layers in these municipalities (``user_layers.in_municipalities``):
    title, name, category, muni_code, credit."""

    def __post_init__(self) -> None:
        given = codes.split_codes(self.muni_codes)
        object.__setattr__(self, "muni_codes", tuple(dict.fromkeys(given)))
        bad = [c for c in self.muni_codes if not codes.is_muni_code(c)]
        problems = []
        if not self.muni_codes:
            problems.append("muni_codes: expected at least one municipality code, found none")
        if bad:
            problems.append(f"muni_codes: expected 5-digit codes, found {bad}")
        if self.assets is not None:
            cols = set(self.assets.columns)
            if "layer" not in cols or not ({"name", "label"} & cols) or "source_url" not in cols:
                problems.append(f"assets: expected columns layer, name (or label), source_url; found {sorted(cols)}")
        if problems:
            raise ExportError("invalid evidence subject:\n  - " + "\n  - ".join(problems))


def subjects_from_shortlist(sl, rows: Sequence[int] | None = None, *, top: int | None = None) -> list[Subject]:
    """Subjects for rows of an ``exports.Shortlist`` (0-based ``rows``, or the first ``top``).

    Explorer shortlists (items) give one sheet per municipality, in order of first appearance; other
    rows give one sheet each (title = the row's name, assets = the shortlist's assets of that item).
    """
    t = sl.table
    idx = list(rows) if rows is not None else list(range(len(t) if top is None else min(top, len(t))))
    if sl.kind == "explorer":
        found = list(dict.fromkeys(c for i in idx for c in codes.split_codes(t["muni_codes"].iloc[i])))
        return [Subject((c,)) for c in found]
    out = []
    for i in idx:
        mine = codes.split_codes(t["muni_codes"].iloc[i])
        if not mine:
            continue
        assets = None
        if sl.assets is not None and "item_id" in t.columns:
            a = sl.assets[sl.assets["item_id"].astype(str) == str(t["item_id"].iloc[i])]
            assets = a.reset_index(drop=True) if len(a) else None
        single = len(mine) == 1 and sl.kind in ("score", "explorer")
        out.append(Subject(tuple(mine), title=None if single else str(t["name"].iloc[i]), assets=assets))
    return out


@dataclass(frozen=True, eq=False)
class Context:
    """National tables a sheet compares against, computed once for many sheets."""

    weights: scoring.Weights
    indicators: pd.DataFrame  # municipality_indicators (all municipalities)
    raw: pd.DataFrame  # scoring.indicator_table (index muni_code; disputed villages left out)
    sub: pd.DataFrame  # oriented sub-scores
    scores: pd.DataFrame  # scoring.score
    polygons: gpd.GeoDataFrame  # index muni_code; finer outlines where built (layers.outlines)
    visitor_year: int | None = None
    created: dt.date = field(default_factory=dt.date.today)


def _overlay(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The accepted contributions, or None when the workflow store cannot be read (the sheet is still made)."""
    try:
        with db.connect_workflow() as work:
            return contributions.overlay(work, con)
    except (RevitalizeError, duckdb.Error, OSError):
        return None


def context(con: duckdb.DuckDBPyConnection, weights: scoring.Weights | None = None, *,
            created: dt.date | None = None) -> Context:
    """The national tables for sheets under ``weights`` (default weights when None)."""
    w = weights or scoring.Weights()
    _, raw, sub = scoring.inputs(con, contributed=contributions.municipality_counts(_overlay(con)))
    everything = layers.municipality_indicators(con)
    polys = layers.outlines(con)  # a sheet draws one place and its surroundings: the finer outlines
    return Context(weights=w, indicators=everything, raw=raw, sub=sub, scores=scoring.score(sub, w),
                   polygons=polys.set_index("muni_code"), visitor_year=everything.attrs.get("visitor_year"),
                   created=created or dt.date.today())


def national_percentile(raw: pd.Series, value: float) -> float | None:
    """Percentile rank (0–100) of ``value`` among the municipalities with data: the share below it plus half
    the share equal to it. None when ``value`` is missing."""
    v = raw.dropna().to_numpy(dtype=float)
    if value is None or (isinstance(value, float) and math.isnan(value)) or not len(v):
        return None
    below = (v < value).sum()
    equal = (v == value).sum()
    return float(100.0 * (below + 0.5 * equal) / len(v))


def _fmt_value(key: str, v: float, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    unit = scoring.INDICATORS_BY_KEY[key].unit
    if unit == "yes/no":
        return ("はい" if v >= 0.5 else "いいえ") if lang == "ja" else ("yes" if v >= 0.5 else "no")
    if unit == "%":
        return f"{v:.1f} %"
    if unit == "persons/year":
        return f"{v:,.0f}"
    if key == "visitors_per_resident":
        return f"{v:.1f}"
    if float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.2f}"


def indicator_rows(ctx: Context, muni_code: str, lang: str = "ja") -> pd.DataFrame:
    """The sheet's indicator table for one municipality: criterion, indicator, value, unit, national
    percentile (of the raw value), sub-score, weight, contribution; NaN where there is no data."""
    w = ctx.weights.values
    has = muni_code in ctx.raw.index
    rows = []
    j = 1 if lang == "en" else 0
    for ind in scoring.INDICATORS:
        raw = float(ctx.raw.at[muni_code, ind.key]) if has else float("nan")
        rows.append({
            "key": ind.key, "criterion": ind.criterion, "criterion_label": scoring.CRITERIA[ind.criterion][j],
            "indicator": ind.label_en if j else ind.label_ja, "raw": raw, "value": _fmt_value(ind.key, raw, lang),
            "unit": ind.unit, "direction": ind.direction,
            "percentile": national_percentile(ctx.raw[ind.key], raw) if has else None,
            "sub_score": float(ctx.sub.at[muni_code, ind.key]) if has else float("nan"),
            "weight": float(w[ind.key]),
            "contribution": float(ctx.scores.at[muni_code, f"c_{ind.key}"]) if has else float("nan")})
    return pd.DataFrame(rows)


def _text(v: object) -> str:
    return v if isinstance(v, str) else ""


def _assets_of(con: duckdb.DuckDBPyConnection, ctx: Context, code: str, lang: str) -> pd.DataFrame:
    """Every asset of one municipality: layer, asset_id, name, detail, muni_code, source_url, lon, lat."""
    p = profile.load(con, code, ctx.indicators)
    loc = lambda r, base: i18n.localized(r, base, lang)
    rows = []
    for r in p.anime_sites.to_dict("records"):
        rows.append(("anime_sites", r["site_id"], loc(r, "place_name"), loc(r, "work_title"), code, r["source_url"],
                     r["lon"], r["lat"]))
    for r in p.filming_locations.to_dict("records"):
        year = f" ({int(r['release_year'])})" if pd.notna(r.get("release_year")) else ""
        rows.append(("filming_locations", r["location_id"], loc(r, "place_name"), loc(r, "work_title") + year, code,
                     r["source_url"], r["lon"], r["lat"]))
    for r in p.film_commissions.to_dict("records"):
        level = i18n.t(f"ex.ev.level_{r['level']}", lang) if f"ex.ev.level_{r['level']}" in i18n.STRINGS else r["level"]
        rows.append(("film_commissions", r["fc_id"], loc(r, "name"), level,
                     r["muni_code"] if isinstance(r.get("muni_code"), str) else None,
                     r["source_url"], r["lon"], r["lat"]))
    her = layers.geodataframe(con, "heritage_properties", where_muni=code)
    stories = dict(zip(p.heritage["property_id"], p.heritage["story_ja"], strict=False))
    for r in her.sort_values("property_id").to_dict("records"):
        ok = bool(r["location_ok"]) and pd.notna(r["lat"])
        rows.append(("heritage", str(r["story_id"]), r["name_ja"], _text(stories.get(r["property_id"])), code, r["url"],
                     r["lon"] if ok else None, r["lat"] if ok else None))
    for r in p.gi_products.to_dict("records"):
        detail = _text(r.get("product_class"))
        if r.get("area_note") == "nationwide":
            detail += i18n.t("ex.ev.nationwide", lang)
        elif r.get("coverage") == "part":
            detail += i18n.t("ex.ev.part", lang)
        rows.append(("gi_products", r["gi_id"], loc(r, "name"), detail, code, r["source_url"], None, None))
    for r in p.roadside_stations.to_dict("records"):
        rows.append(("roadside_stations", r["station_id"], r["name_ja"], _text(r.get("location_ja")), code, r["url"],
                     None, None))
    return pd.DataFrame(rows, columns=["layer", "asset_id", "name", "detail", "muni_code", "source_url", "lon", "lat"])


def _linked_assets(given: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """The subject's linked assets, with points and details from the municipalities' assets where ids match."""
    a = given.copy()
    if "name" not in a.columns:
        a["name"] = a["label"]
    for c in ("asset_id", "detail", "muni_code", "lon", "lat"):
        if c not in a.columns:
            a[c] = None
    a["asset_id"] = a["asset_id"].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v))
                                      else str(v))
    rows = []
    for r in a.to_dict("records"):
        hits = found[(found["layer"] == r["layer"]) & (found["asset_id"] == r["asset_id"])] if r["asset_id"] else []
        if len(hits) and (r["lon"] is None or pd.isna(r["lon"])):
            for h in hits.to_dict("records"):  # a heritage story has several properties
                rows.append({**r, "detail": r["detail"] or h["detail"], "muni_code": r["muni_code"] or h["muni_code"],
                             "lon": h["lon"], "lat": h["lat"],
                             "name": r["name"] if r["layer"] != "heritage" else f"{h['name']}（{r['name']}）"})
        else:
            rows.append(r)
    return pd.DataFrame(rows, columns=["layer", "asset_id", "name", "detail", "muni_code", "source_url", "lon", "lat"])


# ---------------------------------------------------------------------------------------------------- map


def _nice_km(max_km: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if step >= max_km:
            return step / 2 if step / 2 >= max_km / 2.5 else step
    return 500


def map_svg(ctx: Context, muni_codes: Sequence[str], assets: pd.DataFrame, lang: str = "ja") -> str:  # noqa: C901 (listed in NOTES.md: to split)
    """An inline SVG map: the subject's municipalities (filled), their neighbours (outlined, named), the asset
    points by layer, a legend and a scale bar. North is up; lon/lat are projected equirectangularly at the
    centre's latitude (fine at a municipality's scale)."""
    polys = ctx.polygons
    subject = [polys.geometry.get(c) for c in muni_codes]
    subject = [g for g in subject if g is not None and not g.is_empty]
    pts = assets[assets["lon"].notna() & assets["lat"].notna()] if len(assets) else assets
    # the map frames the subject's polygons (points elsewhere, e.g. a prefecture's film commission, stay off it)
    geoms = list(subject) or [shapely.Point(x, y) for x, y in zip(pts["lon"], pts["lat"], strict=False)]
    if not geoms:
        return ""
    x0, y0, x1, y1 = shapely.GeometryCollection(geoms).bounds
    pad = max(0.03, 0.12 * max(x1 - x0, y1 - y0))
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    lat0 = (y0 + y1) / 2
    kx = math.cos(math.radians(lat0))
    scale = min(MAP_W / ((x1 - x0) * kx), MAP_H / (y1 - y0))
    # widen the window to the map's whole frame
    cx, cy, half_w, half_h = (x0 + x1) / 2, (y0 + y1) / 2, MAP_W / (2 * kx * scale), MAP_H / (2 * scale)
    x0, x1, y0, y1 = cx - half_w, cx + half_w, cy - half_h, cy + half_h
    ox, oy = 0.0, 0.0

    def xy(x: float, y: float) -> tuple[float, float]:
        return ox + (x - x0) * kx * scale, oy + (y1 - y) * scale

    def path(g) -> str:
        parts = []
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                c = [xy(x, y) for x, y in ring.coords]
                parts.append("M" + " L".join(f"{a:.1f} {b:.1f}" for a, b in c) + " Z")
        return " ".join(parts)

    window = shapely.box(x0, y0, x1, y1)
    if len(pts):
        pts = pts[pts["lon"].between(x0, x1) & pts["lat"].between(y0, y1)]
    tol = (x1 - x0) / 900
    near_idx = polys.sindex.query(window, predicate="intersects")
    near = polys.iloc[near_idx]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_W} {MAP_H}" class="map" role="img">',
           f'<rect x="0" y="0" width="{MAP_W}" height="{MAP_H}" fill="#eef5fb"/>']
    labels = []
    for code, r in near.iterrows():
        g = r.geometry
        if g is None or g.is_empty:
            continue
        g = shapely.simplify(shapely.clip_by_rect(g, x0, y0, x1, y1), tol)
        mine = code in muni_codes
        fill, stroke, sw = ("#ffd8a8", "#d9480f", 1.6) if mine else ("#f8f9fa", "#868e96", 0.6)
        out.append(f'<path d="{path(g)}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}" fill-rule="evenodd"/>')
        name = r["name_en"] if lang == "en" and isinstance(r["name_en"], str) else r["name_ja"]
        gx0, _, gx1, _ = g.bounds if not g.is_empty else (0, 0, 0, 0)
        # name a neighbour only when it is wide enough on the map to hold its label
        if not g.is_empty and (mine or (gx1 - gx0) * kx * scale >= 9 * len(str(name)) + 8):
            p = g.representative_point()
            if mine or xy(p.x, p.y)[1] < MAP_H - 34:  # keep the legend and scale bar band clear
                labels.append((xy(p.x, p.y), name, mine))
    for (a, b), name, mine in sorted(labels, key=lambda t: t[2]):
        cls = "lbl-me" if mine else "lbl"
        out.append(f'<text x="{a:.1f}" y="{b:.1f}" class="{cls}" text-anchor="middle">{html.escape(str(name))}</text>')
    used = []
    for r in pts.to_dict("records") if len(pts) else []:
        a, b = xy(float(r["lon"]), float(r["lat"]))
        color = LAYER_COLORS.get(r["layer"], "#000")
        if r["layer"] not in used:
            used.append(r["layer"])
        out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4" fill="{color}" stroke="#fff" stroke-width="1"/>')
    if used:  # legend, bottom-left, on a white box
        width = 26 + max(sum(10.5 if ord(ch) > 0x2000 else 6 for ch in i18n.t(f"layer.{k}", lang)) for k in used)
        out.append(f'<rect x="4" y="{MAP_H - 8 - 14 * len(used)}" width="{width}" height="{14 * len(used) + 4}" '
                   f'fill="#ffffff" fill-opacity="0.85"/>')
    for i, key in enumerate(used):
        yy = MAP_H - 12 - 14 * (len(used) - 1 - i)
        out.append(f'<circle cx="12" cy="{yy - 4}" r="4" fill="{LAYER_COLORS.get(key, "#000")}"/>'
                   f'<text x="20" y="{yy}" class="legend">{html.escape(i18n.t(f"layer.{key}", lang))}</text>')
    km_per_unit = 111.32 / scale
    bar_km = _nice_km(MAP_W / 4 * km_per_unit)
    bar = bar_km / km_per_unit
    bx, by = MAP_W - 14 - bar, MAP_H - 14
    out.append(f'<path d="M{bx:.1f} {by - 5} L{bx:.1f} {by} L{bx + bar:.1f} {by} L{bx + bar:.1f} {by - 5}" '
               f'fill="none" stroke="#212529" stroke-width="1.5"/>'
               f'<text x="{bx + bar / 2:.1f}" y="{by - 8}" class="legend" text-anchor="middle">{bar_km:g} km</text>')
    out.append('<text x="' + str(MAP_W - 14) + '" y="20" class="legend" text-anchor="end">N ↑</text>')
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------------------------------------- sheets


@dataclass(frozen=True, eq=False)
class Sheet:
    """Everything one sheet shows, gathered from the database (rendered by ``sheet_html``)."""

    subject: Subject
    title: str
    members: pd.DataFrame  # muni_code, name, pref_name, score, rank, coverage, reason, pop_2020, pop_change_pct, …
    indicators: dict[str, pd.DataFrame]  # muni_code -> indicator_rows
    assets: pd.DataFrame
    map_svg: str
    group_score: float | None
    linked: bool


def gather(con: duckdb.DuckDBPyConnection, subject: Subject, ctx: Context, lang: str = "ja") -> Sheet:
    """The data of one sheet. Raises ExportError for codes not in the database."""
    ind = ctx.indicators.set_index("muni_code")
    unknown = [c for c in subject.muni_codes if c not in ind.index]
    if unknown:
        raise ExportError(i18n.t("ex.err.unknown_munis", "en", codes=unknown)).keyed("ex.err.unknown_munis", codes=unknown)
    n_ranked = int(ctx.scores["rank"].notna().sum())
    members = []
    for c in subject.muni_codes:
        r = ind.loc[c]
        s = ctx.scores.loc[c] if c in ctx.scores.index else None
        members.append({
            "muni_code": c, "name": i18n.localized(r, "name", lang), "pref_name": i18n.localized(r, "pref_name", lang),
            "score": float(s["score"]) if s is not None else float("nan"),
            "rank": int(s["rank"]) if s is not None and pd.notna(s["rank"]) else None, "of": n_ranked,
            "coverage": float(s["coverage"]) if s is not None else float("nan"),
            "reason": scoring.reason(ctx.sub.loc[c], ctx.weights, lang) if c in ctx.sub.index else "",
            "missing": s["missing"] if s is not None else "",
            "pop_2020": r["pop_2020"], "pop_change_pct": r["pop_change_pct"], "visitors": r["visitors_latest"],
            "visitors_change_pct": r["visitors_change_pct"]})
    members_df = pd.DataFrame(members)
    found = pd.concat([_assets_of(con, ctx, c, lang) for c in subject.muni_codes], ignore_index=True)
    if subject.assets is not None:
        assets, linked = _linked_assets(subject.assets, found), True
    else:
        assets, linked = found.drop_duplicates(["layer", "asset_id", "name", "muni_code"]), False
    group = None
    if len(subject.muni_codes) > 1:
        pop = pd.to_numeric(ind["pop_2020"], errors="coerce")
        agg = scoring.aggregate_candidates(ctx.scores, pd.DataFrame({"candidate_id": "x",
                                                                     "muni_code": list(subject.muni_codes)}), pop)
        group = float(agg["score"].iloc[0]) if len(agg) else None
    if subject.title:
        title = subject.title
    else:
        title = "・".join(f"{m['pref_name']} {m['name']}" if lang == "en" else f"{m['pref_name']}{m['name']}"
                         for m in members)
    return Sheet(subject=subject, title=title, members=members_df,
                 indicators={c: indicator_rows(ctx, c, lang) for c in subject.muni_codes},
                 assets=assets.reset_index(drop=True), map_svg=map_svg(ctx, subject.muni_codes, assets, lang),
                 group_score=group, linked=linked)


def _num(v, fmt: str = "{:,.0f}", none: str = "—") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return none
    return fmt.format(v)


_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                          lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _cell(v: object) -> str:
    """A value as the sheet shows it: empty for None (and a missing float), else its text."""
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _links(url: object) -> list[tuple[str | None, str]]:
    """(href, text) of each URL in a cell (several may be ';'-separated); readable (Japanese) text, exact href;
    something that is not an http(s) URL is text only."""
    cell = url if isinstance(url, str) else ""
    return [(u, unquote(u)) if u.startswith(("http://", "https://")) else (None, u)
            for u in re.split(r"[;\s]+", cell) if u]


def _indicator_tables(sheet: Sheet, lang: str) -> list[dict]:
    tables = []
    for m in sheet.members.itertuples():
        rows = sheet.indicators[m.muni_code]
        top = max(rows["contribution"].max(skipna=True), 1e-9) if rows["contribution"].notna().any() else 1.0
        groups = []
        for _, g in rows.groupby("criterion", sort=False):
            groups.append({"label": g["criterion_label"].iloc[0],
                           "subtotal": _num(g["contribution"].sum(min_count=1), "{:.3f}"),
                           "rows": [{"indicator": "" if r.indicator is None else str(r.indicator),
                                     "sign": "" if r.direction > 0 else " (−)",
                                     "value": "" if r.value is None else str(r.value),
                                     "percentile": _num(r.percentile, "{:.0f}"),
                                     "sub_score": _num(r.sub_score, "{:.2f}"), "weight": f"{r.weight:g}",
                                     "width": None if pd.isna(r.contribution)
                                     else f"{max(0.0, 100 * r.contribution / top) * 0.4:.1f}",
                                     "contribution": _num(r.contribution, "{:.3f}")}
                                    for r in g.itertuples()]})
        tables.append({"name": m.name if len(sheet.members) > 1 else "", "groups": groups})
    return tables


def sheet_html(sheet: Sheet, ctx: Context, lang: str = "ja") -> str:
    """One sheet as an HTML ``<section>`` (see ``evidence_html`` for the whole document), from the autoescaped
    template ``templates/evidence_sheet.html.j2``: this function only gathers the values."""
    codes = ", ".join(f"{m.pref_name}{' ' if lang == 'en' else ''}{m.name} ({m.muni_code})"
                      for m in sheet.members.itertuples())
    members = [{"pref_name": m.pref_name, "name": m.name, "score": _num(m.score, "{:.3f}"),
                "rank": f"{m.rank:,} / {m.of:,}" if m.rank is not None and not pd.isna(m.rank) else "—",
                "coverage": _num(m.coverage, "{:.0%}"), "population": _num(m.pop_2020),
                "population_change": _num(m.pop_change_pct, "{:+.1f} %"), "visitors": _num(m.visitors),
                "visitors_change": _num(m.visitors_change_pct, "{:+.1f} %"),
                "reason": "" if m.reason is None else str(m.reason)} for m in sheet.members.itertuples()]
    names = dict(zip(sheet.members["muni_code"], sheet.members["name"], strict=False))
    assets = [{"color": LAYER_COLORS.get(r.layer, "#000"),
               "layer": i18n.t(f"layer.{r.layer}", lang) if f"layer.{r.layer}" in i18n.STRINGS else r.layer,
               "name": _cell(r.name), "detail": _cell(r.detail),
               "municipality": names.get(r.muni_code, "") if isinstance(r.muni_code, str) else "",
               "links": _links(r.source_url)} for r in sheet.assets.itertuples()]
    uf = sheet.subject.user_features
    user_features, user_credits = [], []
    if uf is not None and len(uf):
        user_features = [{"title": _cell(r.title), "name": _cell(r.name), "category": _cell(r.category),
                          "municipality": _cell(names.get(r.muni_code, r.muni_code)), "credit": _cell(r.credit)}
                         for r in uf.itertuples()]
        user_credits = list(dict.fromkeys(uf["credit"].dropna().astype(str)))
    # --- effect verification (issue 12): the one call site; only subjects carrying an estimate have it ---
    effect = effect_section_html(sheet.subject, lang) if getattr(sheet.subject, "effect", None) is not None else ""
    weights = ", ".join(f"{(i.label_en if lang == 'en' else i.label_ja)} {ctx.weights.values[i.key]:g}"
                        for i in scoring.INDICATORS)
    return _ENV.get_template("evidence_sheet.html.j2").render(
        t=lambda key, **kw: i18n.t(key, lang, **kw), title=sheet.title,
        kind=i18n.t("ex.ev.kind_group" if len(sheet.members) > 1 else "ex.ev.kind_muni", lang), codes=codes,
        created=ctx.created.isoformat(), note=sheet.subject.note,
        map_svg=markupsafe.Markup(sheet.map_svg) if sheet.map_svg else "", map_credit=credit("boundaries", lang),
        group_score=None if sheet.group_score is None else _num(sheet.group_score, "{:.3f}"), members=members,
        visitor_year=f" ({ctx.visitor_year})" if ctx.visitor_year else "",
        indicator_tables=_indicator_tables(sheet, lang), linked=sheet.linked, assets=assets,
        user_features=user_features, effect_html=markupsafe.Markup(effect),
        weights=weights, credit_lines=credits(SCORING_SOURCES, lang) + user_credits)


# --- effect verification (issue 12): one function, called from sheet_html for subjects with an estimate ------
def effect_section_html(subject: Subject, lang: str = "ja") -> str:
    """The effect estimate of ``subject`` (an ``effect_report.EffectSubject``): its table, its chart (inline
    SVG, drawn by ``effect_report.chart_svg``), its warnings and caveats, the visitor data's credit."""
    e = lambda s: html.escape("" if s is None else str(s))
    table = subject.effect_table
    rows = "".join(f"<tr><th>{e(a)}</th><td>{e(b)}</td></tr>" for a, b in table.itertuples(index=False))
    caveats = "".join(f"<li>{e(c)}</li>" for c in subject.effect_caveats)
    return (f'<h2>{e(i18n.t("effect.section", lang))}</h2><table class="kv effect">{rows}</table>'
            f'<div class="effect-chart">{subject.effect_svg}</div>'
            f'<h3>{e(i18n.t("effect.caveats", lang))}</h3><ul class="small">{caveats}</ul>'
            f'<p class="small">{" ／ ".join(e(c) for c in subject.effect_credits)}</p>')
# --- end of effect verification ---


def _css() -> str:
    return (TEMPLATES / "evidence.css").read_text(encoding="utf-8")


Progress = pdf_pages.Progress  # the same callback type, with one more stage here
"""``progress(stage, done, total)``: stage "sheets" (sheets gathered of total) or "pages" (PDF pages laid
out; total unknown, None)."""


def _subjects(subjects: Subject | Sequence[Subject], lang: str) -> list[Subject]:
    subs = [subjects] if isinstance(subjects, Subject) else list(subjects)
    if not subs:
        raise ExportError("evidence: expected at least one subject, found none")
    if lang not in i18n.LANGS:
        raise ExportError(f"lang: expected one of {list(i18n.LANGS)}, found {lang!r}")
    return subs


def _bodies(con: duckdb.DuckDBPyConnection, subs: Sequence[Subject], c: Context, lang: str,
            progress: Progress | None):
    """(sheet title, body HTML) of each subject, as they are gathered."""
    for i, s in enumerate(subs, start=1):
        sheet = gather(con, s, c, lang)
        if progress is not None:
            progress("sheets", i, len(subs))
        yield sheet.title, sheet_html(sheet, c, lang)


def _doc_title(title: str | None, subs: Sequence[Subject], first_title: str, lang: str) -> str:
    return title or (first_title if len(subs) == 1 else i18n.t("ex.ev.doc_title", lang, n=len(subs)))


def _document(lang: str, title: str, body: str, *, style: bool = True) -> str:
    css = f"<style>{_css()}</style>" if style else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'{css}</head><body>{body}</body></html>')


def evidence_html(con: duckdb.DuckDBPyConnection, subjects: Subject | Sequence[Subject], *,
                  weights: scoring.Weights | None = None, lang: str = "ja", ctx: Context | None = None,
                  title: str | None = None, progress: Progress | None = None) -> str:
    """A standalone HTML document with one sheet per subject (each sheet starts a new printed page)."""
    subs = _subjects(subjects, lang)
    sheets = list(_bodies(con, subs, ctx or context(con, weights), lang, progress))
    return _document(lang, _doc_title(title, subs, sheets[0][0], lang), "".join(body for _, body in sheets))


def pdf_problem() -> str | None:
    """Why PDF export is unavailable here (None when it works): WeasyPrint or its Pango library missing."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _require_pdf() -> None:
    problem = pdf_problem()
    if problem:
        raise ExportError(i18n.t("ex.err.pdf", "en", detail=problem)).keyed("ex.err.pdf", detail=problem)


def evidence_pdf(con: duckdb.DuckDBPyConnection, subjects: Subject | Sequence[Subject], *,
                 weights: scoring.Weights | None = None, lang: str = "ja", ctx: Context | None = None,
                 title: str | None = None, progress: Progress | None = None, workers: int | None = None) -> bytes:
    """The sheets of ``evidence_html`` as a PDF (A4; each sheet starts a new page and numbers its own pages).

    Each sheet is laid out as its own WeasyPrint document, so a batch is linear in its sheets and is split over
    ``workers`` processes (default ``settings.pdf_workers()``) from ``pdf_pages.POOL_MIN_DOCUMENTS`` sheets on."""
    _require_pdf()
    subs = _subjects(subjects, lang)
    bodies = _bodies(con, subs, ctx or context(con, weights), lang, progress)
    first_title, first_body = next(bodies)
    doc_title = _doc_title(title, subs, first_title, lang)
    with pdf_pages.Batch(len(subs), _css(), doc_title, workers=workers or settings.pdf_workers(),
                         progress=progress) as batch:
        batch.add(_document(lang, doc_title, first_body, style=False))
        for _, body in bodies:  # each sheet is laid out (or handed to a worker) while the next is gathered
            batch.add(_document(lang, doc_title, body, style=False))
        return batch.pdf()


def render(con: duckdb.DuckDBPyConnection, subjects: Subject | Sequence[Subject], fmt: str, *,
           weights: scoring.Weights | None = None, lang: str = "ja", ctx: Context | None = None,
           title: str | None = None, progress: Progress | None = None) -> bytes:
    """The evidence sheets of ``subjects`` in ``fmt`` ('html' or 'pdf') as bytes: the one switch used by
    the pages and the command line. ``progress`` is told of each sheet gathered and each PDF page laid out."""
    if fmt == "html":
        return evidence_html(con, subjects, weights=weights, lang=lang, ctx=ctx, title=title,
                             progress=progress).encode("utf-8")
    if fmt == "pdf":
        return evidence_pdf(con, subjects, weights=weights, lang=lang, ctx=ctx, title=title, progress=progress)
    raise ExportError(f"evidence format: expected 'html' or 'pdf', found {fmt!r}")


def candidate_subject(cand: Candidate, catalog: pd.DataFrame | None, *, lang: str = "ja",
                      user_features: pd.DataFrame | None = None) -> Subject:
    """A candidate as the subject of a sheet: its municipalities, its name and the assets it links
    (labels and sources from ``layers.asset_catalog``); ``user_features``: the user layers' features in its
    municipalities, listed with their layers' credit lines."""
    assets = layers.asset_labels(catalog, cand.data.assets) if catalog is not None and cand.data.assets else None
    call = f"{cand.data.fiscal_year}年度公募" if lang == "ja" else f"FY{cand.data.fiscal_year} call"
    note = " / ".join(filter(None, [domain.label(domain.STATUSES, cand.status, lang),
                                    domain.label(domain.BASE_TYPES, cand.data.base_type, lang), call,
                                    cand.data.summary]))
    return Subject(cand.data.muni_codes, title=f"{cand.candidate_id} {cand.data.name_ja}", assets=assets, note=note,
                   user_features=user_features)
