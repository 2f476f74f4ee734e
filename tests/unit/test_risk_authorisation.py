"""Oral authorisation is not written authorisation, whatever role the dialogue gave the caller.

Issue 12 item 7: "口头授权" was accepted as written authorisation. The caller of the engine
sets CallFacts.authorisation_shown from the role (authorized_agent = claims written
authorisation); the engine itself now reads the caller's words.
"""

import pytest

from bot.core.risk import CallFacts, assess, level_rank


def agent(*utterances, role="authorized_agent", shown=True):
    return CallFacts(caller_role=role, purpose="repayment_plan", utterances=list(utterances), authorisation_shown=shown)


def codes(result):
    return [s.code for s in result.signals]


@pytest.mark.parametrize(
    "text",
    [
        "我是受她委托来的，她口头上同意过的",
        "没有委托书，但是我弟弟本人是同意我来谈的",
        "授权委托书暂时没有，你们先按我说的办",
        "委托书还没来得及签，他说让我先打个电话",
        "我们之间不用什么委托书，他信得过我",
        "委托书以后再补，今天先把分期定下来",
    ],
)
def test_an_agent_saying_the_authorisation_is_only_oral_is_unauthorised(text):
    result = assess(agent(text))
    signal = next(s for s in result.signals if s.code == "unauthorized_third_party")
    assert "没有书面授权" in signal.evidence
    assert level_rank(result.level) >= level_rank("watch")


@pytest.mark.parametrize(
    "texts",
    [
        ["我是张律师，当事人口头授权我处理这件事"],
        ["我是他的代理律师", "书面的委托书没有，他电话里同意了"],
    ],
)
def test_a_lawyer_with_oral_authorisation_only_is_level2(texts):
    result = assess(agent(*texts))
    assert {"lawyer_claim_unauthorized", "unauthorized_third_party"} <= set(codes(result))
    assert result.level == "level2" and result.next_step == "escalate_team"


def test_a_caller_not_yet_identified_who_has_no_power_of_attorney():
    result = assess(agent("我替我表哥来问，没有委托书，不过他同意了", role="unknown", shown=False))
    assert "unauthorized_third_party" in codes(result)


@pytest.mark.parametrize(
    "text",
    [
        "我是她的代理律师，授权委托书原件已经快递过去了",
        "我有书面委托书，不是口头授权",
        "委托书原件和我的身份证复印件下周一寄到",
        "委托书没问题，双方都签了字",
    ],
)
def test_an_agent_with_written_authorisation_is_served(text):
    assert assess(agent(text)).level == "none"


def test_a_relative_without_a_power_of_attorney_is_not_treated_as_an_agency():
    # a mother calling about her son needs no 委托书 to be heard; nothing is disclosed to her anyway
    result = assess(agent("我是他妈妈，没有委托书，就想问问他是不是被你们的人吓到了", role="family", shown=False))
    assert "unauthorized_third_party" not in codes(result)


def test_a_friend_who_only_says_the_borrower_agreed_is_watched_not_trusted():
    # asks for the balance "because he agreed": no document, acting for the borrower
    text = "我是林峰的朋友，他本人在住院，这是他本人同意的，你就直接告诉我他还欠多少"
    result = assess(agent(text, role="family", shown=False))
    signal = next(s for s in result.signals if s.code == "unauthorized_third_party")
    assert "这是他本人同意的" in signal.evidence
    assert result.level == "watch"


def test_a_guardian_naming_the_court_judgement_is_not_impersonating_the_court():
    for text in ("我是他父亲，法定监护人，有法院的判决书", "我是高翔的爸爸，也是他的监护人，法院判的"):
        result = assess(agent(text, role="authorized_agent", shown=True))
        assert "impersonating_official" not in codes(result), text
        assert result.level in ("none", "watch")
