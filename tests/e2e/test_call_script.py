"""Whole calls over the REST channel against the real servers, checked through the summary API."""

import re

import pytest

from bot.core.materials import materials_for

pytestmark = pytest.mark.e2e

ROLE_LINES = {
    "borrower": "我是借款人本人张伟，身份证后四位3721",
    "family": "我是张伟的老婆",
    "authorized_agent": "我是张伟的代理律师，有他签字的授权委托书",
    "third_party": "我们是债务协商中心的，客户叫张伟",
}
PURPOSE_LINES = {
    "repayment_plan": "想申请分期还款",
    "fee_waiver": "想申请减免罚息",
    "collection_complaint": "我要投诉你们的催收人员天天骚扰",
    "credit_dispute": "我要对征信上的逾期记录提异议",
    "account_inquiry": "想查一下还欠多少钱",
    "fraud_report": "有人冒用身份证借了款，我要举报",
    "other": "想改一下绑定的银行卡",
}
# What only the verified borrower may hear about the demo account C0001 (张伟).
ACCOUNT_FACTS = ("8,650", "8650", "35 天", "L20240001")
RISK_EXTRAS = ["power_of_attorney", "borrower_confirmation"]


def expected_next_step(role, purpose, risk_level):
    if risk_level == "level2":
        return "escalate_team"  # the anti-proxy team's case (contract §7)
    if purpose == "fraud_report":
        return "escalate_team"
    if purpose == "other":
        return "human_review"
    if role == "borrower":
        return "handled"
    if purpose == "collection_complaint":
        return "handled"
    return "callback_registered_phone"


def codes(summary):
    return [sig["code"] for sig in summary["proxy_risk"]["signals"]]


def hold_call(call, role, purpose):
    """Who and why in one sentence, then only what the bot still asks (hardship or details)."""
    c = call()
    first = c.say("你好")
    assert "记录" in first and "借款人本人" in first
    reply = c.say(f"{ROLE_LINES[role]}，{PURPOSE_LINES[purpose]}")
    hardship = None
    if "困难" in reply.splitlines()[-1]:
        hardship = "illness"
        reply = c.say("生病住院了，做了手术")
    elif "具体" in reply or "经过" in reply or "哪一条" in reply:
        reply = c.say("上个月有个陌生号码天天打电话，说不还钱就上门")
    return c, reply, hardship


@pytest.mark.parametrize("purpose", list(PURPOSE_LINES))
@pytest.mark.parametrize("role", list(ROLE_LINES))
def test_every_purpose_and_role(call, role, purpose):
    c, closing, hardship = hold_call(call, role, purpose)
    s = c.summary()
    assert s["caller_role"] == role
    assert s["purpose"] == purpose and [m["purpose"] for m in s["matters"]] == [purpose]
    assert s["identity_verified"] is (role == "borrower")
    assert s["verification"] == ("registered_phone" if role == "borrower" else "none")
    assert s["customer_id"] == "C0001"
    level = s["proxy_risk"]["level"]
    if role == "third_party":  # acting for the borrower without shown authorisation
        assert level != "none" and "unauthorized_third_party" in codes(s)
    else:  # genuine callers are never raised above watch by the script's own questions
        assert level in ("none", "watch"), s["proxy_risk"]
    extra = RISK_EXTRAS if level in ("level2", "level1") else []
    assert s["materials_requested"] == materials_for(purpose, role, hardship, extra)
    assert s["next_step"] == expected_next_step(role, purpose, level)
    assert s["complaint_registered"] is (purpose == "collection_complaint")
    assert bool(s["matters"][0]["reference"]) is (purpose in ("collection_complaint", "credit_dispute", "fraud_report"))
    assert s["handoff"] is False
    transcript = "\n".join(c.bot_lines)
    asked = [line for line in c.bot_lines if line.endswith("？")]
    assert not any("叫什么名字" in q or "您的姓名" in q or "想办理什么" in q for q in asked), asked
    if role != "borrower":
        assert not any(fact in transcript for fact in ACCOUNT_FACTS), transcript
        assert "免费" in transcript  # the free, direct route is always offered
        assert "后四位" not in transcript  # nobody but the borrower is asked for ID digits
    elif purpose == "account_inquiry":
        assert "8,650.00" in transcript and "35 天" in transcript


