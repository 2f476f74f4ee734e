"""Sticky risk within a call (issue 13 item 2): signals stay with their first evidence, the level only rises."""

import pytest

from bot.core.risk import Assessment, CallFacts, Signal, assess, carry_forward, level_rank
from bot.services.risk_service import signal_dicts


def agency_turns():
    return [
        "你好，我们是汇融法务的，受周敏委托处理她的账户",
        "以后有什么事直接对接我们，不要再联系她本人",
    ]


def test_a_proxy_who_then_says_benzren_keeps_level2_and_its_evidence():
    # turn 2: an agency, level2; turn 3: "麻烦跟周敏本人确认" flips the role to borrower
    first = assess(CallFacts(caller_role="third_party", purpose="repayment_plan", utterances=agency_turns()))
    assert first.level == "level2"
    later_facts = CallFacts(
        caller_role="borrower",
        verification="knowledge",
        purpose="account_inquiry",
        utterances=agency_turns() + ["我就是周敏本人，她还欠多少"],
    )
    fresh = assess(later_facts)
    assert level_rank(fresh.level) < level_rank("level2")  # what stickiness protects against
    kept = carry_forward(signal_dicts(first), first.level, fresh)
    assert kept.level == "level2" and kept.next_step == "escalate_team"
    before = {(s.code, s.evidence) for s in first.signals}
    assert before <= {(s.code, s.evidence) for s in kept.signals}


def test_the_level_still_rises():
    watch = assess(CallFacts(caller_role="family", utterances=["能不能停息挂账"]))
    assert watch.level == "watch"
    worse = assess(CallFacts(caller_role="family", utterances=["能不能停息挂账", "我这边是区法院执行局的"]))
    kept = carry_forward(signal_dicts(watch), watch.level, worse)
    assert kept.level == "level1" and kept.next_step == "police_report_packet"
    assert kept.signals[0].code == "impersonating_official"


def test_a_severe_signal_keeps_the_police_packet_after_it_stops_being_found():
    previous = [{"code": "forged_document", "evidence": "村委会的章我们有", "weight": 0.9, "severe": True}]
    quiet = assess(CallFacts(caller_role="family", utterances=["好的"]))
    kept = carry_forward(previous, "level1", quiet)
    assert kept.level == "level1" and kept.next_step == "police_report_packet"
    assert kept.to_dict()["signals"] == [{"code": "forged_document", "evidence": "村委会的章我们有"}]
    assert kept.score >= 0.8


def test_first_evidence_is_kept_for_a_code_raised_again():
    previous = [{"code": "unauthorized_third_party", "evidence": "我们客户", "weight": 0.35}]
    now = Assessment(
        "watch",
        0.35,
        [Signal("unauthorized_third_party", "来电身份：第三方机构，未出示书面授权", 0.35)],
        "handled",
        [],
    )
    kept = carry_forward(previous, "watch", now)
    assert [(s.code, s.evidence) for s in kept.signals] == [("unauthorized_third_party", "我们客户")]


def test_every_phrase_said_stays_its_own_signal():
    previous = [{"code": "gray_phrase", "evidence": "停息挂账", "weight": 0.35}]
    now = assess(CallFacts(caller_role="third_party", utterances=["债务优化"]))
    kept = carry_forward(previous, "watch", now)
    phrases = {s.evidence for s in kept.signals if s.code == "gray_phrase"}
    assert phrases == {"停息挂账", "债务优化"}


def test_old_signal_dicts_without_ceiling_or_severe_are_read():
    previous = [{"code": "gray_phrase", "evidence": "负债上岸", "weight": 0.4}]
    kept = carry_forward(previous, "watch", assess(CallFacts(caller_role="borrower", utterances=["好的"])))
    assert kept.level == "watch" and kept.signals[0].evidence == "负债上岸"
    assert kept.next_step == "handled"


def test_an_operator_decision_lets_the_level_fall_but_not_below_the_current_evidence():
    previous = signal_dicts(
        assess(CallFacts(caller_role="third_party", purpose="repayment_plan", utterances=agency_turns()))
    )
    only_words = assess(CallFacts(caller_role="borrower", verification="sms_code", utterances=["好的，谢谢"]))
    released = carry_forward(previous, "level2", only_words, operator_floor="none")
    assert released.level == only_words.level == "none"
    assert released.next_step == "handled" and released.score < 0.2
    assert {s.code for s in released.signals} >= {"unauthorized_third_party", "refuses_borrower_contact"}
    # the operator can release stickiness, not overrule what the call still shows
    still = assess(CallFacts(caller_role="third_party", purpose="repayment_plan", utterances=agency_turns()))
    assert carry_forward(previous, "level2", still, operator_floor="none").level == "level2"
    # and a floor above the current evidence holds
    assert carry_forward(previous, "level2", only_words, operator_floor="watch").level == "watch"


def test_no_previous_state_is_the_assessment_itself():
    fresh = assess(CallFacts(caller_role="third_party", utterances=["我们是债务优化公司"]))
    kept = carry_forward([], None, fresh)
    assert (kept.level, kept.score, kept.next_step) == (fresh.level, fresh.score, fresh.next_step)
    assert [s.to_dict() for s in kept.signals] == [s.to_dict() for s in fresh.signals]


@pytest.mark.parametrize("bad", [{"previous_level": "high"}, {"operator_floor": "refuse"}])
def test_unknown_levels_are_refused(bad):
    fresh = assess(CallFacts(utterances=["你好"]))
    args = {"previous_level": "none", **bad}
    with pytest.raises(ValueError, match="unknown"):
        carry_forward([], args["previous_level"], fresh, operator_floor=args.get("operator_floor"))
