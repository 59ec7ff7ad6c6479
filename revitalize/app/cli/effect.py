"""``python -m revitalize effect``: did an event bring visitors, compared with similar municipalities?"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from revitalize.analysis import cohorts, effects, events, panel
from revitalize.core import i18n
from revitalize.core.errors import EffectError
from revitalize.data import db
from revitalize.outputs import effect_report
from revitalize.workflow import candidates


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("effect", help="effect of an event on visitors against a counterfactual (効果検証)")
    p.add_argument("--muni", default="",
                   help="municipality code(s); several (;-separated) are summed as one subject, e.g. 13101;13102")
    p.add_argument("--candidate", default=None,
                   help="a candidate or designated base of the register: its municipalities (summed); the event is "
                        "its designation unless --event or --start is given")
    p.add_argument("--event", default=None,
                   help="an event key from --list-events (e.g. anime88:2025, anime_release:..., drama:..., "
                        "designation:YYYY-MM-DD); places sharing it are left out of the comparison")
    p.add_argument("--cohort", default=None,
                   help="national evidence: the average effect of a kind of content — anime88-YYYY (places newly "
                        "listed in that edition), taiga, asadora, location-award, national (every built-in kind), or "
                        "a CSV file with columns muni_code,start[,label]")
    p.add_argument("--list-events", action="store_true", help="list the subject's events (key, month, label, source) and stop")
    p.add_argument("--start", default=None, help="first month of the event, YYYY-MM (overrides the event's month)")
    p.add_argument("--end", default=None, help="last month of the post period, YYYY-MM (default: last in the data)")
    p.add_argument("--method", choices=list(effects.METHODS), default="synth")
    p.add_argument("--exclude", default="",
                   help="codes that share the event and must not be comparison municipalities (;-separated)")
    p.add_argument("--keep-sharing", action="store_true",
                   help="hygiene off: keep municipalities sharing the event among the donors")
    p.add_argument("--keep-other-events", action="store_true",
                   help="hygiene off: keep municipalities with another known event in the window")
    p.add_argument("--keep-shocked", action="store_true",
                   help="hygiene off: keep municipalities with a shock of their own in the window")
    p.add_argument("--keep-neighbours", action="store_true",
                   help=f"hygiene off: keep the subject's neighbours (outlines within {effects.SPILLOVER_KM:g} km)")
    p.add_argument("--no-robustness", action="store_true", help="skip the leave-one-out and rule-off re-estimates")
    p.add_argument("--format", choices=list(effect_report.FORMATS), default="json",
                   help="json/text to stdout; xlsx (series, donors, estimate, money, credits), svg or png (the chart) to -o")
    p.add_argument("-o", "--output", default=None, help="output file (required for xlsx, svg, png)")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.set_defaults(func=run)


def hygiene(args: argparse.Namespace) -> effects.Hygiene:
    """The hygiene rules of the command line's --keep-* switches."""
    return effects.Hygiene(shared_event=not args.keep_sharing, other_event=not args.keep_other_events,
                           own_shock=not args.keep_shocked, neighbours=not args.keep_neighbours)


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[;,；、\s]+", text.strip()) if c]


