"""The pygeoapi configuration, generated from our collection registry (never a hand-kept YAML file)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from revitalize.app.api import collections
from revitalize.core import i18n
from revitalize.data import coverage, db

PROVIDER = "revitalize.app.api.provider.LayerProvider"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
JGD2011 = "http://www.opengis.net/def/crs/EPSG/0/6668"  # Japan's geodetic datum (lat, lon axis order)
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
LANGUAGES = ("ja", "en")  # the first is the default


def _both(fn) -> dict[str, str]:
    return {lang: fn(lang) for lang in LANGUAGES}


def resource(c: collections.Collection, db_path: Path, table: collections.Table,
             held: Sequence[coverage.Coverage] = ()) -> dict:
    """One collection's pygeoapi resource: titles, credits, licence links, extent, how complete its curated
    layers are (``held``: ``coverage.coverage``) and our provider."""
    infos = [collections.source_info(k) for k in c.sources]
    links = collections.licence_links(c) + [
        {"type": "text/html", "rel": "describedby", "title": f"{info.title_en} ({key}), as of {info.as_of}",
         "href": collections.href(info.url), "hreflang": "ja"} for key, info in zip(c.sources, infos, strict=False)]
    description = _both(lambda lang: " | ".join(filter(None, [
        i18n.t(c.description_key, lang) if c.description_key else "",
        collections.credit_line(c, lang),
        ("データの時点：" if lang == "ja" else "As of: ") + ", ".join(i.as_of for i in infos),
        ("ライセンス：" if lang == "ja" else "Licence: ") + " / ".join(dict.fromkeys(i.licence for i in infos)),
        coverage.property_text(held, [k for k in c.sources if k in coverage.LAYERS], lang),
    ])))
    provider = {
        "type": "feature", "name": PROVIDER, "data": str(db_path), "id_field": table.id_field,
        "options": {"collection": c.key}, "include_extra_query_parameters": True,
        "crs": [CRS84, JGD2011], "storage_crs": CRS84,
    }
    if c.time_field:
        provider["time_field"] = c.time_field
    return {
        "type": "collection",
        "title": _both(lambda lang: collections.title(c, lang)),
        "description": description,
        "keywords": {"ja": list(c.sources), "en": list(c.sources)},
        "links": links,
        "extents": {"spatial": {"bbox": table.extent, "crs": CRS84}},
        "limits": {"default_items": DEFAULT_LIMIT, "max_items": MAX_LIMIT, "on_exceed": "error"},
        "providers": [provider],
    }


def build(db_path: Path, *, url: str, host: str, port: int, templates: Path | None = None,
          static: Path | None = None) -> dict:
    """The whole pygeoapi configuration for ``db_path`` served at ``url``."""
    store = collections.store(db_path)
    with db.connect(db_path, read_only=True) as con:
        held = coverage.coverage(con)  # said in each curated collection's description
    server = {
        "bind": {"host": host, "port": port},
        "url": url.rstrip("/"),
        "mimetype": "application/json; charset=UTF-8",
        "encoding": "utf-8",
        "gzip": False,
        "languages": list(LANGUAGES),
        "cors": False,  # our middleware answers CORS for GET only (http.py)
        "pretty_print": False,
        "limits": {"default_items": DEFAULT_LIMIT, "max_items": MAX_LIMIT, "on_exceed": "error"},
        "map": {"url": "", "attribution": ""},  # no external tiles: the HTML map shows the features alone
        "admin": False,
    }
    if templates is not None or static is not None:
        server["templates"] = {k: str(v) for k, v in (("path", templates), ("static", static)) if v is not None}
    return {
        "server": server,
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": _both(lambda lang: i18n.t("api.title", lang)),
                "description": _both(lambda lang: i18n.t("api.description", lang)),
                "keywords": {"ja": ["地域活性化", "観光", "市区町村"], "en": ["regional revitalisation", "tourism",
                                                                   "municipalities"]},
                "keywords_type": "theme",
                "terms_of_service": "urn:revitalize:README.md",
                "url": url.rstrip("/"),
            },
            "license": {"name": "each collection's own licence (links rel=license)", "url": url.rstrip("/")},
            "provider": {"name": "revitalize", "url": url.rstrip("/")},
            "contact": {"name": "revitalize", "url": url.rstrip("/")},
        },
        "resources": {c.key: resource(c, Path(db_path), store.table(c.key), held) for c in collections.COLLECTIONS},
    }
