"""The risk engine against the database: context loading, audit, sharing."""

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.core.risk import CallFacts, hash_phone
from bot.core.risk.similarity import shingles
from bot.services import industry_sharing as sharing
from bot.services import risk_service


def test_context_holds_the_operator_watchlist(demo_db):
    ctx = risk_service.load_context(demo_db, "c1", "+86 139-0000-9999", "C0001")
    assert "13900009999" in ctx.watchlist_phones
    assert "保证上岸" in ctx.watchlist_phrases
    assert len(ctx.enrolled_voiceprints) == 1 and len(ctx.enrolled_voiceprints[0][1]) == 8
    assert ctx.current_customer_id == "C0001"


def test_number_history_and_complaints_exclude_the_call_itself(demo_db):
    now = dt.datetime(2026, 11, 1, 10, 0)
    for i, cid in enumerate(["C0001", "C0002", "C0003"]):
        demo_db.record_call_subject(f"call-{i}", "13911112222", cid, now)
    demo_db.register_case("call-0", "complaint", "third_party", "C0001", "模板投诉文本" * 5, 15)
    ctx = risk_service.load_context(demo_db, "call-2", "13911112222", "C0003", now)
    assert sorted(c for c, _ in ctx.number_history) == ["C0001", "C0002"]
    # on SQLite other calls' complaints come indexed (the list stays empty)
    template = shingles("模板投诉文本" * 5)
    assert ctx.complaint_corpus == [] and ctx.complaint_search.matches(template, 0.5) == [("C0001", 1.0)]
    own = risk_service.load_context(demo_db, "call-0", "13911112222", "C0001")
    assert own.complaint_corpus == [] and own.complaint_search.matches(template, 0.5) == []


def test_three_borrowers_from_one_number_raise_multi_account(demo_db):
    now = dt.datetime.utcnow()
    demo_db.record_call_subject("a", "13911112222", "C0001", now)
    demo_db.record_call_subject("b", "13911112222", "C0002", now)
    facts = CallFacts(
        caller_role="family", purpose="fee_waiver", utterances=["我是他表哥"], caller_number="13911112222"
    )
    assessment = risk_service.assess_call(demo_db, "c", facts, "C0003")
    assert "multi_account_number" in [s.code for s in assessment.signals]


def test_partner_hash_matches_without_the_raw_number(demo_db, tmp_path, monkeypatch):
    key = "partner-shared-key-2026"
    partner_file = tmp_path / "partner.csv"
    partner_file.write_text("phone_hmac_sha256\n" + hash_phone("13655556666", key) + "\n")
    message = sharing.import_hashed(demo_db, partner_file, "某合作机构")
    assert "新增 1" in message
    assert "13655556666" not in partner_file.read_text()
    monkeypatch.setenv("BOT_SHARING_KEY", key)
    assert "13655556666" in risk_service.load_context(demo_db, "c", "13655556666", None).watchlist_phones
    monkeypatch.setenv("BOT_SHARING_KEY", "another-key-entirely")
    assert "13655556666" not in risk_service.load_context(demo_db, "c", "13655556666", None).watchlist_phones


def test_export_hashed_round_trip(demo_db, tmp_path):
    out = tmp_path / "ours.csv"
    assert sharing.export_hashed(demo_db, "k" * 16, out) == 2
    text = out.read_text()
    assert "13900009999" not in text and hash_phone("13900009999", "k" * 16) in text


