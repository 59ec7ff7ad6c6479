"""Effect verification results as files and charts: Excel, SVG and PNG charts, the chart helper the pages share,
a candidate's estimate, and the subject of an evidence sheet that carries an estimate.

- ``candidate_effect``: the estimate for a candidate's municipalities from its designation (or a chosen event);
- ``charts``: the two Altair charts (visitors with the counterfactual and its band; the gap), the event as a red rule;
- ``chart_svg`` / ``chart_png``: the same two panels drawn by matplotlib (Agg; a Noto CJK font when installed);
- ``to_xlsx``: sheets series, donors, estimate (with caveats and warnings), money (assumptions and their
  sources) and credits;
- ``with_effect``: an evidence ``Subject`` that also shows the estimate (``evidence.effect_section_html``).
"""

from __future__ import annotations

import functools
import io
import math
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import altair as alt
import duckdb
import pandas as pd

from revitalize.analysis import cohorts, effects, events, panel
from revitalize.core import i18n
from revitalize.core.errors import EffectError
from revitalize.data import results_cache
from revitalize.data.credits import credit
from revitalize.outputs import evidence, maps, tables
from revitalize.workflow.candidates import Candidate  # noqa: E402

FORMATS = ("json", "text", "xlsx", "svg", "png")
FILE_FORMATS = ("xlsx", "svg", "png")
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "svg": "image/svg+xml",
        "png": "image/png"}
CREDIT_KEYS = ("tourism",)
EVENT_CREDITS = {"anime_release": "anime_sites", "anime88": "anime_sites", "drama": "filming_locations"}
CAVEATS = ("effect.caveat.method", "effect.caveat.interval", "effect.caveat.data", "effect.caveat.money")
COLORS = {"observed": "#1f77b4", "counterfactual": "#666666", "event": "#d62728", "up": "#2ca02c",
          "down": "#d62728"}
CJK_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "Noto Serif CJK JP", "IPAexGothic", "IPAGothic")


# --- a candidate's estimate ---------------------------------------------------------------------------------
def designation_key(cand: Candidate) -> str | None:
    """The event key of a candidate's designation (None when it has no designation date)."""
    return f"designation:{cand.designated_on}" if cand.designated_on else None


def candidate_effect(con: duckdb.DuckDBPyConnection, cand: Candidate, register: pd.DataFrame, *,
                     key: str | None = None, start: str | None = None, end: str | None = None,
                     method: str = "synth", lang: str = "ja", progress=None) -> events.EffectRun:
    """The effect on the sum of the candidate's municipalities' visitors, from its designation or from the
    event ``key`` / the month ``start``. ``register``: ``workflow.candidates.table`` (designations of other
    bases on the same day are left out of the comparison). Raises ``EffectError``."""
    if not key and not start:
        key = designation_key(cand)
        if key is None:
            raise EffectError([("effect.err.no_designation", {"cid": cand.candidate_id})])
    long, munis, wards = panel.visitor_panel(con), panel.municipalities(con), panel.ward_cities(con)
    return events.run(long, munis, wards, events.all_events(con, register), cand.data.muni_codes, key=key,
                      start=start, end=end, method=method, lang=lang, progress=progress,
                      title=f"{cand.candidate_id} {cand.data.name_ja}",
                      neighbours=panel.neighbours(con, effects.SPILLOVER_KM))


def candidate_events(con: duckdb.DuckDBPyConnection, cand: Candidate, register: pd.DataFrame, *,
                     lang: str = "ja") -> pd.DataFrame:
    """The events a candidate's estimate can start from (its designation first), within the visitor data."""
    long = panel.visitor_panel(con)
    first, last = data_months(long)
    found = events.for_municipalities(events.all_events(con, register), cand.data.muni_codes, lang=lang,
                                      first=first, last=last)
    own = designation_key(cand)
    return pd.concat([found[found["key"] == own], found[found["key"] != own]], ignore_index=True)


@dataclass(frozen=True, eq=False)
class CandidateSection:
    """What a candidate's effect section shows: the events to choose from (key → label), the chosen key,
    the estimate (None until asked for, or when it cannot be made: ``error`` says why, in the page's
    language) and the evidence subject carrying it."""

    options: Mapping[str, str]
    key: str | None
    run: events.EffectRun | None = None
    error: str | None = None
    subject: evidence.Subject | None = None


