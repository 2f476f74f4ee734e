"""role_flip: a caller who presented as someone else and later claims to be the borrower (issue 13 item 2)."""

import pytest

from bot.core.risk import CallFacts, assess, load_config
from bot.core.risk.model import RiskContext
from bot.core.risk.signals import role_flip_signals


def flip(*claims, role="borrower", verification="none", **kw):
    return CallFacts(
        caller_role=role,
        purpose="account_inquiry",
        utterances=[sentence for _, sentence in claims],
        role_claims=tuple(claims),
        verification=verification,
        **kw,
    )


@pytest.mark.parametrize("first_role", ["family", "authorized_agent", "third_party"])
def test_presenting_as_someone_else_then_as_the_borrower_is_level2(first_role):
    facts = flip((first_role, "我是她的法务"), ("borrower", "我就是孙悦本人"))
    result = assess(facts)
    signal = next(s for s in result.signals if s.code == "role_flip")
    assert signal.evidence == "先称“我是她的法务”，后称“我就是孙悦本人”"
    assert result.level == "level2" and result.next_step == "escalate_team"


@pytest.mark.parametrize("verification", ["knowledge", "registered_phone", "sms_code"])
def test_the_flip_counts_however_the_borrower_was_then_verified(verification):
    facts = flip(("family", "我是周敏的表妹"), ("borrower", "其实我就是周敏"), verification=verification)
    assert assess(facts).level == "level2"


@pytest.mark.parametrize(
    "claims",
    [
        [("borrower", "我是借款人本人")],
        [("unknown", "你好"), ("borrower", "我是本人")],
        [("borrower", "我是本人"), ("family", "不对，我是他爸爸")],  # a correction away from the borrower
        [("family", "我是他老婆"), ("family", "我是他爱人")],
        [("authorized_agent", "我是他的代理人"), ("third_party", "我们是法务公司")],
    ],
)
def test_no_flip_to_the_borrower_is_no_signal(claims):
    assert role_flip_signals(flip(*claims), RiskContext(), load_config()) == []


def test_the_first_presentation_and_the_first_borrower_claim_are_the_evidence():
    facts = flip(
        ("third_party", "我们是安和咨询公司的"),
        ("family", "我是他哥"),
        ("borrower", "我就是郑浩"),
        ("borrower", "本人，真的是本人"),
    )
    [signal] = role_flip_signals(facts, RiskContext(), load_config())
    assert signal.evidence == "先称“我们是安和咨询公司的”，后称“我就是郑浩”"


def test_an_agency_and_the_borrower_in_one_sentence():
    sentence = "我们客户何静这笔借款，其实就是我本人的借款"
    facts = flip(("third_party", sentence), ("borrower", sentence))
    [signal] = role_flip_signals(facts, RiskContext(), load_config())
    assert signal.evidence == f"同一句里先以第三方机构口吻、又称本人：“{sentence}”"
    assert assess(facts).level == "level2"


def test_long_sentences_are_shortened_in_the_evidence():
    long_sentence = "我是他单位的同事，他最近出差了，让我帮忙问一下他这个月的账单到底是怎么回事" * 2
    [signal] = role_flip_signals(
        flip(("family", long_sentence), ("borrower", "我是本人")), RiskContext(), load_config()
    )
    assert len(signal.evidence) < 100 and "…" in signal.evidence


def test_the_borrowers_name_then_an_agencys_words_is_a_flip():
    facts = flip(("borrower", "我是郑浩本人"), ("third_party", "这个我要问一下我们客户"), role="third_party")
    [signal] = role_flip_signals(facts, RiskContext(), load_config())
    assert signal.evidence == "先称“我是郑浩本人”，后称“这个我要问一下我们客户”"
    assert assess(facts).level == "level2"


def test_a_borrower_correcting_to_a_relative_is_no_flip():
    facts = flip(("borrower", "是的"), ("family", "哦不是，我是他妈妈"), role="family")
    assert role_flip_signals(facts, RiskContext(), load_config()) == []


def test_the_borrowers_name_then_an_agents_title_is_a_flip():
    facts = flip(
        ("borrower", "本人啊"), ("authorized_agent", "我不是他本人，我是他委托的代理人"), role="authorized_agent"
    )
    assert assess(facts).level == "level2"
