"""The API's collections, declared once, and their features held in memory.

Each collection names the feature table it serves (``data.features``), the datasets or curated layers it
comes from (licence, credit line, source and as-of date are taken from their registry entries in
``data.sources`` / ``data.curated``), its time field for ``datetime`` queries and the extra filters it takes.
The tables are small (about 1,900 municipalities and a few thousand points), so the whole of each is read
once per database version and every query is answered from memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from revitalize.analysis import scoring
from revitalize.core import i18n
from revitalize.core.errors import DatabaseMissingError
from revitalize.data import credits, curated, db, features, layers, sources
from revitalize.workflow import candidates

LOG = logging.getLogger("revitalize.api")
REGISTER = "register"  # the source key of the designated bases: our own register, not a reference dataset
BASES_REFRESH_S = 30.0  # the register is looked at again at most this often (it changes while the API runs)
# what the bases collection shows of a candidate: public facts of a designation, never the contact person,
# the editors or anything of a draft (only status 'designated' is shown)
BASE_COLUMNS = ("candidate_id", "name_ja", "name_en", "base_type", "fiscal_year", "designated_on", "muni_codes",
                "pref_codes", "applicants", "summary", "source_url")


@dataclass(frozen=True)
class Collection:
    """One collection of the API: id, feature table, sources, time field and the filters beyond its fields."""

    key: str
    table: str
    sources: tuple[str, ...]  # dataset / curated layer keys, the first one gives title, licence and as-of
    time_field: str | None = None
    list_filters: tuple[tuple[str, str], ...] = ()  # (parameter, ';'-joined list column it matches one of)
    title_key: str | None = None  # i18n key overriding the first source's title
    description_key: str | None = None


COLLECTIONS: tuple[Collection, ...] = (
    Collection("municipalities", "municipalities", ("boundaries", "population", "tourism"),
               title_key="api.coll.municipalities", description_key="api.coll.municipalities.desc"),
    Collection("anime_places", "anime_places", ("anime_sites",), time_field="first_released_on",
               list_filters=(("edition", "editions"),)),
    Collection("filming_locations", "filming_locations", ("filming_locations",), time_field="released_on"),
    Collection("film_commissions", "film_commissions", ("film_commissions",)),
    Collection("gi_products", "gi_products", ("gi_products", "gi_areas"), time_field="registered_on",
               description_key="api.coll.gi_products.desc"),
    Collection("heritage", "heritage", ("heritage",)),
    Collection("roadside_stations", "roadside_stations", ("michi_no_eki",), time_field="registered_on",
               description_key="api.coll.roadside_stations.desc"),
    Collection("bases", "bases", (REGISTER,), time_field="designated_on", title_key="api.coll.bases",
               description_key="api.coll.bases.desc"),
)
BY_KEY: dict[str, Collection] = {c.key: c for c in COLLECTIONS}


@dataclass(frozen=True)
class SourceInfo:
    """What a collection must carry about where its data comes from."""

    title_ja: str
    title_en: str
    licence: str
    credit_ja: str
    credit_en: str
    url: str
    as_of: str


def source_info(key: str) -> SourceInfo:
    """Title, licence, credit line, source URL and as-of date of a dataset or curated layer (or the register)."""
    if key == REGISTER:
        return SourceInfo(i18n.t("api.coll.bases", "ja"), i18n.t("api.coll.bases", "en"),
                          i18n.t("api.coll.bases.licence", "en"), i18n.t("api.coll.bases.credit", "ja"),
                          i18n.t("api.coll.bases.credit", "en"), "urn:revitalize:register",
                          dt.date.today().isoformat())
    item = curated.LAYERS_BY_KEY.get(key) or sources.DATASETS_BY_KEY[key]
    return SourceInfo(item.title_ja, item.title_en, item.licence, credits.credit(key, "ja"),
                      credits.credit(key, "en"), item.url, item.as_of)


def title(c: Collection, lang: str) -> str:
    if c.title_key:
        return i18n.t(c.title_key, lang)
    info = source_info(c.sources[0])
    return info.title_en if lang == "en" else info.title_ja


def credit_line(c: Collection, lang: str) -> str:
    """Every source's credit line, joined (the municipality names' too where the collection shows them)."""
    if c.sources == (REGISTER,):
        return i18n.t("api.coll.bases.credit", lang)
    lines = credits.credits(c.sources, lang)
    if c.key == "municipalities":
        lines.append(credits.names_credit(lang))
    return " / ".join(lines)


def href(url: str) -> str:
    """A source URL as a link: project-relative paths (geodata/README.md) point at nothing external."""
    return url if url.startswith(("http://", "https://")) else f"urn:revitalize:{url}"


def licence_links(c: Collection) -> list[dict]:
    """One ``rel=license`` link per source of the collection (title: the licence, href: the source)."""
    return [{"type": "text/html", "rel": "license", "title": info.licence, "href": href(info.url), "hreflang": "ja"}
            for info in (source_info(k) for k in c.sources)]


@dataclass
class Table:
    """One collection's features, ready to filter: the frame, prepared GeoJSON and lookup arrays."""

    frame: pd.DataFrame  # attribute columns (no geometry)
    id_field: str
    ids: np.ndarray  # str
    geometries: np.ndarray  # shapely objects or None
    geojson: list  # GeoJSON geometry dicts or None, per row
    properties: list[dict]  # JSON-ready properties, per row
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy; NaN without geometry
    fields: dict[str, dict]  # JSON schema type per attribute
    position: dict[str, int]  # id -> row

    @property
    def extent(self) -> list[float]:
        b = self.bounds[~np.isnan(self.bounds[:, 0])]
        if not len(b):
            return [-180.0, -90.0, 180.0, 90.0]
        return [float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())]


