"""The panel's call lifecycle and customer card, derived in panel_state: who may see the account,
why not, how a call that closed itself is disposed, today's calls, the end-call body."""

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest

from bot.core.call import Call
from bot.core.call_view import BOT, CALLER, CallView, Line
from bot.presentation import panel_state
from bot.presentation.channel_payloads import PayloadError, parse_agent_end
from bot.services.storage import Customer

SUN = Customer("C0042", "孙悦", "3721", "13800000042", "L2024SUN0042", Decimal("22100.00"), 173)
FACTS = ("L2024SUN0042", "22100", "22,100", "173 天")
VERIFICATIONS = ("none", "knowledge", "registered_phone", "sms_code")
LEVELS = ("none", "watch", "level2", "level1")
LINES = (None, "watchlist_phone", "voiceprint_match")
ROLES = ("borrower", "family", "authorized_agent", "third_party", "unknown")


def slots_for(role="borrower", verification="registered_phone", level="none", line=None, **call):
    known = verification != "none"
    state = Call(
        role=None if role == "unknown" else role,
        verification=verification if role == "borrower" else "none",
        customer_id=SUN.customer_id if known and role == "borrower" else None,
        subject_customer_id=SUN.customer_id if role != "borrower" else None,
        phone_match=verification == "registered_phone" if known else None,
        id_digits="3721" if known else None,
        **call,
    )
    signals = [{"code": "gray_phrase", "evidence": "停息挂账"}] if level != "none" else []
    if line:
        signals.append({"code": line, "evidence": "13900009999"})
    return {
        "call": state.to_slot(),
        "caller_role": role,
        "verification": state.verification,
        "customer_id": state.customer_id or state.subject_customer_id,
        "identity_verified": state.identity_verified,
        "proxy_risk_level": level,
        "proxy_signals": signals,
    }


def card_json(slots):
    """The whole panel answer as the channel sends it, with the record the channel would look up."""
    view = CallView("p-1", "agent", slots, [Line(BOT, "请告知客户：您好。", "utter_opening")])
    wanted = panel_state.card_customer_id(slots)
    answer = panel_state.answer(
        view, None, {"agent_id": "agent1"}, "agent1", SUN if wanted == SUN.customer_id else None
    )
    return answer, json.dumps(answer, ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "role, verification, level, line", list(itertools.product(ROLES, VERIFICATIONS, LEVELS, LINES))
)
def test_the_account_is_on_the_card_in_exactly_the_allowed_cells(role, verification, level, line):
    answer, text = card_json(slots_for(role, verification, level, line))
    card = answer["customer_card"]
    allowed = (
        role == "borrower" and verification in ("registered_phone", "sms_code") and level in ("none", "watch")
    ) and line is None
    assert card["shown"] is allowed
    if allowed:
        assert (card["loan_id"], card["outstanding"], card["overdue_days"]) == ("L2024SUN0042", "22100.00", 173)
        values = {r["key"]: r["value"] for r in card["rows"]}
        assert values["outstanding"] == "22,100.00 元" and values["overdue_days"] == "173 天"
    else:
        # not on the card, nor anywhere else in what the panel is sent
        assert not {"loan_id", "outstanding", "overdue_days", "rows"} & set(card)
        assert not [fact for fact in FACTS if fact in text]
        assert card["reason"] and card["advice"]


def test_a_withheld_card_carries_no_account_even_when_handed_the_record():
    slots = slots_for(verification="knowledge")
    view = CallView("p-1", "agent", slots, [])
    text = json.dumps(panel_state.answer(view, None, {}, "agent1", SUN), ensure_ascii=False, default=str)
    assert not [fact for fact in FACTS if fact in text]
    other = Customer("C0099", "孙悦", "3721", "13800000099", "L2024OTHER", Decimal("5.00"), 9)
    shown = panel_state.customer_card(slots_for(), other)  # not the verified borrower's record
    assert shown["shown"] is False and "L2024OTHER" not in json.dumps(shown, ensure_ascii=False)