def candidate_section(con: duckdb.DuckDBPyConnection, cand: Candidate, register: pd.DataFrame, *,
                      key: str | None = None, method: str = "synth", estimate: bool = True,
                      catalog: pd.DataFrame | None = None, lang: str = "ja") -> CandidateSection:
    """A candidate's effect section in one call: its events (designation first), and with ``estimate`` the
    estimate from ``key`` (default: its designation, else its newest event) and its evidence subject."""
    found = candidate_events(con, cand, register, lang=lang)
    options = event_options(found)
    chosen = key if key in options else (next(iter(options)) if options else None)
    if not estimate:
        return CandidateSection(options, chosen)
    try:
        if chosen is None:
            raise EffectError([("effect.err.no_designation", {"cid": cand.candidate_id})])
        run = candidate_effect(con, cand, register, key=chosen, method=method, lang=lang)
    except EffectError as exc:
        return CandidateSection(options, chosen, error=exc.text(lang))
    subject = with_effect(evidence.candidate_subject(cand, catalog, lang=lang), run,
                          munis=panel.municipalities(con), lang=lang)
    return CandidateSection(options, chosen, run=run, subject=subject)


def data_months(long: pd.DataFrame) -> tuple[str | None, str | None]:
    """First and last month (YYYY-MM) of a long visitor panel (None, None when empty)."""
    if long.empty:
        return None, None
    ym = long["year"].astype(int) * 100 + long["month"].astype(int)
    return f"{ym.min() // 100:04d}-{ym.min() % 100:02d}", f"{ym.max() // 100:04d}-{ym.max() % 100:02d}"


# --- the chart helper the pages share (Altair) -----------------------------------------------------------------
def charts(run: events.EffectRun, lang: str = "ja") -> tuple[alt.LayerChart, alt.LayerChart]:
    """(visitors chart, gap chart), each with the event month as a red dashed rule labelled with the event."""
    frame = effects.chart_frame(run.result)
    start = pd.Period(run.result.start, freq="M").to_timestamp()
    rule_data = pd.DataFrame({"month": [start], "label": [f"{run.event['label']} {run.result.start}"]})
    rule = alt.Chart(rule_data).mark_rule(color=COLORS["event"], strokeDash=[4, 4]).encode(
        x="month:T", tooltip=["label:N"])
    text = alt.Chart(rule_data).mark_text(color=COLORS["event"], align="left", dx=4, dy=-6, baseline="top").encode(
        x="month:T", y=alt.value(0), text="label:N")
    base = alt.Chart(frame).encode(x=alt.X("month:T", title=None))
    band = base.mark_area(opacity=0.25, color="gray").encode(
        y=alt.Y("band_low:Q", title=i18n.t("effect.visitors_month", lang)), y2="band_high:Q")
    observed = base.mark_line(color=COLORS["observed"]).encode(y="observed:Q", tooltip=["month:T", "observed:Q"])
    counterfactual = base.mark_line(color=COLORS["counterfactual"], strokeDash=[6, 3]).encode(
        y="counterfactual:Q", tooltip=["month:T", "counterfactual:Q"])
    gap = base.mark_bar().encode(y=alt.Y("gap:Q", title=i18n.t("effect.gap", lang)),
                                 color=alt.condition(alt.datum.gap > 0, alt.value(COLORS["up"]),
                                                     alt.value(COLORS["down"])), tooltip=["month:T", "gap:Q"])
    return band + counterfactual + observed + rule + text, gap + rule + text