def test_bad_partner_file_imports_nothing(demo_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("phone_hmac_sha256\n" + "a" * 64 + "\nnot-a-hash\n")
    with pytest.raises(sharing.SharingError, match="第 3 行"):
        sharing.import_hashed(demo_db, bad, "x")
    assert demo_db.watchlist_entries("phone_hash") == []


def test_audit_records_new_flags_and_level_changes(demo_db):
    facts = CallFacts(
        caller_role="third_party", purpose="repayment_plan", utterances=["我们是债务优化公司的，要求停息挂账"]
    )
    first = risk_service.assess_call(demo_db, "c9", facts, None)
    risk_service.record(demo_db, "c9", "none", [], first)
    again = risk_service.assess_call(demo_db, "c9", facts, None)
    risk_service.record(demo_db, "c9", first.level, risk_service.signal_dicts(first), again)
    rows = demo_db.audit_for_call("c9")
    events = [r["event"] for r in rows]
    assert events.count("level_changed") == 1  # nothing changed the second time
    assert events.count("signal_raised") == len(first.signals)
    change = next(r for r in rows if r["event"] == "level_changed")["detail"]
    assert change["from"] == "none" and change["to"] == first.level == "level2"


def test_audit_is_append_only(demo_db):
    demo_db.append_audit("c1", [("level_changed", {"from": "none", "to": "watch"})])
    with demo_db.engine.begin() as conn:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            conn.exec_driver_sql("UPDATE audit SET event = 'x'")
    with demo_db.engine.begin() as conn:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            conn.exec_driver_sql("DELETE FROM audit")
    assert len(demo_db.audit_for_call("c1")) == 1


def test_short_turns_that_add_up_to_a_complaint_are_still_compared(demo_db):
    text = "你们的催收人员每天晚上十一点打电话辱骂我的家人"
    demo_db.register_case("other-call", "complaint", "third_party", "C0002", text, 15)
    turns = [text[:8], text[8:16], text[16:]]  # no single turn is long enough on its own
    facts = CallFacts(caller_role="third_party", purpose="collection_complaint", utterances=turns)
    assessment = risk_service.assess_call(demo_db, "this-call", facts, "C0001")
    assert "template_complaint" in [s.code for s in assessment.signals]


def test_complaints_registered_later_are_compared_too(demo_db):
    first = "你们的催收人员每天晚上十一点打电话辱骂我的家人，我要求立即停止"
    later = "贵司违规向我的通讯录联系人发送催收短信并泄露我的借款信息，要求全部减免"
    demo_db.register_case("call-a", "complaint", "third_party", "C0002", first, 15)

    def assess(call_id, text, customer="C0001"):
        facts = CallFacts(caller_role="third_party", purpose="collection_complaint", utterances=[text])
        return [s.code for s in risk_service.assess_call(demo_db, call_id, facts, customer).signals]

    assert "template_complaint" in assess("call-b", first)
    assert "template_complaint" not in assess("call-c", later)
    demo_db.register_case("call-d", "complaint", "third_party", "C0003", later, 15)
    assert "template_complaint" in assess("call-e", later)  # the index took the new one in
    assert "template_complaint" not in assess("call-d", later, "C0004")  # never the call itself


def test_warm_up_indexes_the_stored_complaints_before_any_call(demo_db):
    long_text = "你们的催收人员每天晚上十一点打电话辱骂我的家人，我要求立即停止"
    demo_db.register_case("a", "complaint", "borrower", "C0001", long_text, 15)
    demo_db.register_case("b", "complaint", "borrower", "C0002", "太短了", 15)
    demo_db.register_case("c", "dispute", "borrower", "C0003", long_text + "并更正征信", 15)
    assert risk_service.warm_up(demo_db) == 2  # the short one is never compared


# --- sticky risk and the operator's recorded decision (issue 13 item 2) -----------


def _agency_then_benren():
    agency = ["我们是恒达债务优化的，客户委托我们来谈停息挂账", "你们别再给她本人打电话了"]
    return (
        CallFacts(caller_role="third_party", purpose="repayment_plan", utterances=agency),
        CallFacts(
            caller_role="borrower",
            verification="knowledge",
            purpose="account_inquiry",
            utterances=agency + ["好吧，我就是她本人，直接告诉我还欠多少"],
        ),
    )


def test_signals_stay_and_the_level_does_not_fall_within_a_call(demo_db):
    proxy, flipped = _agency_then_benren()
    first = risk_service.assess_call_sticky(demo_db, "s1", proxy, None, "none", [])
    risk_service.record(demo_db, "s1", "none", [], first)
    assert first.level == "level2"
    later = risk_service.assess_call_sticky(demo_db, "s1", flipped, None, first.level, risk_service.signal_dicts(first))
    risk_service.record(demo_db, "s1", first.level, risk_service.signal_dicts(first), later)
    assert later.level == "level2"
    assert {(s.code, s.evidence) for s in first.signals} <= {(s.code, s.evidence) for s in later.signals}
    downs = [
        r for r in demo_db.audit_for_call("s1") if r["event"] == "level_changed" and r["detail"]["direction"] == "down"
    ]
    assert downs == []


def test_an_operator_decision_is_audited_and_lets_the_level_fall_once(demo_db):
    proxy, _ = _agency_then_benren()
    first = risk_service.assess_call_sticky(demo_db, "s2", proxy, None, "none", [])
    risk_service.record(demo_db, "s2", "none", [], first)
    assert risk_service.operator_floor(demo_db, "s2") is None
    risk_service.record_operator_decision(demo_db, "s2", "watch", "supervisor1", "已回拨预留手机，本人确认委托")
    decision = demo_db.audit_for_call("s2")[-1]
    assert decision["event"] == "operator_decision"
    assert decision["detail"] == {"level": "watch", "operator": "supervisor1", "reason": "已回拨预留手机，本人确认委托"}
    assert risk_service.operator_floor(demo_db, "s2") == "watch"
    calm = CallFacts(caller_role="borrower", verification="sms_code", purpose="repayment_plan", utterances=["我想分期"])
    previous = risk_service.signal_dicts(first)
    lowered = risk_service.assess_call_sticky(demo_db, "s2", calm, None, first.level, previous)
    risk_service.record(demo_db, "s2", first.level, previous, lowered)
    assert lowered.level == "watch" and lowered.next_step == "handled"
    assert {s.code for s in lowered.signals} >= {s.code for s in first.signals}  # evidence stays in the summary
    change = demo_db.audit_for_call("s2")[-1]
    assert change["event"] == "level_changed" and change["detail"]["direction"] == "down"
    # the decision is used up: the level holds again from here on
    assert risk_service.operator_floor(demo_db, "s2") is None
    again = risk_service.assess_call_sticky(demo_db, "s2", calm, None, "watch", risk_service.signal_dicts(lowered))
    assert again.level == "watch"


@pytest.mark.parametrize(
    "level, operator, reason, message",
    [("refuse", "sup", "x", "unknown level"), ("none", " ", "x", "operator"), ("none", "sup", "", "reason")],
)
def test_an_operator_decision_needs_a_level_an_operator_and_a_reason(demo_db, level, operator, reason, message):
    with pytest.raises(ValueError, match=message):
        risk_service.record_operator_decision(demo_db, "s3", level, operator, reason)
    assert demo_db.audit_for_call("s3") == []


def test_signal_dicts_round_trip_through_carry_forward():
    from bot.core.risk import assess, carry_forward

    severe = assess(CallFacts(caller_role="third_party", utterances=["什么章都能盖，诊断书我们可以帮他开"]))
    dicts = risk_service.signal_dicts(severe)
    assert dicts[0]["severe"] is True and dicts[0]["ceiling"] == "level1"
    quiet = assess(CallFacts(caller_role="third_party", utterances=["好"]))
    kept = carry_forward(dicts, severe.level, quiet)
    assert kept.level == "level1" and kept.next_step == "police_report_packet"
