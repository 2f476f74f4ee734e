"""The must-say matcher (bot/core/adherence.py): paraphrases and ASR homophones count, half a
line, a wrong reference number or a missing deadline do not."""

import datetime as dt

import pytest

from bot.core import adherence
from bot.core.adherence import Context, Reference, evaluate, heard_in_segments, heard_items, required_items

REF = Reference("TS202612010001", 15, dt.date(2026, 12, 16))
PROXY_MATERIALS = ("power_of_attorney", "agent_id", "borrower_confirmation")
CTX = Context(PROXY_MATERIALS, (REF,))


def said(text, context=CTX):
    return heard_items(text, context)


# ---- recording notice -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "您好，这里是客户服务中心，很高兴为您服务。为保障双方权益，本通话将被录音。",  # the script's line
        "跟您说一下，咱们这个电话是全程录音的",  # paraphrase
        "为了保障双方权益，本次通话会被录音",
        "本通话将被路音",  # ASR homophone 路音 = 录音
        "本同话将被录音",  # 同话 = 通话
        "我们的通话正在录音",
    ],
)
def test_the_recording_notice_is_heard_however_it_is_put(text):
    assert "recording_notice" in said(text)


@pytest.mark.parametrize(
    "text",
    [
        "本通话",  # half the line
        "为保障双方权益，本通话",
        "请提供录音、截图、通话记录等证据",  # 录音 and 通话 as evidence, not the notice
        "我们会被记住的",
        "您好，这里是客户服务中心",
    ],
)
def test_half_a_recording_notice_is_not_the_notice(text):
    assert "recording_notice" not in said(text)


# ---- direct route ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "借款人直接找我们协商是免费的，不需要任何中介；收费代理要身份证、银行卡或手机卡的，请不要给。",
        "您让借款人直接和我们联系就行，不收费的，身份证和手机卡千万不要交给别人",
        "直接找我们协商是免费的，不要把证件和手机卡交给中介。",  # the IVR's short line
        "直接协商是免费的，那些要银行卡的代理有风险",
    ],
)
def test_the_direct_route_warning_in_its_variants(text):
    assert "direct_route" in said(text)


@pytest.mark.parametrize(
    "text",
    [
        "借款人直接找我们协商是免费的",  # free, but no word on the cards
        "不要把身份证和手机卡给别人",  # the cards, but not the free direct route
        "直接找我们，身份证不要给别人",  # nothing about it being free
    ],
)
def test_the_direct_route_half_said_does_not_count(text):
    assert "direct_route" not in said(text)


# ---- complaint reference and deadline --------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "您的投诉已登记，编号 TS202612010001，我们会在 15 天内（2026年12月16日前）答复。",
        "投诉编号是T S 二零二六 一二零一 零零零一，十五天内给您答复",  # Chinese numerals in groups
        "您的编号 2026 1201 0001，我们十二月十六号之前回复您",  # the due date instead of the days
        "工单号幺洞……不对，编号是二〇二六一二〇一〇〇〇一，15个工作日内答复",
    ],
)
def test_the_reference_read_out_with_its_deadline(text):
    assert "complaint_reference" in said(text)


@pytest.mark.parametrize(
    "text",
    [
        "您的投诉已登记，编号 TS202612010002，15天内答复",  # one digit wrong
        "您的投诉已登记，编号 TS20261201000，15天内答复",  # a digit short
        "编号 TS2026120100011，15天内答复",  # a digit too many
        "编号尾号0001，15天内答复",  # only the last digits
        "您的投诉已登记，编号 TS202612010001",  # no deadline
        "编号 TS202612010001，20天内答复",  # the wrong deadline
        "我们会在15天内答复您",  # no number at all
    ],
)
def test_a_wrong_or_partial_reference_does_not_count(text):
    assert "complaint_reference" not in said(text)


def test_every_reference_must_be_read():
    two = Context((), (REF, Reference("FZ202612010002", 15)))
    assert "complaint_reference" not in said("编号TS202612010001，15天内答复", two)
    assert "complaint_reference" in said("编号TS202612010001和FZ202612010002，都在15天内答复", two)


