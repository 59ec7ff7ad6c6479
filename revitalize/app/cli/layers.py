"""``python -m revitalize layers import|list|delete``: a municipality's own data as map layers.

Stable for scripts: ``import`` exits 0 when imported (or, with ``--dry-run``, when it would be), 2 when
refused, with every problem listed on stderr; ``list --format json`` writes a list of objects with at least
name, rows, geometry_type, encoding, source, imported_on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from revitalize.core.errors import DatabaseMissingError
from revitalize.data import db, uploads
from revitalize.workflow import auth, user_layers

LIST_COLUMNS = ("name", "title", "rows", "geometry_type", "format", "encoding", "source", "licence", "credit",
                "owner", "imported_on", "hidden", "version")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("layers", help="import, list or delete user layers (CSV, Excel, GeoJSON, GPKG, KML, SHP zip)")
    lsub = p.add_subparsers(dest="action", required=True)
    q = lsub.add_parser("import", help="import a file as a layer, all or nothing (exit 2 with every problem)")
    q.add_argument("file")
    q.add_argument("--name", required=True, help="layer name: lower-case letters, digits and _")
    q.add_argument("--title", help="title shown in the app (default: the name)")
    q.add_argument("--encoding", help="text encoding of a CSV (default: detected), e.g. cp932, utf-8")
    q.add_argument("--lat", metavar="COL", help="column holding the latitude (with --lon)")
    q.add_argument("--lon", metavar="COL", help="column holding the longitude (with --lat)")
    q.add_argument("--muni-code", metavar="COL", help="column holding the municipality code")
    q.add_argument("--source", help="where the data comes from (default: the file name)")
    q.add_argument("--licence", help="the data's licence, e.g. CC BY 4.0")
    q.add_argument("--credit", help="the credit line shown with the layer")
    q.add_argument("--replace", action="store_true", help="re-import an existing layer (replaces its rows)")
    q.add_argument("--dry-run", action="store_true", help="check and preview only; nothing is written")
    q.set_defaults(func=_import)
    q = lsub.add_parser("list", help="every layer, one row each")
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.set_defaults(func=_list)
    q = lsub.add_parser("delete", help="delete a layer (its audit trail is kept)")
    q.add_argument("name")
    q.set_defaults(func=_delete)


def mapping_options(args: argparse.Namespace) -> dict[str, str]:
    """The column mapping the options give (field -> column)."""
    out = {}
    if args.lat or args.lon:
        if not (args.lat and args.lon):
            raise SystemExit("error: --lat and --lon go together")
        out.update(lat=args.lat, lon=args.lon)
    if args.muni_code:
        out["muni_code"] = args.muni_code
    return out


def _ref():
    try:
        return db.connect(read_only=True)
    except DatabaseMissingError:
        print("note: no reference database; rows get their municipality from the file's code column only",
              file=sys.stderr)
        return None


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    data = uploads.read_file(path)  # a missing file or a folder: InputError, shown by main in the user's language
    mapping = mapping_options(args)
    ref = _ref()
    work = db.connect_workflow()
    try:
        p = user_layers.preview(data, path.name, name=args.name, title=args.title, ref_con=ref, work_con=work,
                                replace=args.replace, encoding=args.encoding, mapping=mapping or None)
        s = p.summary()
        print(f"{path.name}: {s['format']}, encoding {s['encoding'] or '-'} ({s['encoding_reason'] or '-'}), "
              f"{s['rows']} rows, mapping {json.dumps(s['mapping'], ensure_ascii=False)}")
        for w in p.warnings:
            print(f"warning: {w}", file=sys.stderr)
        if not p.ok:
            print(f"refused: {len(p.problems)} problem(s); nothing was written", file=sys.stderr)
            for prob in p.problems:
                print(f"  - {prob}", file=sys.stderr)
            return 2
        if args.dry_run:
            print(f"dry run: layer {args.name!r} would be imported with {s['rows']} rows; nothing was written")
            return 0
        version = user_layers.confirm(work, auth.local_user(), p, licence=args.licence, credit=args.credit,
                                      source=args.source, replace=args.replace)
    finally:
        work.close()
        if ref is not None:
            ref.close()
    print(f"imported layer {args.name!r}: {s['rows']} rows (version {version})")
    return 0


def _list(args: argparse.Namespace) -> int:
    work = db.connect_workflow()
    try:
        table = user_layers.layers(work)
    finally:
        work.close()
    table = table[[c for c in LIST_COLUMNS if c in table.columns]]
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, date_format="iso", indent=1) + "\n")
    elif table.empty:
        print("no layers")
    else:
        for r in table.itertuples():
            cells = [r.name, f"{r.rows} rows", _cell(r.geometry_type), _cell(r.encoding), r.source,
                     str(r.imported_on)[:19]] + (["hidden"] if r.hidden else [])
            print("\t".join(map(str, cells)))
    return 0


def _cell(value: object) -> str:
    """A text cell for the listing: '-' for a missing value (None, or NaN in an all-missing column)."""
    return value if isinstance(value, str) and value else "-"


def _delete(args: argparse.Namespace) -> int:
    work = db.connect_workflow()
    try:
        table = user_layers.layers(work).set_index("name")
        version = int(table.loc[args.name, "version"]) if args.name in table.index else 0
        user_layers.delete(work, auth.local_user(), args.name, read_version=version)
    finally:
        work.close()
    print(f"deleted layer {args.name!r}")
    return 0