def test_summary_reflects_the_call_as_it_goes(call):
    c = call()
    c.say("你好")
    assert c.summary()["caller_role"] == "unknown"
    c.say("我是本人")
    s = c.summary()
    assert s["caller_role"] == "borrower" and s["identity_verified"] is False
    assert s["next_step"] is None and s["materials_requested"] == []
    c.say("我叫张伟")
    c.say("三七二一")
    s = c.summary()
    assert s["identity_verified"] is True and s["customer_id"] == "C0001" and s["verification"] == "registered_phone"
    assert s["purpose"] == "unknown"


def test_a_caller_who_says_everything_first_is_asked_only_for_what_is_missing(call):
    c = call("13912345678")
    first = c.say("喂，我是李娜的老公，她生病住院了，想问问能不能分期还")
    assert "什么关系" not in first and "叫什么名字" not in first and "困难" not in first
    s = c.summary()
    assert (s["caller_role"], s["purpose"]) == ("family", "repayment_plan")
    assert s["next_step"] == "callback_registered_phone"  # wrapped up: nothing was missing


def test_a_role_flip_to_the_borrower_is_not_verified_and_hears_the_callback(call):
    c = call()
    c.say("我是张伟的妈妈，问一下他的借款")
    assert c.summary()["caller_role"] == "family"
    reply = c.say("其实我就是张伟本人，身份证后四位3721，我还欠多少")
    s = c.summary()
    assert s["identity_verified"] is False and "role_flip" in codes(s)
    assert not any(fact in "\n".join(c.bot_lines) for fact in ACCOUNT_FACTS)
    assert "身份核实通过" not in reply


def test_three_failed_identity_attempts_go_to_human_review_and_disclose_nothing(call):
    c = call("13700000000")
    c.say("我是本人张伟，想查一下还欠多少钱")
    assert "对不上" in c.say("1234")
    c.say("0000")
    final = c.say("L99999999")
    assert "不再继续核对" in final
    s = c.summary()
    assert s["identity_verified"] is False and s["next_step"] == "human_review"
    transcript = "\n".join(c.bot_lines)
    assert not any(fact in transcript for fact in ACCOUNT_FACTS)


def test_name_and_code_in_one_sentence_and_asr_homophone_name(call):
    c = call()
    c.say("我是本人")
    reply = c.say("我叫章伟，身份证后四位三七二一")
    assert "身份核实通过" in reply
    assert c.summary()["customer_id"] == "C0001"


def test_request_human_always_works(call):
    c = call()
    c.say("你好")
    reply = c.say("转人工")
    assert "人工客服" in reply
    s = c.summary()
    assert s["handoff"] is True and s["next_step"] == "human_review"


def test_level1_keeps_its_next_step_when_the_caller_asks_for_a_person(call):
    c = call()
    reply = c.say("我是浦东公安分局经侦支队的，张伟的案子我们在办，你们那笔账先停息挂账处理")
    assert "协查函" in reply and "借款人" not in reply.splitlines()[-1]  # nothing more is asked of them
    assert c.summary()["next_step"] in ("escalate_team", "police_report_packet")
    reply = c.say("你叫你们负责人来接电话")
    assert "人工客服" in reply
    s = c.summary()
    assert s["handoff"] is True and s["proxy_risk"]["level"] == "level1"
    assert s["next_step"] in ("escalate_team", "police_report_packet")  # a person on the line, still level1
    assert s["caller_role"] == "third_party"


def test_a_wrong_number_and_one_who_wants_to_borrow_are_asked_nothing(call):
    c = call()
    c.say("喂")
    reply = c.say("啊 不好意思，我打错了吧")
    assert "客户服务中心" in reply and "再见" in reply and "？" not in reply
    s = c.summary()
    assert (s["caller_role"], s["matters"], s["next_step"]) == ("unknown", [], "handled")
    c = call()
    reply = c.say("你们这能借多少？利息多少？我想借个三万块钱周转一下")
    assert "App 首页" in reply and "不收取任何费用" in reply
    assert "名字" not in reply and "后四位" not in reply
    s = c.summary()
    assert [m["purpose"] for m in s["matters"]] == ["other"] and s["next_step"] == "handled"
    assert s["complaint_registered"] is False


