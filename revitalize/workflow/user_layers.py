"""Layers that users import, kept in the workflow database with an append-only audit trail.

An import is two steps. :func:`preview` is a dry run on the uploaded bytes: format, encoding and why, the
column mapping, the first rows, every problem (blocking) and warning, and — given the reference database —
which municipality each row falls in, with the rows outside the stated municipality listed. :func:`confirm`
then writes the layer, all its features and one audit row in ONE transaction: all or nothing.

Rename, hide/show, re-import (replace the features) and delete each append one ``user_layer_events`` row in
the same transaction as the change. The importer (owner) and admins may change a layer; viewers may not import.
Saves carry the version read: a stale one is refused (ConflictError) and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import shapely

from revitalize.core import codes, i18n
from revitalize.core.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError, Problem
from revitalize.data import db, spatial, uploads
from revitalize.workflow import audit
from revitalize.workflow.auth import User

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
PREVIEW_ROWS = 10
NAMED_WITHIN_KM = 2.0
"""A point this close (km) to the municipality its row names (code or address) is taken to be in it: the
boundaries are simplified (reclaimed land in Tokyo Bay lies up to ~2 km outside its ward), as for the nearest
municipality of points outside every polygon (spatial.DEFAULT_TOLERANCE_KM)."""
IMPORT_ROLES = ("municipality", "reviewer", "admin")


@dataclass(frozen=True)
class Preview:
    """What an import would write, and everything wrong with it (nothing is written)."""

    name: str
    title: str
    upload: uploads.Upload
    first_rows: pd.DataFrame
    """The first rows as they would be stored: row, name, category, muni_code, lat, lon."""
    features: pd.DataFrame
    """Every row as it would be stored (the same columns as ``first_rows`` and props, geometry)."""
    stated: tuple[str, ...]
    """The municipality (5 digits) or prefecture (2 digits) codes the file says it covers."""
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, object]:
        """The preview's facts for a page or the CLI (values, not sentences)."""
        up = self.upload
        return {"name": self.name, "title": self.title, "file": up.file, "format": up.format,
                "encoding": up.encoding.name if up.encoding else None,
                "encoding_reason": up.encoding.reason if up.encoding else None,
                "standard": up.mapping.standard, "dataset": up.mapping.dataset,
                "mapping": {k: list(v) for k, v in up.mapping.fields.items()}, "rows": len(self.features),
                "records_in_file": up.records_in_file, "source_crs": up.source_crs,
                "stated": list(self.stated), "problems": len(self.problems), "warnings": len(self.warnings)}


# ---------------------------------------------------------------------------------------------- pure parts

def check_name(name: str, *, file: str = "layer") -> list[Problem]:
    if not NAME_PATTERN.fullmatch(name or ""):
        return [Problem(file, "a layer name of lower-case letters, digits and _ (starting with a letter, ≤ 64)",
                        repr(name), column="name")]
    return []


def stated_codes(muni_codes: Iterable[object]) -> tuple[str, ...]:
    """The areas a file says it covers, from its code column: 5-digit municipality codes, or 2-digit prefecture
    codes for a prefecture's own code (e.g. 東京都 130001 → '13'). Values that are no valid code are skipped."""
    out = set()
    for value in pd.unique(pd.Series(list(muni_codes), dtype=object).dropna()):
        code, err = codes.parse_muni_code(str(value))
        if err is None:
            out.add(code[:2] if code.endswith("000") else code)
    return tuple(sorted(out))


def bad_codes(values: pd.Series, *, file: str, column: str | None) -> list[Problem]:
    """One warning per distinct code that is no valid local-government code (rows listed); such rows get their
    municipality from their point only."""
    out = []
    filled = values[values != ""]
    for value, rows in filled.groupby(filled, sort=False).groups.items():
        _, err = codes.parse_muni_code(value)
        if err is not None:
            listed = ", ".join(map(str, list(rows)[:10])) + (f" (+{len(rows) - 10})" if len(rows) > 10 else "")
            out.append(Problem(file, found=f"{i18n.say(err, 'en')} in rows {listed}", column=column, found_key="pb.ul.code_rows",
                               **i18n.expect("pb.ul.local_code", why=err, rows=listed)))
    return out