def _json_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat() if v == v.normalize() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _field_type(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_integer_dtype(s):
        return "integer"
    if pd.api.types.is_float_dtype(s):
        return "number"
    return "string"


def _field(s: pd.Series) -> dict:
    typ = _field_type(s)
    out = {"type": typ}
    if pd.api.types.is_datetime64_any_dtype(s) or (
            typ == "string" and s.dropna().map(lambda v: isinstance(v, dt.date)).any()):
        out["format"] = "date"
    return out


def prepare(frame: pd.DataFrame, id_field: str) -> Table:
    """A :class:`Table` from a frame with a ``geometry`` column of shapely objects (or None)."""
    frame = frame.reset_index(drop=True)
    geoms = np.array(list(frame.pop("geometry")), dtype=object)
    attrs = frame
    ids = attrs[id_field].astype(str).to_numpy()
    if len(set(ids)) != len(ids):
        raise ValueError(f"{id_field}: expected unique feature ids, found duplicates")
    present = np.array([g is not None for g in geoms], dtype=bool)
    bounds = np.full((len(geoms), 4), np.nan)
    if present.any():
        bounds[present] = shapely.bounds(list(geoms[present]))
    geojson = [shapely.geometry.mapping(g) if g is not None else None for g in geoms]
    cols = [c for c in attrs.columns]
    props = [{c: _json_value(v) for c, v in zip(cols, row, strict=False)} for row in attrs.itertuples(index=False, name=None)]
    fields = {c: _field(attrs[c]) for c in cols}
    return Table(attrs, id_field, ids, geoms, geojson, props, bounds, fields, {k: i for i, k in enumerate(ids)})


def municipality_frame(con) -> pd.DataFrame:
    """Municipalities with their polygon, population, latest full-year visitors and the default-weight score:
    ``score`` (0–1), ``rank`` (1 = best), ``k_<criterion>`` (each criterion's contribution, adding up to the
    score) and ``coverage`` (share of the weight with data)."""
    base = features.read(con, "municipalities")
    ind, _raw, sub = scoring.inputs(con)
    year = layers.latest_full_visitor_year(con)
    scored = scoring.score(sub, scoring.Weights())
    crit = [f"k_{k}" for k in scoring.CRITERIA]
    out = scored[["score", "rank", "coverage", *crit]].copy()
    out["rank"] = out["rank"].astype("Int64")
    visitors = ind.set_index("muni_code")["visitors_latest"].astype("Int64").rename("visitors_latest_full_year")
    out = out.join(visitors)
    base["visitor_year"] = year
    merged = base.merge(out, left_on="muni_code", right_index=True, how="left")
    return merged


def read_tables(con) -> dict[str, Table]:
    """Every reference collection's :class:`Table` from an open reference database (not the register's)."""
    out = {}
    for c in COLLECTIONS:
        if c.table in features.TABLES:
            frame = municipality_frame(con) if c.key == "municipalities" else features.read(con, c.table)
            out[c.key] = prepare(frame, features.TABLES[c.table].id_field)
    return out


def bases_frame(register: pd.DataFrame, municipalities: Table) -> pd.DataFrame:
    """The designated bases of a register table (``candidates.table``): :data:`BASE_COLUMNS` and, as geometry,
    the union of their municipalities' polygons (None when none is known)."""
    rows = register[register["status"] == "designated"] if len(register) else register
    out = pd.DataFrame({c: [] for c in BASE_COLUMNS}) if not len(rows) else pd.DataFrame({
        "candidate_id": rows["candidate_id"].astype(str).to_numpy(),
        "name_ja": rows["name_ja"].to_numpy(),
        "name_en": rows["name_en"].to_numpy(),
        "base_type": rows["base_type"].to_numpy(),
        "fiscal_year": rows["fiscal_year"].astype("Int64").to_numpy(),
        "designated_on": rows["designated_on"].to_numpy(),
        "muni_codes": [";".join(cs) for cs in rows["muni_codes"]],
        "pref_codes": [";".join(sorted({c[:2] for c in cs})) for cs in rows["muni_codes"]],
        # organisations and their kind (public bodies, DMOs, companies) as the official list names them
        "applicants": rows["applicants"].to_numpy(),
        "summary": rows["summary"].to_numpy(),
        "source_url": rows["source_url"].to_numpy(),
    })
    geoms = []
    for codes_ in (out["muni_codes"] if len(out) else []):
        parts = [municipalities.geometries[municipalities.position[c]] for c in codes_.split(";")
                 if c in municipalities.position and municipalities.geometries[municipalities.position[c]] is not None]
        geoms.append(shapely.union_all(parts) if parts else None)
    out["geometry"] = geoms
    return out


class Store:
    """The tables of one database file, read again when the file changes (its size and mtime), and the
    designated bases of the workflow register, looked at again every :data:`BASES_REFRESH_S` seconds."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._tables: dict[str, Table] = {}
        self._version = ""
        self._bases_lock = threading.Lock()
        self._bases_checked = -math.inf
        self._bases_version: tuple = ()
        self._bases: Table | None = None

    def _file_stamp(self) -> tuple[int, int]:
        st = self.path.stat()
        return st.st_mtime_ns, st.st_size

    def _refresh(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            con = db.connect(self.path, read_only=True)
            try:
                tables = read_tables(con)
                version = features.data_version(con)
            finally:
                con.close()
            self._tables, self._version, self._stamp = tables, f"{version}-{stamp[0]}-{stamp[1]}", stamp

    def _refresh_bases(self) -> None:
        if time.monotonic() - self._bases_checked < BASES_REFRESH_S and self._bases is not None:
            return
        with self._bases_lock:
            if time.monotonic() - self._bases_checked < BASES_REFRESH_S and self._bases is not None:
                return
            self._bases_checked = time.monotonic()
            register = pd.DataFrame({"status": []})
            version: tuple = ()
            try:
                with db.connect_workflow(read_only=True) as con:
                    version = candidates.versions(con)
                    if version != self._bases_version or self._bases is None:
                        register = candidates.table(con)
            except DatabaseMissingError:  # no register yet: no designated base
                pass
            except Exception as exc:  # busy or broken: keep what was read last (empty at first)
                LOG.warning("bases: the register could not be read (%s); keeping the last copy", type(exc).__name__)
                if self._bases is not None:
                    return
            if version == self._bases_version and self._bases is not None:
                return
            self._bases = prepare(bases_frame(register, self._tables["municipalities"]), "candidate_id")
            self._bases_version = version

    def table(self, key: str) -> Table:
        self._refresh()
        if key == "bases":
            self._refresh_bases()
            return self._bases
        return self._tables[key]

    def version(self) -> str:
        """A string that changes whenever the data does (for ETags)."""
        self._refresh()
        self._refresh_bases()
        bases = hashlib.sha256(repr(self._bases_version).encode()).hexdigest()[:12]
        return f"{self._version}-{bases}"


_STORES: dict[Path, Store] = {}
_STORES_LOCK = threading.Lock()


def store(path: Path | str) -> Store:
    """The one :class:`Store` of a database file in this process."""
    p = Path(path).resolve()
    with _STORES_LOCK:
        if p not in _STORES:
            _STORES[p] = Store(p)
        return _STORES[p]
