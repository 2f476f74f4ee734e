"""Protections for a verified borrower need a trustworthy verification (issue 13 item 1).

`knowledge` (name + ID digits) is what a proxy holding the ID card has; only
`registered_phone` or `sms_code` make a verified borrower for the engine. Old callers that
set only identity_verified keep working.
"""

import pytest

from bot.core.risk import CallFacts, assess, level_rank, trusted_verification


def borrower(*utterances, verification="none", identity_verified=False, purpose="repayment_plan"):
    return CallFacts(
        caller_role="borrower",
        identity_verified=identity_verified,
        verification=verification,
        purpose=purpose,
        utterances=list(utterances),
    )


@pytest.mark.parametrize(
    "verification, identity_verified, trusted",
    [
        ("none", False, False),
        ("none", True, True),  # an old caller of the engine
        ("knowledge", True, False),
        ("knowledge", False, False),
        ("registered_phone", False, True),
        ("sms_code", True, True),
    ],
)
def test_trusted_verification(verification, identity_verified, trusted):
    facts = borrower(verification=verification, identity_verified=identity_verified)
    assert trusted_verification(facts) is trusted


def test_unknown_verification_is_refused():
    with pytest.raises(ValueError, match="verification"):
        assess(borrower("你好", verification="face_id"))


@pytest.mark.parametrize("verification", ["registered_phone", "sms_code", "knowledge"])
@pytest.mark.parametrize(
    "text",
    [
        "我现在确实还不上，想申请个性化分期，分三年行不行",
        "依据《商业银行信用卡业务监督管理办法》第七十条，我申请和你们协商个性化分期",
        "七十条不是说可以分期最长五年吗，我愿意还，就是一次拿不出来",
    ],
)
def test_a_borrower_citing_article_70_or_personalised_instalments_is_not_flagged(verification, text):
    # a right of every borrower, whatever the verification
    result = assess(borrower(text, verification=verification))
    assert result.level == "none" and result.signals == []


@pytest.mark.parametrize("verification", ["registered_phone", "sms_code"])
def test_a_phone_verified_borrower_naming_their_job_or_gray_words_stays_at_most_watch(verification):
    result = assess(
        borrower(
            "我自己就是派出所的协警，收入不高",
            "网上说能停息挂账、征信修复，你们这儿能不能办？",
            verification=verification,
        )
    )
    assert level_rank(result.level) <= level_rank("watch")
    assert "impersonating_official" not in [s.code for s in result.signals]


def test_knowledge_alone_does_not_buy_the_verified_borrower_protections():
    # name and ID digits are what an agency holding the ID card can say, too
    texts = ("我这边是市公安局经侦支队的", "这个账户的事情你们跟我说就行")
    by_phone = assess(borrower(*texts, verification="registered_phone"))
    by_knowledge = assess(borrower(*texts, verification="knowledge"))
    assert level_rank(by_phone.level) <= level_rank("watch")
    assert by_knowledge.level == "level1"
    assert by_knowledge.signals[0].code == "impersonating_official"


def test_knowledge_alone_lets_gray_words_go_past_watch():
    texts = ("我们是做专业反催收的", "逾期铲单、征信修复都能办")
    assert level_rank(assess(borrower(*texts, verification="sms_code")).level) <= level_rank("watch")
    assert level_rank(assess(borrower(*texts, verification="knowledge")).level) >= level_rank("level2")