# ---- materials -----------------------------------------------------------------------------
def test_the_materials_must_all_be_named():
    full = "请准备借款人签名的授权委托书原件、代理人身份证，我们还会联系借款人本人确认"
    assert "materials" in said(full)
    assert "materials" not in said("请准备借款人签名的授权委托书原件")  # one of three
    assert "materials" not in said(full, Context())  # nothing was asked for: nothing to tick
    borrower = Context(("id_card", "income_proof", "unemployment_proof"))
    assert "materials" in said("麻烦您准备身份证、工资流水和失业证明", borrower)
    assert "materials" not in said("麻烦您准备身份证和工资流水", borrower)


# ---- risk lines --------------------------------------------------------------------------------
def test_the_level2_line_and_its_half():
    line = (
        "在与借款人本人直接核实之前，我们不会就这次提出的诉求作出处理，投诉照常登记。我们会回拨借款人预留的手机核实。"
    )
    assert "level2_line" in said(line)
    assert "level2_line" in said("等我们和借款人本人确认以后再办，我们会打借款人预留的电话")
    assert "level2_line" not in said("我们会回拨借款人预留的手机")  # the callback without the hold
    assert "level2_line" not in said("在与借款人本人直接核实之前，我们不会作出处理")  # the hold without the callback


def test_the_level1_line_either_way():
    assert "level1_line" in said("您的诉求我们已经记录。在与借款人本人直接核实之前，我们不会作出任何处理。")
    assert "level1_line" in said("如需调查协查，请通过正式渠道向我司发送协查函，电话里我们不提供任何客户信息。")
    assert "level1_line" not in said("您的诉求我们已经记录")
    assert "level1_line" not in said("请通过正式渠道联系我们")


# ---- segments and the call ------------------------------------------------------------------------
def test_a_line_cut_in_two_segments_still_counts_but_two_halves_far_apart_do_not():
    assert "recording_notice" in heard_in_segments(["为保障双方权益，本通话", "将被录音"], CTX)
    assert "recording_notice" not in heard_in_segments(["本通话", "请问您是哪位", "将被录音"], CTX)


def test_what_a_call_requires():
    assert required_items({}) == ["recording_notice"]
    proxy = {
        "caller_role": "third_party",
        "materials_requested": list(PROXY_MATERIALS),
        "proxy_risk_level": "level2",
        "matters": [{"purpose": "collection_complaint", "reference": "TS202612010001"}],
    }
    assert required_items(proxy) == [
        "recording_notice",
        "materials",
        "direct_route",
        "complaint_reference",
        "level2_line",
    ]
    assert "level1_line" in required_items({**proxy, "proxy_risk_level": "level1"})
    assert "level2_line" not in required_items({**proxy, "proxy_risk_level": "level1"})
    borrower = {"caller_role": "borrower", "matters": [{"purpose": "repayment_plan", "reference": None}]}
    assert required_items(borrower) == ["recording_notice"]


def test_states_score_and_the_summary_field():
    slots = {"caller_role": "family", "materials_requested": ["borrower_confirmation"]}
    result = evaluate(slots, ["utter_opening", "utter_materials"], heard=["recording_notice"], manual=["materials"])
    assert result.required == ("recording_notice", "materials", "direct_route")
    assert [result.state(i) for i in adherence.ITEMS] == [
        "said",
        "manual",
        "pending",
        "not_needed",
        "not_needed",
        "not_needed",
    ]
    assert result.unsaid == ["direct_route"]
    assert result.summary() == {"required": ["recording_notice", "materials", "direct_route"],
                                "said": ["recording_notice", "materials"], "score": 0.67}  # fmt: skip
    typed_only = evaluate(slots, ["utter_opening", "utter_materials", "utter_next_handled_other"])
    assert [typed_only.state(i) for i in typed_only.required] == ["suggested", "suggested", "suggested"]
    assert typed_only.summary()["score"] == 0.0