def test_knowledge_alone_says_why_and_offers_the_code_sent_to_the_registered_phone():
    card = panel_state.customer_card(slots_for(verification="knowledge", sms="sent", sms_masked="138****0042"))
    assert card["verification"] == "knowledge" and card["verification_label"] == "仅核对资料"
    assert card["reason"] == "仅核对了姓名和身份证后四位，未验证预留手机，不显示账户信息。"
    assert "尾号0042" in card["advice"] and "App" in card["advice"]
    by_loan = slots_for(verification="knowledge")
    by_loan["call"].update(id_digits=None, loan_id="L2024SUN0042")
    assert "仅核对了姓名和借款编号" in panel_state.customer_card(by_loan)["reason"]


@pytest.mark.parametrize(
    "slots, why, words",
    [
        (slots_for(level="level2"), "blocked_level", "二级异常维权"),
        (slots_for(level="level1"), "blocked_level1", "一级异常维权"),
        (slots_for(line="watchlist_phone"), "blocked_line", "观察名单"),
        (slots_for(role="family", verification="none"), "not_borrower", "亲属/朋友"),
        (slots_for(role="unknown", verification="none"), "no_role", "尚未确认来电身份"),
        (slots_for(verification="none"), "pending", "尚未核对"),
        (slots_for(verification="knowledge", sms="exhausted"), "sms_exhausted", "验证码多次输入错误"),
        (slots_for(verification="knowledge", flipped=True), "flipped", "后又称是本人"),
        (slots_for(verification="none", identity_attempts=3), "failed", "多次核对不符"),
    ],
)
def test_a_withheld_card_says_why(slots, why, words):
    card = panel_state.customer_card(slots)
    assert card["shown"] is False and card["why"] == why and words in card["reason"]


def test_no_call_yet_is_an_unverified_card():
    card = panel_state.customer_card({})
    assert card == {
        "shown": False,
        "verification": "none",
        "verification_label": "未核实",
        "why": "no_role",
        "reason": "尚未确认来电身份，不显示账户信息。",
        "advice": "请先问清对方是借款人本人，还是代他人来电。",
    }


# ---- the end of a call --------------------------------------------------------------------
def test_the_bot_saying_goodbye_last_is_what_closes_a_call():
    opening = [Line(BOT, "请告知客户：您好。", "utter_opening"), Line(CALLER, "没有了")]
    goodbye = Line(BOT, "请告知客户：感谢您的来电，再见。", "utter_goodbye")
    assert panel_state.said_goodbye(CallView("p", "agent", {}, opening + [goodbye]))
    assert not panel_state.said_goodbye(CallView("p", "agent", {}, opening))
    # a goodbye the caller spoke past is not the end
    assert not panel_state.said_goodbye(CallView("p", "agent", {}, opening + [goodbye, Line(CALLER, "等一下")]))


@pytest.mark.parametrize(
    "slots, disposition",
    [
        ({"handoff": True, "next_step": "human_review"}, "transferred"),
        ({"wrapped_key": "k", "next_step": "police_report_packet", "complaint_registered": True}, "escalated"),
        ({"wrapped_key": "k", "next_step": "escalate_team"}, "escalated"),
        ({"wrapped_key": "k", "next_step": "handled", "complaint_registered": True}, "complaint"),
        ({"wrapped_key": "k", "next_step": "callback_registered_phone"}, "callback"),
        ({"wrapped_key": "k", "next_step": "handled", "materials_requested": ["id_card"]}, "materials_pending"),
        ({"wrapped_key": "k", "next_step": "handled", "materials_requested": []}, "resolved"),
        ({}, "other"),
    ],
)
def test_a_call_that_closed_itself_gets_a_disposition_from_how_it_went(slots, disposition):
    assert panel_state.automatic_disposition(slots) == disposition
    assert disposition in {d["code"] for d in panel_state.dispositions()}


