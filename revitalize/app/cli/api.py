"""``python -m revitalize api [--host H] [--port P] [--url URL]``: the read-only OGC API – Features server."""

from __future__ import annotations

import argparse

from revitalize.app.api import server
from revitalize.core import settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("api", help="serve every layer and the scores as OGC API – Features (read-only, pygeoapi)")
    p.add_argument("--host", default=server.DEFAULT_HOST, help=f"address to listen on (default {server.DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=server.DEFAULT_PORT, help=f"port (default {server.DEFAULT_PORT})")
    p.add_argument("--url", help="the public address clients reach it at, used in links (default http://HOST:PORT; "
                                 "set it behind a reverse proxy, e.g. https://example.org/api)")
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    server.serve(settings.db_path(), host=args.host, port=args.port, url=args.url)
    return 0
