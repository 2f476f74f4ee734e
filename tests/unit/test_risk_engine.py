"""Combining signals: score, level, ceilings, severe signals and what each level requires."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.core.risk import (
    LEVELS,
    Assessment,
    CallFacts,
    RiskContext,
    Signal,
    assess,
    combine,
    load_config,
    requirements_for,
)
from bot.core.risk.engine import decide_level, level_for_score
from bot.core.risk.model import MATERIALS, NEXT_STEPS

NOW = datetime(2024, 6, 1, 10, 0)


@pytest.fixture(scope="module")
def cfg():
    return load_config()


def third_party(*utterances, **kw):
    return CallFacts(
        caller_role="third_party",
        purpose="repayment_plan",
        utterances=list(utterances),
        caller_number="17100171001",
        **kw,
    )


def test_no_signal_is_none_and_handled():
    result = assess(CallFacts(caller_role="borrower", identity_verified=True, utterances=["我想查一下账单"]))
    assert (result.level, result.score, result.signals, result.next_step, result.extra_materials) == (
        "none",
        0.0,
        [],
        "handled",
        [],
    )


def test_to_dict_is_exactly_the_contract_shape():
    result = assess(third_party("我们是法务公司，帮他停息挂账"))
    d = result.to_dict()
    assert set(d) == {"level", "score", "signals"}
    assert all(set(s) == {"code", "evidence"} for s in d["signals"])
    assert {"code": "gray_phrase", "evidence": "停息挂账"} in d["signals"]
    assert isinstance(d["score"], float) and 0.0 <= d["score"] <= 1.0


def test_combine_is_noisy_or():
    sigs = [Signal("a", "x", 0.35), Signal("b", "y", 0.35)]
    assert combine(sigs) == pytest.approx(1 - 0.65 * 0.65)
    assert combine([]) == 0.0
    assert combine([Signal("a", "x", 1.5)]) == 1.0


def test_level_for_score_thresholds(cfg):
    t = cfg.thresholds
    assert level_for_score(0.0, t) == "none"
    assert level_for_score(t["watch"], t) == "watch"
    assert level_for_score(t["level2"] - 1e-9, t) == "watch"
    assert level_for_score(t["level2"], t) == "level2"
    assert level_for_score(t["level1"], t) == "level1"


def test_ceiling_keeps_many_level2_signs_at_level2(cfg):
    sigs = [Signal("x", str(i), 0.6, ceiling="level2") for i in range(6)]
    assert decide_level(combine(sigs), sigs, cfg) == "level2"


def test_severe_signal_forces_level1_whatever_the_score(cfg):
    sigs = [Signal("extortion", "闹", 0.01, ceiling="level1", severe=True)]
    assert decide_level(combine(sigs), sigs, cfg) == "level1"


def test_gray_words_plus_third_party_reach_level2_with_requirements():
    result = assess(third_party("我们帮他挺息挂帐，债务优化"))
    assert result.level == "level2"
    assert result.next_step == "escalate_team"
    assert result.extra_materials == ["power_of_attorney", "borrower_confirmation"]
    assert 0.5 <= result.score < 0.8


def test_level1_wording_from_a_third_party_is_level1():
    result = assess(third_party("我们是专业反催收团队"))
    assert result.level == "level1" and result.next_step == "escalate_team"


@pytest.mark.parametrize(
    "text, code",
    [
        ("我是朝阳区人民法院执行局的", "impersonating_official"),
        ("不给减免就去你们公司拉横幅", "extortion"),
        ("医院证明我们有渠道", "forged_document"),
    ],
)
def test_severe_signals_make_level1_even_for_a_relative(text, code):
    result = assess(CallFacts(caller_role="family", utterances=[text]))
    assert result.level == "level1" and result.signals[0].code == code
    assert result.score >= load_config().thresholds["level1"]


def test_score_stays_inside_the_levels_band(cfg):
    result = assess(third_party("停息挂账", "债务优化", "负债上岸", "延期定制", "不成功不收费", "协商专员"))
    assert result.level == "level2" and result.score < cfg.thresholds["level1"]


def test_objective_signals_raise_a_verified_borrower(cfg):
    facts = CallFacts(
        caller_role="borrower", identity_verified=True, utterances=["我要减免利息"], voiceprint=[1.0, 0.0]
    )
    ctx = RiskContext(enrolled_voiceprints=[("wl-1", [0.99, 0.1])])
    assert assess(facts, ctx).level == "level2"


def test_multi_account_alone_is_level2():
    ctx = RiskContext(
        number_history=[("C1", NOW - timedelta(days=2)), ("C2", NOW - timedelta(days=9))],
        current_customer_id="C3",
        now=NOW,
    )
    facts = CallFacts(caller_role="family", utterances=["罚息能不能减一点"])
    result = assess(facts, ctx)
    assert result.level == "level2" and result.signals[0].evidence == "该号码 30 天内为 3 位不同借款人来电"


def test_signals_are_deduplicated_and_strongest_first():
    result = assess(third_party("停息挂账", "停息挂账", "我们是金融监管总局的"))
    assert result.signals[0].code == "impersonating_official"
    assert [s.evidence for s in result.signals].count("停息挂账") == 1


def test_role_factor_discounts_phrases_of_family(cfg):
    def gray_weight(result):
        return next(s.weight for s in result.signals if s.code == "gray_phrase")

    fam = assess(CallFacts(caller_role="family", utterances=["能不能停息挂账"]))
    tp = assess(third_party("能不能停息挂账"))
    assert gray_weight(fam) == pytest.approx(gray_weight(tp) * cfg.role_factor["family"])
    assert fam.score < tp.score


def test_operator_flag_counts_even_for_a_verified_borrower():
    facts = CallFacts(
        caller_role="borrower",
        identity_verified=True,
        utterances=["证明已经发给你们了"],
        operator_flags=["forged_document"],
    )
    assert assess(facts).level == "level1"


# --- requirements per level ---------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_registers_complaints_and_offers_the_direct_route(level):
    req = requirements_for(level)
    assert req.register_complaint and req.offer_direct_route
    assert req.next_step in NEXT_STEPS
    assert set(req.extra_materials) <= set(MATERIALS)
    assert "refuse" not in req.next_step


def test_requirements_by_level():
    assert requirements_for("none").next_step == "handled"
    assert requirements_for("watch").next_step == "handled"
    level2 = requirements_for("level2")
    assert level2.next_step == "escalate_team"  # a level2 call opens the team's case (contract §7)
    assert set(level2.extra_materials) == {"power_of_attorney", "borrower_confirmation"}
    level1 = requirements_for("level1")
    assert level1.next_step == "escalate_team" and level1.keep_evidence
    assert "police_report_packet" in level1.follow_up


def test_requirements_for_unknown_level():
    with pytest.raises(ValueError):
        requirements_for("refuse")


def test_assessment_matches_requirements():
    result = assess(third_party("我们是金融监管总局的"))
    req = requirements_for(result.level)
    assert result.level == "level1" and result.extra_materials == list(req.extra_materials)
    # impersonating an official is suspected crime: the police-report packet, not just the team
    assert result.next_step == "police_report_packet"
    assert isinstance(result, Assessment)


def test_level1_without_suspected_crime_goes_to_the_team():
    result = assess(third_party("我们专业做征信修复和逾期铲单，帮客户把记录洗白"))
    assert result.level == "level1"
    assert not any(s.severe for s in result.signals)
    assert result.next_step == "escalate_team"


def test_custom_config_changes_the_outcome(cfg):
    strict = replace(cfg, thresholds={"watch": 0.1, "level2": 0.3, "level1": 0.9})
    facts = third_party("你们好")
    assert assess(facts, config=cfg).level == "watch"
    assert assess(facts, config=strict).level == "level2"


@pytest.mark.parametrize(
    "text",
    [
        "我们代表黄丽投诉你们暴力催收，你们必须赔偿精神损失费五千",  # an improper price for the complaint
        "我这边帮郑敏申请减免，住院证明我们都有，我们手上好几个客户都是这个情况",  # a batch of proofs
        "通知你们一下，孙悦以后所有的电话都打到这个号码",  # the lender kept from the borrower
        "我是他的代理人，你们以后不得直接联系他本人",
    ],
)
def test_more_agency_tactics_reach_level2(text):
    assert assess(third_party(text)).level in ("level2", "level1")


def test_a_borrower_asking_for_a_waiver_of_everything_is_no_agency():
    facts = CallFacts(caller_role="borrower", purpose="fee_waiver", utterances=["能不能减免全部债务，我实在还不起了"])
    assert assess(facts).level in ("none", "watch")