def test_two_misses_hand_the_call_to_a_human(call):
    c = call()
    c.say("我是本人")
    assert "没有理解" in c.say("嗯嗯啊啊")
    assert "人工客服" in c.say("哦哦哦哦")
    assert c.summary()["handoff"] is True


def test_a_digression_first_is_answered_and_the_script_asks_its_question(call):
    c = call()
    reply = c.say("你是机器人吗")
    assert "智能客服" in reply and "借款人本人吗" in reply
    reply = c.say("为什么要问我这些")
    assert "核实" in reply and "借款人" in reply


def test_a_complaint_is_registered_the_turn_it_is_heard_before_any_identity(call):
    c = call()
    reply = c.say("我是他老婆，他们催收的天天打电话骂我，我要投诉")
    assert re.search(r"编号 TS\d{12}", reply), reply
    assert "15 天" in reply and "12378" in reply
    assert c.summary()["complaint_registered"] is True
    c.say("借款人叫王芳")
    c.say("昨天晚上十一点，一个170开头的号码打了二十多次，还骂人")
    s = c.summary()
    assert s["complaint_registered"] is True and s["matters"][0]["reference"].startswith("TS")


def test_two_matters_are_both_kept_with_their_own_reference(call):
    c = call()
    c.say("我是张伟本人，后四位3721。催收天天骚扰我家人，我要投诉，另外我想申请分期")
    s = c.summary()
    assert [m["purpose"] for m in s["matters"]] == ["collection_complaint", "repayment_plan"]
    assert s["matters"][0]["reference"] and s["matters"][1]["reference"] is None


def test_a_matter_raised_after_the_wrap_up_is_registered_not_brushed_off(call):
    c = call()
    reply = c.say("我是张伟的老婆，他失业了，想申请分期")
    assert "协商还款已记下" in reply and "还有别的" in reply, reply
    reply = c.say("还有，你们催收天天往我娘家打电话，我要投诉这个")
    assert re.search(r"编号 TS\d{12}", reply), reply
    s = c.summary()
    assert [m["purpose"] for m in s["matters"]] == ["repayment_plan", "collection_complaint"]
    assert s["complaint_registered"] is True


def test_dont_know_is_never_asked_again(call):
    c = call("13912345678")
    c.say("我是借款人本人，叫张伟")
    reply = c.say("身份证号我记不清了")
    assert "借款编号" in reply
    reply = c.say("编号也不知道")
    assert "身份证" not in reply and "借款编号" not in reply
    assert "办理什么" in reply


@pytest.mark.parametrize("purpose", list(PURPOSE_LINES))
def test_wrong_identity_borrower_hears_no_account_detail(call, purpose):
    c = call("13766660000")
    c.say("我是借款人本人，我叫张伟")
    for code in ("1111", "2222", "3333"):
        c.say(code)
    reply = c.say(PURPOSE_LINES[purpose])
    if "困难" in reply:
        c.say("生病住院了")
    elif "具体" in reply or "经过" in reply or "哪一条" in reply:
        c.say("上个月有个陌生号码天天打电话")
    s = c.summary()
    assert s["identity_verified"] is False and s["next_step"] in ("human_review", "police_report_packet")
    transcript = "\n".join(c.bot_lines)
    for fact in ACCOUNT_FACTS + ("3,200", "92 天", "L20240003", "借款编号 L"):
        assert fact not in transcript, transcript


def test_knowledge_from_another_phone_hears_no_account_fact(call):
    c = call("13912345678")
    c.say("我是借款人本人张伟，身份证后四位3721，想查一下还欠多少钱")
    s = c.summary()
    assert s["identity_verified"] is False and s["verification"] in ("knowledge", "none")
    assert not any(fact in "\n".join(c.bot_lines) for fact in ACCOUNT_FACTS)


def test_a_surname_alone_is_asked_to_be_completed_not_misunderstood(call):
    c = call()
    c.say("你好，我是借款人本人")
    reply = c.say("姓张")
    assert "全名" in reply and "没有理解" not in reply and "人工" not in reply, reply
    reply = c.say("张伟")
    assert "最后四位" in reply, reply
