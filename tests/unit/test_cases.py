"""The anti-proxy team's cases: opened at level2+, one per call, later calls linked, transitions audited."""

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.core.risk import Assessment, CallFacts
from bot.core.risk.model import Signal
from bot.services import cases, risk_service
from bot.services.cases import Actor, CaseError

WANG = Actor("王主管", "supervisor")
T0 = dt.datetime(2026, 12, 1, 2, 0)  # 10:00 China Standard Time
POLICE = [{"code": "impersonating_official", "evidence": "公安局"}]
GRAY = [{"code": "gray_phrase", "evidence": "停息挂账"}]


def track(db, call_id, level, signals=GRAY, number="13500000001", customer=None, at=T0, role="third_party"):
    return cases.track_call(db, call_id, level, signals, role, number, customer, now=at)


def audit_events(db, call_id):
    return [r["event"] for r in db.audit_for_call(call_id)]


def test_a_level2_call_opens_one_case_with_a_k_reference(demo_db):
    assert track(demo_db, "c1", "watch") is None
    case_id = track(demo_db, "c1", "level2")
    assert case_id == "K202612010001"
    assert track(demo_db, "c1", "level2") == case_id  # the same call never opens a second
    assert track(demo_db, "c1", "level1", POLICE, at=T0 + dt.timedelta(minutes=1)) == case_id
    case = cases.get_case(demo_db, case_id)
    assert case["level"] == "level1" and case["status"] == "open" and case["assignee"] is None
    assert [s["code"] for s in case["signals"]] == ["gray_phrase", "impersonating_official"]
    assert case["opened_at"] == "2026-12-01T10:00:00+08:00"
    assert audit_events(demo_db, "c1") == ["case_opened", "case_escalated"]
    assert track(demo_db, "c2", "level2", number="13500000002") == "K202612010002"


def test_the_case_date_is_the_china_date(demo_db):
    late = dt.datetime(2026, 12, 1, 17, 30)  # 01:30 on 2 December in Beijing
    assert track(demo_db, "c1", "level2", at=late) == "K202612020001"


def test_a_later_call_from_the_same_number_or_about_the_same_borrower_joins_the_open_case(demo_db):
    first = track(demo_db, "c1", "level2", number="13500000001", customer="C0001")
    assert track(demo_db, "c2", "level1", POLICE, number="13500000001", at=T0 + dt.timedelta(hours=1)) == first
    assert (
        track(demo_db, "c3", "level2", number="13699999999", customer="C0001", at=T0 + dt.timedelta(hours=2)) == first
    )
    case = cases.get_case(demo_db, first)
    assert [c["call_id"] for c in case["calls"]] == ["c1", "c2", "c3"] and case["level"] == "level1"
    reasons = [h["reason"] for h in case["history"] if h["event"] == "case_linked"]
    assert reasons == ["same_number", "same_customer"]
    # once closed, the next flagged call opens a new case, listed as linked
    cases.update_case(demo_db, first, {"status": "closed"}, WANG)
    second = track(demo_db, "c4", "level2", number="13500000001")
    assert second != first
    assert [c["case_id"] for c in cases.get_case(demo_db, second)["linked_cases"]] == [first]


def test_unrelated_calls_get_their_own_cases(demo_db):
    assert track(demo_db, "c1", "level2", number="13500000001") != track(demo_db, "c2", "level2", number="13500000002")


def test_status_transitions_allowed_and_refused(demo_db):
    case_id = track(demo_db, "c1", "level2")
    with pytest.raises(CaseError) as refused:
        cases.update_case(demo_db, case_id, {"status": "reported"}, WANG)
    assert refused.value.status == 400 and "不能改为“已报案”" in refused.value.message
    for status in ("investigating", "reported", "closed", "open"):
        case = cases.update_case(demo_db, case_id, {"status": status}, WANG)
        assert case["status"] == status
    assert [(h["from"], h["to"]) for h in case["status_history"]] == [
        (None, "open"),
        ("open", "investigating"),
        ("investigating", "reported"),
        ("reported", "closed"),
        ("closed", "open"),
    ]
    assert {h["by"] for h in case["status_history"][1:]} == {"王主管"}
    with pytest.raises(CaseError) as bad:
        cases.update_case(demo_db, case_id, {"status": "done"}, WANG)
    assert bad.value.code == "invalid_status" and "无效的状态" in bad.value.message


