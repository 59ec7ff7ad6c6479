"""Readers for the reference files: each returns a clean (Geo)DataFrame or raises InputError.

Pure functions of a file path: no database, no network. Every reader checks the header first
and reports every problem at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from revitalize.core import codes
from revitalize.core.errors import InputError, Problem

CRS = "EPSG:4326"


def require_columns(found: list[str], expected: list[str], *, file: str, dataset: str) -> None:
    """Raise InputError naming every expected column that is missing."""
    missing = [c for c in expected if c not in found]
    if missing:
        raise InputError(
            [Problem(file=file, column=c, expected=f"a column named {c!r}", found=f"header {found}") for c in missing],
            dataset=dataset,
        )


def _read_geojson(path: Path, expected: list[str], dataset: str) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:
        raise InputError([Problem(file=path.name, expected="a readable GeoJSON file", found=str(exc)[:200])],
                         dataset=dataset) from exc
    require_columns(list(gdf.columns), expected, file=path.name, dataset=dataset)
    if gdf.crs is None:
        gdf = gdf.set_crs(CRS)
    return gdf.to_crs(CRS)


def _kind(name: str, code: str, designated: set[str]) -> str:
    if code in designated:
        return "designated_city"
    if code.startswith("13") and name.endswith("区"):
        return "special_ward"
    if name.endswith("市"):
        return "city"
    if name.endswith("町"):
        return "town"
    if name.endswith("村"):
        return "village"
    return "other"


def read_municipalities(path: Path, wards_path: Path | None = None) -> gpd.GeoDataFrame:
    """Municipalities from the designated-city-merged N03 file.

    Uncoded areas (所属未定地) are dropped. ``kind`` marks designated cities (those with wards in the
    wards file, when given), Tokyo's special wards, cities, towns and villages.
    """
    ds = "boundaries"
    gdf = _read_geojson(path, ["N03_001", "N03_002", "N03_003", "N03_004", "N03_007"], ds)
    gdf = gdf[gdf["N03_007"].notna()].copy()
    problems = []
    gdf["muni_code"] = gdf["N03_007"].map(codes.muni_code_or_none)
    for i, (raw, code) in enumerate(zip(gdf["N03_007"], gdf["muni_code"], strict=False), start=1):
        if not codes.is_muni_code(code):
            problems.append(Problem(path.name, "a 5-digit municipality code", repr(raw), row=i, column="N03_007"))
    if problems:
        raise InputError(problems, dataset=ds)
    designated: set[str] = set()
    if wards_path is not None:
        raw_wards = _read_geojson(wards_path, ["N03_001", "N03_003", "N03_004", "N03_007"], ds)
        designated = set(_wards_from(raw_wards, gdf)["muni_code"])
        # the simplified file lost a few small municipalities' polygons; the ward-level file (same
        # source, same simplification) still has some of them under the same code
        lost = gdf.geometry.isna() | gdf.geometry.is_empty
        if lost.any():
            by_code = {c: g for c, g in zip(raw_wards["N03_007"], raw_wards.geometry, strict=False)
                       if g is not None and not g.is_empty}
            gdf.loc[lost, "geometry"] = [by_code.get(c) for c in gdf.loc[lost, "muni_code"]]
    gdf["name_ja"] = gdf["N03_004"].fillna(gdf["N03_003"])
    gdf["county_ja"] = gdf["N03_003"].where(gdf["N03_003"].fillna("").str.endswith("郡"))
    gdf["subpref_ja"] = gdf["N03_002"]
    gdf["pref_code"] = gdf["muni_code"].str[:2]
    gdf["kind"] = [_kind(n, c, designated) for n, c in zip(gdf["name_ja"], gdf["muni_code"], strict=False)]
    gdf["is_disputed"] = gdf["muni_code"].isin(codes.DISPUTED_CODES)
    # several polygons of one code (not the case in the 2021 file, but N03 allows it) are merged
    gdf = gdf.dissolve(by="muni_code", as_index=False, aggfunc="first")
    cols = ["muni_code", "pref_code", "name_ja", "county_ja", "subpref_ja", "kind", "is_disputed", "geometry"]
    return gdf[cols].sort_values("muni_code").reset_index(drop=True)


def read_wards(path: Path, municipalities: pd.DataFrame) -> gpd.GeoDataFrame:
    """Wards (区) of designated cities from the ward-level N03 file, linked to their city's code.

    ``municipalities`` needs N03_001 (prefecture) and N03_003 (city) columns, or muni_code/name_ja.
    """
    return _wards_from(_read_geojson(path, ["N03_001", "N03_003", "N03_004", "N03_007"], "boundaries"), municipalities)


def _wards_from(gdf: gpd.GeoDataFrame, municipalities: pd.DataFrame) -> gpd.GeoDataFrame:
    gdf = gdf[gdf["N03_007"].notna() & gdf["N03_003"].fillna("").str.endswith("市")
              & gdf["N03_004"].fillna("").str.endswith("区")].copy()
    gdf["ward_code"] = gdf["N03_007"].map(codes.muni_code_or_none)
    if "N03_003" in municipalities.columns:
        cities = municipalities[municipalities["N03_004"].isna() & municipalities["N03_003"].notna()]
        key = dict(zip(zip(cities["N03_001"], cities["N03_003"], strict=False), cities["N03_007"], strict=False))
    else:
        key = {(codes.PREF_NAME_BY_CODE[p], n): c for c, p, n in
               zip(municipalities["muni_code"], municipalities["pref_code"], municipalities["name_ja"], strict=False)}
    gdf["muni_code"] = [key.get((p, c)) for p, c in zip(gdf["N03_001"], gdf["N03_003"], strict=False)]
    gdf = gdf[gdf["muni_code"].notna()].rename(columns={"N03_004": "name_ja"})
    gdf = gdf.dissolve(by="ward_code", as_index=False, aggfunc="first")
    return gdf[["ward_code", "muni_code", "name_ja", "geometry"]].sort_values("ward_code").reset_index(drop=True)


def read_outlines(paths: Sequence[Path], municipalities: pd.DataFrame) -> gpd.GeoDataFrame:
    """Municipality outlines (``muni_code``, geometry) from the finer per-prefecture N03 files (s0010, 1 %).

    The files are at ward level: a designated city's wards (区) are dissolved into the city, linked by
    prefecture and city name to ``municipalities`` (muni_code, pref_code, name_ja). Uncoded areas
    (所属未定地) are dropped; a code that is neither a municipality nor a ward of one is a problem.
    """
    ds = "boundaries_fine"
    known = set(municipalities["muni_code"])
    city_of = {(codes.PREF_NAME_BY_CODE[p], n): c for c, p, n in
               zip(municipalities["muni_code"], municipalities["pref_code"], municipalities["name_ja"], strict=False)}
    parts, problems = [], []
    for path in paths:
        gdf = _read_geojson_quietly(path, ["N03_001", "N03_003", "N03_004", "N03_007"], ds, problems)
        if gdf is None:
            continue
        gdf = gdf[gdf["N03_007"].notna()]
        code = gdf["N03_007"].map(codes.muni_code_or_none)
        ward_city = [city_of.get((p, c)) if isinstance(w, str) and w.endswith("区") else None
                     for p, c, w in zip(gdf["N03_001"], gdf["N03_003"], gdf["N03_004"], strict=False)]
        owner = [c if c in known else w for c, w in zip(code, ward_city, strict=False)]
        for idx, raw, o in zip(gdf.index, gdf["N03_007"], owner, strict=False):
            if o is None:
                problems.append(Problem(path.name, "a municipality code of the nationwide boundary file, or a ward "
                                        "of one of its designated cities", repr(raw), row=int(idx) + 1,
                                        column="N03_007"))
        parts.append(gpd.GeoDataFrame({"muni_code": owner}, geometry=gdf.geometry.to_numpy(), crs=CRS))
    if problems:
        raise InputError(problems, dataset=ds)
    if not parts:
        return gpd.GeoDataFrame({"muni_code": []}, geometry=[], crs=CRS)
    out = pd.concat(parts, ignore_index=True)
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    # only cities split into wards (and any code in several features) need a union
    several = out["muni_code"].duplicated(keep=False)
    merged = out[several].dissolve(by="muni_code", as_index=False)
    out = pd.concat([out[~several], merged[["muni_code", "geometry"]]], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS).sort_values("muni_code").reset_index(drop=True)


def _read_geojson_quietly(path: Path, expected: list[str], dataset: str,
                          problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """``_read_geojson``, adding its problems to ``problems`` (None then) so every file is checked."""
    try:
        return _read_geojson(path, expected, dataset)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def fill_lost_polygons(municipalities: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame
                       ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """A copy of ``municipalities`` whose missing or empty polygons are taken from ``outlines``.

    Returns the new frame and the codes that were filled (those the outlines have).
    """
    out = municipalities.copy()
    lost = out.geometry.isna() | out.geometry.is_empty
    by_code = dict(zip(outlines["muni_code"], outlines.geometry, strict=False))
    fill = lost & out["muni_code"].isin(by_code)
    out.loc[fill, out.geometry.name] = gpd.GeoSeries([by_code[c] for c in out.loc[fill, "muni_code"]],
                                                     index=out.index[fill], crs=CRS)
    return out, sorted(out.loc[fill, "muni_code"])


def read_prefectures(path: Path) -> gpd.GeoDataFrame:
    """The 47 prefectures with codes, English names and regions."""
    ds = "boundaries"
    gdf = _read_geojson(path, ["N03_001"], ds)
    problems = [Problem(path.name, "a prefecture name (e.g. 北海道)", repr(n), row=i, column="N03_001")
                for i, n in enumerate(gdf["N03_001"], start=1) if n not in codes.PREF_CODE_BY_NAME]
    if problems:
        raise InputError(problems, dataset=ds)
    gdf = gdf.dissolve(by="N03_001", as_index=False)
    meta = pd.DataFrame(codes.PREFECTURES, columns=["pref_code", "name_ja", "name_en", "region_ja", "region_en"])
    out = meta.merge(gdf.rename(columns={"N03_001": "name_ja"})[["name_ja", "geometry"]], on="name_ja", how="inner")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS).sort_values("pref_code").reset_index(drop=True)


def _to_int(value: object) -> int | None:
    text = str(value).replace(",", "").strip()
    if text in {"", "-", "…", "***", "x", "X", "nan", "None"}:
        return None
    return int(float(text))


def read_census(path: Path) -> pd.DataFrame:
    """Census population by municipality and year from the e-Stat tabulation (two header rows)."""
    ds = "population"
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    expected_items = ["A1101", "A1301", "A1302", "A1303"]
    if raw.shape[1] < 9 or list(raw.iloc[0, 5:9]) != expected_items:
        found = list(raw.iloc[0, :]) if len(raw) else []
        raise InputError([Problem(path.name, f"first header row with item codes {expected_items} in columns 6–9",
                                  f"{found}", row=None)], dataset=ds)
    body = raw.iloc[2:, :].reset_index(drop=True)
    problems: list[Problem] = []
    rows = []
    for i, r in enumerate(body.itertuples(index=False), start=3):
        code = codes.muni_code_or_none(r[0])
        year_text = str(r[3]).replace("年度", "").strip()
        if not codes.is_muni_code(code):
            problems.append(Problem(path.name, "a 5-digit municipality code", repr(r[0]), row=i, column="地域 コード"))
            continue
        if not year_text.isdigit():
            problems.append(Problem(path.name, "a year like '2020年度'", repr(r[3]), row=i, column="調査年"))
            continue
        try:
            values = [_to_int(v) for v in r[5:9]]
        except ValueError:
            problems.append(Problem(path.name, "numbers like '1,973,395'", repr(list(r[5:9])), row=i))
            continue
        rows.append((code, int(year_text), *values))
    if problems:
        raise InputError(problems[:50], dataset=ds)
    df = pd.DataFrame(rows, columns=["muni_code", "year", "total", "age_0_14", "age_15_64", "age_65_plus"])
    for c in ["total", "age_0_14", "age_15_64", "age_65_plus"]:
        df[c] = df[c].astype("Int64")
    return df


def read_tourism(path: Path) -> pd.DataFrame:
    """Monthly visitors: columns month (YYYYMM), lgcode (integer), n. Codes are zero-padded here."""
    ds = "tourism"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    require_columns(list(df.columns), ["month", "lgcode", "n"], file=path.name, dataset=ds)
    # the upstream file pads itself with placeholder rows '0,NaN,NaN': skipped, and counted
    placeholder = df["month"].eq("0") & df["lgcode"].eq("NaN") & df["n"].eq("NaN")
    skipped = int(placeholder.sum())
    df = df[~placeholder]
    problems = []
    bad_month = ~df["month"].str.fullmatch(r"\d{6}")
    bad_n = ~df["n"].str.fullmatch(r"\d+")
    bad_code = ~df["lgcode"].str.fullmatch(r"\d{1,5}")
    for col, mask, exp in (("month", bad_month, "YYYYMM"), ("n", bad_n, "a whole number"),
                           ("lgcode", bad_code, "an integer code")):
        for idx in df.index[mask][:20]:
            problems.append(Problem(path.name, exp, repr(df.at[idx, col]), row=int(idx) + 1, column=col))
    if problems:
        raise InputError(problems, dataset=ds)
    out = pd.DataFrame({
        "code": df["lgcode"].str.zfill(5),
        "year": df["month"].str[:4].astype(int),
        "month": df["month"].str[4:].astype(int),
        "visitors": df["n"].astype("int64"),
    })
    out.attrs["placeholder_rows_skipped"] = skipped
    return out


def read_heritage_stories(path: Path) -> pd.DataFrame:
    """Japan Heritage stories (with a representative position)."""
    ds = "heritage"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    require_columns(list(df.columns), ["jhno", "url", "name", "subname", "areas", "lat", "lng"], file=path.name,
                    dataset=ds)
    pref_codes = [";".join(sorted(codes.PREF_CODE_BY_NAME[a] for a in areas.split(",") if a in codes.PREF_CODE_BY_NAME))
                  for areas in df["areas"]]
    return pd.DataFrame({
        "story_id": df["jhno"].astype(int), "name_ja": df["name"], "subname_ja": df["subname"].replace("", None),
        "areas_ja": df["areas"], "pref_codes": pref_codes, "url": df["url"],
        "lat": pd.to_numeric(df["lat"], errors="coerce"), "lon": pd.to_numeric(df["lng"], errors="coerce"),
    })


def read_heritage_properties(path: Path) -> pd.DataFrame:
    """Japan Heritage component properties with their (unvalidated) coordinates."""
    ds = "heritage"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    require_columns(list(df.columns), ["pidx", "jhno", "pno", "url", "status", "name", "yomi", "spot", "lat", "lng"],
                    file=path.name, dataset=ds)
    return pd.DataFrame({
        "property_id": df["pidx"].astype(int), "story_id": df["jhno"].astype(int),
        "seq": pd.to_numeric(df["pno"], errors="coerce").astype("Int64"),
        "name_ja": df["name"], "yomi": df["yomi"].replace("", None), "status_ja": df["status"].replace("", None),
        "spot_ja": df["spot"].replace("", None),
        "spot_pref_code": [codes.pref_from_address(s) for s in df["spot"]],
        "lat": pd.to_numeric(df["lat"], errors="coerce"), "lon": pd.to_numeric(df["lng"], errors="coerce"),
        "url": df["url"],
    })


def read_roadside_stations(path: Path) -> pd.DataFrame:
    """Registered roadside stations (道の駅): id, prefecture, name, location text, registration."""
    ds = "michi_no_eki"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(path.name, "a JSON list of stations", str(exc)[:200])], dataset=ds) from exc
    if not isinstance(data, list):
        raise InputError([Problem(path.name, "a JSON list", type(data).__name__)], dataset=ds)
    problems = []
    rows = []
    for i, item in enumerate(data, start=1):
        missing = [k for k in ("i", "p", "n", "l") if k not in item]
        if missing:
            problems.append(Problem(path.name, f"keys {missing}", f"keys {sorted(item)}", row=i))
            continue
        urls = item.get("u") or []
        rows.append({
            "station_id": str(item["i"]), "pref_code": codes.PREF_CODE_BY_NAME.get(item["p"]),
            "name_ja": item["n"], "location_ja": item["l"], "registered_round": item.get("r"),
            "registered_year": item.get("y"), "registered_month": item.get("m"),
            "url": urls[0] if urls else None,
        })
    if problems:
        raise InputError(problems, dataset=ds)
    return pd.DataFrame(rows)


def match_municipality_name(pref_code: str | None, location: str, munis: pd.DataFrame) -> str | None:
    """The municipality code a location text names, within its prefecture (stations, heritage spots).

    Tries the text as given, then without a leading county (…郡): an exact name, the name without
    its 市/町/村 suffix ('牧之原' → 牧之原市), else the longest name the text starts with
    (so '札幌市中央区…' → 札幌市). Returns None when nothing matches.
    """
    if pref_code is None or not isinstance(location, str):
        return None
    cand = munis[munis["pref_code"] == pref_code]
    names = list(zip(cand["muni_code"], cand["name_ja"], strict=False))
    text = location.strip()
    pref_name = codes.PREF_NAME_BY_CODE[pref_code]
    if text.startswith(pref_name):
        text = text[len(pref_name):]
    variants = [text]
    if "郡" in text:
        variants.append(text.split("郡", 1)[1])
    for t in variants:
        for code, name in names:
            if t == name or (len(name) > 2 and t == name[:-1]):
                return code
    for t in variants:
        best: tuple[int, str] | None = None
        for code, name in names:
            if t.startswith(name) and (best is None or len(name) > best[0]):
                best = (len(name), code)
        if best:
            return best[1]
    return None
