"""HTTP manners around pygeoapi: strict parameters, problem JSON, CORS, ETags, CSV for Excel, offline HTML.

An ASGI middleware (no router of ours: pygeoapi routes every request). Before pygeoapi it refuses anything
but GET/HEAD/OPTIONS, an over-long query string, an unknown or repeated parameter and a bad ``limit``,
``offset``, ``bbox`` or ``f``, saying what was expected. After it, every error becomes an RFC 7807 problem
(``application/problem+json``) in Japanese or English by ``Accept-Language`` (no traceback ever), every
answer gets ``Access-Control-Allow-Origin: *`` and an ``ETag`` derived from the data version, ``f=csv``
becomes UTF-8 CSV with BOM through ``outputs.tables`` (formulas neutralised, credit column), and links to
CDNs in pygeoapi's HTML pages are pointed at the Leaflet copy the project installs, or dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from revitalize.app.api import collections, config, provider
from revitalize.core import codes, i18n, settings
from revitalize.data import curated
from revitalize.outputs import tables

LOG = logging.getLogger("revitalize.api")
MAX_QUERY_BYTES = 4096
CACHE_CONTROL = "public, max-age=300, must-revalidate"
ITEMS_PARAMS = frozenset({"f", "lang", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "sortby",
                          "properties", "skipGeometry", "resulttype", "filter", "filter-lang"})
ITEM_PARAMS = frozenset({"f", "lang", "crs"})
OTHER_PARAMS = frozenset({"f", "lang", "profile", "properties", "ui"})
FORMATS = ("json", "html", "jsonld")
ITEMS_FORMATS = FORMATS + ("csv",)
VENDOR = settings.PROJECT_ROOT / "static" / "vendor"
# CDN assets of pygeoapi's templates -> our installed copy (served under /vendor/), or "" to drop the tag
_CDN = (
    (re.compile(r"https://unpkg\.com/leaflet@[^/\"']+/dist/leaflet\.css"), "/vendor/leaflet/leaflet.css"),
    (re.compile(r"https://unpkg\.com/leaflet@[^/\"']+/dist/leaflet\.js"), "/vendor/leaflet/leaflet.js"),
    (re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/leaflet/[^/\"']+/leaflet\.js"),
     "/vendor/leaflet/leaflet.js"),
    (re.compile(r"https://unpkg\.com/leaflet\.markercluster[^\"']*/MarkerCluster\.css"),
     "/vendor/markercluster/MarkerCluster.css"),
    (re.compile(r"https://unpkg\.com/leaflet\.markercluster[^\"']*/MarkerCluster\.Default\.css"),
     "/vendor/markercluster/MarkerCluster.Default.css"),
    (re.compile(r"https://unpkg\.com/leaflet\.markercluster[^\"']*/leaflet\.markercluster(-src)?\.js"),
     "/vendor/markercluster/leaflet.markercluster.js"),
)
_EXTERNAL_TAG = re.compile(r"<(script|link)\b[^>]*(src|href)=[\"'](https?://[^\"']*)[\"'][^>]*>(\s*</script>)?",
                           re.IGNORECASE)
# the queryables every client filters by, with what a value must look like (anything else is refused, so a
# filter value is never more than a code, a year or a registry name)
_REGISTRIES = next(c.choices for c in curated.LAYERS_BY_KEY["gi_products"].columns if c.name == "registry")
FILTER_VALUES: dict[str, tuple[Callable[[str], bool], str]] = {
    "pref_code": (codes.is_pref_code, "01..47"),
    "muni_code": (lambda v: bool(re.fullmatch(r"[0-9]{5}", v)) and codes.is_muni_code(v), "5 digits, e.g. 01202"),
    "edition": (lambda v: bool(re.fullmatch(r"(19|20)[0-9]{2}", v)), "a year, e.g. 2025"),
    "registry": (lambda v: v in _REGISTRIES, ", ".join(_REGISTRIES)),
}
# pygeoapi's item pages put the features into a script as one line of JSON ("var geojson_data = …;"); a
# value holding "</script>" would end that script early, so <, > and & are written as JSON escapes there
_SCRIPT_JSON = re.compile(r"^(\s*var geojson_data = )(.*);[ \t]*$", re.MULTILINE)
_JSON_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_ITEMS = re.compile(r"^/collections/([^/]+)/items/?$")
_ITEM = re.compile(r"^/collections/([^/]+)/items/(.+)$")


def language(accept_language: str) -> str:
    """'en' when ``Accept-Language`` prefers English to Japanese, else 'ja'."""
    best, best_q = "ja", -1.0
    for part in accept_language.split(","):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        m = re.search(r"q=([0-9.]+)", rest)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in i18n.LANGS and q > best_q:
            best, best_q = base, q
    return best


def problem(status: int, lang: str, detail: str, *, instance: str, code: str | None = None) -> tuple[int, dict]:
    """An RFC 7807 problem document (``title`` and ``detail`` in ``lang``)."""
    key = f"api.err.title.{status}" if f"api.err.title.{status}" in i18n.STRINGS else "api.err.title.400"
    body = {"type": "about:blank", "title": i18n.t(key, lang), "status": status, "detail": detail,
            "instance": instance}
    if code:
        body["code"] = code
    return status, body


def _bbox_ok(text: str, *, lat_first: bool = False) -> bool:
    parts = text.split(",")
    if len(parts) != 4:
        return False
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        return False
    if lat_first:  # EPSG:6668 and other lat/lon CRSs: minLat,minLon,maxLat,maxLon
        x0, y0, x1, y1 = y0, x0, y1, x1
    inside = all(-180 <= x <= 180 for x in (x0, x1)) and all(-90 <= y <= 90 for y in (y0, y1))
    return inside and x0 <= x1 and y0 <= y1


def _int_in(text: str, lo: int, hi: int | None) -> bool:
    if not re.fullmatch(r"[0-9]+", text.strip()):
        return False
    v = int(text)
    return v >= lo and (hi is None or v <= hi)


def check_params(path: str, params: list[tuple[str, str]], lang: str, *,
                 fields: Callable[[str], set[str]]) -> list[str]:
    """Every problem of the query parameters of ``path``, in ``lang`` (empty when none); ``fields`` gives a
    collection's property names (each one a filter)."""
    out: list[str] = []
    m_items, m_item = _ITEMS.match(path), _ITEM.match(path)
    if m_items and m_items.group(1) in collections.BY_KEY:
        c = collections.BY_KEY[m_items.group(1)]
        allowed = set(ITEMS_PARAMS) | fields(c.key) | {name for name, _ in c.list_filters}
        formats = ITEMS_FORMATS
    elif m_item:
        allowed, formats = set(ITEM_PARAMS), FORMATS
    else:
        allowed, formats = set(OTHER_PARAMS), FORMATS
    seen: set[str] = set()
    lat_first = dict(params).get("bbox-crs", config.CRS84) == config.JGD2011
    for name, value in params:
        if name in seen:
            out.append(i18n.t("api.err.repeated_param", lang, name=name))
            continue
        seen.add(name)
        if name not in allowed:
            out.append(i18n.t("api.err.unknown_param", lang, name=name[:60], allowed=", ".join(sorted(allowed))))
        elif name == "limit" and not _int_in(value, 1, config.MAX_LIMIT):
            out.append(i18n.t("api.err.limit", lang, max=config.MAX_LIMIT, found=repr(value[:40])))
        elif name == "offset" and not _int_in(value, 0, None):
            out.append(i18n.t("api.err.offset", lang, found=repr(value[:40])))
        elif name == "bbox" and not _bbox_ok(value, lat_first=lat_first):
            out.append(i18n.t("api.err.bbox_latlon" if lat_first else "api.err.bbox", lang, found=repr(value[:80])))
        elif name in FILTER_VALUES and not FILTER_VALUES[name][0](value):
            out.append(i18n.t("api.err.filter_value", lang, name=name, expected=FILTER_VALUES[name][1],
                              found=repr(value[:40])))
        elif name == "f" and value not in formats:
            out.append(i18n.t("api.err.format", lang, allowed=", ".join(formats), found=repr(value[:40])))
    return out


