"""What the agent panel shows, derived from slots: checklist, risk, quick replies, lines, summary."""

import pytest

from bot.core.call_view import BOT, CALLER, CallView, Line
from bot.core.risk.model import LEVELS, SIGNAL_CODES
from bot.presentation import panel_state

STEPS = ["recording_notice", "identity", "purpose", "materials", "risk_check", "next_step"]
WRAPPED = {
    "caller_role": "borrower",
    "identity_verified": True,
    "purpose": "repayment_plan",
    "materials_requested": ["id_card", "unemployment_proof"],
    "wrapped_key": "k",
    "proxy_risk_level": "none",
    "next_step": "handled",
}


def statuses(slots, said=("utter_opening",)):
    return [item["status"] for item in panel_state.checklist(slots, said)]


def test_the_checklist_has_the_six_steps_in_script_order():
    items = panel_state.checklist({}, set())
    assert [i["key"] for i in items] == STEPS
    assert [i["label"] for i in items] == ["录音告知", "身份确认", "来电目的", "材料告知", "风险核查", "后续安排"]
    assert [i["status"] for i in items] == ["current"] + ["todo"] * 5


def test_the_checklist_ticks_as_the_call_goes_on():
    assert statuses({}) == ["done", "current", "todo", "todo", "todo", "todo"]
    assert statuses({"caller_role": "borrower"}) == ["done", "current", "todo", "todo", "todo", "todo"]
    verified = {"caller_role": "borrower", "identity_verified": True}
    assert statuses(verified) == ["done", "done", "current", "todo", "todo", "todo"]
    assert statuses({**verified, "purpose": "repayment_plan"}) == ["done"] * 3 + ["current", "todo", "todo"]
    items = panel_state.checklist(WRAPPED, {"utter_opening"})
    assert panel_state.checklist_complete(items)
    assert [i["detail"] for i in items][1:] == [
        "借款人本人，已核实",
        "协商还款",
        "身份证明、失业证明（失业登记证明或解除劳动合同证明）",
        "无",
        "已处理，按所述材料办理",
    ]


def test_a_third_party_is_done_with_identity_once_the_borrower_is_named():
    slots = {"caller_role": "third_party", "customer_name": "张伟", "purpose": "repayment_plan"}
    items = panel_state.checklist(slots, {"utter_opening"})
    assert items[1]["status"] == "done" and "第三方机构" in items[1]["detail"]
    assert items[3]["status"] == "current"


def test_failed_identity_is_marked_failed_and_the_script_moves_on():
    slots = {"caller_role": "borrower", "identity_attempts": 3}
    assert statuses(slots)[:3] == ["done", "failed", "current"]


def test_a_handoff_skips_what_is_left_but_names_the_next_step():
    slots = {"caller_role": "borrower", "handoff": True, "next_step": "human_review"}
    assert statuses(slots) == ["done", "skipped", "skipped", "skipped", "skipped", "done"]


def test_a_risk_level_is_checked_only_once_the_call_is_wrapped_up():
    slots = {**WRAPPED, "proxy_risk_level": "level2"}
    assert panel_state.checklist(slots, {"utter_opening"})[4]["detail"] == "二级异常维权"
    assert statuses({k: v for k, v in slots.items() if k != "wrapped_key"})[4] == "todo"


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_has_a_colour_a_label_and_what_it_requires(level):
    risk = panel_state.risk_view({"proxy_risk_level": level, "proxy_risk_score": 0.456})
    assert risk["level"] == level and risk["score"] == 0.456
    assert risk["colour"] in ("green", "amber", "orange", "red")
    assert risk["label"] and risk["requirement"]


def test_levels_have_distinct_colours():
    assert len({panel_state.risk_view({"proxy_risk_level": l})["colour"] for l in LEVELS}) == len(LEVELS)


