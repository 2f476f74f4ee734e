"""Genuine-consumer protections: rights, complaints, victims and relatives are never treated as proxies."""

import pytest

from bot.core.risk import CallFacts, RiskContext, assess, level_rank

NOT_ABOVE_WATCH = level_rank("watch")


def call(*utterances, role="borrower", verified=True, purpose="repayment_plan", **kw):
    return CallFacts(
        caller_role=role,
        identity_verified=verified,
        purpose=purpose,
        utterances=list(utterances),
        caller_number="13800138000",
        **kw,
    )


def at_most_watch(facts, context=None):
    result = assess(facts, context or RiskContext())
    assert level_rank(result.level) <= NOT_ABOVE_WATCH, result
    assert result.next_step == "handled"
    return result


@pytest.mark.parametrize(
    "text",
    [
        "我想申请个性化分期",
        "能不能分期还款",
        "这个月能不能延期",
        "按照第七十条，我可以申请最长五年的分期吧",
        "《商业银行信用卡业务监督管理办法》第七十条规定可以个性化分期",
        "我想办个个性化分其",  # ASR error
    ],
)
def test_verified_borrower_asking_for_a_plan_is_not_flagged(text):
    result = at_most_watch(call(text))
    assert result.level == "none" and result.signals == []


def test_verified_borrower_repeating_gray_words_stays_at_watch():
    result = at_most_watch(call("抖音上说可以停息挂账、全额减免，还能征信修复、逾期铲单，是真的吗？"))
    assert result.level == "watch" and result.score < 0.5
    assert {s.code for s in result.signals} == {"gray_phrase"}


def test_verified_borrower_naming_their_own_job_is_not_impersonation():
    at_most_watch(call("我是派出所的辅警，工资低，想申请分期"))
    at_most_watch(call("我是律师，但我现在失业了"))


@pytest.mark.parametrize(
    "role, verified",
    [
        ("borrower", True),
        ("borrower", False),
        ("family", False),
        ("unknown", False),
    ],
)
@pytest.mark.parametrize(
    "text",
    [
        "你们再这样，我就打12378投诉",
        "我要去金融监管总局投诉你们",
        "我已经打过12345了，还要向人民银行反映",
        "你们要是不给减免，我就去12378投诉",
        "我要去银保监会投诉你们",
    ],
)
def test_complaining_to_the_regulator_is_a_right(role, verified, text):
    result = at_most_watch(call(text, role=role, verified=verified, purpose="collection_complaint"))
    assert result.level == "none"


def test_third_party_mentioning_the_regulator_gains_nothing_from_it():
    base = assess(call("我们是受他委托的", role="third_party", verified=False))
    threat = assess(call("我们是受他委托的", "我们会帮他向金融监管总局和12378投诉", role="third_party", verified=False))
    assert threat.level == base.level == "watch" and threat.score == base.score


@pytest.mark.parametrize(
    "texts",
    [
        ["有个公司说能帮我停息挂账，收了我三千块钱就跑了"],
        ["他们让我把身份证和手机卡都寄过去，说你们打电话由他们来接"],
        ["那个自称法务公司的人说他们成功处理众多案件，维权不成功不收费"],
        ["中介跟我说，医院证明我们有渠道，开个住院证明就能减免"],
        ["他们说要是你们不同意减免，他们就组织人去你们公司闹"],
        ["他们是专业反催收，说能帮我征信修复、逾期铲单"],
        ["有人自称是金融监管总局的，说'我们是金融监管总局的'，让我转账"],
    ],
)
@pytest.mark.parametrize("role, verified", [("borrower", True), ("borrower", False), ("family", False)])
def test_scam_victims_are_not_proxies(texts, role, verified):
    at_most_watch(call(*texts, role=role, verified=verified, purpose="fraud_report"))


def test_victim_quote_still_keeps_its_evidence():
    result = assess(call("他们说不同意减免就去你们公司闹", purpose="fraud_report"))
    assert result.level == "watch" and [s.code for s in result.signals] == ["extortion"]


def test_victim_with_objective_evidence_can_still_be_raised():
    # a fraud report from a watch-listed number is not protected by the quoting rule
    facts = call("有个公司说能帮我停息挂账", verified=False, purpose="fraud_report")
    result = assess(facts, RiskContext(watchlist_phones={"13800138000"}))
    assert result.level == "level2"


def test_relative_with_hardship_who_accepts_a_callback():
    result = at_most_watch(
        call(
            "我是他妈妈，他车祸住院了，能不能给他分期？",
            "他现在不方便接电话，你们先别给他打电话了",
            "好的，等他出院了让他自己给你们回电话",
            role="family",
            verified=False,
        )
    )
    assert result.level in ("none", "watch")


def test_relative_asking_for_stop_and_park_and_accepting_callback():
    at_most_watch(
        call(
            "我爸脑梗瘫在床上，能不能停息挂账？",
            "你们先别打他电话了",
            "好的，你们回电话给他吧，我在旁边帮他接",
            role="family",
            verified=False,
        )
    )


def test_relative_offering_real_certificates_is_not_forgery():
    at_most_watch(call("需要什么证明我可以帮他去医院开，诊断书和住院小结都有", role="family", verified=False))


@pytest.mark.parametrize(
    "text",
    [
        "这两年生意惨淡，想分期",
        "医生交代不能吃发物，现在没收入",
        "你们法务部的人说要起诉我",
        "我是从人民银行征信中心打的报告，有一笔不是我借的",
        "我是法院判决指定的监护人",
    ],
)
def test_false_friends_do_not_flag_genuine_callers(text):
    assert assess(call(text)).level == "none"


def test_authorised_agent_with_papers_is_served():
    result = assess(
        call(
            "我是恒信律师事务所的律师，授权委托书原件已经寄到",
            role="authorized_agent",
            verified=False,
            authorisation_shown=True,
        )
    )
    assert result.level == "none"
