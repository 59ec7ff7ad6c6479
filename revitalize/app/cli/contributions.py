"""``python -m revitalize contributions propose | review | list | export``: additions, corrections and removals
of curated-layer rows, proposed by municipalities and reviewed (issue 23). The acting user is the local
identity (REVITALIZE_USER, REVITALIZE_ROLE, REVITALIZE_USER_MUNIS)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from revitalize.core import i18n, settings
from revitalize.core.errors import DatabaseMissingError, InputError, Problem
from revitalize.data import db, layers
from revitalize.outputs import tables
from revitalize.workflow import auth
from revitalize.workflow import contributions as ct


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("contributions", help="propose, review, list and export contributions to the curated layers")
    csub = p.add_subparsers(dest="action", required=True)
    q = csub.add_parser("propose", help="propose an addition, correction or removal (pending until reviewed)")
    q.add_argument("--layer", required=True, choices=ct.LAYERS)
    q.add_argument("--kind", default="add", choices=ct.ACTIONS, help="add (default), correct or remove")
    q.add_argument("--muni", required=True, help="5-digit municipality code the row belongs to")
    q.add_argument("--source-url", required=True, help="http(s) page stating the fact")
    q.add_argument("--as-of", required=True, help="date of the source (YYYY-MM-DD)")
    q.add_argument("--note", default="")
    q.add_argument("--target", default="", help="id of the row corrected or removed")
    q.add_argument("--field", action="append", default=[], metavar="NAME=VALUE",
                   help="a field of the row (repeat): e.g. work_title_ja=… place_name_ja=… kind=setting")
    q.add_argument("--lang", choices=i18n.LANGS, default=None)
    q.set_defaults(func=_propose)
    q = csub.add_parser("bulk", help="propose every row of a location list (CSV/xlsx), all or nothing")
    q.add_argument("file")
    q.add_argument("--layer", default="filming_locations", choices=ct.LAYERS)
    q.add_argument("--lang", choices=i18n.LANGS, default=None)
    q.set_defaults(func=_bulk)
    q = csub.add_parser("review", help="accept, reject or retire a contribution with a reason (reviewer/admin)")
    q.add_argument("id")
    q.add_argument("decision", choices=("accept", "reject", "retire"))
    q.add_argument("--reason", required=True)
    q.add_argument("--version", type=int, default=None, help="the version you read (default: the current one)")
    q.add_argument("--lang", choices=i18n.LANGS, default=None)
    q.set_defaults(func=_review)
    q = csub.add_parser("list", help="every contribution, newest first")
    q.add_argument("--format", choices=("text", "json"), default="text")
    q.add_argument("--status", choices=ct.STATUSES, default=None)
    q.set_defaults(func=_list)
    q = csub.add_parser("export", help="accepted additions of a layer as CSV in the geodata/ column layout")
    q.add_argument("-o", "--output", required=True, help="CSV file to write")
    q.add_argument("--layer", required=True, choices=ct.LAYERS)
    q.set_defaults(func=_export)


def _fields(pairs: list[str]) -> dict[str, str]:
    out, problems = {}, []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            problems.append(Problem("--field", found=pair, **i18n.expect("pb.ct.field_pair")))
        out[name.strip()] = value
    if problems:
        raise InputError(problems)
    return out


def _reference():
    """The reference database (read-only), or None when it has not been built."""
    try:
        return db.connect(read_only=True)
    except DatabaseMissingError:
        print("note: no reference database; codes are checked for form only", file=sys.stderr)
        return None


def _propose(args: argparse.Namespace) -> int:
    p = ct.Proposal(layer=args.layer, action=args.kind, muni_code=args.muni, source_url=args.source_url,
                    as_of=args.as_of, note=args.note, target_id=args.target, fields=_fields(args.field))
    ref = _reference()
    try:
        known = layers.known_municipalities(ref) if ref is not None else None
        with db.connect_workflow() as con:
            cid = ct.propose(con, auth.local_user(), p, known_munis=known, ref=ref)
    finally:
        if ref is not None:
            ref.close()
    print(i18n.t("ct.proposed", args.lang or settings.cli_lang(), id=cid))
    return 0


def _bulk(args: argparse.Namespace) -> int:
    path = Path(args.file)
    upload = ct.read_list(path.read_bytes(), path.name)
    proposals = ct.proposals_from_upload(upload, layer=args.layer)
    ref = _reference()
    try:
        known = layers.known_municipalities(ref) if ref is not None else None
    finally:
        if ref is not None:
            ref.close()
    with db.connect_workflow() as con:
        ids = ct.propose_many(con, auth.local_user(), proposals, file=path.name, known_munis=known)
    print(i18n.t("ct.bulk_done", args.lang or settings.cli_lang(), n=len(ids), ids=", ".join(ids)))
    return 0


def _review(args: argparse.Namespace) -> int:
    with db.connect_workflow() as con:
        version = args.version if args.version is not None else ct.get(con, args.id)["version"]
        ct.review(con, auth.local_user(), args.id, args.decision, reason=args.reason, read_version=version)
        status = ct.get(con, args.id)["status"]
    lang = args.lang or settings.cli_lang()
    print(i18n.t("ct.reviewed", lang, id=args.id, status=i18n.t(f"ct.status.{status}", lang)))
    return 0


def _list(args: argparse.Namespace) -> int:
    with db.connect_workflow() as con:
        df = ct.table(con)
    if args.status:
        df = df[df["status"] == args.status]
    if args.format == "json":
        df = df.assign(fields=[json.loads(f) for f in df["fields"]])
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, date_format="iso", indent=1) + "\n")
    else:
        for r in df.itertuples():
            print(f"{r.contribution_id}  {r.status:<8} {r.layer:<17} {r.action:<7} {r.muni_code}  {r.fields}  "
                  f"{r.source_url}")
    return 0


def _export(args: argparse.Namespace) -> int:
    ref = _reference()
    try:
        with db.connect_workflow() as con:
            frame = ct.export_frame(ct.overlay(con, ref), args.layer)
    finally:
        if ref is not None:
            ref.close()
    Path(args.output).write_bytes(tables.to_csv_bytes(frame, credits=[]))
    print(f"{len(frame)} accepted rows → {args.output}")
    return 0