@pytest.mark.parametrize(
    "body, code",
    [
        ([], "not_an_object"),
        ({}, "nothing_to_change"),
        ({"colour": "red"}, "unknown_field"),
        ({"assignee": 7}, "invalid_assignee"),
        ({"note": "  "}, "invalid_note"),
        ({"note": "长" * 3000}, "note_too_long"),
    ],
)
def test_bad_patch_bodies_are_refused_in_chinese(demo_db, body, code):
    case_id = track(demo_db, "c1", "level2")
    with pytest.raises(CaseError) as refused:
        cases.update_case(demo_db, case_id, body, WANG)
    assert refused.value.status == 400 and refused.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


def test_assignee_and_notes_are_audited_with_who_made_them(demo_db):
    case_id = track(demo_db, "c1", "level2")
    case = cases.update_case(demo_db, case_id, {"assignee": "李调查员", "note": "已联系借款人本人核实。"}, WANG)
    assert case["assignee"] == "李调查员"
    assert case["notes"][0]["text"] == "已联系借款人本人核实。" and case["notes"][0]["by"] == "王主管"
    assert case["assignee_history"][0]["to"] == "李调查员"
    rows = {r["event"]: r["detail"] for r in demo_db.audit_for_call("c1")}
    assert rows["case_assigned"]["by"] == "王主管" and rows["case_note"]["role"] == "supervisor"
    unassigned = cases.update_case(demo_db, case_id, {"assignee": None}, Actor("operator", "operator"))
    assert unassigned["assignee"] is None and unassigned["assignee_history"][-1]["by"] == "operator"


def test_unknown_case_is_404(demo_db):
    with pytest.raises(CaseError) as missing:
        cases.get_case(demo_db, "K209901010001")
    assert missing.value.status == 404 and missing.value.code == "case_not_found"


def test_the_queue_filters_by_status_level_assignee_and_age(demo_db):
    old = track(demo_db, "c1", "level2", number="1", at=T0 - dt.timedelta(days=10))
    new = track(demo_db, "c2", "level1", POLICE, number="2", at=T0)
    cases.update_case(demo_db, old, {"assignee": "李调查员", "status": "investigating"}, WANG)
    ids = lambda **f: [c["case_id"] for c in cases.list_cases(demo_db, now=T0, **f)]  # noqa: E731
    assert ids() == [new, old]
    assert ids(status="open") == [new] and ids(status="investigating") == [old]
    assert ids(level="level1") == [new]
    assert ids(assignee="李调查员") == [old] and ids(assignee="none") == [new]
    assert ids(max_age_days=3) == [new] and ids(min_age_days=7) == [old]
    for bad in ({"status": "nope"}, {"level": "watch"}, {"max_age_days": "abc"}):
        with pytest.raises(CaseError):
            ids(**bad)
    listed = cases.list_cases(demo_db, now=T0)[0]
    assert set(listed) == {"case_id", "call_id", "level", "signals", "status", "assignee", "opened_at", "updated_at"}


def test_active_calls_are_those_heard_recently_and_not_hung_up(demo_db):
    track(demo_db, "rest-1", "none", [], role="borrower", at=T0)
    track(demo_db, "old-1", "none", [], at=T0 - dt.timedelta(hours=2))
    demo_db.start_call("agent-1", "agent", "agent1")
    track(demo_db, "agent-1", "level2", at=T0)
    demo_db.start_call("ivr-1", "ivr")
    track(demo_db, "ivr-1", "watch", at=T0)
    demo_db.end_call("ivr-1")
    calls = {c["call_id"]: c for c in cases.active_calls(demo_db, now=T0 + dt.timedelta(minutes=1))}
    assert set(calls) == {"rest-1", "agent-1"}
    assert calls["agent-1"]["channel"] == "agent" and calls["agent-1"]["agent_id"] == "agent1"
    assert calls["agent-1"]["level"] == "level2" and calls["agent-1"]["case_id"]
    assert calls["rest-1"]["channel"] == "rest" and calls["rest-1"]["caller_role"] == "borrower"