# --- matplotlib figure (SVG, PNG, evidence sheets) ------------------------------------------------------------
@functools.cache
def _mpl() -> types.SimpleNamespace:
    """matplotlib with the Agg backend (files only, never a window). Imported when a chart is first drawn:
    it costs about a second and wants a writable config folder, which every other command can do without."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot is imported
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib import font_manager, ticker

    return types.SimpleNamespace(matplotlib=matplotlib, mdates=mdates, plt=plt, font_manager=font_manager,
                                 ticker=ticker)


def cjk_font() -> str | None:
    """The family name of an installed Japanese font (Noto CJK preferred), registered with matplotlib."""
    font_manager = _mpl().font_manager
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    for path in font_manager.findSystemFonts():
        if re.search(r"NotoSansCJK-Regular|NotoSansJP|NotoSerifCJK-Regular|ipaexg", path, re.I):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def figure(run: events.EffectRun, lang: str = "ja", *, width_in: float = 8.0, height_in: float = 5.0):
    """A matplotlib figure: visitors (observed, counterfactual, 90 % band) above the gap, event marked on both."""
    r = run.result
    s = r.series
    x = s.index.to_timestamp()
    start = pd.Period(r.start, freq="M").to_timestamp()
    m = _mpl()
    plt, ticker, mdates = m.plt, m.ticker, m.mdates
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(width_in, height_in), sharex=True,
                                      gridspec_kw={"height_ratios": [2.2, 1]})
    if s["band_low"].notna().any():
        top.fill_between(x, s["band_low"], s["band_high"], color="gray", alpha=0.25, linewidth=0,
                         label=i18n.t("effect.col.band_low", lang).replace("下限", "").replace("low", "").strip())
    top.plot(x, s["counterfactual"], color=COLORS["counterfactual"], linestyle="--", linewidth=1.2,
             label=i18n.t("effect.col.counterfactual", lang))
    top.plot(x, s["observed"], color=COLORS["observed"], linewidth=1.6, label=i18n.t("effect.col.observed", lang))
    colors = [COLORS["up"] if g > 0 else COLORS["down"] for g in s["gap"].fillna(0)]
    bottom.bar(x, s["gap"], width=25, color=colors)
    bottom.axhline(0, color="black", linewidth=0.6)
    for ax in (top, bottom):
        ax.axvline(start, color=COLORS["event"], linestyle="--", linewidth=1.2)
        ax.grid(True, axis="y", alpha=0.3)
    top.text(start, 0.98, f" {run.event['label']} {r.start}", transform=top.get_xaxis_transform(),
             color=COLORS["event"], va="top", ha="left", fontsize=8)
    top.set_ylabel(i18n.t("effect.visitors_month", lang))
    bottom.set_ylabel(i18n.t("effect.gap", lang))
    top.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    bottom.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    top.legend(loc="upper left", fontsize=8, frameon=False)
    title = run.title or ";".join(r.muni_codes)
    top.set_title(f"{title} — {i18n.t('effect.method.' + r.method, lang)}", fontsize=10)
    fig.text(0.01, 0.005, credit("tourism", lang), fontsize=6, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def _render(run: events.EffectRun, fmt: str, lang: str, **kw) -> bytes:
    font = cjk_font()
    rc = {"svg.fonttype": "none", "svg.hashsalt": "revitalize", "font.family": "sans-serif",
          "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"]}
    m = _mpl()
    with m.matplotlib.rc_context(rc):
        fig = figure(run, lang, **kw)
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
        finally:
            m.plt.close(fig)
    return buf.getvalue()


def chart_svg(run: events.EffectRun, lang: str = "ja", **kw) -> bytes:
    """The chart as SVG (text kept as text, so the event month and labels are searchable)."""
    return _render(run, "svg", lang, **kw)


def chart_png(run: events.EffectRun, lang: str = "ja", **kw) -> bytes:
    """The chart as PNG (150 dpi)."""
    return _render(run, "png", lang, **kw)


# --- Excel --------------------------------------------------------------------------------------------------
def series_frame(run: events.EffectRun, lang: str = "ja") -> pd.DataFrame:
    s = run.result.series.reset_index()
    s["month"] = s["month"].astype(str)
    return s.rename(columns={c: i18n.t(f"effect.col.{c}", lang) for c in s.columns})


def estimate_rows(run: events.EffectRun, munis: pd.DataFrame | None = None, lang: str = "ja") -> pd.DataFrame:
    """The estimate as (item, value) rows: subject, event and its source, method, headline figures, the
    municipalities left out, warnings and caveats."""
    r = run.result
    names = dict(zip(munis["muni_code"], munis["name_en" if lang == "en" else "name_ja"], strict=False)) if munis is not None else {}
    subject = "、".join(f"{c} {names.get(c, '')}".strip() for c in r.muni_codes)
    head = [(i18n.t("effect.subject_row", lang), (f"{run.title} — " if run.title else "") + subject),
            (i18n.t("effect.event_row", lang), f"{run.event['label']} ({r.start} – {r.end})"),
            (i18n.t("effect.event_source_row", lang), run.event.get("source_url") or "—"),
            (i18n.t("effect.method_row", lang), i18n.t(f"effect.method.{r.method}", lang))]
    table = effects.estimate_table(r, lang)
    rows = head + list(zip(table["item"], table["value"], strict=False))
    counts: dict[str, int] = {}
    for why in r.excluded_donors.values():
        counts[why.key] = counts.get(why.key, 0) + 1
    rows.append((i18n.t("effect.excluded_row", lang), "; ".join(
        f"{i18n.t('effect.excl_kind.' + k.rsplit('.', 1)[1], lang)} {n}" for k, n in counts.items()) or "—"))
    rows.append((i18n.t("effect.interval_method", lang), r.interval_method))
    rows += [(i18n.t("effect.warnings", lang), w.text(lang)) for w in r.warnings]
    rows += [(i18n.t("effect.caveats", lang), i18n.t(k, lang)) for k in CAVEATS]
    return pd.DataFrame(rows, columns=[i18n.t("effect.item", lang), i18n.t("effect.value", lang)])


def money_rows(run: events.EffectRun, assumptions: effects.MoneyAssumptions | None = None,
               lang: str = "ja") -> pd.DataFrame:
    """The money assumptions with their sources and what they give (an assumption, not an estimate)."""
    a = assumptions or effects.MoneyAssumptions()
    m = effects.money(run.result, a)
    spend_src, mult_src = _money_sources()
    rows = [(i18n.t("effect.spend", lang), a.spend_per_visitor_yen, spend_src),
            (i18n.t("effect.multiplier", lang), a.multiplier, mult_src),
            (i18n.t("effect.money_spend_row", lang), round(m.spend_yen), i18n.t("effect.caveat.money", lang)),
            (i18n.t("effect.money_output_row", lang), round(m.output_yen), ""),
            (i18n.t("effect.money_ci_row", lang),
             "–" if not all(map(math.isfinite, m.ci90_output_yen)) else
             f"{m.ci90_output_yen[0]:,.0f} … {m.ci90_output_yen[1]:,.0f}", "")]
    return pd.DataFrame(rows, columns=[i18n.t("effect.col.assumption", lang), i18n.t("effect.value", lang),
                                       i18n.t("effect.col.source", lang)])


def _money_sources() -> tuple[str, str]:
    """The two paragraphs of ``effects.MONEY_SOURCES`` (spend, multiplier), whitespace folded."""
    parts = [re.sub(r"\s+", " ", p).strip(" -") for p in effects.MONEY_SOURCES.split("\n- ")[1:]]
    return (parts + ["", ""])[0], (parts + ["", ""])[1]


def credit_lines(run: events.EffectRun, lang: str = "ja") -> list[str]:
    """The visitor data's credit (always), then the event's layer when it came from one."""
    lines = [i18n.t("effect.credit_visitors", lang)]
    layer = EVENT_CREDITS.get(run.event.get("source", ""))
    if layer:
        lines.append(credit(layer, lang))
    return list(dict.fromkeys(lines))


def to_xlsx(run: events.EffectRun, *, munis: pd.DataFrame | None = None,
            assumptions: effects.MoneyAssumptions | None = None, lang: str = "ja") -> bytes:
    """The result as an Excel workbook: series, donors (weights sum to 1), estimate, donors left out with the
    reason, robustness, money, credits."""
    donors = effects.donors_frame(run.result, munis, lang)
    donors = donors.rename(columns={"muni_code": i18n.t("col.muni_code", lang), "name": i18n.t("col.municipality", lang),
                                    "weight": i18n.t("effect.weight", lang)})
    sheets = {i18n.t("effect.xlsx.series", lang): series_frame(run, lang),
              i18n.t("effect.xlsx.donors", lang): donors,
              i18n.t("effect.xlsx.estimate", lang): estimate_rows(run, munis, lang),
              i18n.t("effect.xlsx.excluded", lang): excluded_frame(run.result, munis, lang, labelled=True),
              i18n.t("effect.robustness", lang): robustness_frame(run.result, lang, labelled=True),
              i18n.t("effect.xlsx.money", lang): money_rows(run, assumptions, lang),
              i18n.t("effect.xlsx.credits", lang): pd.DataFrame({i18n.t("effect.xlsx.credits", lang):
                                                                 credit_lines(run, lang)})}
    return _workbook(sheets)


def _workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Sheets (name → frame) as xlsx bytes: formulas neutralised, header row frozen, columns sized."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            tables.safe_frame(frame).to_excel(xw, sheet_name=name[:31], index=False)
            ws = xw.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for col in ws.columns:
                width = max(len(str(c.value or "")) for c in col[:200])
                ws.column_dimensions[col[0].column_letter].width = min(80, max(10, width + 2))
    return buf.getvalue()


def excluded_frame(result: effects.EffectResult, munis: pd.DataFrame | None = None, lang: str = "ja", *,
                   labelled: bool = False) -> pd.DataFrame:
    """The municipalities left out of the donors: muni_code, name, reason (in ``lang``)."""
    names = dict(zip(munis["muni_code"], munis["name_en" if lang == "en" else "name_ja"], strict=False)) if munis is not None else {}
    frame = pd.DataFrame([{"muni_code": c, "name": names.get(c, ""), "reason": why.text(lang)}
                          for c, why in result.excluded_donors.items()], columns=["muni_code", "name", "reason"])
    if labelled:
        frame = frame.rename(columns={"muni_code": i18n.t("col.muni_code", lang),
                                      "name": i18n.t("col.municipality", lang),
                                      "reason": i18n.t("effect.excluded_reason", lang)})
    return frame


def robustness_frame(result: effects.EffectResult, lang: str = "ja", *, labelled: bool = False) -> pd.DataFrame:
    """The robustness checks as rows: kind (estimate, leave one out, rule off, in-time placebo), what, effect %."""
    rob = result.robustness or {}
    rows = [{"kind": i18n.t("effect.rob.baseline", lang), "what": i18n.t(f"effect.method.{result.method}", lang),
             "effect_pct": result.effect_pct}]
    for r in rob.get("leave_one_out", []):
        rows.append({"kind": i18n.t("effect.rob.loo", lang), "what": f"− {r['muni_code']} (w = {r['weight']:.3f})",
                     "effect_pct": r["effect_pct"]})
    for r in rob.get("rules_off", []):
        rows.append({"kind": i18n.t("effect.rob.rule_off", lang),
                     "what": i18n.t("effect.rob.returned", lang, rule=i18n.t(f"effect.rule.{r['rule']}", lang),
                                    n=r["returned"]),
                     "effect_pct": r["effect_pct"]})
    tp = rob.get("time_placebo")
    if tp:
        p = tp.get("p_value")
        rows.append({"kind": i18n.t("effect.rob.time_placebo", lang),
                     "what": f"{tp['start']} – {tp['end']}" + ("" if p is None else f" (p = {p:.3f})"),
                     "effect_pct": tp["effect_pct"]})
    frame = pd.DataFrame(rows, columns=["kind", "what", "effect_pct"])
    frame["effect_pct"] = frame["effect_pct"].astype(float).round(1)
    if labelled:
        frame = frame.rename(columns={"kind": i18n.t("effect.rob.kind", lang), "what": i18n.t("effect.rob.what", lang),
                                      "effect_pct": i18n.t("effect.rob.effect", lang)})
    return frame


def cohort_places_frame(result: cohorts.CohortResult, lang: str = "ja") -> pd.DataFrame:
    """A cohort's per-place estimates (% to 0.1, p to 0.001) with headers in ``lang``."""
    places = result.places.round({"effect_pct": 1, "ci90_low": 1, "ci90_high": 1, "p_value": 3, "pre_rmspe_pct": 1})
    return places.rename(columns={
        "muni_code": i18n.t("col.muni_code", lang), "name": i18n.t("col.municipality", lang),
        "start": i18n.t("effect.col.start", lang), "label": i18n.t("effect.col.label", lang),
        "effect_pct": i18n.t("effect.rob.effect", lang), "ci90_low": i18n.t("effect.col.ci_low", lang),
        "ci90_high": i18n.t("effect.col.ci_high", lang), "p_value": i18n.t("effect.p_value", lang),
        "pre_rmspe_pct": i18n.t("effect.pre_rmspe", lang)})


