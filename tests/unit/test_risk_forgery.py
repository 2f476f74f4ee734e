"""Offers to supply forged hardship proofs are forged_document (level1); genuine proof talk is not.

Issue 12 item 7: an offer to supply hospital certificates ("三甲医院的章都有") was only watch.
"""

import pytest

from bot.core.risk import CallFacts, assess, level_rank


def said(*utterances, role="third_party", purpose="repayment_plan"):
    return CallFacts(caller_role=role, purpose=purpose, utterances=list(utterances))


@pytest.mark.parametrize(
    "text",
    [
        "您放心，各个三甲医院的章都有，想要哪家的说一声",
        "他那个住院证明我们可以给你们开，诊断写什么都行",
        "要什么证明都能弄到，失业的、低保的都没问题",
        "村委会的公章我们这边有，贫困证明明天就能出",
        "低保证明不用他跑，我们这边负责帮他做一份",
        "我们这儿什么章都能盖，盖出来跟真的一样",
        "诊断书我们可以帮他弄，医院那边我们有路子",
        "收入证明我们来办，顺便盖上居委会的公章",
        "失业证明和病历我们这边统一开，一周就好",
        "你们需要什么样的格式，我们就出什么格式的证明",
        "贫困证明、收入证明这些我们都可以安排，不用他操心",
        "证明的事你们放心，要什么我们都能出",
        "诊断书不难，县医院那边我们有熟人",
    ],
)
@pytest.mark.parametrize("role", ["third_party", "family", "unknown"])
def test_offering_forged_proofs_is_level1(text, role):
    result = assess(said(text, role=role))
    assert result.level == "level1" and result.signals[0].code == "forged_document"
    assert result.next_step == "police_report_packet"


@pytest.mark.parametrize(
    "text",
    [
        "他的出院小结上医院的章都有，你们可以去核实",
        "需要什么材料我都能提供，工资流水和诊断书都在",
        "村委会的章已经盖好了，困难证明这周寄出",
        "诊断证明我们可以去医院给他开出来再寄给你们",
        "居委会的证明我们去开了，下周能拿到",
        "我们没有渠道弄医院证明，只能等他出院",
        "住院证明我们可以开，医院那边说出院当天就给",
        "困难证明我们来开，村委会说下周一盖章",
        "材料我们统一寄给你们，原件都在",
        "需要什么材料您说，我们都能提供",
        "医院那边开的证明我们都有原件",
    ],
)
@pytest.mark.parametrize("role", ["borrower", "family"])
def test_genuine_callers_talking_about_their_own_proofs_are_not_flagged(text, role):
    result = assess(said(text, role=role))
    assert "forged_document" not in [s.code for s in result.signals]
    assert level_rank(result.level) <= level_rank("watch")
