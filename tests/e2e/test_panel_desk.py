"""The agent panel's call lifecycle and customer card through the real servers: today's calls,
ending needs a disposition, a goodbye closes the call, the account only after registered phone or SMS code."""

import json
import re

import pytest

from tests.e2e.conftest import AGENT_TOKENS
from tests.e2e.test_channels import A1, A2, end_call, http, new_id

pytestmark = pytest.mark.e2e

# the demo customer C0001 张伟: registered phone 13800000001, loan L20240001, 8650.00 outstanding, 35 days
ZHANG_FACTS = ("L20240001", "8650", "8,650", "35 天", '"overdue_days"', '"outstanding"', '"loan_id"')


def turn(stack, call_id, text, number=None, token=A1, expect=200):
    body = {"call_id": call_id, "text": text}
    if number:
        body["caller_number"] = number
    status, _, answer = http(stack, "POST", "/webhooks/agent/webhook", body, token=token)
    assert status == expect, answer
    return answer


def call(stack, number, *texts, token=A1):
    """A panel call from `number`: started, then each text as the caller's words; every answer."""
    call_id = new_id("desk")
    answers = [turn(stack, call_id, "", number, token=token)]
    answers += [turn(stack, call_id, text, token=token) for text in texts]
    return call_id, answers


def leaks(answer):
    text = json.dumps(answer, ensure_ascii=False)
    return [fact for fact in ZHANG_FACTS if fact in text]