def national_frame(results: Sequence[cohorts.CohortResult], lang: str = "ja") -> pd.DataFrame:
    """The national table with headers in ``lang``."""
    return cohorts.national_table(results, lang).drop(columns="cohort").rename(columns={
        "label": i18n.t("effect.col.kind", lang), "att_pct": i18n.t("effect.col.att", lang),
        "ci90_low": i18n.t("effect.col.ci_low", lang), "ci90_high": i18n.t("effect.col.ci_high", lang),
        "p_value": i18n.t("effect.p_value", lang), "n_places": i18n.t("effect.col.n_places", lang),
        "months_after": i18n.t("effect.col.months_after", lang), "verdict": i18n.t("effect.col.verdict", lang),
        "method": i18n.t("effect.method", lang)})


def cohorts_xlsx(results: Sequence[cohorts.CohortResult], lang: str = "ja") -> bytes:
    """The national table, each cohort's per-place estimates, what was left out and why, the method, credits."""
    sheets = {i18n.t("effect.xlsx.national", lang): national_frame(results, lang)}
    for r in results:
        sheets[r.cohort] = cohort_places_frame(r, lang)
    sheets[i18n.t("effect.xlsx.dropped", lang)] = pd.DataFrame(
        [{"cohort": r.cohort, "muni_code": c, "reason": why.text(lang)} for r in results for c, why in r.dropped.items()],
        columns=["cohort", "muni_code", "reason"])
    sheets[i18n.t("effect.xlsx.method", lang)] = pd.DataFrame({i18n.t("effect.xlsx.method", lang): [
        cohorts.METHOD_NOTE, effects.INTERVAL_METHOD] + [w.text(lang) for r in results for w in r.warnings]})
    credits = [i18n.t("effect.credit_visitors", lang), credit("anime_sites", lang), credit("filming_locations", lang)]
    sheets[i18n.t("effect.xlsx.credits", lang)] = pd.DataFrame({i18n.t("effect.xlsx.credits", lang): credits})
    return _workbook(sheets)


