"""``python -m revitalize export``: a shortlist to CSV, Excel, GeoJSON, GeoPackage or KML, or evidence sheets.

    python -m revitalize export --from score --top 50 --format xlsx -o shortlist.xlsx
    python -m revitalize export --from explorer --pref 13 --layers anime_sites --format kml -o tokyo.kml
    python -m revitalize export --from score --muni 01100 --format pdf -o sapporo.pdf

Warnings (characters CP932 cannot hold, rows without a location) go to standard error; so does the
line saying what was written, so ``-o -`` can stream the file to standard output.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from revitalize.app.cli import options
from revitalize.app.cli import portfolio as portfolio_cli
from revitalize.core import codes, i18n, settings
from revitalize.core.errors import ExportError
from revitalize.data import db
from revitalize.outputs import evidence, explorer, formats, geo, map_html, shortlists

EVIDENCE_FORMATS = ("html", "pdf")
DEFAULT_SHEETS = 10


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a shortlist (score, explorer, portfolio, candidates) or evidence sheets",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="source", choices=shortlists.SOURCE_KINDS, default="score",
                   help="what to export (default: score)")
    p.add_argument("--format", choices=list(formats.FORMATS), default="csv", help="file format (default: csv)")
    p.add_argument("-o", "--output", help="file, existing folder, or '-' for standard output "
                                          "(default: a safe file name in the current folder)")
    p.add_argument("--top", type=int, help=f"only the first N rows (evidence sheets: default {DEFAULT_SHEETS})")
    options.add_lang(p, what="headers and text")
    options.add_weights(p)
    p.add_argument("--pref", action="append", default=[], metavar="CODE", help="prefecture code, repeatable")
    p.add_argument("--muni", action="append", default=[], metavar="CODE",
                   help="municipality code: score rows / evidence sheets of these municipalities; explorer: one")
    p.add_argument("--work", default="", help="explorer: work title contains")
    p.add_argument("--layers", help=f"explorer: comma-separated layers of {','.join(explorer.ALL_LAYERS)}")
    p.add_argument("--edition", type=int, help="explorer: Anime 88 edition (year)")
    p.add_argument("--gi-class", help="explorer: GI product class")
    p.add_argument("--polygons", action="store_true", help="geojson/gpkg/kml: municipal polygons instead of points")
    p.add_argument("--tiles", choices=settings.TILE_CHOICES, default="none",
                   help="map-html: base-map tiles shown under the map where there is internet (default: none)")
    portfolio_cli.add_constraint_args(p.add_argument_group("--from portfolio: constraints (as `portfolio`)"))
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> list[str]:
    problems = []
    if args.top is not None and args.top < 1:
        problems.append(f"--top: expected >= 1, found {args.top}")
    for c in args.pref:
        if not (len(c) == 2 and c.isdigit() and 1 <= int(c) <= 47):
            problems.append(f"--pref: expected a prefecture code 01–47, found {c!r}")
    for c in args.muni:
        if not codes.is_muni_code(c):
            problems.append(f"--muni: expected a 5-digit municipality code, found {c!r}")
    if args.source == "explorer" and len(args.muni) > 1:
        problems.append(f"--muni: the explorer filters one municipality, found {len(args.muni)}")
    if args.layers:
        bad = [k for k in args.layers.split(",") if k.strip() not in explorer.ALL_LAYERS]
        if bad:
            problems.append(f"--layers: expected names from {list(explorer.ALL_LAYERS)}, found {bad}")
    return problems


def _filters(args: argparse.Namespace) -> explorer.Filters:
    layers = tuple(k.strip() for k in args.layers.split(",")) if args.layers else explorer.Filters().layers
    return explorer.Filters(pref_codes=tuple(args.pref), muni_code=args.muni[0] if args.muni else None,
                            work=args.work, layers=layers, edition=args.edition, gi_class=args.gi_class)


def _destination(args: argparse.Namespace, default_name: str) -> Path | None:
    if args.output == "-":
        return None
    if args.output is None:
        return Path.cwd() / default_name
    out = Path(args.output)
    return out / default_name if out.is_dir() else out


def _write(args: argparse.Namespace, data: bytes, default_name: str, what: str) -> None:
    dest = _destination(args, default_name)
    if dest is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        print(f"wrote {what} ({len(data):,} bytes) to standard output", file=sys.stderr)
        return
    dest.write_bytes(data)
    print(f"wrote {what} to {dest} ({len(data):,} bytes)", file=sys.stderr)


@contextlib.contextmanager
def _progress_bars(n_sheets: int):
    """tqdm bars on stderr (only on a terminal): sheets gathered, then PDF pages laid out."""
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc="sheets" if stage == "sheets" else "PDF pages",
                                     unit="sheet" if stage == "sheets" else "page", file=sys.stderr,
                                     disable=None, leave=False)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()


def run(args: argparse.Namespace) -> int:
    problems = _check(args)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    weights = options.weights(args)
    fmt = args.format
    if fmt == "pdf" and evidence.pdf_problem():
        raise ExportError(i18n.t("ex.err.pdf", "en", detail=evidence.pdf_problem())).keyed(
            "ex.err.pdf", detail=evidence.pdf_problem())
    con = db.connect(read_only=True)
    try:
        if fmt in EVIDENCE_FORMATS and args.muni and args.source == "score":
            subjects = [evidence.Subject((c,)) for c in args.muni]
            name = formats.safe_filename(f"revitalize_evidence_{'_'.join(args.muni)}.{fmt}")
        else:
            top = args.top if args.top is not None or fmt not in EVIDENCE_FORMATS else DEFAULT_SHEETS
            by_muni = bool(args.muni) and args.source != "explorer"  # the explorer filters by itself
            sl = shortlists.shortlist_for(args.source, con, lang=args.lang, top=None if by_muni else top,
                                       weights=weights, filters=_filters(args), pref_codes=tuple(args.pref),
                                       **({"constraints": portfolio_cli.constraints_from_args(args)}
                                          if args.source == "portfolio" else {}))
            if by_muni:
                keep = sl.table["muni_codes"].map(lambda v: bool(set(codes.split_codes(v)) & set(args.muni)))
                sl = replace(sl, table=sl.table[keep].reset_index(drop=True)).head(top)
            if not len(sl):
                raise ExportError(i18n.t("ex.err.no_rows", "en", source=args.source)).keyed(
                    "ex.err.no_rows", source=args.source)
            if fmt not in EVIDENCE_FORMATS:
                f = formats.get(fmt)
                places = geo.municipality_places(con, polygons=args.polygons or f.polygons) if f.needs_places else None
                if fmt == "map-html" and args.tiles != "none":  # the registry's writer draws no tiles
                    data, warnings = map_html.shortlist_document(sl, places, tiles=args.tiles), geo.geometry_gaps(
                        sl, places)
                else:
                    data, warnings = formats.export(sl, fmt, places=places)
                for w in warnings:
                    print(f"warning: {w}", file=sys.stderr)
                _write(args, data, formats.export_filename(sl, fmt), f"{len(sl)} rows as {fmt}")
                return 0
            subjects = evidence.subjects_from_shortlist(sl, top=top)
            if args.top is None and fmt in EVIDENCE_FORMATS and not args.muni:
                print(f"note: evidence sheets for the first {len(subjects)} rows (use --top N for more)",
                      file=sys.stderr)
            name = formats.export_filename(sl, fmt)
        if not subjects:
            raise ExportError(i18n.t("ex.err.no_subjects", "en")).keyed("ex.err.no_subjects")
        ctx = evidence.context(con, weights)
        with _progress_bars(len(subjects)) as progress:
            data = evidence.render(con, subjects, fmt, lang=args.lang, ctx=ctx, progress=progress)
        _write(args, data, name, f"{len(subjects)} evidence sheet(s) as {fmt}")
        return 0
    finally:
        con.close()