def test_calls_list_lists_todays_calls_of_this_agent_open_ones_first(stack):
    ended_id, _ = call(stack, "13900000031", "我们是债务优化中心的，要求停息挂账")
    status, body = end_call(stack, ended_id, "callback")
    assert status == 200 and body["ended"]
    open_id, _ = call(stack, "13900000032", "我是借款人本人")
    theirs, _ = call(stack, "13900000033", token=A2)

    status, _, listed = http(stack, "GET", "/webhooks/agent/calls", token=A1)
    assert status == 200
    ids = [c["call_id"] for c in listed["calls"]]
    assert open_id in ids and ended_id in ids and theirs not in ids
    opened = [c["ended"] for c in listed["calls"]]
    assert opened == sorted(opened), "open calls come first"
    assert listed["open"] == opened.count(False)
    mine = {c["call_id"]: c for c in listed["calls"]}
    assert set(mine[open_id]) == {
        "call_id",
        "started_at",
        "ended_at",
        "ended",
        "caller_role",
        "caller_role_label",
        "level",
        "level_label",
        "level_colour",
        "disposition",
        "disposition_label",
        "disposition_automatic",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", mine[open_id]["started_at"])
    assert (mine[open_id]["caller_role"], mine[open_id]["ended"]) == ("borrower", False)
    assert mine[open_id]["caller_role_label"] == "借款人本人"
    flagged = mine[ended_id]
    assert (flagged["level"], flagged["level_label"], flagged["caller_role"]) == (
        "level2",
        "二级异常维权",
        "third_party",
    )
    assert (flagged["ended"], flagged["disposition"], flagged["disposition_label"]) == (
        True,
        "callback",
        "待回拨借款人核实",
    )
    assert http(stack, "GET", "/webhooks/agent/calls", token=None)[0] == 401


def test_a_call_is_not_ended_without_a_disposition(stack):
    call_id, _ = call(stack, "13900000034", "我是借款人本人")
    for body in (None, {}, {"note": "只写了备注"}, {"disposition": ""}):
        status, _, refused = http(stack, "POST", f"/webhooks/agent/calls/{call_id}/end", body, token=A1)
        assert status == 400 and refused["error"]["code"] == "disposition_required"
        assert refused["error"]["message"] == "结束通话前请先选择通话结果（disposition），可同时填写备注。"
    still = http(stack, "GET", f"/webhooks/agent/calls/{call_id}", token=A1)[2]
    assert still["ended"] is False and still["ended_at"] is None
    assert turn(stack, call_id, "我叫张伟")["ended"] is False  # the call goes on

    body = {"disposition": "dropped", "note": "客户信号不好，电话中断", "confirm_unsaid": True}
    status, _, ended = http(stack, "POST", f"/webhooks/agent/calls/{call_id}/end", body, token=A1)
    assert status == 200 and ended["ended"] and ended["ended_by"] == "agent"
    assert ended["note"] == {"disposition": "dropped", "note": "客户信号不好，电话中断"}
    assert ended["disposition_automatic"] is False and ended["ended_at"] >= ended["started_at"]
    assert turn(stack, call_id, "喂？", expect=409)["error"]["code"] == "call_ended"


def test_a_goodbye_closes_the_call_with_an_automatic_disposition_the_agent_confirms(stack):
    call_id, answers = call(stack, "13800000002", "我是借款人本人", "我叫王芳", "后四位0521", "我想查询账单")
    assert not answers[-1]["ended"]
    goodbye = turn(stack, call_id, "没有了")
    assert "再见" in goodbye["lines"][-1]["words"]
    assert goodbye["ended"] and goodbye["ended_by"] == "goodbye" and goodbye["quick_replies"] == []
    assert goodbye["note"]["disposition"] == "resolved" and goodbye["disposition_automatic"] is True
    assert turn(stack, call_id, "等一下", expect=409)["error"]["code"] == "call_ended"
    listed = {c["call_id"]: c for c in http(stack, "GET", "/webhooks/agent/calls", token=A1)[2]["calls"]}
    assert listed[call_id]["ended"] and listed[call_id]["disposition_automatic"]

    # the panel asks only for the disposition and the note
    body = {"disposition": "resolved", "note": "已告知账单"}
    status, _, confirmed = http(stack, "POST", f"/webhooks/agent/calls/{call_id}/note", body, token=A1)
    assert status == 200 and confirmed["disposition_automatic"] is False and confirmed["ended_by"] == "goodbye"
    assert confirmed["note"] == {"disposition": "resolved", "note": "已告知账单"}


def test_a_goodbye_straight_after_a_handoff_is_disposed_as_transferred(stack):
    call_id, _ = call(stack, "13900000035", "转人工")
    bye = turn(stack, call_id, "再见")
    assert bye["ended"] and bye["note"]["disposition"] == "transferred"


# ---- the customer card -------------------------------------------------------------------------
def test_the_card_shows_the_account_on_the_registered_phone(stack):
    _, answers = call(stack, "13800000001", "我是借款人本人", "我叫张伟", "身份证后四位3721")
    before, verified = answers[2], answers[3]
    assert before["customer_card"]["shown"] is False and not leaks(before)
    card = verified["customer_card"]
    assert card["shown"] and card["verification"] == "registered_phone" and card["phone_match"] is True
    assert (card["loan_id"], card["outstanding"], card["overdue_days"]) == ("L20240001", "8650.00", 35)
    assert {r["label"]: r["value"] for r in card["rows"]}["待还金额"] == "8,650.00 元"
    # a watch-level phrase does not hide it (the borrower is verified, the line is clean)
    watched = turn(stack, verified["call_id"], "我要停息挂账，债务优化公司说可以全额减免")
    assert watched["risk"]["level"] == "watch" and watched["customer_card"]["shown"]


def test_knowledge_alone_shows_why_not_and_the_sms_code_then_shows_the_account(stack):
    call_id, answers = call(stack, "13900000077", "我是借款人本人", "我叫张伟", "身份证后四位3721")
    card = answers[-1]["customer_card"]
    assert card["shown"] is False and card["verification"] == "knowledge"
    assert card["reason"] == "仅核对了姓名和身份证后四位，未验证预留手机，不显示账户信息。"
    assert "尾号0001" in card["advice"]
    assert [a for a in answers if leaks(a)] == []
    for path in (f"/webhooks/agent/calls/{call_id}",):
        assert not leaks(http(stack, "GET", path, token=A1)[2])

    outbox = stack.settings.data_dir / "sms_outbox.jsonl"
    sms = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    code = re.search(r"\d{6}", [s for s in sms if s["to"] == "13800000001"][-1]["text"]).group()
    verified = turn(stack, call_id, f"验证码{code}")
    assert verified["customer_card"]["shown"] and verified["customer_card"]["verification"] == "sms_code"
    assert verified["customer_card"]["phone_match"] is False


@pytest.mark.parametrize(
    "number, texts, why",
    [
        # the watch-listed line (numbers calling about many borrowers) is level2 by itself
        ("13900009999", ["我是借款人本人", "我叫张伟", "身份证后四位3721"], "blocked_level"),
        ("13800000001", ["我们是债务优化中心的，要求停息挂账", "借款人叫张伟，身份证后四位3721"], "blocked_level"),
        ("13800000001", ["我是他妈妈", "借款人叫张伟，身份证后四位3721"], "not_borrower"),
        ("13800000001", [], "no_role"),
    ],
)
def test_no_account_fact_reaches_the_panel_when_it_may_not_be_told(stack, number, texts, why):
    call_id, answers = call(stack, number, *texts)
    assert answers[-1]["customer_card"]["why"] == why
    if number == "13900009999":
        assert "watchlist_phone" in [s["code"] for s in answers[-1]["risk"]["signals"]]
    assert [a["customer_card"] for a in answers if a["customer_card"]["shown"]] == []
    assert [leaks(a) for a in answers if leaks(a)] == []
    status, _, reread = http(stack, "GET", f"/webhooks/agent/calls/{call_id}", token=AGENT_TOKENS["agent1"])
    assert status == 200 and not leaks(reread)