# pygeoapi's own messages for requests it refuses, in our words (others are quoted inside a sentence of ours)
_PYGEOAPI_MESSAGES = {"Bad CQL text": "api.err.cql_syntax", "Bad CQL JSON": "api.err.cql_syntax",
                      "bad sort property": "api.err.sortby", "unknown properties specified": "api.err.properties",
                      "Invalid filter language": "api.err.filter_lang"}


def upstream_detail(description: str, lang: str) -> str:
    """The detail of a problem pygeoapi reported: our keyed refusals (``provider.refusal``) and pygeoapi's known
    messages in ``lang``; anything else quoted inside a sentence in ``lang``."""
    if description.startswith(provider.KEYED):
        try:
            keyed = json.loads(description[len(provider.KEYED):])
            return "; ".join(i18n.t(key, lang, **params) for key, params in keyed)
        except (ValueError, TypeError, KeyError):
            pass
    if description in _PYGEOAPI_MESSAGES:
        return i18n.t(_PYGEOAPI_MESSAGES[description], lang)
    return i18n.t("api.err.upstream", lang, detail=description[:300]) if description else ""


def offline_html(text: str, base_url: str = "") -> str:
    """pygeoapi's HTML with CDN assets pointed at ``/vendor/``, every other script/style from outside
    ``base_url`` (this server's public address) dropped and the features' JSON inside its scripts unable to
    close them."""
    for pattern, local in _CDN:
        text = pattern.sub(local, text)
    text = _SCRIPT_JSON.sub(lambda m: m.group(1) + re.sub(r"[<>&]", lambda c: _JSON_HTML_ESCAPES[c.group(0)],
                                                          m.group(2)) + ";", text)
    own = base_url.rstrip("/") + "/" if base_url else None
    return _EXTERNAL_TAG.sub(lambda m: m.group(0) if own and m.group(3).startswith(own) else "", text)