def features_frame(upload: uploads.Upload) -> pd.DataFrame:
    """The rows of an upload as stored: row_no, name, category, muni_code (from the file), props, geometry, lat, lon."""
    rec = upload.records
    # one JSON object per row, written by pandas in one pass (JSON Lines), not row by row
    # (JSON escapes every line feed in a value, so "\n" separates rows; splitlines() would also cut at U+2028)
    props = upload.table.to_json(orient="records", lines=True, force_ascii=False).rstrip("\n").split("\n") \
        if len(upload.table.columns) and len(rec) else ["{}"] * len(rec)
    if upload.geometry is not None:
        geoms = upload.geometry.to_numpy()
    else:
        has = (rec["lat"].notna() & rec["lon"].notna()).to_numpy()
        geoms = np.where(has, shapely.points(rec["lon"].fillna(0).to_numpy(), rec["lat"].fillna(0).to_numpy()), None)
    # few distinct codes in a file: parse each once
    parsed = {v: codes.parse_muni_code(v)[0] if v else None for v in pd.unique(rec["muni_code"])}
    return pd.DataFrame({
        "row_no": rec.index.astype(int), "name": rec["name"].to_numpy(), "category": rec["category"].to_numpy(),
        "file_muni_code": rec["muni_code"].map(parsed).to_numpy(dtype=object),
        "props": props, "geometry": shapely.to_wkb(geoms),
        "lat": rec["lat"].to_numpy(), "lon": rec["lon"].to_numpy(),
    }, index=rec.index)


def outside_stated(assigned: pd.DataFrame, stated: Sequence[str], *, file: str,
                   names: Mapping[str, str] | None = None) -> list[Problem]:
    """Rows whose point is in no municipality, or in one outside the stated area (per row, for the preview)."""
    if not stated:
        return []
    names = names or {}
    want = ", ".join(f"{names.get(c, c)} ({c})" for c in stated)
    out = []
    located = assigned[assigned["lat"].notna()]
    for row, code in located["muni_code"].items():
        if code is None or (isinstance(code, float) and np.isnan(code)):
            out.append(Problem(file, f"a point in {want}", "a point in no municipality (sea, or outside Japan's "
                                                         "boundaries by more than 2 km)", row=row, column="lat/lon"))
        elif code not in stated and code[:2] not in stated:
            out.append(Problem(file, f"a point in {want}", f"a point in {names.get(code, code)} ({code})",
                               row=row, column="lat/lon"))
    return out


# ---------------------------------------------------------------------------------------------- preview

def preview(data: bytes, file_name: str, *, name: str, title: str | None = None,
            ref_con: duckdb.DuckDBPyConnection | None = None, work_con: duckdb.DuckDBPyConnection | None = None,
            stated: Sequence[str] | None = None, replace: bool = False, **read_options) -> Preview:
    """A dry run of importing ``data`` as layer ``name``: nothing is written.

    ``ref_con``: the reference database (its ``municipalities``) to assign rows by spatial join; without it the
    file's own code column is used. ``stated``: the municipality/prefecture codes the file should cover
    (default: from its code column). ``work_con``: checks the name is free (or exists, with ``replace``).
    ``read_options`` go to :func:`revitalize.data.uploads.inspect_upload` (limits, encoding, mapping, aliases …).
    """
    up = uploads.inspect_upload(data, file_name, **read_options)
    problems = list(up.problems) + check_name(name, file=file_name)
    warns = list(up.warnings)
    if work_con is not None and NAME_PATTERN.fullmatch(name or ""):
        exists = _layer_row(work_con, name) is not None
        if exists and not replace:
            problems.append(Problem(file_name, "a layer name not yet in use (or a re-import)",
                                    f"layer {name!r} exists", column="name"))
        if replace and not exists:
            problems.append(Problem(file_name, "an existing layer to re-import", f"no layer {name!r}", column="name"))
    feats = features_frame(up) if len(up.records) else pd.DataFrame(
        columns=["row_no", "name", "category", "file_muni_code", "props", "geometry", "lat", "lon"])
    feats["muni_code"] = feats["file_muni_code"]
    warns += bad_codes(up.records["muni_code"], file=file_name, column=up.mapping.column("muni_code"))
    area = tuple(stated) if stated is not None else stated_codes(up.records["muni_code"]) if len(up.records) else ()
    if ref_con is not None and len(feats):
        assigned = assign(ref_con, feats)
        feats["muni_code"] = assigned["muni_code"]
        names = dict(ref_con.execute(_sql("muni_names")).fetchall())
        named = named_municipality(feats, address_text(up), names, area)
        feats["muni_code"] = prefer_named(ref_con, feats, named)
        check = feats[["lat"]].assign(muni_code=feats["muni_code"])
        # rows without a point: the municipality they name, else the file's code
        unplaced = feats["lat"].isna()
        feats.loc[unplaced, "muni_code"] = named[unplaced]
        feats["muni_code"] = feats["muni_code"].where(feats["muni_code"].notna(), feats["file_muni_code"])
        warns += outside_stated(check, area, file=file_name, names=names)
    first = feats[["row_no", "name", "category", "muni_code", "lat", "lon"]].head(PREVIEW_ROWS)
    return Preview(name=name, title=title or name, upload=up, first_rows=first, features=feats, stated=area,
                   problems=tuple(problems), warnings=tuple(warns))


