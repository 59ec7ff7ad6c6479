"""Candidates: lifecycle, roles, audit trail, optimistic concurrency (connections and threads)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from revitalize.core import domain
from revitalize.core.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError, TransitionError
from revitalize.data import db, layers
from revitalize.workflow import candidates as C
from revitalize.workflow.auth import User

ADMIN = User("boss", "admin")
REVIEWER = User("rev", "reviewer")
VIEWER = User("eye", "viewer")
HAKODATE = User("hako", "municipality", frozenset({"01202"}))
OTARU = User("otaru", "municipality", frozenset({"01203"}))


def data(**kw) -> C.CandidateData:
    base = dict(name_ja="函館アニメ聖地めぐり", base_type="tourism", fiscal_year=2025, muni_codes=("01202",),
                applicants=(("函館市", "municipality"),))
    return C.CandidateData(**{**base, **kw})


TABLES = ("candidates", "candidate_applicants", "candidate_municipalities", "candidate_assets", "candidate_events",
          "candidate_id_counters")


def snapshot(con) -> tuple:
    """Everything in the workflow tables, to prove a failed call changed nothing."""
    return tuple(tuple(sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)) for t in TABLES)


def events(con, cid) -> int:
    return con.execute("SELECT count(*) FROM candidate_events WHERE candidate_id = ?", [cid]).fetchone()[0]


def walk(con, cid, path, user=ADMIN) -> int:
    v = C.get(con, cid).version
    for to in path:
        v = C.transition(con, user, cid, to, reason=f"to {to}", read_version=v)
    return v


def test_full_lifecycle_writes_one_event_per_step_with_who_from_to_and_reason(wf):
    cid = C.create(wf, HAKODATE, data())
    path = ["applied", "under_review", "shortlisted", "nominated", "designated"]
    walk(wf, cid, path[:1], HAKODATE)
    walk(wf, cid, path[1:4], REVIEWER)
    walk(wf, cid, path[4:], ADMIN)
    h = C.history(wf, cid)
    assert list(h["action"]) == ["create"] + ["transition"] * 5
    assert list(h["to_status"]) == ["draft"] + path
    assert list(h["from_status"].iloc[1:]) == ["draft"] + path[:-1]
    assert list(h["actor"]) == ["hako", "hako", "rev", "rev", "rev", "boss"]
    assert list(h["reason"].iloc[1:]) == [f"to {s}" for s in path]
    assert list(h["version_after"]) == list(range(1, 7))
    got = C.get(wf, cid)
    assert got.status == "designated" and got.designated_on is not None and got.version == 6


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(list(domain.STATUSES)), min_size=1, max_size=7),
       role=st.sampled_from(domain.ROLES))
def test_any_sequence_of_moves_follows_the_rules_and_failures_change_nothing(wf, path, role):
    con = wf
    user = User("u", role, frozenset({"01202"}) if role == "municipality" else frozenset())
    cid = C.create(con, ADMIN, data())
    for to in path:
        cur = C.get(con, cid)
        before, n = snapshot(con), events(con, cid)
        rule = domain.TRANSITIONS.get((cur.status, to))
        allowed = rule is not None and domain.ROLES.index(role) >= domain.ROLES.index(rule)
        if allowed:
            C.transition(con, user, cid, to, reason="r", read_version=cur.version)
            assert C.get(con, cid).status == to and events(con, cid) == n + 1
        else:
            with pytest.raises((TransitionError, PermissionDeniedError)):
                C.transition(con, user, cid, to, reason="r", read_version=cur.version)
            assert snapshot(con) == before


def test_illegal_transition_names_the_allowed_moves(wf):
    cid = C.create(wf, ADMIN, data())
    before = snapshot(wf)
    with pytest.raises(TransitionError, match="from draft to designated; allowed from draft: applied, withdrawn"):
        C.transition(wf, ADMIN, cid, "designated", reason="skip", read_version=1)
    with pytest.raises(TransitionError, match="reason is required"):
        C.transition(wf, ADMIN, cid, "applied", reason="  ", read_version=1)
    assert snapshot(wf) == before


def test_closed_candidates_cannot_move(wf):
    cid = C.create(wf, ADMIN, data())
    walk(wf, cid, ["withdrawn"])
    with pytest.raises(TransitionError, match="none \\(closed\\)"):
        C.transition(wf, ADMIN, cid, "applied", reason="back", read_version=2)


def test_roles_are_enforced_in_the_package(wf):
    before = snapshot(wf)
    with pytest.raises(PermissionDeniedError, match="may not create"):
        C.create(wf, VIEWER, data())
    with pytest.raises(PermissionDeniedError, match="other than its own"):
        C.create(wf, OTARU, data())
    assert snapshot(wf) == before
    cid = C.create(wf, HAKODATE, data())
    before = snapshot(wf)
    with pytest.raises(PermissionDeniedError):
        C.update(wf, OTARU, cid, 1, {"summary": "乗っ取り"})
    with pytest.raises(PermissionDeniedError):
        C.update(wf, VIEWER, cid, 1, {"summary": "x"})
    with pytest.raises(PermissionDeniedError, match="other than its own"):
        C.update(wf, HAKODATE, cid, 1, {"muni_codes": ("01202", "01203")})
    with pytest.raises(PermissionDeniedError):
        C.transition(wf, OTARU, cid, "withdrawn", reason="x", read_version=1)
    assert snapshot(wf) == before
    v = walk(wf, cid, ["applied", "under_review", "shortlisted", "nominated"], REVIEWER)
    with pytest.raises(PermissionDeniedError, match="needs admin"):
        C.transition(wf, REVIEWER, cid, "designated", reason="x", read_version=v)
    with pytest.raises(PermissionDeniedError):  # past 'applied' the municipality no longer edits
        C.update(wf, HAKODATE, cid, v, {"summary": "late"})
    assert C.get(wf, cid).status == "nominated"


def test_only_an_import_creates_past_draft(wf):
    with pytest.raises(PermissionDeniedError, match="admin only"):
        C.create(wf, REVIEWER, data(), status="designated")
    assert C.table(wf).empty


def test_edit_records_what_changed_and_a_no_op_keeps_the_version(wf):
    cid = C.create(wf, ADMIN, data())
    v = C.update(wf, REVIEWER, cid, 1, {"summary": "新しい概要", "muni_codes": ["01202", "01236"]})
    assert v == 2 and C.get(wf, cid).data.muni_codes == ("01202", "01236")
    h = C.history(wf, cid)
    assert h["action"].iloc[-1] == "edit" and "新しい概要" in h["changes"].iloc[-1] and "01236" in h["changes"].iloc[-1]
    assert C.update(wf, REVIEWER, cid, 2, {"summary": "新しい概要"}) == 2
    assert events(wf, cid) == 2


def test_bad_data_lists_every_problem_and_changes_nothing(wf):
    before = snapshot(wf)
    with pytest.raises(InputError) as e:
        C.create(wf, ADMIN, data(name_ja=" ", base_type="tour", fiscal_year=2024, muni_codes=("99999", "1202"),
                                 applicants=(("", "club"),)), known_munis={"01202"})
    cols = [p.column for p in e.value.problems]
    assert {"name_ja", "base_type", "fiscal_year", "muni_codes", "applicants"} <= set(cols)
    assert snapshot(wf) == before
    with pytest.raises(InputError, match="existing municipality"):
        C.create(wf, ADMIN, data(muni_codes=("01999",)), known_munis={"01202"})


def test_unknown_candidate_and_field(wf):
    with pytest.raises(NotFoundError):
        C.get(wf, "C2025-9999")
    cid = C.create(wf, ADMIN, data())
    with pytest.raises(InputError, match="status"):
        C.update(wf, ADMIN, cid, 1, {"status": "designated"})  # status moves only through transition()


def test_second_save_on_the_same_version_is_a_conflict_that_says_what_changed(open_wf):
    a, b = open_wf(), open_wf()
    cid = C.create(a, ADMIN, data())
    read_a, read_b = C.get(a, cid).version, C.get(b, cid).version
    C.update(a, REVIEWER, cid, read_a, {"summary": "Aの変更"})
    before = snapshot(b)
    with pytest.raises(ConflictError) as e:
        C.update(b, ADMIN, cid, read_b, {"summary": "Bの変更"})
    assert ("summary", "", "Aの変更") in [(f, old, new) for (_, _, _, f, old, new) in e.value.changes]
    assert "rev" in str(e.value) and "Aの変更" in str(e.value)
    assert snapshot(b) == before and C.get(b, cid).data.summary == "Aの変更"
    with pytest.raises(ConflictError):
        C.transition(b, ADMIN, cid, "applied", reason="x", read_version=read_b)


def test_concurrent_saves_from_threads_are_never_lost(open_wf, wf_target):
    setup = open_wf()
    cid = C.create(setup, ADMIN, data())
    barrier = threading.Barrier(4)
    results: dict[int, object] = {}

    def save(i: int) -> None:
        con = db.connect_workflow(**wf_target)
        try:
            barrier.wait()
            results[i] = C.update(con, REVIEWER, cid, 1, {"summary": f"thread {i}"})
        except ConflictError as exc:
            results[i] = exc
        finally:
            con.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    winners = [i for i, r in results.items() if r == 2]
    assert len(winners) == 1, results
    assert all(isinstance(r, ConflictError) for i, r in results.items() if i not in winners)
    final = C.get(setup, cid)
    assert final.version == 2 and final.data.summary == f"thread {winners[0]}"
    assert events(setup, cid) == 2


def test_filter_table_by_status_type_prefecture_and_text(wf):
    a = C.create(wf, ADMIN, data())
    b = C.create(wf, ADMIN, data(name_ja="京都クリエイター育成", base_type="industry", muni_codes=("26100",),
                                 applicants=(("京都府", "prefecture"),)))
    walk(wf, b, ["applied"])
    t = C.table(wf)
    f = C.CandidateFilter
    assert C.filter_table(t, f(statuses=("applied",)))["candidate_id"].tolist() == [b]
    assert C.filter_table(t, f(base_types=("tourism",)))["candidate_id"].tolist() == [a]
    assert C.filter_table(t, f(pref_codes=("26",)))["candidate_id"].tolist() == [b]
    assert C.filter_table(t, f(text="京都府"))["candidate_id"].tolist() == [b]
    assert len(C.filter_table(t, f())) == 2


def test_parse_applicants_accepts_japanese_kinds_and_reports_unknown():
    got, bad = domain.parse_applicants("函館市:市区町村\n函館国際観光コンベンション協会:tourism_association; 株式会社X:club")
    assert got[:2] == (("函館市", "municipality"), ("函館国際観光コンベンション協会", "tourism_association"))
    assert bad == ["株式会社X:club"]
    assert domain.parse_applicants("名無し団体")[0] == (("名無し団体", "other"),)


def test_asset_catalog_links_real_assets_of_a_municipality(con):
    cat = layers.asset_catalog(con)
    hakodate = layers.assets_in(cat, ["01202"])
    expected = con.execute("SELECT count(*) FROM anime_sites WHERE muni_code = '01202'").fetchone()[0]
    assert (hakodate["layer"] == "anime_sites").sum() == expected > 0
    assert hakodate.duplicated(["layer", "asset_id"]).sum() == 0
    labels = layers.asset_labels(cat, [("anime_sites", hakodate["asset_id"].iloc[0]), ("gi_products", "NOPE")])
    assert labels["label"].notna().tolist() == [True, False]


def test_history_view_reads_as_sentences_in_both_languages(wf):
    cid = C.create(wf, ADMIN, data())
    C.update(wf, REVIEWER, cid, 1, {"summary": "新しい概要"})
    C.transition(wf, REVIEWER, cid, "applied", reason="書類を受理", read_version=2)
    ja = C.history_view(C.history(wf, cid), "ja")
    assert ja["操作"].tolist() == ["作成", "編集", "状況の変更"]
    assert ja["状況の変更"].iloc[2] == "下書き → 応募済み" and ja["理由"].iloc[2] == "書類を受理"
    assert ja["変更した項目（前 → 後）"].iloc[1] == "summary: '' → '新しい概要'"
    assert ja["実施者（権限）"].iloc[1] == "rev (reviewer)"
    en = C.history_view(C.history(wf, cid), "en")
    assert en["Status move"].iloc[2] == "Draft → Applied"


def test_simultaneous_creates_all_succeed_with_distinct_ids(open_wf, wf_target):
    open_wf()
    barrier = threading.Barrier(4)
    results: list[object] = []

    def make(i: int) -> None:
        con = db.connect_workflow(**wf_target)
        try:
            barrier.wait()
            results.append(C.create(con, ADMIN, data(name_ja=f"同時作成 {i}")))
        except ConflictError as exc:
            results.append(exc)
        finally:
            con.close()

    threads = [threading.Thread(target=make, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    created = [r for r in results if isinstance(r, str)]
    assert len(created) == 4 and len(set(created)) == 4, results  # the losers of a race retried with the next id
    con = open_wf()
    assert sorted(C.table(con)["candidate_id"]) == sorted(created)  # every reported id exists, nothing else
    assert sorted(created) == [f"C2025-{i:04d}" for i in range(1, 5)]  # one counter: no gaps, no repeats
    assert events(con, created[0]) == 1