def csv_bytes(collection: str, geojson: dict, lang: str) -> bytes:
    """A FeatureCollection as CSV for Excel: id, properties, lon/lat of points; the credit lines last."""
    rows = []
    for f in geojson.get("features", []):
        row = {"id": f.get("id"), **(f.get("properties") or {})}
        g = f.get("geometry") or {}
        if g.get("type") == "Point":
            row["lon"], row["lat"] = g["coordinates"][:2]
        rows.append(row)
    frame = pd.DataFrame(rows)
    c = collections.BY_KEY.get(collection)
    lines = [collections.credit_line(c, lang)] if c else []
    return tables.to_csv_bytes(frame, credits=lines, lang=lang)


class Manners:
    """The ASGI middleware around pygeoapi; ``store`` gives the fields and the data version (for ETags),
    ``base_url`` is the public address (pages may load their own styles and scripts from there)."""

    def __init__(self, app, *, store: collections.Store, base_url: str = "") -> None:
        self.app = app
        self.store = store
        self.base_url = base_url

    def _fields(self, key: str) -> set[str]:
        return set(self.store.table(key).fields)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        lang = language(headers.get("accept-language", ""))
        path = scope.get("path", "/")
        method = scope["method"]
        if method == "OPTIONS":
            await _send(send, 204, b"", [("allow", "GET, HEAD, OPTIONS"),
                                         ("access-control-allow-methods", "GET, HEAD, OPTIONS"),
                                         ("access-control-allow-headers",
                                          "Accept, Accept-Language, If-None-Match, Content-Type"),
                                         ("access-control-max-age", "86400")])
            return
        if method in ("GET", "HEAD") and path.startswith("/vendor/"):
            await self._vendor(send, path, method)
            return
        params = parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
        refused = self._refusal(method, path, scope.get("query_string", b""), params, lang)
        if refused is not None:
            status, body, extra = refused
            await self._problem(send, status, body, lang, extra=extra)
            return
        m_items = _ITEMS.match(path)
        want_csv = bool(m_items) and dict(params).get("f") == "csv"
        inner_scope = scope
        if want_csv:
            params = [(k, "json" if k == "f" else v) for k, v in params]
            inner_scope = {**scope, "query_string": urlencode(params).encode()}
        status, resp_headers, body = await self._run(inner_scope, receive)
        if status >= 500:
            LOG.error("pygeoapi answered %s for %s", status, path)
            await self._problem(send, *problem(500, lang, i18n.t("api.err.internal", lang), instance=path), lang)
            return
        if status >= 400:
            await self._upstream_problem(send, status, body, lang, path)
            return
        ctype = resp_headers.get("content-type", "")
        if want_csv and status == 200:
            body = csv_bytes(m_items.group(1), json.loads(body or b"{}"), lang)
            resp_headers["content-type"] = "text/csv; charset=utf-8"
            resp_headers["content-disposition"] = f'attachment; filename="{m_items.group(1)}.csv"'
        elif ctype.startswith("text/html"):
            body = offline_html(body.decode("utf-8", "replace"), self.base_url).encode("utf-8")
        etag = self._etag(scope, headers)
        resp_headers.update({"etag": etag, "cache-control": CACHE_CONTROL, "vary": "Accept, Accept-Language"})
        if status == 200 and _matches(headers.get("if-none-match", ""), etag):
            await _send(send, 304, b"", [("etag", etag), ("cache-control", CACHE_CONTROL),
                                         ("vary", "Accept, Accept-Language")])
            return
        resp_headers.pop("content-length", None)
        await _send(send, status, b"" if method == "HEAD" else body, list(resp_headers.items()),
                    length=len(body))

    def _refusal(self, method: str, path: str, qs: bytes, params: list[tuple[str, str]],
                 lang: str) -> tuple[int, dict, list] | None:
        """(status, problem, extra headers) when the request is refused before pygeoapi sees it, else None."""
        if method not in ("GET", "HEAD"):
            return (*problem(405, lang, i18n.t("api.err.read_only", lang, method=method[:20]), instance=path),
                    [("allow", "GET, HEAD, OPTIONS")])
        if len(qs) > MAX_QUERY_BYTES:
            return (*problem(414, lang, i18n.t("api.err.too_long", lang, max=MAX_QUERY_BYTES, found=len(qs)),
                             instance=path), [])
        issues = check_params(path, params, lang, fields=self._fields)
        if issues:
            return (*problem(400, lang, "; ".join(issues), instance=path, code="InvalidParameterValue"), [])
        return None

    def _etag(self, scope, headers: dict[str, str]) -> str:
        key = "\n".join([self.store.version(), scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"),
                         headers.get("accept", ""), headers.get("accept-language", "")])
        return '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'

    async def _run(self, scope, receive) -> tuple[int, dict[str, str], bytes]:
        """Run pygeoapi on the request, holding its whole answer; an exception is a 500 (logged, not shown)."""
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except Exception:  # the boundary: logged for the administrator, a problem document for the client
            LOG.exception("pygeoapi failed on %s", scope.get("path"))
            return 500, {}, b""
        hdrs = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
        return int(start.get("status", 500)), hdrs, b"".join(chunks)

    async def _upstream_problem(self, send, status: int, body: bytes, lang: str, path: str) -> None:
        try:
            doc = json.loads(body)
            code, description = doc.get("code"), str(doc.get("description", ""))
        except (ValueError, AttributeError):
            code, description = None, ""
        if status == 404:
            detail = i18n.t("api.err.not_found", lang, what=path)
        else:
            detail = upstream_detail(description, lang) or str(status)
        await self._problem(send, *problem(status, lang, detail, instance=path, code=code), lang)

    async def _problem(self, send, status: int, body: dict, lang: str, *, extra: list | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        await _send(send, status, data, [("content-type", "application/problem+json; charset=utf-8"),
                                         ("content-language", lang), ("cache-control", "no-store"),
                                         *(extra or [])])

    async def _vendor(self, send, path: str, method: str) -> None:
        rel = Path(path[len("/vendor/"):])
        target = (VENDOR / rel).resolve()
        if ".." in rel.parts or not target.is_file() or VENDOR.resolve() not in target.parents:
            await self._problem(send, *problem(404, "en", i18n.t("api.err.not_found", "en", what=path),
                                               instance=path), "en")
            return
        data = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        await _send(send, 200, b"" if method == "HEAD" else data,
                    [("content-type", ctype), ("cache-control", "public, max-age=86400")], length=len(data))


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip() for t in if_none_match.split(",")]
    return etag in tags or f"W/{etag}" in tags or "*" in tags


async def _send(send, status: int, body: bytes, headers: list[tuple[str, str]], *, length: int | None = None) -> None:
    hdrs = [(k.lower(), v) for k, v in headers if k.lower() not in ("content-length",)]
    hdrs += [("access-control-allow-origin", "*"),
             ("access-control-expose-headers", "ETag, Content-Language, Content-Disposition, Link")]
    hdrs.append(("content-length", str(len(body) if length is None else length)))
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in hdrs]})
    await send({"type": "http.response.body", "body": body})
