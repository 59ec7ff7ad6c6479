"""Start the API: generate pygeoapi's configuration and OpenAPI document, wrap its ASGI app, run uvicorn.

pygeoapi's Starlette app reads its configuration when imported, from the files named by ``PYGEOAPI_CONFIG``
and ``PYGEOAPI_OPENAPI``; :func:`app` writes both (generated from our registry) into a private temporary
folder of this process first, then imports it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import uvicorn
import yaml
from pygeoapi.openapi import get_oas

from revitalize.app.api import collections, config, http

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8502


def app(db_path: Path, *, url: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
    """The whole ASGI application serving ``db_path`` at ``url`` (the address clients use in links)."""
    store = collections.store(db_path)
    store.version()  # opens the database read-only and reads every table now: the first client does not wait, a broken database fails here
    cfg = config.build(db_path, url=url, host=host, port=port)
    folder = Path(tempfile.mkdtemp(prefix="revitalize-api-"))
    atexit.register(shutil.rmtree, folder, True)
    cfg_file = folder / "pygeoapi-config.yml"
    cfg_file.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.environ["PYGEOAPI_CONFIG"] = str(cfg_file)
    oas = read_only(get_oas(cfg))
    oas_file = folder / "openapi.json"
    oas_file.write_text(json.dumps(oas, ensure_ascii=False, default=str), encoding="utf-8")
    os.environ["PYGEOAPI_OPENAPI"] = str(oas_file)
    # imported here, not at the top: pygeoapi's module reads the two files above when it is first imported
    from pygeoapi import starlette_app
    starlette_app.APP.debug = False  # never a traceback page; our middleware answers errors
    return http.Manners(starlette_app.APP, store=store, base_url=cfg["server"]["url"])


WRITE_METHODS = ("post", "put", "patch", "delete")


def read_only(oas: dict) -> dict:
    """The OpenAPI document without write operations (our middleware refuses them) nor paths left empty."""
    paths = {}
    for path, ops in oas.get("paths", {}).items():
        kept = {k: v for k, v in ops.items() if k not in WRITE_METHODS}
        if any(k in ("get", "head") for k in kept):
            paths[path] = kept
    return {**oas, "paths": paths}


def serve(db_path: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, url: str | None = None) -> None:
    """Serve the API until interrupted."""
    asgi = app(db_path, url=url or f"http://{host}:{port}", host=host, port=port)
    uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True)
