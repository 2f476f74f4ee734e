"""Extortion is a benefit demanded under a threat, not a complaint to the regulator or the public.

Issue 12 item 7: a genuine complainant saying "不给我个说法就打12378，发到网上" was made
level1 extortion. Going to the regulator or speaking publicly is a right; extortion asks for
an improper benefit (免息, 减免, 停息, 销账, 删征信, 赔偿…) in exchange for not doing harm.
"""

import pytest

from bot.core.risk import CallFacts, assess, level_rank


def call(*utterances, role="borrower", purpose="collection_complaint", verified=False):
    return CallFacts(caller_role=role, identity_verified=verified, purpose=purpose, utterances=list(utterances))


def codes(result):
    return [s.code for s in result.signals]


# --- false positives closed: a complaint or a public airing is a right -----------


@pytest.mark.parametrize(
    "utterances",
    [
        ["你们催收的人骂我老婆，今天不给我个说法，我就打12378，再发到网上让大家看看"],
        ["这个事你们必须给我一个解释，否则我就去微博曝光你们的催收"],
        ["你们要是不处理那个催收员，我就联系电视台，让记者来评评理"],
        ["我已经忍了三个月了", "你们不停止爆我通讯录，我就发抖音"],
        ["你们要是不给我书面答复，我就天天打12378问进度"],
    ],
)
@pytest.mark.parametrize("role", ["borrower", "family", "unknown"])
def test_demanding_an_answer_under_threat_of_publicity_is_not_extortion(utterances, role):
    result = assess(call(*utterances, role=role))
    assert "extortion" not in codes(result)
    assert level_rank(result.level) <= level_rank("watch"), result


def test_a_waiver_request_then_an_unrelated_public_complaint_is_not_extortion():
    # the benefit and the threat are in the same call but the threat is about a different matter
    result = assess(
        call(
            "我想问问罚息能不能减免一些。",
            "还有，你们的外包催收上周跑到我单位去了，这事不给我个交代，我就找报社。",
            purpose="fee_waiver",
        )
    )
    assert "extortion" not in codes(result)


# --- false negatives closed: benefit + conditional threat ------------------------


@pytest.mark.parametrize(
    "text",
    [
        "不免掉利息，我们就天天去12378投诉你们，让你们被罚款",
        "罚息给我免了我就撤诉，不然就把录音发到网上曝光你们",
        "他的逾期记录不给删，我们就组织人到你们总部门口拉横幅",
        "要么违约金全部不要了，要不然咱们就找媒体聊聊",
        "你们不同意停息挂账，我们就一直投诉，投诉到你们关门为止",
        "我们会轮番举报你们，除非给他把利息全部免了",
        "赔我们五万块精神损失，否则这事就上热搜",
    ],
)
def test_a_benefit_demanded_under_threat_is_extortion_and_level1(text):
    result = assess(call(text, role="third_party", purpose="fee_waiver"))
    assert result.level == "level1" and result.signals[0].code == "extortion"
    assert result.next_step == "police_report_packet"


def test_demand_in_one_turn_and_threat_in_the_next_is_extortion():
    result = assess(
        call("我们只有一个条件，本金打折，利息一分不出。", "办不到的话我们就天天去你们公司闹。", role="family")
    )
    assert result.level == "level1"
    evidence = result.signals[0].evidence
    assert "本金打折" in evidence and "闹" in evidence


def test_plain_waiver_request_with_a_regulator_complaint_stays_a_right():
    # asking for a waiver and saying one will complain to the regulator if refused is lawful
    result = assess(call("罚息能不能减免？你们要是不同意，我就去国家金融监督管理总局反映", purpose="fee_waiver"))
    assert result.level == "none"


def test_promising_not_to_go_public_is_not_a_threat_by_itself():
    result = assess(call("只要能减免，我就不去网上说了", purpose="fee_waiver"))
    assert "extortion" not in codes(result)


@pytest.mark.parametrize(
    "text",
    [
        "给你们两个选择：要么罚息违约金全免，要么我们天天打12378，把录音发到网上曝光",
        "诉求：一、减免全部罚息、违约金；二、本金分60期。如贵司三日内未书面答复同意上述诉求，我方将每日向媒体平台持续投诉曝光",
    ],
)
def test_an_ultimatum_for_a_waiver_is_extortion(text):
    result = assess(CallFacts(caller_role="third_party", purpose="fee_waiver", utterances=[text]))
    assert "extortion" in [s.code for s in result.signals]
    assert result.level == "level1"


def test_either_or_without_an_improper_benefit_is_a_right_not_extortion():
    result = assess(
        CallFacts(caller_role="borrower", purpose="repayment_plan", utterances=["要么给我分期，要么我就去12378投诉"])
    )
    assert "extortion" not in [s.code for s in result.signals]


def test_a_waiver_or_else_without_the_word_then_is_extortion_from_a_third_party():
    from bot.core.risk import CallFacts, assess

    facts = CallFacts(caller_role="third_party", utterances=["要是不把他的违约金全免了，我们天天去12378投诉你们"])
    assert assess(facts).level == "level1"
    facts = CallFacts(caller_role="third_party", utterances=["要是不同意分期，我们就只能等他自己还了"])
    assert assess(facts).level != "level1"