def test_signals_carry_their_chinese_label_and_readable_evidence():
    signals = [
        {"code": "gray_phrase", "evidence": "停息挂账", "weight": 0.3},
        {"code": "unauthorized_third_party", "evidence": "caller_role=third_party authorisation_shown=false"},
    ]
    risk = panel_state.risk_view({"proxy_risk_level": "level2", "proxy_signals": signals})
    assert [(s["label"], s["evidence"]) for s in risk["signals"]] == [
        ("灰产用语", "停息挂账"),
        ("第三方无授权代办", ""),
    ]


def test_every_signal_code_has_a_chinese_label():
    labels = panel_state.catalogue()["signals"]
    assert set(SIGNAL_CODES) <= set(labels)


def test_quick_replies_follow_the_question_now_standing():
    labels = lambda slots: [q["label"] for q in panel_state.quick_replies(slots)]  # noqa: E731
    assert labels({"requested_slot": "caller_role"}) == [
        "借款人本人",
        "亲属/朋友",
        "授权代理人",
        "代表机构",
        "要求转人工",
    ]
    assert "协商还款" in labels({"requested_slot": "purpose"})
    assert labels({"wrapped_key": "k"}) == ["没有了", "还有别的事", "要求转人工"]
    assert labels({"handoff": True, "requested_slot": "purpose"}) == []
    partial = panel_state.quick_replies({"requested_slot": "identity_code"})[0]
    assert partial["complete"] is False and partial["text"] == "身份证后四位"


@pytest.mark.parametrize(
    "text, instruction, words",
    [
        ("请告知客户：您好，本通话将被录音。", "请告知客户", "您好，本通话将被录音。"),
        ("请询问客户：请问您是借款人本人吗？", "请询问客户", "请问您是借款人本人吗？"),
        ("请向客户说明: 这是为了核实身份。", "请向客户说明", "这是为了核实身份。"),
        ("请问您今天来电想办理什么事情？", "", "请问您今天来电想办理什么事情？"),
        ("请稍候：系统繁忙", "", "请稍候：系统繁忙"),
    ],
)
def test_a_line_splits_into_the_instruction_and_the_words_to_say(text, instruction, words):
    assert panel_state.split_line(text) == {"instruction": instruction, "words": words}


def test_summary_rows_are_labelled_in_chinese():
    from bot.core.summary import build_summary

    rows = panel_state.summary_rows(build_summary("p-1", "agent", WRAPPED))
    values = {r["label"]: r["value"] for r in rows}
    assert values["来电身份"] == "借款人本人" and values["身份核实"] == "是"
    assert values["所需材料"].startswith("身份证明、") and values["后续安排"] == "已处理，按所述材料办理"
    pending = {r["key"]: r["value"] for r in panel_state.summary_rows(build_summary("p-2", "agent", {}))}
    assert pending["next_step"] == "待定" and pending["materials_requested"] == "无"


def test_the_whole_answer():
    lines = [
        Line(BOT, "请告知客户：您好。", "utter_opening"),
        Line(CALLER, "我是本人"),
        Line(BOT, "请询问客户：请告诉我您的姓名。", "utter_ask_customer_name"),
    ]
    view = CallView("p-1", "agent", {"caller_role": "borrower", "requested_slot": "customer_name"}, lines)
    answer = panel_state.answer(view, None, {"agent_id": "agent1", "ended_at": None, "note": ""}, "agent1")
    assert answer["lines"] == [
        {"text": "请询问客户：请告诉我您的姓名。", "instruction": "请询问客户", "words": "请告诉我您的姓名。"}
    ]
    assert answer["transcript"][1] == {"speaker": "caller", "text": "我是本人"}
    assert answer["summary"]["channel"] == "agent" and answer["ended"] is False
    assert answer["checklist"][0]["status"] == "done" and not answer["checklist_complete"]
    assert {d["code"] for d in answer["dispositions"]} >= {"resolved", "callback", "other"}
    ended = panel_state.answer(view, None, {"ended_at": "2026-01-01", "disposition": "resolved", "note": "好"})
    assert ended["ended"] and ended["quick_replies"] == [] and ended["lines"] == []
    assert ended["note"] == {"disposition": "resolved", "note": "好"}