_ADDRESS_HEADS = ("住所", "所在地")


def address_text(up: uploads.Upload) -> pd.Series:
    """Each row's address as one text: the mapped address, then every column whose header starts with 住所 or
    所在地 (layouts that split it: 住所都道府県, 住所市区町村 …)."""
    parts = [up.records["address"].fillna("")] if "address" in up.records else []
    for col in up.table.columns:
        if uploads.normalise_header(col).startswith(_ADDRESS_HEADS) and col != up.mapping.column("address"):
            parts.append(up.table[col].fillna("").astype(str))
    if not parts:
        return pd.Series("", index=up.records.index, dtype=object)
    return pd.concat(parts, axis=1).reindex(up.records.index).fillna("").agg(" ".join, axis=1)


def _place_text(text: str) -> str:
    """Text for matching place names: NFKC, and ヶ/ケ, ヵ/カ alike (青ヶ島村 is also written 青ケ島村)."""
    return unicodedata.normalize("NFKC", text).replace("ヶ", "ケ").replace("ヵ", "カ")


def named_municipality(feats: pd.DataFrame, addresses: pd.Series, names: Mapping[str, str],
                       area: Sequence[str]) -> pd.Series:
    """The municipality each row names itself: its code column's municipality (5 digits, not a prefecture's
    own code), else the longest municipality name in its address among those of the prefectures in ``area``
    (or of the row's assigned prefecture). None when it names none."""
    prefs = {c[:2] for c in area}
    by_pref: dict[str, list[tuple[str, str]]] = {}
    for code, name in names.items():
        if name:
            by_pref.setdefault(code[:2], []).append((code, _place_text(name)))
    for group in by_pref.values():
        group.sort(key=lambda cn: -len(cn[1]))
    out = []
    for code, assigned, addr in zip(feats["file_muni_code"], feats["muni_code"], addresses.reindex(feats.index), strict=False):
        if isinstance(code, str) and len(code) == 5 and not code.endswith("000"):
            out.append(code)
            continue
        found = None
        text = _place_text(addr) if isinstance(addr, str) else ""
        if text:
            where = prefs or ({assigned[:2]} if isinstance(assigned, str) else set())
            found = next((c for p in sorted(where) for c, n in by_pref.get(p, []) if n in text), None)
        out.append(found)
    return pd.Series(out, index=feats.index, dtype=object)


def prefer_named(ref_con: duckdb.DuckDBPyConnection, feats: pd.DataFrame, named: pd.Series, *,
                 within_km: float = NAMED_WITHIN_KM) -> pd.Series:
    """The municipality of each row: the one it names when its point lies within ``within_km`` of it (the
    boundaries are simplified, so points near a border can fall just across it), else the spatial join's."""
    pick = named.notna() & feats["lat"].notna() & (named != feats["muni_code"])
    out = feats["muni_code"].copy()
    if not pick.any():
        return out
    pts = pd.DataFrame({"k": feats.loc[pick, "row_no"].to_numpy(), "lon": feats.loc[pick, "lon"].to_numpy(float),
                        "lat": feats.loc[pick, "lat"].to_numpy(float), "muni_code": named[pick].to_numpy()})
    ref_con.register("_hint_points", pts)
    try:
        dist = ref_con.execute(_sql("distance_to_stated")).df()
    finally:
        ref_con.unregister("_hint_points")
    close = set(dist.loc[dist["distance_km"] <= within_km, "k"])
    # small islands (利島村, 青ヶ島村) have no polygon in the simplified boundaries: a point in no municipality
    # that names one of them can only be placed by its name
    unchecked = set(dist.loc[dist["distance_km"].isna(), "k"])
    take = pick & (feats["row_no"].isin(close) | (feats["row_no"].isin(unchecked) & feats["muni_code"].isna()))
    out[take] = named[take]
    return out


