"""Scam victims quoting the agency: every quoted signal is held at the victim ceiling (watch).

Issue 12 item 7: a victim quoting the agency's words (专业反催收, 铲单) got level1. A victim is
a borrower, relative or not-yet-identified caller reporting fraud, or saying the agency took
their money; the cap holds for every signal raised by words, while objective evidence
(watch-listed number, voiceprint, several borrowers from one number) still counts.
"""

import pytest

from bot.core.risk import CallFacts, RiskContext, assess, level_rank, load_config
from bot.core.risk.engine import collect_signals

WATCH = level_rank("watch")

# One quote per word-raised signal family, as a victim would repeat it.
QUOTES = {
    "gray_phrase": "他们跟我打包票，说是专业反催收，能帮我逾期铲单，还能征信修复",
    "watchlist_phrase": "那个业务员说只要交钱就保证上岸",
    "refuses_borrower_contact": "中介跟我讲，他会跟你们说'以后有什么事直接找我们就行'",
    "lawyer_claim_unauthorized": "电话里那人讲'我是你的代理律师'，我也不知道真假",
    "impersonating_official": "对方一开口就说'我是市中级人民法院的'，吓死我了",
    "extortion": "他们说不给我减免，就去你们公司门口拉横幅",
    "forged_document": "那家机构说三甲医院的章都有，住院证明他们可以给我开",
    "unauthorized_third_party": "他们自称'我们客户都这么办'，说已经替我签约了",
}
VICTIM_OPENERS = [
    "我被一个代理机构骗了。",
    "去年我找了个所谓的债务优化公司，收了我六千八就跑路了。",
    "我交了三千块服务费，现在人联系不上了，钱也要不回来。",
]


def victim(*utterances, role="borrower", purpose="fraud_report", verified=False):
    return CallFacts(
        caller_role=role,
        identity_verified=verified,
        purpose=purpose,
        utterances=list(utterances),
        caller_number="13900001111",
    )


def test_every_signal_raised_by_words_is_quotable():
    # the cap only holds for quotable signals: every family a victim can repeat must be one
    cfg = load_config()
    facts = victim(*QUOTES.values(), role="unknown", purpose="unknown")
    ctx = RiskContext(watchlist_phrases=["保证上岸"])
    raised = {s.code: s for s in collect_signals(facts, ctx, cfg)}
    assert set(QUOTES) <= set(raised), sorted(set(QUOTES) - set(raised))
    assert all(raised[code].quotable for code in QUOTES)


@pytest.mark.parametrize("code", sorted(QUOTES))
@pytest.mark.parametrize("role", ["borrower", "family", "unknown"])
def test_a_fraud_report_quoting_any_signal_stays_at_watch(code, role):
    ctx = RiskContext(watchlist_phrases=["保证上岸"])
    result = assess(victim(QUOTES[code], role=role), ctx)
    assert level_rank(result.level) <= WATCH and result.next_step == "handled", result
    if role == "unknown":  # every family applies to a caller not yet identified
        assert code in [s.code for s in result.signals]  # the words are kept as evidence


def test_all_quotes_at_once_stay_at_watch():
    ctx = RiskContext(watchlist_phrases=["保证上岸"])
    result = assess(victim(*VICTIM_OPENERS, *QUOTES.values()), ctx)
    assert result.level == "watch" and not any(s.severe for s in result.signals)


@pytest.mark.parametrize("opener", VICTIM_OPENERS)
@pytest.mark.parametrize("purpose", ["repayment_plan", "collection_complaint", "other", "unknown"])
def test_a_borrower_saying_the_agency_took_their_money_is_a_victim_whatever_the_purpose(opener, purpose):
    result = assess(victim(opener, QUOTES["gray_phrase"], QUOTES["forged_document"], purpose=purpose))
    assert level_rank(result.level) <= WATCH, result


def test_first_turn_quote_before_the_purpose_is_known_is_held_at_watch():
    # the role and purpose are not asked yet; the caller reports someone else's words
    first = victim("有家自称专业反催收的公司加我微信，说能帮我铲单", role="unknown", purpose="unknown")
    assert assess(first).level == "watch"


def test_a_relative_reporting_that_the_borrower_was_scammed():
    result = assess(
        victim(
            "我是他姐姐，我弟被一个中介忽悠了，那人说他们是律师事务所的，能帮他全额减免",
            "还说你们不同意减免就去你们公司闹",
            role="family",
            purpose="collection_complaint",
        )
    )
    assert result.level == "watch"


def test_the_same_words_said_as_the_agency_itself_are_not_protected():
    # first person, no money taken, no fraud report: this is the agency speaking
    result = assess(victim("我们是专业反催收团队，可以帮他逾期铲单", role="unknown", purpose="repayment_plan"))
    assert result.level == "level1"


@pytest.mark.parametrize(
    "texts",
    [
        ["你们公司坑了他一万多，我们专业反催收团队会一直跟进"],
        ["客户被你们的外包骗过", "我们这边是专业做征信修复的，今天就要个结果"],
    ],
)
def test_an_agency_presenting_itself_gets_no_victim_protection_from_mentioning_a_scam(texts):
    result = assess(victim(*texts, role="unknown", purpose="collection_complaint"))
    assert result.level == "level1"


def test_accusing_the_lender_is_not_a_victim_report():
    # "你们收了他…" is an accusation against the lender, not a scam report: no protection from it
    result = assess(
        victim("你们收了他三千块砍头息，我们是专业反催收，要求全部退还", role="unknown", purpose="fee_waiver")
    )
    assert result.level == "level1"


def test_objective_evidence_still_raises_a_victim():
    result = assess(
        victim(*VICTIM_OPENERS[:1], QUOTES["gray_phrase"]),
        RiskContext(watchlist_phones={"13900001111"}),
    )
    assert result.level == "level2"


def test_what_an_advert_said_is_reported_speech():
    from bot.core.risk import CallFacts, assess

    facts = CallFacts(caller_role="unknown", utterances=["我在网上看到广告说能做征信修复，你们能直接帮我删逾期吗"])
    assert assess(facts).level == "watch"
    facts = CallFacts(caller_role="third_party", utterances=["我们公司专业做征信修复"])
    assert assess(facts).level == "level1"
