"""Contributions with review (issue 23): roles, hostile input, the audit trail, optimistic concurrency on both
store backends (DuckDB and a real PostgreSQL, tests/pg.py), and the overlay a rebuild keeps."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading

import pandas as pd
import pytest

from revitalize.core import i18n, settings
from revitalize.core.errors import ConflictError, InputError, PermissionDeniedError, TransitionError
from revitalize.data import db
from revitalize.workflow import contributions as ct
from revitalize.workflow.auth import User

HAKODATE = User("hakodate", "municipality", frozenset({"01202"}), "函館市")
VIEWER = User("someone", "viewer")
REVIEWER = User("rev", "reviewer")
ADMIN = User("boss", "admin")
KNOWN = {"01202", "01236", "13101", "13102"}


def place(**kw) -> ct.Proposal:
    base = dict(layer="anime_sites", action="add", muni_code="01202", source_url="https://www.city.hakodate.hokkaido.jp/x",
                as_of="2026-11-01", note="市の観光ページ",
                fields={"work_title_ja": "函館の物語", "place_name_ja": "八幡坂", "kind": "setting",
                        "lat": 41.766, "lon": 140.713})
    return ct.Proposal(**{**base, **kw})


class TestRoles:
    def test_a_municipality_proposes_only_for_its_own_and_a_viewer_never(self, wf):
        cid = ct.propose(wf, HAKODATE, place(), known_munis=KNOWN)
        assert cid == "K-00001" and ct.get(wf, cid)["status"] == "pending"
        with pytest.raises(PermissionDeniedError) as e:
            ct.propose(wf, HAKODATE, place(muni_code="13101"), known_munis=KNOWN)
        assert "13101" in i18n.error_text(e.value, "ja") and "01202" in i18n.error_text(e.value, "en")
        with pytest.raises(PermissionDeniedError) as e:
            ct.propose(wf, VIEWER, place(), known_munis=KNOWN)
        assert e.value.key == "ct.err.viewer"
        assert len(ct.table(wf)) == 1  # the refused ones wrote nothing

    def test_only_reviewers_decide_and_a_reason_is_required(self, wf):
        cid = ct.propose(wf, HAKODATE, place())
        with pytest.raises(PermissionDeniedError):
            ct.review(wf, HAKODATE, cid, "accept", reason="ok", read_version=1)
        with pytest.raises(InputError):
            ct.review(wf, REVIEWER, cid, "accept", reason="  ", read_version=1)
        assert ct.get(wf, cid)["status"] == "pending"


class TestHostile:
    def test_every_problem_is_refused_at_once_and_nothing_is_written(self, wf):
        bad = place(source_url="javascript:alert(1)", note="x" * 1_000_000, as_of="2999-01-01",
                    fields={"work_title_ja": "a\x00b", "place_name_ja": "坂", "kind": "setting", "pref_code": "13",
                            "lat": 35.0})
        with pytest.raises(InputError) as e:
            ct.propose(wf, ADMIN, bad, known_munis=KNOWN)
        columns = {p.column for p in e.value.problems}
        assert {"source_url", "note", "as_of", "work_title_ja", "pref_code", "lat"} <= columns
        text = i18n.error_text(e.value, "ja")
        assert "\x00" not in text and len(text) < 5000  # the 1 MB note is not echoed back
        assert ct.table(wf).empty

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>", "ftp://x.jp/a",
                                     "https://", "http://a b.jp/", "//evil.example/x", "https://x.jp/\x00"])
    def test_only_http_urls_with_a_host(self, url):
        assert not ct.url_ok(url)

    def test_script_in_a_note_is_kept_as_text_and_escaped_where_shown(self, wf, fixture_con):
        note = '<script>alert("x")</script>=HYPERLINK("http://evil")'
        cid = ct.propose(wf, HAKODATE, place(note=note))
        assert ct.get(wf, cid)["note"] == note  # stored as given, never run
        ct.review(wf, REVIEWER, cid, "accept", reason="市の公式ページで確認", read_version=1)
        from revitalize.outputs import explorer
        data = explorer.with_contributions(explorer.load_data(fixture_con), ct.overlay(wf, fixture_con))
        row = data.anime_sites[data.anime_sites["site_id"] == cid].iloc[0]
        assert row["note"] == note and "函館市" not in row["provenance"]  # text, as given; provenance by id


class TestReview:
    def test_a_rejected_contribution_changes_nothing_and_every_step_is_audited(self, wf, fixture_con):
        cid = ct.propose(wf, HAKODATE, place())
        assert ct.review(wf, REVIEWER, cid, "reject", reason="出典が確認できない", read_version=1) == 2
        assert ct.overlay(wf, fixture_con).empty
        h = ct.history(wf, cid)
        assert list(h["action"]) == ["propose", "reject"] and list(h["actor"]) == ["hakodate", "rev"]
        assert list(h["reason"])[1] == "出典が確認できない"
        with pytest.raises(TransitionError):
            ct.review(wf, REVIEWER, cid, "accept", reason="やはり", read_version=2)

    def test_an_accepted_contribution_is_in_the_overlay_with_provenance_and_exports_in_the_geodata_layout(
            self, wf, fixture_con):
        cid = ct.propose(wf, HAKODATE, place())
        ct.review(wf, REVIEWER, cid, "accept", reason="確認済み", read_version=1)
        ov = ct.overlay(wf, fixture_con, lang="en", muni_labels={"01202": "Hakodate"})
        assert list(ov["contribution_id"]) == [cid] and ov["official_id"].isna().all()
        assert ov["provenance"].iloc[0].startswith("contributed by Hakodate (hakodate), reviewed by rev on ")
        out = ct.export_frame(ov, "anime_sites")
        from revitalize.data import curated
        assert list(out.columns) == [c.name for c in curated.LAYERS_BY_KEY["anime_sites"].columns]
        r = out.iloc[0]
        assert (r["site_id"], r["muni_code"], r["pref_code"], r["location_precision"]) == (cid, "01202", "01",
                                                                                          "landmark")
        assert "reviewed by rev" in r["note"]

    def test_two_reviewers_accepting_at_once_one_wins_the_other_gets_a_conflict(self, open_wf, backend):
        with open_wf() as setup:
            cid = ct.propose(setup, HAKODATE, place())
        barrier, results = threading.Barrier(2), []

        def decide(user):
            con = open_wf()
            version = ct.get(con, cid)["version"]
            barrier.wait()
            try:
                results.append(("ok", ct.review(con, user, cid, "accept", reason=f"{user.user_id} ok",
                                                read_version=version)))
            except ConflictError as exc:
                results.append(("conflict", str(exc)))

        threads = [threading.Thread(target=decide, args=(u,)) for u in (REVIEWER, ADMIN)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(k for k, _ in results) == ["conflict", "ok"], results
        con = open_wf()
        row = ct.get(con, cid)
        assert (row["status"], row["version"]) == ("accepted", 2)
        assert list(ct.history(con, cid)["action"]) == ["propose", "accept"]  # one decision audited, not two

    def test_a_stale_version_is_a_conflict_naming_who_decided(self, wf):
        cid = ct.propose(wf, HAKODATE, place())
        ct.review(wf, REVIEWER, cid, "accept", reason="ok", read_version=1)
        with pytest.raises(ConflictError) as e:
            ct.review(wf, ADMIN, cid, "reject", reason="no", read_version=1)
        assert "rev" in i18n.error_text(e.value, "en") and e.value.key == "ct.err.conflict"


class TestOverlay:
    def test_a_rebuild_keeps_it_and_says_when_the_official_data_now_holds_the_fact(self, wf, tmp_path):
        import fixture_db

        cid = ct.propose(wf, HAKODATE, place(fields={"work_title_ja": "テスト作品<b>", "place_name_ja": "函館の坂",
                                                      "kind": "setting"}))
        ct.review(wf, REVIEWER, cid, "accept", reason="ok", read_version=1)
        other = ct.propose(wf, HAKODATE, place())
        ct.review(wf, REVIEWER, other, "accept", reason="ok", read_version=1)
        rebuilt = fixture_db.make(tmp_path / "rebuilt.duckdb")  # a fresh reference database
        ref = db.connect(rebuilt, read_only=True)
        try:
            ov = ct.overlay(wf, ref).set_index("contribution_id")
        finally:
            ref.close()
        assert ov.loc[cid, "official_id"] == "ANI-T1"  # the official data now holds the same fact
        assert pd.isna(ov.loc[other, "official_id"])
        assert list(ct.added_rows(ov.reset_index(), "anime_sites")["contribution_id"]) == [other]

    def test_correction_and_removal_need_an_existing_row(self, wf, fixture_con):
        with pytest.raises(InputError) as e:
            ct.propose(wf, HAKODATE, place(action="remove", fields={}, target_id="ANI-NOPE"), ref=fixture_con)
        assert e.value.problems[0].column == "target_id"
        cid = ct.propose(wf, HAKODATE, place(action="remove", fields={}, target_id="ANI-T1"), ref=fixture_con)
        ct.review(wf, ADMIN, cid, "accept", reason="閉鎖", read_version=1)
        assert ct.removed_ids(ct.overlay(wf, fixture_con), "anime_sites") == {"ANI-T1"}


def test_cli_propose_review_list_export(tmp_path, fixture_db_path, monkeypatch):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.PROJECT_ROOT), "REVITALIZE_DB": str(fixture_db_path),
           "REVITALIZE_WORKFLOW_DB": str(tmp_path / "wf.duckdb"), "REVITALIZE_LANG": "en"}

    def run(*args, user="hakodate", role="municipality", ok=True):
        e = {**env, "REVITALIZE_USER": user, "REVITALIZE_ROLE": role, "REVITALIZE_USER_MUNIS": "01202"}
        p = subprocess.run([sys.executable, "-m", "revitalize", "contributions", *args], env=e, capture_output=True,
                           text=True)
        assert (p.returncode == 0) == ok, p.stderr
        return p

    run("propose", "--layer", "filming_locations", "--muni", "01202", "--source-url", "https://fc.example.jp/a",
        "--as-of", "2026-10-01", "--field", "work_title_ja=港の映画", "--field", "work_type=film",
        "--field", "release_year=2024", "--field", "place_name_ja=函館港")
    bad = run("propose", "--layer", "filming_locations", "--muni", "13101", "--source-url", "https://x.jp",
              "--as-of", "2026-10-01", ok=False)
    assert bad.returncode == 2 and "13101" in bad.stderr and "Traceback" not in bad.stderr
    run("review", "K-00001", "accept", "--reason", "FC page", user="rev", role="reviewer")
    import json
    rows = json.loads(run("list", "--format", "json").stdout)
    assert [(r["contribution_id"], r["status"], r["fields"]["release_year"]) for r in rows] == [
        ("K-00001", "accepted", 2024)]
    out = tmp_path / "filming.csv"
    run("export", "-o", str(out), "--layer", "filming_locations")
    got = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(got) == 1 and got[0]["location_id"] == "K-00001" and got[0]["release_year"] == "2024"
    assert got[0]["work_title_ja"] == "港の映画" and got[0]["source_url"] == "https://fc.example.jp/a"


def test_an_accepted_contribution_reaches_explorer_items_profile_count_score_and_export(wf, fixture_con,
                                                                                       monkeypatch):
    """13101 (千代田区) holds one anime place in the fixture; an accepted addition makes it two everywhere."""
    from revitalize.analysis import scoring
    from revitalize.outputs import explorer, shortlists

    chiyoda = User("chiyoda", "municipality", frozenset({"13101"}))
    before = scoring.inputs(fixture_con)[1].loc["13101", "anime"]
    cid = ct.propose(wf, chiyoda, place(muni_code="13101", fields={"work_title_ja": "新しい作品", "kind": "setting",
                                                                    "place_name_ja": "神田明神"}))
    rejected = ct.propose(wf, chiyoda, place(muni_code="13101", fields={"work_title_ja": "却下作品", "kind": "event",
                                                                         "place_name_ja": "どこか"}))
    ct.review(wf, REVIEWER, rejected, "reject", reason="出典不明", read_version=1)
    ct.review(wf, REVIEWER, cid, "accept", reason="区の公式ページ", read_version=1)
    ov = ct.overlay(wf, fixture_con, lang="en")
    data = explorer.with_contributions(explorer.load_data(fixture_con), ov)
    items = explorer.items_table(data, "en")
    mine = items[items["name"] == "神田明神"]
    assert len(mine) == 1 and mine["provenance"].iloc[0].startswith("contributed by 13101 (chiyoda), reviewed by rev")
    assert "どこか" not in set(items["name"])  # the rejected one changed nothing
    point = data.anime_sites[data.anime_sites["place_name_ja"] == "神田明神"].iloc[0]
    assert 35.6 <= point["lat"] <= 35.7 and 139.7 <= point["lon"] <= 139.8  # on the map, inside 千代田区
    assert data.munis.set_index("muni_code").loc["13101", "anime_sites"] == 2  # the profile's count
    counts = ct.municipality_counts(ov)
    after = scoring.inputs(fixture_con, contributed=counts)[1].loc["13101", "anime"]
    assert after == before + 1
    from revitalize.outputs import evidence
    assert evidence.context(fixture_con).raw.loc["13101", "anime"] == before + 1  # evidence sheets score it too
    assert shortlists.contributed_inputs(fixture_con)[1].loc["13101", "anime"] == before + 1  # score exports
    sl = shortlists.shortlist_for("explorer", fixture_con, lang="en")
    assert "神田明神" in set(sl.table["name"])


class TestBulk:
    LIST = ("作品名,公開年,場所,団体コード,緯度,経度,出典,時点\r\n"
            "港の映画,2024,函館港,01202,41.77,140.71,https://fc.example.jp/a,2026-10-01\r\n"
            "坂の映画,2019,八幡坂,01202,,,https://fc.example.jp/b,2026-09-01\r\n")

    def test_a_location_list_becomes_one_pending_contribution_per_row(self, wf):
        up = ct.read_list(self.LIST.encode("cp932"), "ロケ地一覧.csv")  # Shift_JIS, as Excel saves it
        ids = ct.propose_many(wf, HAKODATE, ct.proposals_from_upload(up), file="ロケ地一覧.csv", known_munis=KNOWN)
        assert ids == ["K-00001", "K-00002"]
        t = ct.table(wf).set_index("contribution_id")
        assert set(t["status"]) == {"pending"} and set(t["layer"]) == {"filming_locations"}
        assert ct.get(wf, "K-00001")["fields"] == {"work_title_ja": "港の映画", "release_year": 2024,
                                                   "place_name_ja": "函館港", "work_type": "film", "lat": 41.77,
                                                   "lon": 140.71}

    def test_one_bad_row_refuses_the_whole_list_naming_each_row(self, wf):
        bad = self.LIST + "他市の映画,2020,どこか,13101,,,javascript:x,2026-01-01\r\n"
        up = ct.read_list(bad.encode("utf-8"), "list.csv")
        with pytest.raises(InputError) as e:
            ct.propose_many(wf, HAKODATE, ct.proposals_from_upload(up), file="list.csv", known_munis=KNOWN)
        assert {(p.row, p.column) for p in e.value.problems} == {(3, "muni_code"), (3, "source_url")}
        assert ct.table(wf).empty


def test_restore_replace_keeps_contributions_and_their_audit_is_append_only(open_wf, backend, tmp_path):
    from revitalize.core.errors import StoreRefusedError as StoreError
    from revitalize.workflow import maintenance

    wf = open_wf()
    cid = ct.propose(wf, HAKODATE, place())
    maintenance.backup(wf, tmp_path / "b.json")
    maintenance.restore(wf, tmp_path / "b.json", replace=True)  # lays the candidate schema anew
    assert ct.get(wf, cid)["status"] == "pending" and len(ct.history(wf, cid)) == 1
    assert ct.propose(wf, HAKODATE, place()) == "K-00002"  # the counter survived too
    if backend == "postgresql":
        with pytest.raises(StoreError):
            wf.execute("DELETE FROM contribution_events")
        assert len(ct.history(wf, cid)) == 1