def test_the_answer_says_when_and_how_the_call_ended():
    started, ended = dt.datetime(2026, 12, 1, 2, 0, 0), dt.datetime(2026, 12, 1, 2, 7, 30)
    lines = [Line(CALLER, "没有了"), Line(BOT, "请告知客户：感谢您的来电，再见。", "utter_goodbye")]
    view = CallView("p-1", "agent", {}, lines)
    record = {"started_at": started, "ended_at": ended, "disposition": "resolved", "note_at": None}
    answer = panel_state.answer(view, None, record, "agent1")
    assert (answer["started_at"], answer["ended_at"]) == ("2026-12-01T10:00:00+08:00", "2026-12-01T10:07:30+08:00")
    assert answer["ended_by"] == "goodbye" and answer["ended_by_label"] == "客户道别，已自动结束"
    assert answer["disposition_automatic"] is True
    confirmed = panel_state.answer(CallView("p-1", "agent", {}, []), None, {**record, "note_at": ended}, "agent1")
    assert confirmed["ended_by"] == "agent" and confirmed["disposition_automatic"] is False
    open_call = panel_state.answer(view, None, {"started_at": started, "ended_at": None}, "agent1")
    assert open_call["ended_by"] is None and open_call["ended_at"] is None and open_call["server_time"]


def test_quick_replies_say_which_one_hands_the_call_to_a_human():
    replies = panel_state.quick_replies({"requested_slot": "purpose"})
    assert [q["label"] for q in replies if q["handoff"]] == ["要求转人工"]


# ---- today's calls ---------------------------------------------------------------------
def test_today_starts_at_midnight_china_time():
    assert panel_state.day_start(dt.datetime(2026, 12, 1, 15, 59)) == dt.datetime(2026, 11, 30, 16, 0)
    assert panel_state.day_start(dt.datetime(2026, 12, 1, 16, 0)) == dt.datetime(2026, 12, 1, 16, 0)


def test_the_call_list_is_labelled_for_the_agent():
    at = dt.datetime(2026, 12, 1, 2, 0)
    listed = panel_state.call_list(
        [
            {"call_id": "p-2", "started_at": at, "ended_at": None, "caller_role": "third_party", "level": "level2"},
            {
                "call_id": "p-1",
                "started_at": at,
                "ended_at": at,
                "caller_role": None,
                "level": None,
                "disposition": "resolved",
                "note_at": None,
            },
        ]
    )
    assert listed["open"] == 1
    first, second = listed["calls"]
    assert (first["call_id"], first["ended"], first["caller_role_label"], first["level_label"]) == (
        "p-2",
        False,
        "第三方机构",
        "二级异常维权",
    )
    assert first["level_colour"] == "orange" and first["started_at"] == "2026-12-01T10:00:00+08:00"
    assert (second["caller_role"], second["level"], second["disposition_label"]) == ("unknown", "none", "已办结")
    assert second["disposition_automatic"] is True


# ---- the end-call body --------------------------------------------------------------------
CODES = ["resolved", "callback"]


def test_a_call_ends_only_with_a_disposition():
    with pytest.raises(PayloadError) as refused:
        parse_agent_end(b"", CODES)
    assert refused.value.code == "disposition_required"
    assert refused.value.message == "结束通话前请先选择通话结果（disposition），可同时填写备注。"
    for body in (b"{}", b'{"disposition": ""}', b'{"note": "only a note"}'):
        with pytest.raises(PayloadError):
            parse_agent_end(body, CODES)
    end = parse_agent_end(json.dumps({"disposition": "callback", "note": " 回拨 "}).encode(), CODES)
    assert (end.disposition, end.note) == ("callback", "回拨")
    with pytest.raises(PayloadError) as bad:
        parse_agent_end(b'{"disposition": "won"}', CODES)
    assert bad.value.code == "bad_field"


def test_a_disposition_saved_before_is_enough_to_end_and_the_note_stays():
    end = parse_agent_end(None, CODES, saved="resolved", saved_note="已说明")
    assert (end.disposition, end.note) == ("resolved", "已说明")
    body = json.dumps({"disposition": "callback", "note": "改"}).encode()
    changed = parse_agent_end(body, CODES, saved="resolved", saved_note="x")
    assert (changed.disposition, changed.note) == ("callback", "改")