def export(run: events.EffectRun, fmt: str, *, munis: pd.DataFrame | None = None,
           assumptions: effects.MoneyAssumptions | None = None, lang: str = "ja") -> bytes:
    """The file of ``fmt`` (xlsx, svg, png) as bytes."""
    if fmt == "xlsx":
        return to_xlsx(run, munis=munis, assumptions=assumptions, lang=lang)
    if fmt == "svg":
        return chart_svg(run, lang)
    if fmt == "png":
        return chart_png(run, lang)
    raise EffectError([("effect.err.bad_format", {"fmt": fmt, "allowed": ", ".join(FILE_FORMATS)})])


# --- evidence sheets --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class EffectSubject(evidence.Subject):
    """An evidence subject that also shows an effect estimate (table, inline SVG chart, caveats)."""

    effect: events.EffectRun | None = None
    effect_svg: str = ""
    effect_table: pd.DataFrame | None = None
    effect_caveats: tuple[str, ...] = ()
    effect_credits: tuple[str, ...] = ()


def with_effect(subject: evidence.Subject, run: events.EffectRun, *, munis: pd.DataFrame | None = None,
                lang: str = "ja") -> EffectSubject:
    """``subject`` plus the estimate ``run`` for its sheet (``evidence.effect_section_html`` draws it)."""
    svg = chart_svg(run, lang, width_in=7.0, height_in=4.2).decode("utf-8")
    svg = svg[svg.index("<svg"):]  # inline: no XML declaration or DOCTYPE
    caveats = tuple(w.text(lang) for w in run.result.warnings) + tuple(i18n.t(k, lang) for k in CAVEATS)
    return EffectSubject(subject.muni_codes, title=subject.title, assets=subject.assets, note=subject.note,
                         effect=run, effect_svg=svg, effect_table=estimate_rows(run, munis, lang).iloc[:10],
                         effect_caveats=caveats, effect_credits=tuple(credit_lines(run, lang)))


