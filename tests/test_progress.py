"""Progress toward 200 by 2033, suggestions and the portfolio pool."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from revitalize.analysis import pool as pool_mod
from revitalize.analysis import progress, scoring, suggestions
from revitalize.core import codes, domain
from revitalize.data import db, layers
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

ADMIN = User("boss", "admin")


def table(rows) -> pd.DataFrame:
    """A candidates.table-like frame from (status, fiscal_year, base_type, muni_codes)."""
    return pd.DataFrame([{"candidate_id": f"C{i}", "status": s, "fiscal_year": fy, "base_type": bt,
                          "muni_codes": m} for i, (s, fy, bt, m) in enumerate(rows)],
                        columns=["candidate_id", "status", "fiscal_year", "base_type", "muni_codes"])


rows_strategy = st.lists(st.tuples(st.sampled_from(list(domain.STATUSES)), st.integers(2025, 2033),
                                   st.sampled_from(list(domain.BASE_TYPES)),
                                   st.sampled_from(["01202", "13101", "13101;11100", "47201", "26100", "32201"])),
                         max_size=40)


def test_fiscal_year_turns_in_april():
    assert domain.fiscal_year(dt.date(2026, 3, 31)) == 2025
    assert domain.fiscal_year(dt.date(2026, 4, 1)) == 2026


@hsettings(max_examples=80, deadline=None)
@given(rows=rows_strategy)
def test_progress_counts_agree_with_the_rows(rows):
    t = table(rows)
    p = progress.compute(t, today=dt.date(2030, 11, 25))
    designated = [r for r in rows if r[0] == "designated"]
    assert p.designated == len(designated) == p.by_year["designated"].sum()
    assert p.by_year["cumulative"].is_monotonic_increasing
    assert p.by_year["cumulative"].iloc[-1] == len(designated)
    for s in domain.PIPELINE:
        assert p.pipeline[s] == sum(r[0] == s for r in rows) == p.by_year[s].sum()
    prefs_with = {m[:2] for r in designated for m in r[3].split(";")}
    assert set(p.prefectures_without) == {c for c, *_ in codes.PREFECTURES} - prefs_with
    assert p.by_type["designated"].sum() == len(designated)
    # a base across two regions counts in each region, never less than once
    assert p.by_region["designated"].sum() >= len(designated)
    assert p.on_track == (p.projected_fy is not None and p.projected_fy <= 2033)


@hsettings(max_examples=60, deadline=None)
@given(rows=rows_strategy, extra_fy=st.integers(2025, 2030))
def test_one_more_designation_never_delays_the_projection(rows, extra_fy):
    today = dt.date(2030, 11, 25)
    before = progress.compute(table(rows), today=today)
    after = progress.compute(table(rows + [("designated", extra_fy, "tourism", "01202")]), today=today)
    assert after.designated == before.designated + 1
    if before.projected_fy is not None:
        assert after.projected_fy is not None and after.projected_fy <= before.projected_fy
    if extra_fy < 2030 and before.needed_per_year is not None:
        # a designation in a call already decided lowers the pace needed; one in the current year's call
        # also marks that call as decided (one call fewer left), so the pace can rise — by design
        assert after.needed_per_year <= before.needed_per_year


def test_needed_pace_and_projection_follow_the_definition():
    rows = [("designated", 2025, "tourism", "01202")] * 20 + [("applied", 2026, "industry", "13101")] * 3
    p = progress.compute(table(rows), today=dt.date(2026, 11, 25))
    assert p.pace_per_year == 20  # one call decided (FY2025)
    assert p.needed_per_year == pytest.approx(180 / 8)  # 8 calls left: FY2026..FY2033
    assert p.projected_fy == 2025 + 9  # 180 more at 20 a year
    assert not p.on_track
    assert p.by_year.set_index("fiscal_year").loc[2033, "needed_cumulative"] == 200
    series = progress.chart_series(p)
    proj = series[series["series"] == "projection"]
    assert proj["bases"].iloc[0] == 20 and proj["bases"].max() <= 200
    assert progress.compute(table([]), today=dt.date(2026, 5, 1)).projected_fy is None


def test_text_report_in_both_languages():
    p = progress.compute(table([("designated", 2025, "tourism", "01202")]), today=dt.date(2026, 11, 25))
    ja, en = progress.text_report(p, "ja"), progress.text_report(p, "en")
    assert "選定済み 1 / 目標 200" in ja and "Designated 1 of 200" in en
    assert "青森県" in ja and "Aomori" in en and "北海道、" not in ja.split("拠点のない都道府県")[1]


# ---- suggestions -------------------------------------------------------------------------------------------

def ranking(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = [f"{13100 + i:05d}" for i in range(n)]
    return pd.DataFrame({"score": rng.random(n), "name_ja": [f"町{i}" for i in range(n)],
                         "name_en": [f"Town {i}" for i in range(n)], "pref_name_ja": "東京都", "reason": "r"},
                        index=pd.Index(idx, name="muni_code"))


@hsettings(max_examples=60, deadline=None)
@given(n=st.integers(3, 30), top=st.integers(1, 30), seed=st.integers(0, 99),
       covered_share=st.floats(0, 0.8), edges=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=40))
def test_suggestions_cover_exactly_the_best_uncovered_and_merge_neighbours(n, top, seed, covered_share, edges):
    r = ranking(n, seed)
    covered = set(r.index[: int(n * covered_share)])
    pairs = [(r.index[a], r.index[b]) for a, b in edges if a < n and b < n and a != b]
    s = suggestions.suggest(r, covered, pairs, top_n=top)
    members = [m for codes_ in s["muni_codes"] for m in codes_]
    best = set(r[~r.index.isin(list(covered))].sort_values("score", ascending=False).head(top).index)
    assert sorted(members) == sorted(best)  # each once, none covered
    group_of = {m: i for i, c in enumerate(s["muni_codes"]) for m in c}
    for a, b in pairs:
        if a in best and b in best:
            assert group_of[a] == group_of[b]
    assert s["score"].is_monotonic_decreasing
    assert (s["score"] <= s["best_member_score"] + 1e-12).all()


def test_suggestions_from_the_real_database_skip_covered_municipalities(con):
    w = scoring.Weights()
    first = suggestions.from_databases(con, set(), w, top_n=20)
    top_code = first["muni_codes"].iloc[0][0]
    again = suggestions.from_databases(con, {top_code}, w, top_n=20)
    assert top_code not in {c for cs in again["muni_codes"] for c in cs}
    pairs = suggestions.touching_pairs(con, ["01202", "01236", "13101"])
    assert ("01202", "01236") in pairs and not any("13101" in p for p in pairs)  # 函館市 touches 北斗市


def test_to_draft_links_the_assets_of_its_municipalities(con):
    wf = db.connect_workflow(":memory:")
    cat = layers.asset_catalog(con)
    row = pd.Series({"suggestion_id": "S-01202", "name_ja": "函館市", "name_en": "Hakodate City",
                     "muni_codes": "01202"})
    cid = C.create_from_suggestion(wf, ADMIN, row, fiscal_year=2026, catalog=cat)
    got = C.get(wf, cid)
    assert got.status == "draft" and got.origin == "suggestion" and got.data.muni_codes == ("01202",)
    assert set(got.data.assets) == set(zip(*[layers.assets_in(cat, ["01202"])[c] for c in ("layer", "asset_id")], strict=False))
    wf.close()


def test_pool_fixes_designated_and_keeps_covered_municipalities_out_of_suggestions(con):
    wf = db.connect_workflow(":memory:")
    d = C.create(wf, ADMIN, C.CandidateData("函館", "tourism", 2025, ("01202", "01236")), status="designated",
                 origin="import", designated_on=dt.date(2026, 3, 1))
    a = C.create(wf, ADMIN, C.CandidateData("京都", "industry", 2025, ("26100",)), status="applied", origin="import")
    w = C.create(wf, ADMIN, C.CandidateData("取下げ", "tourism", 2025, ("13101",)))
    C.transition(wf, ADMIN, w, "withdrawn", reason="r", read_version=1)
    ind, raw, sub = scoring.inputs(con)
    scores = scoring.score(sub, scoring.Weights())["score"]
    pts = pool_mod.municipality_points(con)
    pool = pool_mod.pool(scores, C.table(wf), pts)
    by_id = pool.set_index("item_id")
    assert by_id.loc[d, "fixed"] and by_id.loc[d, "kind"] == "designated" and not by_id.loc[a, "fixed"]
    assert w not in by_id.index and "M-13101" in by_id.index  # withdrawn frees its municipality
    assert "M-01202" not in by_id.index and "M-01236" not in by_id.index and "M-26100" not in by_id.index
    popl = pts.set_index("muni_code")["population"].astype(float)
    expect = np.average(scores[["01202", "01236"]], weights=popl[["01202", "01236"]])
    assert by_id.loc[d, "score"] == pytest.approx(100 * expect)  # pool scores are points 0–100
    assert by_id.loc[d, "pref_code"] == "01" and by_id.loc[d, "region"] == "北海道"
    assert pool["item_id"].is_unique and list(pool.columns) == pool_mod.POOL_COLUMNS + ["name_en", "muni_codes"]
    assert by_id.loc["M-13101", "name"] == "東京都千代田区" and by_id.loc["M-13101", "name_en"].endswith(", Tokyo")
    unplaced = {c for c, _ in pool.attrs["left_out"]}
    # every municipality has a point (the finer boundaries give the 8 small islands theirs): none is left out
    assert unplaced == set()
    assert {"M-13362", "M-47356"} <= set(pool["item_id"])  # 利島村 and 渡名喜村 can be chosen
    wf.close()


def test_progress_map_places_each_open_or_designated_candidate_once_and_escapes_names(con):
    from revitalize.outputs import maps

    t = table([("designated", 2025, "tourism", "01202;01236"), ("applied", 2025, "industry", "26100"),
               ("withdrawn", 2025, "tourism", "13101"), ("draft", 2026, "tourism", "47201")])
    t["name_ja"] = ["<b>函館</b>", "京都", "取下げ", "下書き"]
    t["name_en"] = None
    pts = pool_mod.municipality_points(con)
    placed = progress.places(t, pts)
    assert placed["candidate_id"].tolist() == ["C0", "C1"]
    hakodate = pts.set_index("muni_code").loc["01202"]  # more people than 北斗市
    assert (placed.iloc[0]["lat"], placed.iloc[0]["lon"]) == (hakodate["lat"], hakodate["lon"])
    ol = maps.Outlines(url="/app/static/geo/m.json", codes=(), bounds=pd.DataFrame(columns=["w", "s", "e", "n"]))
    html = maps.spec_json(maps.progress_spec(placed, ol, lang="ja"))
    assert "<b>函館</b>" not in html and "\\u003cb\\u003e" in html
    assert maps.CANDIDATE_COLORS["designated"] in html and maps.CANDIDATE_COLORS["pipeline"] in html


def test_portfolio_cli_keeps_designated_bases_and_explains_left_out_candidates(built_db, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from revitalize.core import settings

    wf_path = tmp_path / "wf.duckdb"
    wf = db.connect_workflow(wf_path)
    d = C.create(wf, ADMIN, C.CandidateData("指定済み", "tourism", 2025, ("31201",)), status="designated",
                 origin="import", designated_on=dt.date(2026, 3, 1))
    weak = C.create(wf, ADMIN, C.CandidateData("弱い候補", "industry", 2025, ("13101",)), status="applied",
                    origin="import")
    wf.close()
    env = {**os.environ, "REVITALIZE_DB": str(built_db), "REVITALIZE_WORKFLOW_DB": str(wf_path)}
    r = subprocess.run([sys.executable, "-m", "revitalize", "portfolio", "--k", "3", "--max-per-pref", "1",
                        "--min-km", "30", "--min-per-region", "0", "--format", "json"],
                       capture_output=True, text=True, cwd=settings.PROJECT_ROOT, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    chosen = {row["item_id"]: row for row in out["exact"]["selected"]}
    assert d in chosen and chosen[d]["fixed"] and len(chosen) == 4  # the fixed base + 3 new
    assert not any(row["pref_code"] == "31" for i, row in chosen.items() if i != d)  # max 1 per prefecture
    if weak not in chosen:
        left = {row["item_id"]: row for row in out["left_out"]}
        assert left[weak]["why"] in {"score", "max_per_pref", "min_km", "type_share"} and left[weak]["reason"]


def test_explorer_map_shows_candidates_only_in_the_filtered_prefectures(con, tmp_path):
    from revitalize.outputs import explorer, maps

    t = table([("designated", 2025, "tourism", "01202"), ("applied", 2025, "industry", "26100")])
    t["name_ja"] = ["函館の拠点", "京都の候補"]
    t["name_en"] = None
    placed = progress.places(t, pool_mod.municipality_points(con))
    data = explorer.load_data(con)
    kw = {"outlines": maps.outlines(data.munis, static_dir=tmp_path),
          "sources": explorer.point_sources(data, static_dir=tmp_path)}
    everywhere = maps.spec_json(explorer.build_map(data, explorer.Filters(), candidates=placed, **kw))
    assert "函館の拠点" in everywhere and "京都の候補" in everywhere
    f = explorer.Filters(pref_codes=("01",))
    hokkaido = maps.spec_json(explorer.build_map(explorer.apply_filters(data, f), f, candidates=placed, **kw))
    assert "函館の拠点" in hokkaido and "京都の候補" not in hokkaido
    assert "函館の拠点" not in maps.spec_json(explorer.build_map(data, explorer.Filters(), **kw))
