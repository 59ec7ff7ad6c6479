"""Effect verification, part 2: events per municipality (each source), shared events left out of the
comparison, donors with their own event warned about, the exports (xlsx, SVG, PNG), the evidence sheet with an
estimate, the command line, and the candidate-detail section in AppTest."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_effects import synthetic_long

from revitalize.analysis import effects, events, panel
from revitalize.core import settings
from revitalize.core.errors import EffectError
from revitalize.data import db
from revitalize.outputs import effect_report, evidence
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

ADMIN = User("boss", "admin")


def _month(found: pd.DataFrame, source: str, **where) -> list[str]:
    rows = found[found["source"] == source]
    for col, value in where.items():
        rows = rows[rows[col].astype(str).str.contains(value, regex=False)]
    return sorted(set(rows["month"]))


def _register(rows) -> pd.DataFrame:
    """Seed the (per-test) workflow database and return its table."""
    con = db.connect_workflow()
    try:
        for name, munis, status, on in rows:
            C.create(con, ADMIN, C.CandidateData(name, "tourism", 2025, tuple(munis)), status=status, origin="import",
                     designated_on=on)
        return C.table(con)
    finally:
        con.close()


class TestSyntheticFixture:
    """The tiny fixture database (tests/fixture_db.py): one known row per source."""

    def test_each_source_gives_the_month_of_its_row(self, fixture_con):
        found = events.content_events(fixture_con)
        assert _month(found[found["muni_code"] == "01202"], "anime_release") == ["2024-04"]  # ANI-T1 2024-04-01
        assert _month(found[found["muni_code"] == "01202"], "anime88") == ["2025-01", "2026-02"]  # 2025, 2026 ed.
        assert _month(found[found["muni_code"] == "13101"], "anime88") == ["2018-10"]  # ANI-T2: 2019 edition
        assert _month(found[found["muni_code"] == "13102"], "drama") == ["2024-10"]  # FLM-T2 2024-10-01
        assert found.loc[found["source"] == "anime_release", "source_url"].tolist() == ["https://example.org/release"]
        assert "01236" not in set(found["muni_code"])  # nothing happened in 北斗市
        assert found.loc[found["source"] == "drama", "muni_code"].tolist() == ["13102"]  # FLM-T1 is a film

    def test_designation_from_the_register(self, fixture_con):
        table = _register([("函館の拠点", ("01202", "01236"), "designated", dt.date(2025, 3, 14)),
                           ("下書き", ("13101",), "draft", None)])
        found = events.designation_events(table)
        assert set(found["muni_code"]) == {"01202", "01236"} and set(found["month"]) == {"2025-03"}
        mine = events.for_municipalities(events.all_events(fixture_con, table), ["01202", "01236"])
        row = mine[mine["source"] == "designation"].iloc[0]
        assert row["muni_codes"] == ("01202", "01236") and "函館の拠点" in row["label"]

    def test_labels_in_both_languages(self, fixture_con):
        found = events.for_municipalities(events.content_events(fixture_con), ["01202"], lang="en")
        assert any(lbl.startswith("Anime Tourism 88, 2025 edition") for lbl in found["label"])
        assert found["month"].is_monotonic_decreasing  # newest first


class TestRealData:
    """Known rows of geodata/*.csv in the built national database (skipped without the mirror)."""

    def test_anime_release_month(self, con):
        found = events.content_events(con)
        # ANI-0046 ラブライブ！ スーパースター‼ (墨田区), first aired 2021-07 (bangumi-data)
        assert _month(found[found["muni_code"] == "13113"], "anime_release", key="ラブライブスーパースター") == ["2021-07"]

    def test_anime88_announcement_month(self, con):
        found = events.content_events(con)
        sumida = found[found["muni_code"] == "13113"]
        assert "2021-12" in _month(sumida, "anime88", key="anime88:2022")  # announced 2021-12-15
        assert _month(sumida, "anime88", key="anime88:2025") == ["2025-01"]  # announced 2025-01-24

    def test_drama_broadcast_month(self, con):
        found = events.content_events(con)
        # FLM-1001 北条時宗 (福岡市博多区 → 40130), NHK taiga drama from 2001-01
        assert _month(found[found["muni_code"] == "40130"], "drama", label_ja="北条時宗") == ["2001-01"]

    def test_places_of_the_same_work_share_its_event(self, con):
        found = events.content_events(con)
        assert {"13364", "08219"} <= set(events.sharing(found, "anime_release:ラブライブスーパースター", ["13113"]))

    def test_shared_event_municipalities_are_never_donors(self, con):
        found = events.content_events(con)
        long, munis, wards = panel.visitor_panel(con), panel.municipalities(con), panel.ward_cities(con)
        run = events.run(long, munis, wards, found, ["13113"], key="anime88:2025", time_placebo=False)
        edition = set(found.loc[found["key"] == "anime88:2025", "muni_code"]) - {"13113"}
        shared = {c for c, why in run.result.excluded_donors.items() if why.key == "effect.excl.shared_event"}
        assert shared <= edition and len(shared) > 50 and set(run.excluded) >= shared
        assert not {d.muni_code for d in run.result.donors} & edition
        assert not set(run.result.placebos["muni_code"]) & edition  # not in the placebo pool either
        assert run.result.start == "2025-01" and run.event["label"].startswith("アニメ聖地88 2025年版")


class TestSharedEventsAndFlags:
    """On the seeded synthetic panel of test_effects: events given as a frame."""

    @pytest.fixture(scope="class")
    @classmethod
    def frames(cls):
        long = synthetic_long(effect=1.2)
        codes = sorted(long["muni_code"].unique())
        munis = pd.DataFrame({"muni_code": codes, "name_ja": codes, "name_en": codes})
        rows = [{"muni_code": c, "source": "anime_release", "key": "anime_release:w", "label_ja": "作品W",
                 "label_en": "work W", "month": "2024-04", "source_url": "https://example.org/w", "first_here": True}
                for c in ("01001", "01002", "01003")]
        rows += [{"muni_code": c, "source": "drama", "key": f"drama:{c}", "label_ja": f"ドラマ{c}", "label_en": c,
                  "month": "2024-01", "source_url": "", "first_here": True} for c in codes[3:]]
        rows.append({"muni_code": "01004", "source": "anime88", "key": "anime88:2020", "label_ja": "再選定",
                     "label_en": "re", "month": "2024-02", "source_url": "", "first_here": False})
        return long, munis, pd.DataFrame(rows)

    def test_sharing_places_are_excluded_and_other_events_flagged(self, frames):
        long, munis, found = frames
        # every other place has a drama: with the other-event rule on, no comparison is left — a clear error
        with pytest.raises(EffectError) as err:
            events.run(long, munis, {}, found, ["01001"], key="anime_release:w", time_placebo=False)
        assert err.value.key == "effect.err.no_donors"
        run = events.run(long, munis, {}, found, ["01001"], key="anime_release:w", time_placebo=False,
                         hygiene=effects.Hygiene(other_event=False))
        reasons = {c: why.key for c, why in run.result.excluded_donors.items()}
        assert reasons["01002"] == reasons["01003"] == "effect.excl.shared_event"
        assert "effect.excl.other_event" not in reasons.values()
        donors = {d.muni_code for d in run.result.donors}
        assert donors and not donors & {"01002", "01003"}
        assert "effect.warn.donor_event" in [w.key for w in run.result.warnings]  # the rule off: flagged instead
        assert "effect.warn.rules_off" in [w.key for w in run.result.warnings]
        assert run.result.start == "2024-04" and run.event["source_url"] == "https://example.org/w"

    def test_flags_window_and_reselections(self, frames):
        _, _, found = frames
        flags = events.donor_flags(found, "2024-04", "2026-06", key="anime_release:w")
        assert "01001" not in flags and "ドラマ01010" in flags["01010"]
        assert "01004" in flags and "再選定" not in flags["01004"]  # a re-selection is no event
        assert events.donor_flags(found, "2026-03", "2026-06", key="anime_release:w") == {}  # 2024-01 < 2025-03

    def test_no_event_and_no_month_is_an_error(self, frames):
        long, munis, found = frames
        with pytest.raises(EffectError) as err:
            events.run(long, munis, {}, found, ["01001"])
        assert err.value.key == "effect.err.no_event_month"
        manual = events.run(long, munis, {}, found, ["01001"], start="2024-04", placebo=False, time_placebo=False,
                            hygiene=effects.Hygiene(other_event=False), robustness=False)
        assert "effect.excl.shared_event" not in {w.key for w in manual.result.excluded_donors.values()}
        assert manual.event["source"] == "manual"


@pytest.fixture(scope="module")
def synthetic_run():
    long = synthetic_long(effect=1.2)
    codes = sorted(long["muni_code"].unique())
    munis = pd.DataFrame({"muni_code": codes, "name_ja": [f"町{c}" for c in codes], "name_en": codes})
    found = pd.DataFrame([{"muni_code": "01001", "source": "anime_release", "key": "anime_release:w",
                           "label_ja": "『作品W』放送・公開開始", "label_en": "W", "month": "2024-04",
                           "source_url": "https://example.org/w", "first_here": True}])
    return events.run(long, munis, {}, found, ["01001"], key="anime_release:w", title="テスト拠点"), munis


class TestExports:
    def test_xlsx_reads_back(self, synthetic_run):
        run, munis = synthetic_run
        book = openpyxl.load_workbook(io.BytesIO(effect_report.to_xlsx(run, munis=munis)))
        assert book.sheetnames == ["系列", "比較対象", "推定", "除外した市区町村", "頑健性", "金額の仮定", "出典"]
        series = pd.read_excel(io.BytesIO(effect_report.to_xlsx(run, munis=munis)), sheet_name=None)
        s, donors = series["系列"], series["比較対象"]
        assert len(s) == run.result.pre_months + run.result.post_months == len(run.result.series)
        assert s["月"].iloc[0] == "2021-01" and s["月"].iloc[-1] == "2026-06"
        assert donors["重み"].sum() == pytest.approx(1.0, abs=1e-6)
        assert set(donors["団体コード"].astype(str).str.zfill(5)) == {d.muni_code for d in run.result.donors}
        estimate = series["推定"]
        assert "『作品W』放送・公開開始 (2024-04 – 2026-06)" in estimate.iloc[:, 1].tolist()
        assert any("プラセボ" in str(v) for v in estimate.iloc[:, 1])  # the caveats travel with the numbers
        money = series["金額の仮定"]
        assert money.iloc[0, 1] == effects.SPEND_DAY_TRIP_YEN and "kannaikaikei" in money.iloc[0, 2]
        assert series["出典"].iloc[0, 0] == "出典：デジタル観光統計オープンデータ（公益社団法人日本観光振興協会）"

    def test_xlsx_in_english_and_money_given(self, synthetic_run):
        run, munis = synthetic_run
        data = effect_report.to_xlsx(run, munis=munis, assumptions=effects.MoneyAssumptions(69_362, 1.5), lang="en")
        money = pd.read_excel(io.BytesIO(data), sheet_name="money")
        assert money.iloc[:2, 1].tolist() == [69_362, 1.5]
        expected = round(run.result.effect_visitors * 69_362 * 1.5)
        assert money.iloc[3, 1] == expected

    def test_svg_shows_the_event_month_and_label(self, synthetic_run):
        run, _ = synthetic_run
        svg = effect_report.chart_svg(run).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert "2024-04" in svg and "作品W" in svg and "デジタル観光統計" in svg

    def test_png_is_a_png(self, synthetic_run):
        run, _ = synthetic_run
        png = effect_report.chart_png(run, "en")
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000

    def test_unknown_format(self, synthetic_run):
        with pytest.raises(EffectError) as err:
            effect_report.export(synthetic_run[0], "docx")
        assert err.value.key == "effect.err.bad_format"

    def test_a_japanese_font_is_found_when_installed(self):
        import shutil

        if not shutil.which("fc-list") or "Noto" not in subprocess.run(["fc-list"], capture_output=True,
                                                                          text=True).stdout:
            pytest.skip("no Noto font installed (.ci/run installs fonts-noto-cjk)")
        assert effect_report.cjk_font() is not None

    def test_charts_mark_the_event_on_both(self, synthetic_run):
        main, gap = effect_report.charts(synthetic_run[0])
        for chart in (main, gap):
            spec = chart.to_dict()
            rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
            assert len(rules) == 1


class TestEvidenceAndCli:
    def test_evidence_sheet_with_an_estimate(self, fixture_con, synthetic_run):
        run, munis = synthetic_run
        subject = effect_report.with_effect(evidence.Subject(("01202",)), run, munis=munis)
        page = evidence.render(fixture_con, subject, "html").decode("utf-8")
        assert "効果検証（来訪者数）" in page and "<svg" in page and "2024-04" in page
        assert "プラセボ推定" in page  # the caveats
        plain = evidence.render(fixture_con, evidence.Subject(("01202",)), "html").decode("utf-8")
        assert "効果検証（来訪者数）" not in plain  # only when an estimate is given

    def test_cli_writes_xlsx_svg_png_and_lists_events(self, built_db, tmp_path):
        env = {"REVITALIZE_DB": str(built_db)}
        base = [sys.executable, "-m", "revitalize", "effect", "--muni", "13113"]

        def cli(*args):
            import os

            return subprocess.run(base + list(args), capture_output=True, text=True, cwd=settings.PROJECT_ROOT,
                                  env={**os.environ, **env}, timeout=300)

        listed = cli("--list-events")
        assert listed.returncode == 0 and "anime88:2025\t2025-01\t" in listed.stdout
        for fmt in ("xlsx", "svg", "png"):
            out = tmp_path / f"e.{fmt}"
            r = cli("--event", "anime88:2025", "--format", fmt, "-o", str(out))
            assert r.returncode == 0, r.stderr
            assert out.stat().st_size > 1000
        assert "2025-01" in (tmp_path / "e.svg").read_text(encoding="utf-8")
        assert cli("--start", "2024-04", "--format", "xlsx").returncode == 2  # needs -o
        j = cli("--event", "anime88:2025")
        assert j.returncode == 0 and tuple(json.loads(j.stdout)) == effects.JSON_KEYS
        table = _register([("墨田アニメ拠点", ("13113",), "designated", dt.date(2024, 4, 1)),
                           ("下書き", ("13101",), "draft", None)])
        ids = dict(zip(table["name_ja"], table["candidate_id"], strict=False))
        base[-2:] = ["--candidate", ids["墨田アニメ拠点"]]
        c = cli("--format", "text")
        assert c.returncode == 0 and "拠点選定" in c.stdout and "2024-04" in c.stdout, c.stderr
        base[-1] = ids["下書き"]
        refused = cli()
        assert refused.returncode == 2 and "選定日がありません" in refused.stderr

    def test_candidate_section_on_the_candidates_page(self, app_env):
        con = db.connect_workflow()
        try:
            cid = C.create(con, ADMIN, C.CandidateData("墨田アニメ拠点", "tourism", 2025, ("13113",)),
                           status="designated", origin="import", designated_on=dt.date(2024, 4, 1))
        finally:
            con.close()
        at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "candidates.py"), default_timeout=300)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        event = next(s for s in at.selectbox if s.key == "cd_eff_event")
        assert event.value == "designation:2024-04-01" and cid in event.format_func(event.value)
        next(b for b in at.button if b.key == "cd_eff_go").click().run()
        assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
        assert any("拠点選定" in i.value and "2024-04" in i.value for i in at.info)
        assert len(at.get("vega_lite_chart")) >= 2  # the visitors and gap charts
        assert any(b.key == "cd_eff_ev" for b in at.button)


class TestPage:
    def test_page_offers_the_subjects_events_and_downloads(self, app_env):
        at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "effects.py"), default_timeout=300)
        at.query_params["muni"] = "13113"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        event = at.selectbox(key="e_event")
        assert "anime88:2025" in event.options or any("2025年版" in o for o in event.options)
        event.set_value("anime88:2025").run()
        next(b for b in at.button if b.label == "推定する").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any("アニメ聖地88 2025年版" in i.value and "2025-01" in i.value for i in at.info)
        left_out = next(df.value for df in at.dataframe if "理由" in df.value.columns)
        assert any("同じイベント" in r for r in left_out["理由"])  # the places of the edition, with the reason
        assert len(at.get("vega_lite_chart")) == 2
        assert len(at.get("download_button")) == 3
        at.radio(key="e_kind").set_value("candidate").run()
        assert any("登録された拠点・候補がありません" in i.value for i in at.info)
