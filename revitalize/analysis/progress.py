"""Progress toward about 200 Content Regional Revitalization Bases by 2033.

Counts designated bases by the fiscal year of their call, against the pace the goal needs (an even
share of the target per yearly call from FY2025 to FY2033), projects the year the target is reached
at the pace so far, and shows the spread: by region, prefecture and type, and which prefectures
have none. A candidate covering several prefectures counts once in each of them (and once in each
region), but once in the national totals.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from revitalize.analysis import pool
from revitalize.core import codes, i18n
from revitalize.core.domain import BASE_TYPES, FIRST_FY, PIPELINE, STATUSES, TARGET_FY, fiscal_year
from revitalize.core.domain import TARGET_BASES as TARGET


@dataclass(frozen=True)
class Progress:
    target: int
    target_fy: int
    current_fy: int
    designated: int
    pipeline: dict[str, int]          # status -> count (applied … nominated)
    by_year: pd.DataFrame             # fiscal_year, designated, cumulative, needed_cumulative, + pipeline by status
    needed_per_year: float | None     # designations per remaining call to reach the target on time
    pace_per_year: float | None       # designations per call so far
    projected_fy: int | None          # fiscal year the target is reached at that pace (None: no pace yet)
    on_track: bool
    by_region: pd.DataFrame
    by_prefecture: pd.DataFrame
    by_type: pd.DataFrame
    prefectures_without: list[str]    # pref codes with no designated base

    def as_dict(self) -> dict:
        def records(df: pd.DataFrame) -> list[dict]:
            return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in df.to_dict("records")]

        return {"target": self.target, "target_fy": self.target_fy, "current_fy": self.current_fy,
                "designated": self.designated, "pipeline": self.pipeline,
                "needed_per_year": self.needed_per_year, "pace_per_year": self.pace_per_year,
                "projected_fy": self.projected_fy, "on_track": self.on_track,
                "by_year": records(self.by_year), "by_region": records(self.by_region),
                "by_prefecture": records(self.by_prefecture), "by_type": records(self.by_type),
                "prefectures_without": self.prefectures_without}


def compute(cands: pd.DataFrame, *, today: dt.date | None = None, target: int = TARGET,
            first_fy: int = FIRST_FY, target_fy: int = TARGET_FY) -> Progress:
    """Progress from ``candidates.table`` rows (status, fiscal_year, base_type, muni_codes)."""
    if target < 1 or target_fy < first_fy:
        raise ValueError(f"target and years: expected target >= 1 and {first_fy} <= target_fy, "
                         f"found target={target}, target_fy={target_fy}")
    today = today or dt.date.today()
    current = fiscal_year(today)
    years = list(range(first_fy, max(target_fy, current, int(cands["fiscal_year"].max()) if len(cands) else 0) + 1))
    des = cands[cands["status"] == "designated"]
    per_year = des.groupby("fiscal_year").size().reindex(years, fill_value=0)
    calls = target_fy - first_fy + 1
    by_year = pd.DataFrame({"fiscal_year": years, "designated": per_year.to_numpy()})
    by_year["cumulative"] = by_year["designated"].cumsum()
    by_year["needed_cumulative"] = [min(target, round(target * (y - first_fy + 1) / calls, 1)) for y in years]
    for s in PIPELINE:
        by_year[s] = cands[cands["status"] == s].groupby("fiscal_year").size().reindex(years, fill_value=0).to_numpy()
    total = int(len(des))
    # Calls whose results are in: up to the latest fiscal year with a designation (or the last finished year).
    decided = [y for y in years if y <= current and (y < current or per_year.get(y, 0) > 0)]
    pace = total / len(decided) if decided and total else None
    remaining_calls = max(0, target_fy - (max(decided) if decided else first_fy - 1))
    needed = (max(0, target - total) / remaining_calls) if remaining_calls else None
    projected = None
    if total >= target:
        projected = int(des["fiscal_year"].sort_values().iloc[target - 1])
    elif pace:
        projected = (max(decided)) + math.ceil((target - total) / pace)
    on_track = projected is not None and projected <= target_fy

    exploded = cands.assign(pref_code=cands["muni_codes"].map(
        lambda cs: sorted({c[:2] for c in codes.muni_codes(cs)}))).explode("pref_code").dropna(subset=["pref_code"])
    pref_rows = []
    for code, name_ja, name_en, region_ja, region_en in codes.PREFECTURES:
        mine = exploded[exploded["pref_code"] == code]
        pref_rows.append({"pref_code": code, "name_ja": name_ja, "name_en": name_en, "region_ja": region_ja,
                          "region_en": region_en, "designated": int((mine["status"] == "designated").sum()),
                          "pipeline": int(mine["status"].isin(PIPELINE).sum())})
    by_pref = pd.DataFrame(pref_rows)
    regions = exploded.merge(by_pref[["pref_code", "region_ja", "region_en"]], on="pref_code")
    regions = regions.drop_duplicates(["candidate_id", "region_ja"])
    by_region = (by_pref.groupby(["region_ja", "region_en"], sort=False).size().rename("prefectures").reset_index())
    by_region["designated"] = by_region["region_ja"].map(
        regions[regions["status"] == "designated"].groupby("region_ja").size()).fillna(0).astype(int)
    by_region["pipeline"] = by_region["region_ja"].map(
        regions[regions["status"].isin(PIPELINE)].groupby("region_ja").size()).fillna(0).astype(int)
    by_type = pd.DataFrame([{"base_type": k, "name_ja": ja, "name_en": en,
                             "designated": int(((cands["base_type"] == k) & (cands["status"] == "designated")).sum()),
                             "pipeline": int(((cands["base_type"] == k)
                                              & cands["status"].isin(PIPELINE)).sum())}
                            for k, (ja, en) in BASE_TYPES.items()])
    pipeline = {s: int((cands["status"] == s).sum()) for s in PIPELINE}
    return Progress(target, target_fy, current, total, pipeline, by_year, needed, pace, projected, on_track,
                    by_region, by_pref, by_type, by_pref.loc[by_pref["designated"] == 0, "pref_code"].tolist())


def text_report(p: Progress, lang: str = "ja") -> str:
    """A plain-text summary for the command line."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    lines = [t("pg.headline", designated=p.designated, target=p.target, fy=p.target_fy),
             t("pg.pipeline") + ": " + ", ".join(f"{STATUSES[s][0 if lang == 'ja' else 1]} {n}"
                                                 for s, n in p.pipeline.items()),
             t("pg.needed", n=f"{p.needed_per_year:.1f}") if p.needed_per_year is not None else t("pg.needed_none"),
             (t("pg.projection", fy=p.projected_fy, pace=f"{p.pace_per_year:.1f}", target=p.target) if p.projected_fy
              else t("pg.projection_none")),
             t("pg.on_track") if p.on_track else t("pg.off_track"), "",
             f"{'FY':<6}{t('pg.col_designated'):>8}{t('pg.col_cumulative'):>8}{t('pg.col_needed'):>8}"]
    for r in p.by_year.itertuples(index=False):
        lines.append(f"{r.fiscal_year:<6}{r.designated:>8}{r.cumulative:>8}{r.needed_cumulative:>8}")
    lines += ["", t("pg.by_region")]
    for r in p.by_region.itertuples(index=False):
        lines.append(f"  {r.region_ja if lang == 'ja' else r.region_en}: {r.designated} ({t('pg.pipeline')} {r.pipeline})")
    lines += ["", t("pg.by_type")]
    for r in p.by_type.itertuples(index=False):
        lines.append(f"  {r.name_ja if lang == 'ja' else r.name_en}: {r.designated} ({t('pg.pipeline')} {r.pipeline})")
    lines += ["", t("pg.without", n=len(p.prefectures_without)) + ": "
              + "、".join(codes.pref_name(c, lang) for c in p.prefectures_without)]
    return "\n".join(lines)