def assign(ref_con: duckdb.DuckDBPyConnection, feats: pd.DataFrame) -> pd.DataFrame:
    """muni_code of each located row by spatial join (containing polygon, else nearest within 2 km); index kept."""
    pts = pd.DataFrame({"k": feats["row_no"].to_numpy(), "lon": feats["lon"].to_numpy(dtype=float),
                        "lat": feats["lat"].to_numpy(dtype=float)})
    out = spatial.assign_municipalities(ref_con, pts, key="k")
    out.index = feats.index
    return out


# ---------------------------------------------------------------------------------------------- writes

# The storage seam: every statement of this module goes through these few functions (SQL in
# data/sql/user_layers/), so the layers can move onto another store without touching the rules above them.

def _sql(name: str) -> str:
    return db.sql(f"user_layers/{name}")


def _run(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[object] = ()) -> None:
    con.execute(_sql(name), list(params))


def _frame(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[object] = ()) -> pd.DataFrame:
    if hasattr(con, "df"):  # a workflow store.Store (DuckDB's own conversion keeps binary columns)
        return con.df(_sql(name), list(params))
    return con.execute(_sql(name), list(params)).df()


def _layer_row(con: duckdb.DuckDBPyConnection, name: str) -> dict | None:
    frame = _frame(con, "one", [name])
    return frame.iloc[0].to_dict() if len(frame) else None


def _event(con: duckdb.DuckDBPyConnection, name: str, user: User, action: str, version: int | None,
           details: Mapping[str, object] | None = None, *, at: dt.datetime) -> None:
    audit.record(con, _sql("insert_event"), name, user, action, [version], details=details, at=at)


def _require_import(user: User) -> None:
    if user.role not in IMPORT_ROLES:
        raise PermissionDeniedError(f"{user.label} may not import layers (needs {', '.join(IMPORT_ROLES)})")


def _require_owner(user: User, layer: Mapping[str, object], what: str) -> None:
    if user.role != "admin" and layer["owner"] != user.user_id:
        raise PermissionDeniedError(f"{user.label} may not {what} layer {layer['name']!r} (owner "
                                    f"{layer['owner']!r} or an admin only); nothing was changed")


def _current(con: duckdb.DuckDBPyConnection, name: str, read_version: int | None) -> dict:
    layer = _layer_row(con, name)
    if layer is None:
        raise NotFoundError(f"no layer {name!r}")
    if read_version is not None and layer["version"] != read_version:
        raise ConflictError(f"layer {name!r} was changed since it was read (version {read_version}, now "
                            f"{layer['version']}); nothing was changed — reload and try again")
    return layer


def _geometry_type(p: Preview) -> str | None:
    if p.upload.geometry is not None and len(p.upload.geometry):
        return str(p.upload.geometry.geom_type.mode().iloc[0])
    return "Point" if p.features["lat"].notna().any() else None


def _insert_features(con: duckdb.DuckDBPyConnection, name: str, feats: pd.DataFrame) -> None:
    frame = pd.DataFrame({"layer_name": name, "row_no": feats["row_no"].astype("int64").to_numpy(),
                          "muni_code": feats["muni_code"].astype(object).where(feats["muni_code"].notna(), None),
                          "name": feats["name"], "category": feats["category"], "props": feats["props"],
                          "geometry": feats["geometry"], "lat": feats["lat"].astype(float),
                          "lon": feats["lon"].astype(float)})
    raw = getattr(con, "raw", con)  # user layers are on the DuckDB store only (see NOTES)
    raw.register("_user_layer_rows", frame)
    try:
        _run(con, "insert_features")
    finally:
        raw.unregister("_user_layer_rows")