def event_options(found: pd.DataFrame) -> Mapping[str, str]:
    """key → 'YYYY-MM label' for a select box (from ``events.for_municipalities``)."""
    return {r.key: f"{r.month} {r.label}" for r in found.itertuples(index=False)}


# --- the map of who was compared --------------------------------------------------------------------------------
ROLE_COLORS = ("#9e9e9e", "#2166ac", "#d62728")  # left out, donor used, subject


def donor_map_spec(result: effects.EffectResult, ol: maps.Outlines, *, lang: str = "ja",
                   tiles: str = "none") -> dict:
    """The subject (red), the donors it was compared with (blue) and the municipalities left out (grey, with
    the reason in the popup) over the municipal outlines, zoomed to them."""
    rows = [{"muni_code": c, "role": 1.0, "why": why.text(lang)} for c, why in result.excluded_donors.items()]
    rows += [{"muni_code": d.muni_code, "role": 2.0, "why": i18n.t("effect.role.donor", lang, w=f"{d.weight:.3f}")}
             for d in result.donors]
    rows += [{"muni_code": c, "role": 3.0, "why": i18n.t("effect.role.subject", lang)} for c in result.muni_codes]
    frame = pd.DataFrame(rows, columns=["muni_code", "role", "why"]).drop_duplicates("muni_code", keep="last")
    classes = maps.fixed_classes((1.5, 2.5, math.inf), ROLE_COLORS, (
        i18n.t("effect.role.left_out", lang), i18n.t("effect.role.donors", lang), i18n.t("effect.role.subject", lang)))
    layer = maps.Choropleth("roles", i18n.t("effect.role.title", lang), "role", classes,
                            i18n.t("effect.credit_visitors", lang), show=True, value_format="{:.0f}",
                            detail_column="why")
    payload = maps.choropleth_payload(layer, frame, ol.codes)
    payload["text"] = [None] * len(ol.codes)
    return maps.spec(ol, lang=lang, tiles=tiles, choropleths=[payload], active="roles",
                     highlight=list(result.muni_codes), extent_key="effect:" + ";".join(result.muni_codes))