def chart_series(p: Progress, *, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Long table (fiscal_year, series, bases) for a chart: cumulative designations up to the current
    fiscal year, the cumulative pace needed, and the projection at the pace so far (to the target year)."""
    labels = {"actual": "actual", "needed": "needed", "projection": "projection", **(labels or {})}
    y = p.by_year
    actual = y[y["fiscal_year"] <= p.current_fy]
    rows = [(r.fiscal_year, labels["actual"], float(r.cumulative)) for r in actual.itertuples(index=False)]
    rows += [(r.fiscal_year, labels["needed"], float(r.needed_cumulative)) for r in y.itertuples(index=False)]
    if p.pace_per_year:
        start = int(actual["fiscal_year"].max())
        base = float(actual["cumulative"].iloc[-1])
        for fy in range(start, max(p.target_fy, start) + 1):
            rows.append((fy, labels["projection"], min(float(p.target), base + p.pace_per_year * (fy - start))))
    return pd.DataFrame(rows, columns=["fiscal_year", "series", "bases"])


def places(cands: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Designated and pipeline candidates placed at their most populous municipality (one row each):
    candidate_id, name_ja, name_en, status, base_type, muni_codes, group ('designated' | 'pipeline'), lat, lon."""
    pts = points.set_index("muni_code")
    rows = []
    for r in cands[cands["status"].isin(["designated", *PIPELINE])].itertuples(index=False):
        _, lead = pool.lead_place(r.muni_codes, pts)
        if lead is None or pd.isna(lead["lat"]) or pd.isna(lead["lon"]):
            continue
        rows.append({"candidate_id": r.candidate_id, "name_ja": r.name_ja, "name_en": r.name_en, "status": r.status,
                     "base_type": r.base_type, "muni_codes": r.muni_codes,
                     "group": "designated" if r.status == "designated" else "pipeline",
                     "lat": float(lead["lat"]), "lon": float(lead["lon"])})
    return pd.DataFrame(rows, columns=["candidate_id", "name_ja", "name_en", "status", "base_type", "muni_codes",
                                       "group", "lat", "lon"])