def confirm(con: duckdb.DuckDBPyConnection, user: User, p: Preview, *, licence: str | None = None,
            credit: str | None = None, source: str | None = None, replace: bool = False,
            read_version: int | None = None) -> int:
    """Write a previewed import in one transaction (layer, features, audit row); returns the layer's version.

    ``source``: where the data comes from (publisher, page URL); the uploaded file's name when not given.

    Refused with InputError (nothing written) when the preview has problems; ``replace`` re-imports an
    existing layer (its features are replaced, owner and name kept; ``read_version`` guards it).
    """
    _require_import(user)
    if not p.ok:
        raise InputError(list(p.problems), dataset=p.upload.file)
    now = audit.now()
    up = p.upload
    with db.transaction(con):
        old = _layer_row(con, p.name)
        if replace:
            if old is None:
                raise NotFoundError(f"no layer {p.name!r} to re-import")
            old = _current(con, p.name, read_version)
            _require_owner(user, old, "re-import")
            _run(con, "delete_features", [p.name])
            _run(con, "delete", [p.name])
            version = old["version"] + 1
        else:
            if old is not None:
                raise InputError([Problem(up.file, "a layer name not yet in use (or a re-import)",
                                          f"layer {p.name!r} exists", column="name")], dataset=up.file)
            version = 1
        _run(con, "insert",
            [p.name, p.title, (source or "").strip() or up.file, licence, credit, old["owner"] if old else user.user_id, now, up.format,
             up.encoding.name if up.encoding else None, up.source_crs, _geometry_type(p),
             json.dumps({k: list(v) for k, v in up.mapping.fields.items()}, ensure_ascii=False), len(p.features),
             bool(old["hidden"]) if old else False, version])
        _insert_features(con, p.name, p.features)
        _event(con, p.name, user, "reimport" if replace else "import", version,
               {"file": up.file, "source": (source or "").strip() or up.file, "rows": len(p.features), "format": up.format,
                "encoding": up.encoding.name if up.encoding else None,
                "warnings": len(p.warnings)}, at=now)
    return version


def rename(con: duckdb.DuckDBPyConnection, user: User, name: str, new_name: str, *, read_version: int,
           title: str | None = None) -> int:
    """Give a layer a new name (and title); features follow. Returns the new version."""
    problems = check_name(new_name)
    if problems:
        raise InputError(problems)
    with db.transaction(con):
        layer = _current(con, name, read_version)
        _require_owner(user, layer, "rename")
        if new_name != name and _layer_row(con, new_name) is not None:
            raise InputError([Problem("layer", "a layer name not yet in use", f"layer {new_name!r} exists",
                                      column="name")])
        version = layer["version"] + 1
        _run(con, "rename", [new_name, title or layer["title"], version, name])
        _run(con, "rename_features", [new_name, name])
        _event(con, new_name, user, "rename", version, {"from": name, "to": new_name,
                                                         "title": [layer["title"], title or layer["title"]]},
               at=audit.now())
    return version


def set_hidden(con: duckdb.DuckDBPyConnection, user: User, name: str, hidden: bool, *, read_version: int) -> int:
    """Hide a layer from the maps (or show it again). Returns the new version."""
    with db.transaction(con):
        layer = _current(con, name, read_version)
        _require_owner(user, layer, "hide" if hidden else "show")
        version = layer["version"] + 1
        _run(con, "set_hidden", [hidden, version, name])
        _event(con, name, user, "hide" if hidden else "show", version, at=audit.now())
    return version


def delete(con: duckdb.DuckDBPyConnection, user: User, name: str, *, read_version: int) -> None:
    """Delete a layer and its features; the audit trail keeps what was deleted."""
    with db.transaction(con):
        layer = _current(con, name, read_version)
        _require_owner(user, layer, "delete")
        _run(con, "delete_features", [name])
        _run(con, "delete", [name])
        _event(con, name, user, "delete", None, {"source": layer["source"], "rows": layer["rows"],
                                                 "title": layer["title"]}, at=audit.now())


# ---------------------------------------------------------------------------------------------- reads

def layers(con: duckdb.DuckDBPyConnection, *, include_hidden: bool = True) -> pd.DataFrame:
    """Every layer (one row each), newest first."""
    return _frame(con, "all" if include_hidden else "visible")


