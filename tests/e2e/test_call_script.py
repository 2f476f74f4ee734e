"""Whole calls over the REST channel against the real servers, checked through the summary API."""

import re

import pytest

from bot.core.materials import materials_for

pytestmark = pytest.mark.e2e

ROLE_LINES = {
    "borrower": "我是借款人本人",
    "family": "我是他老婆",
    "authorized_agent": "我是他的代理律师，有授权委托书",
    "third_party": "我们是债务协商中心的",
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
        return "callback_registered_phone"
    if purpose == "fraud_report":
        return "escalate_team"
    if purpose == "other":
        return "human_review"
    if role == "borrower":
        return "handled"
    if role == "family" and purpose == "collection_complaint":
        return "handled"
    return "callback_registered_phone"


def codes(summary):
    return [sig["code"] for sig in summary["proxy_risk"]["signals"]]


def hold_call(call, role, purpose):
    """Greeting, role, borrower name and ID digits, purpose, then hardship or details if asked."""
    c = call()
    first = c.say("你好")
    assert "本通话将被录音" in first and "借款人本人" in first
    c.say(ROLE_LINES[role])
    c.say("张伟" if role == "borrower" else "借款人叫张伟")
    verified = c.say("后四位3721")
    if role == "borrower":
        assert "身份核实通过" in verified
    else:
        assert "已记录" in verified and "核实通过" not in verified
    reply = c.say(PURPOSE_LINES[purpose])
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
    assert s["purpose"] == purpose
    assert s["identity_verified"] is (role == "borrower")
    assert s["customer_id"] == "C0001"
    level = s["proxy_risk"]["level"]
    if role == "third_party":  # acting for the borrower without shown authorisation
        assert level != "none" and "unauthorized_third_party" in codes(s)
    else:  # genuine callers are never raised above watch by the script's own questions
        assert level in ("none", "watch"), s["proxy_risk"]
    extra = RISK_EXTRAS if level in ("level2", "level1") else []
    assert s["materials_requested"] == materials_for(purpose, role, hardship, extra)
    assert s["next_step"] == expected_next_step(role, purpose, level)
    assert s["complaint_registered"] is (purpose in ("collection_complaint", "fraud_report"))
    assert s["handoff"] is False
    assert "小结" in closing
    transcript = "\n".join(c.bot_lines)
    if role != "borrower":
        assert not any(fact in transcript for fact in ACCOUNT_FACTS), transcript
        assert "完全免费" in transcript  # the free, direct route is always offered
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
    assert s["identity_verified"] is True and s["customer_id"] == "C0001"
    assert s["purpose"] == "unknown"


def test_caller_who_says_who_and_why_first_is_not_asked_again(call):
    c = call("13912345678")
    first = c.say("喂，我是他老婆，想问问能不能分期还")
    assert "借款人姓名" in first  # straight to whom they call about
    assert "什么关系" not in first
    c.say("李娜")
    after_code = c.say("身份证后四位108X")
    assert "想办理什么事情" not in after_code
    assert "困难" in after_code
    s = c.summary()
    assert (s["caller_role"], s["purpose"]) == ("family", "repayment_plan")


def test_role_correction_updates_the_role_and_asks_the_borrower_check(call):
    c = call()
    c.say("我是他妈妈")
    assert c.summary()["caller_role"] == "family"
    reply = c.say("不对，我就是借款人本人")
    assert c.summary()["caller_role"] == "borrower"
    assert "为核实您的身份" in reply


def test_three_failed_identity_attempts_go_to_human_review_and_disclose_nothing(call):
    c = call("13700000000")
    c.say("我是本人，想查一下还欠多少钱")
    for code in ("1234", "0000"):
        c.say("张伟")
        assert "不一致" in c.say(code)
    c.say("张伟")
    final = c.say("9999")
    assert "不再继续核对" in final
    s = c.summary()
    assert s["identity_verified"] is False and s["next_step"] == "human_review"
    transcript = "\n".join(c.bot_lines)
    assert not any(fact in transcript for fact in ACCOUNT_FACTS)
    assert "为核实您的身份" not in c.say("我叫张伟，后四位3721")  # no further attempt


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
    assert "转接人工" in reply
    s = c.summary()
    assert s["handoff"] is True and s["next_step"] == "human_review"


def test_two_misses_hand_the_call_to_a_human(call):
    c = call()
    c.say("我是本人")
    assert "没有听明白" in c.say("嗯嗯啊啊")
    assert "转接人工" in c.say("哦哦哦哦")
    assert c.summary()["handoff"] is True


def test_chitchat_is_answered_and_the_script_resumes(call):
    c = call()
    c.say("你好")
    reply = c.say("你是机器人吗")
    assert "智能客服" in reply and "借款人本人吗" in reply
    reply = c.say("为什么要问我这些")
    assert "核实" in reply and "借款人本人吗" in reply


def test_complaint_is_registered_with_reference_time_limit_and_regulator(call):
    c = call()
    c.say("我是他老婆，他们催收的天天打电话骂我，我要投诉")
    c.say("借款人叫王芳")
    c.say("后四位0521")
    reply = c.say("昨天晚上十一点，一个170开头的号码打了二十多次，还骂人")
    assert re.search(r"编号 TS\d{12}", reply), reply
    assert "15 天" in reply and "12378" in reply
    s = c.summary()
    assert s["complaint_registered"] is True and s["customer_id"] == "C0002"


@pytest.mark.parametrize("purpose", list(PURPOSE_LINES))
def test_wrong_identity_borrower_hears_no_account_detail(call, purpose):
    c = call("13766660000")
    c.say("我是借款人本人")
    for name, code in (("张伟", "1111"), ("张伟", "2222"), ("李娜", "3721")):
        c.say(name)
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
        assert fact not in transcript, (fact, transcript)