def calibration_frame(lang: str = "ja") -> pd.DataFrame:
    """"How reliable is this?": per method the measured false-positive rates, interval coverage, detection of
    injected effects and the regional-shock bias with and without hygiene (``effects.calibration_figures``)."""
    cols = [i18n.t("effect.cal.method", lang), i18n.t("effect.cal.check", lang), i18n.t("effect.cal.value", lang),
            i18n.t("effect.cal.n", lang)]
    figures = effects.calibration_figures()
    if not figures:
        return pd.DataFrame([["", i18n.t("effect.reliability_none", lang), "", ""]], columns=cols)
    rows = []
    for method in effects.METHODS:
        f = figures.get(method)
        if not f:
            continue
        name = i18n.t(f"effect.method.{method}", lang)
        n = f.get("n_calibration", 0)
        rows += [(name, i18n.t("effect.cal.fpr05", lang), f"{100 * f['fpr05']:.1f} %", n),
                 (name, i18n.t("effect.cal.fpr10", lang), f"{100 * f['fpr10']:.1f} %", n),
                 (name, i18n.t("effect.cal.coverage", lang), f"{100 * f['coverage90']:.1f} %", n)]
        for effect, g in f.get("power", {}).items():
            rows.append((name, i18n.t("effect.cal.detect", lang, effect=effect), f"{100 * g['detected10']:.0f} %",
                         g["n"]))
            rows.append((name, i18n.t("effect.cal.bias", lang, effect=effect), _bias(g, lang), g["n"]))
        for state, g in f.get("regional", {}).items():
            rows.append((name, i18n.t("effect.cal.regional", lang, effect="+20%",
                                      rules=i18n.t(f"effect.cal.rules_{state}", lang)), _bias(g, lang), g["n"]))
    return pd.DataFrame(rows, columns=cols)


def cohort_cached(name: str, method: str, lang: str, compute=None) -> cohorts.CohortResult | None:
    """A built-in cohort's result from the disk cache (per data version, method and language); when missing,
    ``compute()`` it and store it (None when missing and nothing to compute with)."""
    try:
        key = (results_cache.data_version(), name, method, lang)
    except OSError:
        return compute() if compute else None
    found = results_cache.load("cohort", key)
    if found is None and compute is not None:
        found = compute()
        results_cache.save("cohort", key, found)
    return found


def _bias(g: Mapping, lang: str) -> str:
    """Mean bias in percentage points, with the median (robust to a few noisy small towns) when measured."""
    text = f"{g['bias_pp']:+.1f}"
    if "median_bias_pp" in g:
        text += " " + i18n.t("effect.cal.median", lang, value=f"{g['median_bias_pp']:+.1f}")
    return text
