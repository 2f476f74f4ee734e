"""A "维权中心" filing for a borrower is a gray-industry agency; a consumer's own 维权 is a right.

Issue 12 item 7: a "维权中心" filing for a borrower was not flagged.
"""

import pytest

from bot.core.risk import CallFacts, assess, level_rank


def call(*utterances, role="third_party", verified=False, purpose="fee_waiver"):
    return CallFacts(caller_role=role, identity_verified=verified, purpose=purpose, utterances=list(utterances))


@pytest.mark.parametrize(
    "text",
    [
        "你好，我们是华信消费者维权服务中心，受理了刘洋的申请，替他来谈减免",
        "这边是金融维权中心，你们的客户已经委托我们了",
        "我是消费者维权服务平台的专员，帮借款人处理逾期协商",
        "我们维权团队代表王女士跟你们沟通一下停催的事",
        "您好，我们是中金消费者权益服务中心，受吴强委托，要求贵司退还超出部分的全部利息",
    ],
)
@pytest.mark.parametrize("role", ["third_party", "unknown"])
def test_a_rights_protection_centre_acting_for_a_borrower_is_level2(text, role):
    result = assess(call(text, role=role))
    assert "gray_phrase" in [s.code for s in result.signals]
    assert result.level == "level2" and result.next_step == "escalate_team"


@pytest.mark.parametrize(
    "text",
    [
        "我要维权，你们催收的人太过分了",
        "作为消费者我有权利维权，也有权利投诉",
        "我要依法维权，重新核实一下那几笔扣款",
        "维权是我的权利，你们不能威胁我",
    ],
)
@pytest.mark.parametrize("role, verified", [("borrower", True), ("borrower", False), ("family", False)])
def test_a_consumer_standing_up_for_their_own_account_is_not_flagged(text, role, verified):
    result = assess(call(text, role=role, verified=verified, purpose="collection_complaint"))
    assert result.level == "none" and result.signals == []


def test_a_borrower_who_was_told_to_go_to_a_centre_gets_at_most_watch():
    result = assess(call("网上有个维权中心说能帮我，我没信，还是自己打过来问", role="borrower"))
    assert level_rank(result.level) <= level_rank("watch")