def run(args: argparse.Namespace) -> int:
    lang = args.lang
    if args.cohort:
        return run_cohort(args)
    if args.format in effect_report.FILE_FORMATS and not args.output:
        print(f"error: {i18n.t('effect.err.needs_output', lang, fmt=args.format)}", file=sys.stderr)
        return 2
    register = None
    cand = None
    if args.candidate or args.event:
        wf = db.connect_workflow()
        try:
            register = candidates.table(wf)
            cand = candidates.get(wf, args.candidate) if args.candidate else None
        finally:
            wf.close()
    con = db.connect(read_only=True)
    try:
        long = panel.visitor_panel(con)
        munis = panel.municipalities(con)
        wards = panel.ward_cities(con)
        found = events.all_events(con, register)
        near = panel.neighbours(con, effects.SPILLOVER_KM) if not args.keep_neighbours else {}
    finally:
        con.close()
    codes = list(cand.data.muni_codes) if cand is not None else _codes(args.muni)
    key = args.event
    if cand is not None and not key and not args.start:
        key = effect_report.designation_key(cand)
    if args.list_events:
        first, last = effect_report.data_months(long)
        table = events.for_municipalities(found, codes, lang=lang, first=first, last=last)
        for r in table.itertuples(index=False):
            print(f"{r.key}\t{r.month}\t{r.label}\t{r.source_url}")
        return 0
    try:
        if cand is not None and not key and not args.start:
            raise EffectError([("effect.err.no_designation", {"cid": cand.candidate_id})])
        effect_run = events.run(long, munis, wards, found, codes, key=key, start=args.start, end=args.end,
                                method=args.method, excluded=_codes(args.exclude), lang=lang,
                                title=f"{cand.candidate_id} {cand.data.name_ja}" if cand is not None else "",
                                hygiene=hygiene(args), neighbours=near, robustness=not args.no_robustness)
    except EffectError as exc:
        print(f"error: {exc.text(lang)}", file=sys.stderr)
        return 2
    result = effect_run.result
    if args.format in effect_report.FILE_FORMATS:
        Path(args.output).write_bytes(effect_report.export(effect_run, args.format, munis=munis, lang=lang))
        print(args.output, file=sys.stderr)
        return 0
    if args.format == "json":
        json.dump(result.to_dict(lang), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    t = lambda key: i18n.t(key, args.lang)  # noqa: E731
    d = result.to_dict(args.lang)
    lo, hi = d["ci90_pct"]
    lines = [
        f"{t('effect.title')}: {';'.join(d['muni_codes'])}  {d['start']} – {d['end']}  "
        f"({t('effect.method.' + d['method'])})",
        f"{t('effect.event_row')}: {effect_run.event['label']} {effect_run.event.get('source_url') or ''}".rstrip(),
        f"{t('effect.effect')}: {d['effect_pct']:+.1f} %  [{t('effect.ci90')}: {lo:+.1f} … {hi:+.1f} %]",
        f"{t('effect.visitors')}: {d['effect_visitors']:+,.0f}",
        f"{t('effect.p_value')}: {d['p_value']:.3f}" if d["p_value"] is not None else f"{t('effect.p_value')}: –",
        f"{t('effect.pre_rmspe')}: {d['pre_rmspe_pct']:.1f} %",
        f"{t('effect.months')}: {d['pre_months']} / {d['post_months']}",
        f"{t('effect.donors')}: " + ", ".join(f"{x['muni_code']} {x['weight']:.3f}" for x in d["donors"][:10]),
    ]
    if d["excluded_donors"]:
        lines.append(t("effect.excluded_title").format(n=len(d["excluded_donors"])) + ":")
        lines += [f"  {code}: {why}" for code, why in list(d["excluded_donors"].items())[:30]]
        if len(d["excluded_donors"]) > 30:
            lines.append(f"  … (+{len(d['excluded_donors']) - 30})")
    rob = d["robustness"]
    if rob:
        lines.append(t("effect.rob.range").format(low=f"{rob['range_pct'][0]:+.1f}", high=f"{rob['range_pct'][1]:+.1f}"))
    lines.append(f"{t('effect.interval_method')}: {d['interval_method']}")
    if d["warnings"]:
        lines.append(f"{t('effect.warnings')}:")
        lines += [f"  - {w}" for w in d["warnings"]]
    print("\n".join(lines))
    return 0


def _progress_bar(total_label: str):
    """A tqdm bar on stderr (a terminal only) fed with (i, n) by the cohort estimate."""
    bar = {"bar": None}

    def update(i: int, n: int) -> None:
        if bar["bar"] is None:
            bar["bar"] = tqdm(total=n, desc=total_label, unit="place", file=sys.stderr, disable=not sys.stderr.isatty())
        bar["bar"].n = i
        bar["bar"].refresh()
        if i >= n:
            bar["bar"].close()

    return update


def load_cohort(name: str, con, *, content, munis, lang: str,
                months: tuple[str | None, str | None] = (None, None)) -> list[cohorts.Cohort]:
    """The cohort(s) a name stands for: a built-in name, ``national`` (every built-in the data can judge) or a
    CSV file. ``content``: the content events already read (``events.content_events``)."""
    dramas, awards = events.cohort_dramas(con), events.cohort_awards(con)
    if name == "national":
        return [cohorts.builtin(n, content, dramas, awards, lang=lang)
                for n in cohorts.builtin_names(content, first=months[0], last=months[1])]
    path = Path(name)
    if path.suffix.lower() == ".csv" or path.exists():
        if not path.is_file():
            raise EffectError([("effect.err.cohort_file", {"file": name, "why": i18n.t("effect.err.not_a_file", lang)})])
        try:
            table = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise EffectError([("effect.err.cohort_file", {"file": name, "why": type(exc).__name__})]) from exc
        return [cohorts.from_table(path.name, table, known_codes=munis["muni_code"])]
    return [cohorts.builtin(name, content, dramas, awards, lang=lang)]


def run_cohort(args: argparse.Namespace) -> int:
    """``--cohort``: the average effect of a kind of content, its places, as JSON, text or xlsx."""
    lang = args.lang
    if args.format in ("svg", "png") or (args.format == "xlsx" and not args.output):
        print(f"error: {i18n.t('effect.err.needs_output', lang, fmt=args.format)}", file=sys.stderr)
        return 2
    con = db.connect(read_only=True)
    try:
        long, munis, wards = panel.visitor_panel(con), panel.municipalities(con), panel.ward_cities(con)
        found = events.all_events(con)
        near = panel.neighbours(con, effects.SPILLOVER_KM) if not args.keep_neighbours else {}
        try:
            chosen = load_cohort(args.cohort, con, content=found, munis=munis, lang=lang,
                                 months=effect_report.data_months(long))
        except EffectError as exc:
            print(f"error: {exc.text(lang)}", file=sys.stderr)
            return 2
    finally:
        con.close()
    results = []
    builtin = set(cohorts.builtin_names(found))
    for cohort in chosen:
        def compute(cohort=cohort):
            return cohorts.estimate(cohort, long, munis, wards, found, method=args.method, neighbours=near,
                                    hygiene=hygiene(args), lang=lang, progress=_progress_bar(cohort.name))
        try:
            default_rules = hygiene(args) == effects.Hygiene()
            # built-in cohorts with every rule on are kept per data version (the page reads the same cache)
            results.append(effect_report.cohort_cached(cohort.name, args.method, lang, compute)
                           if cohort.name in builtin and default_rules else compute())
        except EffectError as exc:
            if len(chosen) == 1:
                print(f"error: {exc.text(lang)}", file=sys.stderr)
                return 2
            print(f"{cohort.name}: {exc.text(lang)}", file=sys.stderr)
    if args.format == "xlsx":
        Path(args.output).write_bytes(effect_report.cohorts_xlsx(results, lang))
        print(args.output, file=sys.stderr)
        return 0
    if args.format == "json":
        out = [r.to_dict(lang) for r in results]
        json.dump(out[0] if len(chosen) == 1 else out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(effect_report.national_frame(results, lang).to_string(index=False))
    for r in results:
        for w in r.warnings:
            print(f"  {r.cohort}: {w.text(lang)}")
    return 0
