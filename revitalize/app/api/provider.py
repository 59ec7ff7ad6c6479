"""Our pygeoapi feature provider: answers every query from :mod:`revitalize.app.api.collections`' tables.

pygeoapi builds a provider per request from the configuration (``data`` = the database file,
``options.collection`` = the collection id); the tables themselves are read once per database version and
shared (``collections.store``). Read-only: no create, update or delete.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import shapely
from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError
from pygeoapi.util import crs_transform

from revitalize.app.api import collections, cql

KEYED = "i18n:"  # a refusal's message: this prefix and a JSON list of [i18n key, parameters] (see http.py)


def refusal(*problems: tuple[str, dict]) -> ProviderInvalidQueryError:
    """A 400 for pygeoapi carrying our i18n keys, so the middleware can say it in the client's language."""
    return ProviderInvalidQueryError(user_msg=KEYED + json.dumps([[k, p] for k, p in problems], ensure_ascii=False))


RESERVED = frozenset({"bbox", "bbox-crs", "crs", "f", "lang", "limit", "offset", "resulttype", "datetime", "sortby",
                      "properties", "skipGeometry", "q", "filter", "filter-lang", "filter-crs"})


def _day(text: str) -> dt.date | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise refusal(("api.err.datetime", {"found": repr(text)[:60]})) from exc


def date_range(datetime_: str) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) day of an OGC ``datetime`` value: an instant or an interval with ``..`` for open ends."""
    if "/" in datetime_:
        a, b = datetime_.split("/", 1)
        return _day(a), _day(b)
    d = _day(datetime_)
    return d, d


def _as_date(v: object) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v[:10])
        except ValueError:
            return None
    return v if isinstance(v, dt.date) else None


class LayerProvider(BaseProvider):
    """A collection of ours as an OGC API – Features provider (read-only, in memory)."""

    def __init__(self, provider_def: dict) -> None:
        super().__init__(provider_def)
        self.collection = collections.BY_KEY[provider_def["options"]["collection"]]
        self.store = collections.store(self.data)
        self.editable = False
        self.get_fields()

    def _table(self) -> collections.Table:
        return self.store.table(self.collection.key)

    def get_fields(self) -> dict:
        if not self._fields:
            self._fields = dict(self._table().fields)
        return self._fields

    # -- filtering ------------------------------------------------------------------------------------------
    def _mask(self, t: collections.Table, *, bbox, datetime_, properties) -> np.ndarray:
        keep = np.ones(len(t.ids), dtype=bool)
        list_filters = dict(self.collection.list_filters)
        for name, value in properties:
            if name in list_filters:
                col = t.frame[list_filters[name]].astype("string").fillna("")
                keep &= col.map(lambda s, v=value: v in [x.strip() for x in s.split(";")]).to_numpy(dtype=bool)
            elif name in t.fields:
                keep &= np.array([_text(p.get(name)) == value for p in t.properties], dtype=bool)
            else:
                raise refusal(("api.err.not_property", {"name": name[:60]}))
        if bbox:
            corners = list(bbox) if len(bbox) == 4 else [bbox[0], bbox[1], bbox[3], bbox[4]]  # 6: with heights
            x0, y0, x1, y1 = (float(v) for v in corners)
            b = t.bounds
            near = ~np.isnan(b[:, 0]) & (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
            idx = np.flatnonzero(near & keep)
            exact = shapely.intersects(list(t.geometries[idx]), shapely.box(x0, y0, x1, y1)) if len(idx) else []
            hit = np.zeros(len(t.ids), dtype=bool)
            hit[idx[np.asarray(exact, dtype=bool)]] = True
            keep &= hit
        if datetime_:
            if not self.collection.time_field:
                raise refusal(("api.err.no_dates", {}))
            first, last = date_range(datetime_)
            days = [_as_date(p.get(self.collection.time_field)) for p in t.properties]
            keep &= np.array([d is not None and (first is None or d >= first) and (last is None or d <= last)
                              for d in days], dtype=bool)
        return keep

    def _order(self, t: collections.Table, idx: np.ndarray, sortby) -> np.ndarray:
        if not sortby:
            return idx
        frame = t.frame.iloc[idx]
        cols = [s["property"] for s in sortby]
        asc = [s.get("order", "+") != "-" for s in sortby]
        order = frame.sort_values(cols, ascending=asc, na_position="last", kind="stable").index.to_numpy()
        return order

    def _feature(self, t: collections.Table, i: int, *, skip_geometry: bool, select: list[str]) -> dict:
        props = t.properties[i]
        if select:
            props = {k: props.get(k) for k in select}
        return {"type": "Feature", "id": t.ids[i], "geometry": None if skip_geometry else t.geojson[i],
                "properties": props}

    # -- the provider contract ------------------------------------------------------------------------------
    # (``crs_transform``: pygeoapi converts the CRS84 coordinates when a client asks for another CRS, Part 2)
    @crs_transform
    def query(self, offset=0, limit=10, resulttype="results", bbox=[], datetime_=None, properties=[],  # noqa: B006
              sortby=[], select_properties=[], skip_geometry=False, q=None, filterq=None,  # noqa: B006
              **kwargs) -> dict:
        if q:
            raise refusal(("api.err.q", {}))
        t = self._table()
        keep = self._mask(t, bbox=bbox, datetime_=datetime_, properties=properties)
        if filterq is not None:
            wrong = cql.problems(filterq, set(t.fields))
            if wrong:
                raise refusal(*wrong)
            match = cql.matcher(filterq, set(t.fields))
            keep &= np.array([match(p) for p in t.properties], dtype=bool)
        idx = np.flatnonzero(keep)
        matched = len(idx)
        # every page carries its credit lines and licence links (pygeoapi adds its own links after these)
        out = {"type": "FeatureCollection", "numberMatched": matched, "features": [],
               "credit": {lang: collections.credit_line(self.collection, lang) for lang in ("ja", "en")},
               "links": collections.licence_links(self.collection)}
        if resulttype == "hits":
            out["numberReturned"] = 0
            return out
        idx = self._order(t, idx, sortby)[offset:offset + limit]
        out["features"] = [self._feature(t, int(i), skip_geometry=skip_geometry, select=select_properties)
                           for i in idx]
        out["numberReturned"] = len(out["features"])
        return out

    @crs_transform
    def get(self, identifier, **kwargs) -> dict:
        t = self._table()
        i = t.position.get(str(identifier))
        if i is None:
            raise ProviderItemNotFoundError(user_msg=f"item {identifier!r} does not exist")
        return self._feature(t, i, skip_geometry=False, select=[])

    def create(self, item):
        raise refusal(("api.err.read_only", {"method": "write"}))

    def update(self, identifier, item):
        raise refusal(("api.err.read_only", {"method": "write"}))

    def delete(self, identifier):
        raise refusal(("api.err.read_only", {"method": "write"}))

    def __repr__(self) -> str:
        return f"<LayerProvider> {self.collection.key}"


def _text(v: object) -> str:
    """A property value as a filter compares it: the text a client would type (1, 2.5, true, 2024-04-01)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