def test_record_opens_the_case_before_auditing_the_level_change(demo_db):
    facts = CallFacts(caller_role="third_party", caller_number="13512340002", utterances=["我是公安局的"])
    assessment = Assessment(
        "level1", 0.95, [Signal("impersonating_official", "公安局", 0.95, "level1", True)], "police_report_packet", []
    )
    case_id = risk_service.record(demo_db, "c9", "none", [], assessment, facts, "C0002")
    assert case_id and cases.case_for_call(demo_db, "c9") == case_id
    assert audit_events(demo_db, "c9") == ["case_opened", "signal_raised", "level_changed"]
    case = cases.get_case(demo_db, case_id)
    assert case["calls"][0]["caller_number"] == "13512340002" and case["customer_id"] == "C0002"


def test_audit_rows_cannot_be_changed(demo_db):
    track(demo_db, "c1", "level2")
    with pytest.raises(sa.exc.DatabaseError):
        with demo_db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE audit SET event = 'x'")


def test_marking_a_number_writes_the_watchlist_and_the_audit(demo_db):
    case_id = track(demo_db, "c1", "level2", number="13577778888")
    entry = cases.mark_watchlist(demo_db, "13577778888", "", WANG, "c1", case_id)
    assert entry["added"] and cases.watchlisted(demo_db, "13577778888")["source"] == "专项组：王主管"
    row = [r for r in demo_db.audit_for_call("c1") if r["event"] == "watchlist_added"][0]
    assert row["detail"]["by"] == "王主管" and row["detail"]["case_id"] == case_id
    with pytest.raises(CaseError):
        cases.mark_watchlist(demo_db, "not a number", "", WANG, "c1")


def test_record_uses_the_facts_of_the_assessment_just_before(demo_db):
    facts = CallFacts(
        caller_role="third_party", caller_number="135-1234-0003", utterances=["我是公安局的，不给减免就去你们公司闹"]
    )
    assessment = risk_service.assess_call(demo_db, "c10", facts, "C0001")
    assert assessment.level == "level1"
    case_id = risk_service.record(demo_db, "c10", "none", [], assessment)
    call = cases.get_case(demo_db, case_id)["calls"][0]
    assert call["caller_number"] == "13512340003" and call["customer_id"] == "C0001"
    assert call["caller_role"] == "third_party"


def test_retention_holds_calls_of_open_cases_and_clears_numbers_once_closed(demo_db, data_dir):
    from bot.services import retention
    from bot.services.storage import call_activity, team_case_calls, team_cases

    old = T0 - dt.timedelta(days=400)
    case_id = track(demo_db, "old-1", "level2", number="13577770000", at=old)
    report = retention.purge(demo_db, f"sqlite:///{data_dir / 'none.db'}", 180, by="ops", now=T0)
    assert report.held == ["old-1"] and "尚未结案" in report.describe()
    assert cases.get_case(demo_db, case_id)["calls"][0]["caller_number"] == "13577770000"
    cases.update_case(demo_db, case_id, {"status": "closed"}, WANG)
    report = retention.purge(demo_db, f"sqlite:///{data_dir / 'none.db'}", 180, by="ops", now=T0)
    assert report.calls == ["old-1"] and report.numbers == 1 and report.held == []
    with demo_db.engine.connect() as conn:
        for table in (call_activity, team_case_calls, team_cases):
            assert conn.execute(sa.select(table.c.caller_number)).scalar() is None, table.name