def features(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A layer's features with their geometry as shapely objects (EPSG:4326)."""
    df = _frame(con, "features", [name])
    df["geometry"] = [shapely.from_wkb(bytes(g)) if isinstance(g, (bytes, bytearray, memoryview)) else None
                      for g in df["geometry"]]
    return df


def history(con: duckdb.DuckDBPyConnection, name: str | None = None) -> pd.DataFrame:
    """The audit trail (of one layer, or of all), oldest first. A layer's trail follows it through its renames
    (events under its earlier names) and stops at an earlier, deleted layer of the same name."""
    every = _frame(con, "history_all")
    if name is None:
        return every
    keep, alias = [], name
    for pos in range(len(every) - 1, -1, -1):
        ev = every.iloc[pos]
        if ev["layer_name"] != alias:
            continue
        if ev["action"] == "delete" and keep:
            break  # an earlier layer that had this name
        keep.append(pos)
        if ev["action"] == "rename":
            alias = json.loads(ev["details"]).get("from", alias)
        elif ev["action"] == "import":
            break
    return every.iloc[sorted(keep)].reset_index(drop=True)


def features_in(con: duckdb.DuckDBPyConnection, muni_codes: Sequence[str]) -> pd.DataFrame:
    """Features of the visible layers in the given municipalities (5-digit codes), with each layer's title,
    credit and licence: layer_name, title, credit, licence, row_no, muni_code, name, category, lat, lon, props."""
    return _frame(con, "features_in", [list(muni_codes)])


def counts_by_municipality(con: duckdb.DuckDBPyConnection, name: str) -> pd.Series:
    """Rows of layer ``name`` per municipality (index muni_code; municipalities without rows are absent)."""
    df = _frame(con, "counts_by_muni", [name])
    return pd.Series(df["n"].to_numpy(dtype=float), index=pd.Index(df["muni_code"], name="muni_code"), name=name)


def _props(feats: pd.DataFrame) -> pd.DataFrame:
    """The file's own columns of each feature (text), from the stored JSON."""
    return pd.DataFrame([json.loads(p) if p else {} for p in feats["props"]], index=feats.index)


def numeric_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The file columns of layer ``name`` whose every non-empty cell is a number (candidates for an indicator);
    the columns that gave the coordinates or the municipality code are left out."""
    props = _props(_frame(con, "features", [name]))
    layer = _layer_row(con, name)
    mapping = json.loads(layer["mapping"]) if layer and layer.get("mapping") else {}
    skip = {c for f in ("lat", "lon", "muni_code") for c in mapping.get(f, [])}
    out = []
    for col in (c for c in props.columns if c not in skip):
        text = props[col].astype("string").str.strip().replace("", pd.NA).dropna()
        if len(text) and pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").notna().all():
            out.append(col)
    return out


INDICATOR_AGGREGATES = ("sum", "mean")


def indicator_values(con: duckdb.DuckDBPyConnection, name: str, column: str | None = None, *,
                     aggregate: str = "sum") -> pd.Series:
    """A raw indicator per municipality from layer ``name`` (index muni_code).

    Without ``column``: the count of the layer's rows in each municipality. With ``column`` (a numeric file
    column, see :func:`numeric_columns`): its sum or mean over the municipality's rows; municipalities with no
    value are absent (missing data, not zero).
    """
    if column is None:
        return counts_by_municipality(con, name)
    if aggregate not in INDICATOR_AGGREGATES:
        raise InputError([Problem("indicator", f"one of {', '.join(INDICATOR_AGGREGATES)}", repr(aggregate),
                                  column="aggregate")])
    feats = _frame(con, "features", [name])
    props = _props(feats)
    if column not in props.columns:
        raise InputError([Problem(name, f"a column of the layer ({', '.join(map(str, props.columns))})",
                                  repr(column), column="column")])
    values = pd.to_numeric(props[column].astype("string").str.replace(",", "", regex=False).str.strip(),
                           errors="coerce")
    have = feats["muni_code"].notna() & values.notna()
    grouped = values[have].astype(float).groupby(feats.loc[have, "muni_code"])
    out = grouped.sum() if aggregate == "sum" else grouped.mean()
    out.index.name = "muni_code"
    return out.rename(f"{name}.{column}")


def versions(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, int, bool], ...]:
    """(name, version, hidden) of every layer: a cache key that changes whenever any layer does."""
    return tuple((n, int(v), bool(h)) for n, v, h in con.execute(_sql("versions")).fetchall())
