"""The curated content layers (geodata/*.csv): their schema, validation and loading.

Each layer is a UTF-8 CSV written by the project from public facts, one source URL per row.
Validation reports every problem at once (file, row, column, expected, found); loading is part of
the build's single transaction, so a bad file changes nothing.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from revitalize.core import codes, i18n, settings
from revitalize.core.domain import JAPAN_LAT, JAPAN_LON
from revitalize.core.errors import InputError, Problem
from revitalize.data import db

_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Column:
    """A CSV column: its type and whether a value is required."""

    name: str
    kind: str = "str"  # str | int | float | date | bool | url | muni | pref | enum | list
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layer:
    """A curated layer: its file, table, key and columns, and its credit line."""

    key: str
    file_name: str
    table: str
    id_column: str
    columns: tuple[Column, ...]
    title_ja: str
    title_en: str
    publisher: str
    as_of: str
    licence: str
    credit_ja: str
    credit_en: str
    url: str = "geodata/README.md"
    has_point: bool = False

    @property
    def path(self) -> Path:
        return settings.GEODATA_DIR / self.file_name


_PRECISION = ("landmark", "municipality", "prefecture")
_OWN = "revitalize project (compiled from public sources, one source URL per row)"
_LICENCE = "facts compiled by the project; see each row's source_url"

LAYERS: tuple[Layer, ...] = (
    Layer(
        key="anime_sites", file_name="anime_sites.csv", table="anime_sites", id_column="site_id",
        columns=(
            Column("site_id", required=True), Column("work_title_ja"), Column("work_title_en"),
            Column("place_name_ja", required=True), Column("place_name_en"),
            Column("pref_code", "pref", required=True), Column("muni_code", "muni"),
            Column("lat", "float"), Column("lon", "float"),
            Column("location_precision", "enum", required=True, choices=_PRECISION),
            Column("coord_source_url", "url"),
            Column("kind", "enum", required=True, choices=("setting", "facility", "event")),
            Column("editions", "list", required=True), Column("source_url", "url", required=True),
            Column("as_of", "date", required=True), Column("note"),
            Column("first_released_on", "date"), Column("release_source_url", "url"),
        ),
        title_ja="アニメ聖地（訪れてみたい日本のアニメ聖地88）", title_en="Places related to anime (Anime Tourism 88)",
        publisher=_OWN, as_of="2026-02-13", licence=_LICENCE,
        credit_ja="出典：一般社団法人アニメツーリズム協会「訪れてみたい日本のアニメ聖地88」各年版（revitalize 編集）",
        credit_en="Source: Anime Tourism Association, '88 Anime Spots in Japan' editions (compiled by revitalize)",
        has_point=True,
    ),
    Layer(
        key="filming_locations", file_name="filming_locations.csv", table="filming_locations",
        id_column="location_id",
        columns=(
            Column("location_id", required=True), Column("work_title_ja", required=True), Column("work_title_en"),
            Column("work_type", "enum", required=True, choices=("film", "drama", "anime_film", "other")),
            Column("release_year", "int"), Column("production_country"),
            Column("place_name_ja", required=True), Column("place_name_en"),
            Column("pref_code", "pref", required=True), Column("muni_code", "muni"),
            Column("lat", "float"), Column("lon", "float"),
            Column("location_precision", "enum", required=True, choices=_PRECISION),
            Column("coord_source_url", "url"), Column("source_url", "url", required=True),
            Column("as_of", "date"), Column("note"),
            Column("broadcast_start", "date"), Column("broadcast_end", "date"),
        ),
        title_ja="ロケ地（映画・ドラマ）", title_en="Filming locations (films and dramas)",
        publisher=_OWN, as_of="2026-12-01", licence=_LICENCE,
        credit_ja="出典：各行の出典URL（フィルムコミッション、自治体、報道等）を revitalize が編集",
        credit_en="Sources: each row's source URL (film commissions, municipalities, press), compiled by revitalize",
        has_point=True,
    ),
    Layer(
        key="film_commissions", file_name="film_commissions.csv", table="film_commissions", id_column="fc_id",
        columns=(
            Column("fc_id", required=True), Column("name_ja", required=True), Column("name_en"),
            Column("level", "enum", required=True, choices=("prefecture", "municipality", "region")),
            Column("pref_code", "pref", required=True), Column("muni_code", "muni"),
            Column("jfc_member", "bool"), Column("operator_ja"), Column("website", "url"),
            Column("source_url", "url", required=True), Column("as_of", "date"), Column("note"),
            Column("served_muni_codes", "list"),
        ),
        title_ja="フィルムコミッション", title_en="Film commissions",
        publisher=_OWN, as_of="2026-12-01", licence=_LICENCE,
        credit_ja="出典：特定非営利活動法人ジャパン・フィルムコミッション会員一覧 ほか（revitalize 編集）",
        credit_en="Sources: Japan Film Commission member list and others (compiled by revitalize)",
        has_point=True,
    ),
    Layer(
        key="gi_products", file_name="gi_products.csv", table="gi_products", id_column="gi_id",
        columns=(
            Column("gi_id", required=True),
            Column("registry", "enum", required=True, choices=("MAFF", "NTA", "foreign")),
            Column("reg_number", "int", required=True), Column("name_ja", required=True), Column("name_kana"),
            Column("name_en"), Column("product_class"), Column("registered_on", "date", required=True),
            Column("producer_group"), Column("area_text_ja"), Column("pref_codes", "list"),
            Column("source_url", "url", required=True), Column("as_of", "date"), Column("note"),
        ),
        title_ja="地理的表示（GI）産品", title_en="Geographical indication (GI) products",
        publisher=_OWN, as_of="2025-11-17", licence=_LICENCE,
        credit_ja="出典：農林水産省「登録産品一覧」、国税庁「酒類の地理的表示一覧」（revitalize 編集）",
        credit_en="Sources: MAFF GI register; National Tax Agency liquor GI list (compiled by revitalize)",
    ),
    Layer(
        key="gi_areas", file_name="gi_areas.csv", table="gi_areas", id_column="",
        columns=(
            Column("gi_id", required=True), Column("muni_code", "muni"),
            Column("coverage", "enum", required=True, choices=("whole", "part")), Column("note"),
        ),
        title_ja="GI 産品の生産地（市区町村）", title_en="GI production areas (municipalities)",
        publisher=_OWN, as_of="2025-11-17", licence=_LICENCE,
        credit_ja="出典：農林水産省・国税庁の登録内容を市区町村に展開（revitalize 編集）",
        credit_en="Sources: MAFF and NTA registers, expanded to municipalities by revitalize",
    ),
)

LAYERS_BY_KEY: dict[str, Layer] = {layer.key: layer for layer in LAYERS}
TABLES: tuple[str, ...] = tuple(layer.table for layer in LAYERS) + ("anime_site_editions",)


def csv_paths() -> list[Path]:
    """The curated CSV files (present or not)."""
    return [layer.path for layer in LAYERS]


def _parse_value(col: Column, text: str) -> tuple[object, str | None]:
    """(value, error) for one cell; error says what was expected."""
    if text == "":
        return None, ("a value" if col.required else None)
    if col.kind in ("str", "list"):
        return text, None
    if col.kind == "int":
        return (int(text), None) if re.fullmatch(r"-?\d+", text) else (None, "a whole number")
    if col.kind == "float":
        try:
            return float(text), None
        except ValueError:
            return None, "a decimal number"
    if col.kind == "date":
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, "an ISO date YYYY-MM-DD"
    if col.kind == "bool":
        return ({"true": True, "false": False}[text], None) if text in ("true", "false") else (None, "true or false")
    if col.kind == "url":
        urls = text.split(";")
        return (text, None) if all(_URL.match(u) for u in urls) else (None, "an http(s) URL")
    if col.kind == "muni":
        return (text, None) if codes.is_muni_code(text) else (None, "a 5-digit municipality code like '01100'")
    if col.kind == "pref":
        return (text, None) if codes.is_pref_code(text) else (None, "a prefecture code '01'..'47'")
    if col.kind == "enum":
        return (text, None) if text in col.choices else (None, f"one of {list(col.choices)}")
    raise AssertionError(col.kind)


def read_layer(layer: Layer, path: Path | None = None) -> pd.DataFrame:
    """Read and validate one curated CSV; raises InputError with every problem found."""
    path = Path(path or layer.path)
    name = path.name
    if not path.exists():
        raise InputError([Problem(name, found="no such file", found_key="pb.cu.no_file",
                                  **i18n.expect("pb.cu.file", path=path))], dataset=layer.key)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError([Problem(name, found="an empty file", found_key="pb.cu.empty",
                                      **i18n.expect("pb.cu.header"))], dataset=layer.key) from None
        rows = list(reader)
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    expected = [c.name for c in layer.columns]
    missing = [c for c in expected if c not in header]
    if missing:
        raise InputError([Problem(name, found=f"header {header}", column=c, **i18n.expect("pb.cu.column", name=repr(c)))
                          for c in missing], dataset=layer.key)
    problems: list[Problem] = []
    records = []
    index = {h: i for i, h in enumerate(header)}
    for rownum, row in enumerate(rows, start=1):
        if len(row) != len(header):
            problems.append(Problem(name, found=f"{len(row)} fields", found_key="pb.cu.fields_found", row=rownum,
                                    **i18n.expect("pb.cu.fields", n=len(header), count=len(row))))
            continue
        rec = {}
        for col in layer.columns:
            text = row[index[col.name]].strip()
            value, err = _parse_value(col, text)
            if err:
                problems.append(Problem(name, err, repr(text) if text else "an empty cell", row=rownum,
                                        column=col.name))
            rec[col.name] = value
        extra = {h: row[i].strip() or None for h, i in index.items() if h not in rec}
        records.append(rec | extra)
    all_cols = expected + [h for h in header if h not in expected]
    # object columns keep None as None (not NaN), so 'missing' stays distinguishable
    df = pd.DataFrame({c: pd.Series([r.get(c) for r in records], dtype=object) for c in all_cols})
    if layer.id_column and len(df):
        dup = df[layer.id_column].duplicated(keep="first") & df[layer.id_column].notna()
        for i in df.index[dup]:
            problems.append(Problem(name, found=f"duplicate {df.at[i, layer.id_column]!r}", row=int(i) + 1,
                                    column=layer.id_column, found_key="pb.cu.duplicate",
                                    **i18n.expect("pb.cu.unique", column=layer.id_column,
                                                  value=repr(df.at[i, layer.id_column]))))
    problems += _row_rules(layer, df, name)
    if problems:
        raise InputError(problems, dataset=layer.key)
    return df


def _row_rules(layer: Layer, df: pd.DataFrame, name: str) -> list[Problem]:  # noqa: C901 (listed in NOTES.md: to split)
    """Rules across columns of one row."""
    problems = []
    if "muni_code" in df and "pref_code" in df:
        for i, (m, p) in enumerate(zip(df["muni_code"], df["pref_code"], strict=False), start=1):
            if m and p and m[:2] != p:
                problems.append(Problem(name, found=repr(m), row=i, column="muni_code",
                                        **i18n.expect("pb.cu.muni_in_pref", pref=p)))
    if layer.has_point and "lat" in df:
        for i, r in enumerate(df.itertuples(index=False), start=1):
            has_xy = r.lat is not None and r.lon is not None
            prec = getattr(r, "location_precision", "landmark" if has_xy else "municipality")
            if (r.lat is None) != (r.lon is None):
                problems.append(Problem(name, found=f"lat={r.lat!r} lon={r.lon!r}", row=i, **i18n.expect("pb.cu.latlon")))
            if has_xy and not (JAPAN_LAT[0] <= r.lat <= JAPAN_LAT[1] and JAPAN_LON[0] <= r.lon <= JAPAN_LON[1]):
                problems.append(Problem(name, found=f"({r.lat}, {r.lon})", row=i, column="lat",
                                        **i18n.expect("pb.cu.in_japan", lat0=f"{JAPAN_LAT[0]:g}", lat1=f"{JAPAN_LAT[1]:g}",
                                                                      lon0=f"{JAPAN_LON[0]:g}", lon1=f"{JAPAN_LON[1]:g}")))
            if prec == "landmark" and not has_xy:
                problems.append(Problem(name, "lat/lon for a landmark", "empty", row=i, column="lat"))
            if prec == "landmark" and has_xy and not getattr(r, "coord_source_url", "x"):
                problems.append(Problem(name, "coord_source_url for sourced coordinates", "empty", row=i,
                                        column="coord_source_url"))
            if prec == "municipality" and not r.muni_code:
                problems.append(Problem(name, "a muni_code for municipality precision", "empty", row=i,
                                        column="muni_code"))
    if layer.key == "anime_sites":
        for i, e in enumerate(df["editions"], start=1):
            years = e.split(";") if e else []
            if not years or any(not re.fullmatch(r"20[1-3]\d", y) for y in years) or years != sorted(set(years)):
                problems.append(Problem(name, "ascending years like '2019;2020;2025'", repr(e), row=i,
                                        column="editions"))
    if layer.key == "film_commissions":
        for i, (lvl, m) in enumerate(zip(df["level"], df["muni_code"], strict=False), start=1):
            if lvl == "municipality" and not m:
                problems.append(Problem(name, "a muni_code for a municipality film commission", "empty", row=i,
                                        column="muni_code"))
        for i, (lvl, _p, m, served) in enumerate(zip(df["level"], df["pref_code"], df["muni_code"],
                                                    df["served_muni_codes"], strict=False), start=1):
            if not served:
                continue
            got = served.split(";")
            if any(not codes.is_muni_code(c) for c in got) or len(set(got)) != len(got):
                problems.append(Problem(name, "distinct 5-digit codes like '11211;11381'", repr(served), row=i,
                                        column="served_muni_codes"))
            elif lvl == "prefecture":
                problems.append(Problem(name, "no served_muni_codes for a prefecture film commission",
                                        repr(served), row=i, column="served_muni_codes"))
            elif m and m not in got:
                problems.append(Problem(name, f"served_muni_codes that include muni_code {m}", repr(served), row=i,
                                        column="served_muni_codes"))
    if layer.key == "gi_areas":
        for i, (m, note) in enumerate(zip(df["muni_code"], df["note"], strict=False), start=1):
            if not m and note != "nationwide":
                problems.append(Problem(name, "a muni_code (empty only with note 'nationwide')", "empty", row=i,
                                        column="muni_code"))
        dup = df.duplicated(subset=["gi_id", "muni_code"], keep="first")
        for i in df.index[dup]:
            problems.append(Problem(name, "one row per (gi_id, muni_code)", f"duplicate {df.at[i, 'gi_id']}/"
                                    f"{df.at[i, 'muni_code']}", row=int(i) + 1))
    return problems


def read_all() -> dict[str, pd.DataFrame]:
    """Read every curated layer that exists; all problems of all files are raised together."""
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for layer in LAYERS:
        if not layer.path.exists():
            continue
        try:
            frames[layer.key] = read_layer(layer)
        except InputError as exc:
            problems += exc.problems
    if "gi_areas" in frames and "gi_products" in frames:
        known = set(frames["gi_products"]["gi_id"])
        for i, g in enumerate(frames["gi_areas"]["gi_id"], start=1):
            if g not in known:
                problems.append(Problem("gi_areas.csv", "a gi_id listed in gi_products.csv", repr(g), row=i,
                                        column="gi_id"))
    if problems:
        raise InputError(problems)
    return frames


def _check_codes(frames: dict[str, pd.DataFrame], known: set[str]) -> list[Problem]:
    problems = []
    for key, df in frames.items():
        if "muni_code" not in df:
            continue
        for i, m in enumerate(df["muni_code"], start=1):
            if m and m not in known:
                problems.append(Problem(LAYERS_BY_KEY[key].file_name, "a municipality code of the code list",
                                        repr(m), row=i, column="muni_code"))
        if "served_muni_codes" in df:
            for i, served in enumerate(df["served_muni_codes"], start=1):
                for m in (served or "").split(";"):
                    if m and m not in known:
                        problems.append(Problem(LAYERS_BY_KEY[key].file_name,
                                                "municipality codes of the code list", repr(m), row=i,
                                                column="served_muni_codes"))
    return problems


def write_all(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], report,
              known: frozenset[str] | set[str] | None = None) -> None:
    """Write the curated layers (inside the build's transaction), placing points.

    ``known`` are the municipality codes the layers' codes are checked against: the boundaries'
    (read from the database) when None. A point without sourced coordinates is placed at its
    municipality's inner point, or its prefecture's when no municipality is given;
    ``location_precision`` says which. Without boundaries such rows keep no point (their
    counts and tables are still complete).
    """
    if known is None:
        known = {r[0] for r in con.execute(db.sql("muni_codes")).fetchall()}
    problems = _check_codes(frames, known) if known else []
    if problems:
        raise InputError(problems)
    for layer in LAYERS:
        if layer.key not in frames:
            report.missing[layer.key] = f"{layer.file_name} not found in geodata/"
            continue
        df = frames[layer.key].copy()
        cols = [c.name for c in layer.columns]
        if layer.key == "anime_sites":
            df["latest_edition"] = [max(int(y) for y in e.split(";")) for e in df["editions"]]
            cols.append("latest_edition")
            eds = [(s, int(y)) for s, e in zip(df["site_id"], df["editions"], strict=False) for y in e.split(";")]
            con.executemany(db.sql("curated/insert_anime_site_edition"), eds)
        if layer.key == "film_commissions":
            df["location_precision"] = ["municipality" if m else "prefecture" for m in df["muni_code"]]
            df["lat"] = None
            df["lon"] = None
            cols += ["location_precision", "lat", "lon"]
        db.insert_frame(con, layer.table, df[cols])
        if layer.has_point:
            _place_points(con, layer.table)
        report.loaded.append(layer.key)
        report.counts[layer.table] = len(df)


def _place_points(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Points of a layer table: sourced coordinates, else the municipality's inner point, else the prefecture's."""
    for step in ("point_precision", "point_from_coordinates", "point_from_municipality", "point_from_prefecture"):
        con.execute(db.sql(f"curated/{step}", table=table))
