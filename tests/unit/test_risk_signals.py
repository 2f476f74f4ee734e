"""Each signal family on its own: what raises it, with which evidence, and what must not."""

from datetime import datetime, timedelta

import pytest

from bot.core.risk import CallFacts, RiskContext, load_config
from bot.core.risk import signals as sig
from bot.core.risk.config import TemplateSettings

NOW = datetime(2024, 6, 1, 10, 0, 0)
TEMPLATE = (
    "本人因疫情影响收入大幅下降，无力偿还贵司欠款。贵司催收人员多次暴力催收、爆通讯录，"
    "严重影响本人生活和工作。现要求贵司停止催收、减免全部罚息和违约金，否则本人将向银保监会投诉。"
)


@pytest.fixture(scope="module")
def cfg():
    return load_config()


def facts(*utterances, role="third_party", verified=False, purpose="repayment_plan", **kw):
    return CallFacts(caller_role=role, identity_verified=verified, purpose=purpose, utterances=list(utterances), **kw)


def codes(found):
    return [s.code for s in found]


# --- watchlist_phone ---------------------------------------------------------


@pytest.mark.parametrize("listed", ["17100171013", "+86 171 0017 1013", "0086-17100171013"])
def test_watchlist_phone_matches_any_format(cfg, listed):
    found = sig.watchlist_phone_signals(
        facts(caller_number="+8617100171013"), RiskContext(watchlist_phones={listed}), cfg
    )
    assert codes(found) == ["watchlist_phone"] and found[0].evidence == "17100171013"


def test_watchlist_phone_no_match_or_no_number(cfg):
    ctx = RiskContext(watchlist_phones={"17100171013"})
    assert sig.watchlist_phone_signals(facts(caller_number="13800138000"), ctx, cfg) == []
    assert sig.watchlist_phone_signals(facts(caller_number=""), ctx, cfg) == []


# --- watchlist_phrase --------------------------------------------------------


def test_watchlist_phrase_matches_homophones(cfg):
    ctx = RiskContext(watchlist_phrases=["只还本金", "正规持牌的协商机构"])
    found = sig.watchlist_phrase_signals(facts("我们是正规持派的协商机构，只还本金"), ctx, cfg)
    assert sorted(s.evidence for s in found) == ["只还本金", "正规持派的协商机构≈正规持牌的协商机构"]
    assert all(s.weight == cfg.signals["watchlist_phrase"].weight for s in found)


def test_watchlist_phrase_counted_once_and_empty_list_is_quiet(cfg):
    ctx = RiskContext(watchlist_phrases=["只还本金"])
    assert len(sig.watchlist_phrase_signals(facts("只还本金", "只还本金"), ctx, cfg)) == 1
    assert sig.watchlist_phrase_signals(facts("只还本金"), RiskContext(), cfg) == []


# --- voiceprint_match --------------------------------------------------------


def vp_context(*vectors):
    return RiskContext(enrolled_voiceprints=[(f"wl-{i}", v) for i, v in enumerate(vectors)])


def test_voiceprint_at_threshold_matches(cfg):
    t = cfg.voiceprint_threshold
    caller = [t, (1 - t * t) ** 0.5, 0.0]
    found = sig.voiceprint_signals(facts(voiceprint=caller), vp_context([1.0, 0.0, 0.0]), cfg)
    assert codes(found) == ["voiceprint_match"] and found[0].evidence.startswith("与观察名单声纹（wl-0）相似度")


def test_voiceprint_below_threshold_does_not(cfg):
    t = cfg.voiceprint_threshold - 0.01
    caller = [t, (1 - t * t) ** 0.5, 0.0]
    assert sig.voiceprint_signals(facts(voiceprint=caller), vp_context([1.0, 0.0, 0.0]), cfg) == []


def test_voiceprint_best_enrolled_wins_and_other_lengths_are_skipped(cfg):
    ctx = vp_context([0.0, 1.0, 0.0], [1.0, 0.0], [0.99, 0.05, 0.0])
    found = sig.voiceprint_signals(facts(voiceprint=[1.0, 0.0, 0.0]), ctx, cfg)
    assert "（wl-2）" in found[0].evidence


def test_voiceprint_absent_is_quiet(cfg):
    assert sig.voiceprint_signals(facts(), vp_context([1.0, 0.0]), cfg) == []


# --- multi_account_number ----------------------------------------------------


def history(*pairs):
    return [(cid, NOW - timedelta(days=d)) for cid, d in pairs]


def multi(cfg, hist, current="C0", now=NOW):
    ctx = RiskContext(number_history=hist, current_customer_id=current, now=now)
    return sig.multi_account_signals(facts(), ctx, cfg)


def test_multi_account_counts_current_customer(cfg):
    found = multi(cfg, history(("C1", 1), ("C2", 5)))
    assert codes(found) == ["multi_account_number"] and found[0].evidence == "该号码 30 天内为 3 位不同借款人来电"


def test_multi_account_window_boundary_is_inclusive(cfg):
    days = cfg.multi_account_days
    assert multi(cfg, history(("C1", 1), ("C2", days)))
    late = [("C1", NOW - timedelta(days=1)), ("C2", NOW - timedelta(days=days, seconds=1))]
    assert multi(cfg, late) == []


def test_multi_account_ignores_future_and_repeats(cfg):
    assert multi(cfg, [("C1", NOW - timedelta(days=1)), ("C2", NOW + timedelta(days=1))]) == []
    assert multi(cfg, history(("C0", 1), ("C0", 2), ("C1", 3), ("C1", 4))) == []


def test_multi_account_two_relatives_is_not_enough(cfg):
    assert multi(cfg, history(("C1", 7))) == []


def test_multi_account_without_now_uses_latest_call(cfg):
    hist = history(("C1", 1), ("C2", 2), ("C3", 3))
    assert multi(cfg, hist, current=None, now=None)


# --- template_complaint ------------------------------------------------------


def template(cfg, utterances, corpus, current="C9"):
    ctx = RiskContext(complaint_corpus=corpus, current_customer_id=current)
    return sig.template_signals(facts(*utterances), ctx, cfg)


def test_template_survives_punctuation_and_small_edits(cfg):
    edited = TEMPLATE.replace("，", ",").replace("。", ";").replace("疫情影响", "失业").replace("和违约金", "及违约金")
    found = template(cfg, ["我要投诉。", edited], [("C1", TEMPLATE)])
    assert codes(found) == ["template_complaint"] and "（C1）" in found[0].evidence


def test_template_ignores_the_same_customers_own_text(cfg):
    assert template(cfg, [TEMPLATE], [("C9", TEMPLATE)], current="C9") == []


def test_template_ignores_unrelated_complaints_on_the_same_topic(cfg):
    mine = "你们催收的人天天打我电话，还打给我同事和我妈，说我不还钱就上门，我要投诉这个催收员。"
    corpus = [
        ("C1", "你们的催收员一天打十几个电话，还把我欠钱的事告诉了我老板，我要投诉，这样是违规的。"),
        ("C2", "我已经跟你们约好了还款日期，催收还是每天打电话骂我，我要投诉。"),
    ]
    assert template(cfg, [mine], corpus) == []


def test_template_ignores_short_texts(cfg):
    assert template(cfg, ["我要投诉你们"], [("C1", "我要投诉你们")]) == []


def test_template_lists_every_other_customer(cfg):
    found = template(cfg, [TEMPLATE], [("C1", TEMPLATE), ("C2", TEMPLATE + "谢谢")])
    assert found[0].evidence == "与其他客户（C1,C2）的投诉文本相似度 1.00"


def test_template_reports_the_exact_jaccard_of_the_closest_pair(cfg):
    from bot.core.risk.similarity import jaccard, shingles

    edited = TEMPLATE[:-6] + "请尽快给我答复谢谢"
    further = TEMPLATE[3:] + "否则我就去银保监会"
    found = template(cfg, ["喂", edited], [("C1", further), ("C2", TEMPLATE)])
    n = cfg.template.shingle_size
    best = max(jaccard(shingles(a, n), shingles(b, n)) for a in ("喂" + edited, edited) for b in (further, TEMPLATE))
    assert found[0].evidence.endswith(f"相似度 {best:.2f}") and best < 1.0


def test_template_with_minhash(cfg):
    from dataclasses import replace

    mh = replace(cfg, template=TemplateSettings(method="minhash", threshold=0.5))
    assert codes(template(mh, [TEMPLATE.replace("贵司", "贵公司")], [("C1", TEMPLATE)])) == ["template_complaint"]
    assert template(mh, ["我想问一下提前还款要不要手续费，怎么操作比较方便呢？"], [("C1", TEMPLATE)]) == []


# --- gray_phrase ---------------------------------------------------------------


def test_gray_phrase_weight_and_tier_come_from_the_lexicon(cfg):
    found = sig.gray_phrase_signals(facts("我们做征信修复，也能停息挂账"), RiskContext(), cfg)
    by_ev = {s.evidence: s for s in found}
    assert by_ev["征信修复"].ceiling == "level1" and by_ev["停息挂账"].ceiling == "level2"
    assert by_ev["征信修复"].weight > by_ev["停息挂账"].weight


def test_gray_phrase_counted_once_per_term(cfg):
    found = sig.gray_phrase_signals(facts("停息挂账", "挺息挂帐", "停息挂账"), RiskContext(), cfg)
    assert [s.evidence for s in found] == ["停息挂账"]


def test_personalised_instalments_are_a_borrowers_right(cfg):
    said = facts("我想申请个性化分期", role="borrower")
    assert sig.gray_phrase_signals(said, RiskContext(), cfg) == []
    offered = facts("我们帮客户做个性化分期", role="third_party")
    assert codes(sig.gray_phrase_signals(offered, RiskContext(), cfg)) == ["gray_phrase"]


# --- unauthorized_third_party --------------------------------------------------


@pytest.mark.parametrize(
    "role, shown, raised",
    [
        ("third_party", False, True),
        ("third_party", True, True),
        ("authorized_agent", False, True),
        ("authorized_agent", True, False),
        ("borrower", False, False),
        ("family", False, False),
        ("unknown", False, False),
    ],
)
def test_unauthorized_third_party_by_role(cfg, role, shown, raised):
    found = sig.unauthorized_third_party_signals(
        facts("你好", role=role, authorisation_shown=shown), RiskContext(), cfg
    )
    assert bool(found) is raised


def test_unauthorized_third_party_from_speech_when_role_is_unclear(cfg):
    found = sig.unauthorized_third_party_signals(facts("你们的客户已经委托我们了", role="unknown"), RiskContext(), cfg)
    assert found and found[0].evidence == "你们的客户已经委托我们" and found[0].quotable
    assert (
        sig.unauthorized_third_party_signals(facts("我是他妈妈，想问问分期", role="family"), RiskContext(), cfg) == []
    )


# --- refuses_borrower_contact --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "你们别联系他了",
        "不要给他打电话",
        "有事找我们就行",
        "他不方便接电话，一切由我们处理",
        "以后不要再打他电话了",
        "他本人不需要出面",
        "相关事宜直接对接我们",
        "客户工作忙，就不打扰他了",
    ],
)
def test_refusal_phrases(cfg, text):
    found = sig.refuses_contact_signals(facts(text, role="third_party"), RiskContext(), cfg)
    assert codes(found) == ["refuses_borrower_contact"]


def test_refusal_only_counts_for_someone_other_than_the_borrower(cfg):
    said = facts("有事找我就行，别打我家里人电话", role="borrower", verified=True)
    assert sig.refuses_contact_signals(said, RiskContext(), cfg) == []


def test_refusal_then_accepting_a_callback_is_discounted(cfg):
    full = cfg.signals["refuses_borrower_contact"].weight
    later = facts("你们先别给他打电话了", "那好吧，你们跟他本人确认一下也行", role="family")
    (found,) = sig.refuses_contact_signals(later, RiskContext(), cfg)
    assert found.weight == pytest.approx(full * cfg.accepted_factor)
    never = facts("你们先别给他打电话了", "钱我们会想办法", role="family")
    assert sig.refuses_contact_signals(never, RiskContext(), cfg)[0].weight == full


def test_accepting_before_refusing_again_is_not_a_discount(cfg):
    flip = facts("你们打给他本人吧", "算了，不要给他打电话", role="family")
    assert (
        sig.refuses_contact_signals(flip, RiskContext(), cfg)[0].weight
        == cfg.signals["refuses_borrower_contact"].weight
    )


def test_refusing_a_callback_is_not_acceptance(cfg):
    said = facts("别让他给你们回电话，有事找我们就行", role="family")
    assert (
        sig.refuses_contact_signals(said, RiskContext(), cfg)[0].weight
        == cfg.signals["refuses_borrower_contact"].weight
    )


# --- impersonating_lawyer -------------------------------------------------------


def test_a_lawyer_on_a_watch_listed_line_is_an_impersonated_lawyer(cfg):
    said = "喂，我是深圳一家律师事务所的，我们受高翔委托，立即给他停息挂账，有委托书"
    listed = RiskContext(watchlist_phones={"075588886666"})
    found = sig.impersonating_lawyer_signals(
        facts(said, role="authorized_agent", caller_number="075588886666"), listed, cfg
    )
    assert codes(found) == ["impersonating_lawyer"] and "观察名单" in found[0].evidence
    assert cfg.signals["impersonating_lawyer"].severe  # level1 on its own
    # the same words from a line nobody listed: a claim to check, not an impersonation
    assert (
        sig.impersonating_lawyer_signals(facts(said, role="authorized_agent", caller_number="13800000001"), listed, cfg)
        == []
    )
    # a known line with no lawyer claim: the line's own signal only
    assert sig.impersonating_lawyer_signals(facts("我想问一下分期", caller_number="075588886666"), listed, cfg) == []


# --- lawyer_claim_unauthorized -------------------------------------------------


def test_lawyer_claim_without_authorisation(cfg):
    found = sig.lawyer_claim_signals(facts("我是他的代理律师", role="authorized_agent"), RiskContext(), cfg)
    assert codes(found) == ["lawyer_claim_unauthorized"] and found[0].evidence == "我是他的代理律师"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("我是恒信律师事务所的律师", True),
        ("我想请个律师", False),
        ("我是说律师函的事", False),
        ("我不是律师，我是他朋友", False),
    ],
)
def test_lawyer_claim_quiet_cases(cfg, text, shown):
    said = facts(text, role="authorized_agent", authorisation_shown=shown)
    assert sig.lawyer_claim_signals(said, RiskContext(), cfg) == []


# --- severe: impersonating_official, extortion, forged_document ---------------


@pytest.mark.parametrize(
    "text",
    [
        "我是朝阳区人民法院执行局的",
        "我们是金融监管总局的",
        "我是市公安局经侦支队的",
        "我这边是人民银行征信管理处的",
        "我们是银保监会的工作人员",
        "我们监管部门要求你们立刻处理",
    ],
)
def test_impersonating_official(cfg, text):
    found = sig.impersonation_signals(facts(text), RiskContext(), cfg)
    assert codes(found) == ["impersonating_official"] and found[0].severe


@pytest.mark.parametrize(
    "text",
    [
        "我要去金融监管总局投诉你们",
        "我已经打了12378",
        "我是在派出所报过案的",
        "我是从人民银行征信中心打的报告",
        "我是法院判决指定的监护人",
        "我是12378转过来的",
        "有人打电话说他们是法院的",
        "我不是警察",
        "我去法院起诉你们",
    ],
)
def test_mentioning_officials_is_not_impersonating(cfg, text):
    assert sig.impersonation_signals(facts(text, role="borrower"), RiskContext(), cfg) == []


@pytest.mark.parametrize(
    "text",
    [
        "不给减免我们就去你们公司门口拉横幅",
        "罚息不全免，我们就天天投诉，投诉到你们受不了为止",
        "不把利息退了，到时候让你们上新闻",
        "不同意停息挂账的话，我们就发抖音曝光你们",
        "把违约金全免了，否则后果自负",
    ],
)
def test_extortion(cfg, text):
    found = sig.extortion_signals(facts(text), RiskContext(), cfg)
    assert codes(found) == ["extortion"] and found[0].severe


def test_extortion_demand_and_threat_in_consecutive_turns(cfg):
    said = facts("我们就一个要求，利息全免。", "你们不同意，我们就天天投诉，投诉到你们受不了为止。")
    found = sig.extortion_signals(said, RiskContext(), cfg)
    assert codes(found) == ["extortion"] and "利息全免" in found[0].evidence


@pytest.mark.parametrize(
    "text",
    [
        "天天投诉到你们受不了",  # pressure, but no benefit asked for
        "否则后果自负",
        "你们马上停止骚扰我家人，不然我就曝光你们",
    ],
)
def test_threat_without_a_benefit_demand_is_not_extortion(cfg, text):
    assert sig.extortion_signals(facts(text), RiskContext(), cfg) == []


@pytest.mark.parametrize(
    "text",
    [
        "你们要是不给减免，我就去12378投诉",
        "我要打12345和金融监管总局投诉你们",
        "你们再这样暴力催收，我就找媒体曝光你们",
        "我们不会去你们公司闹的",
        "不给减免我就向人民银行反映",
    ],
)
def test_complaining_to_regulator_or_media_is_not_extortion(cfg, text):
    assert sig.extortion_signals(facts(text, role="borrower"), RiskContext(), cfg) == []


@pytest.mark.parametrize(
    "text",
    [
        "我们可以帮他开证明",
        "贫困证明你们不用管，证明我们来开",
        "医院证明我们有渠道",
        "什么证明都能开",
    ],
)
def test_forged_document(cfg, text):
    assert codes(sig.forged_document_signals(facts(text), RiskContext(), cfg)) == ["forged_document"]


@pytest.mark.parametrize(
    "text",
    [
        "我们不能帮他开证明",
        "需要什么证明我可以帮他去医院开",
        "收入证明我们可以提供",
        "他们说可以帮我开医院证明",
    ],
)
def test_genuine_proof_talk_is_not_forgery(cfg, text):
    assert sig.forged_document_signals(facts(text, role="family"), RiskContext(), cfg) == []


# --- operator flags -------------------------------------------------------------


def test_operator_flag_raises_the_flagged_code(cfg):
    found = sig.operator_flag_signals(
        facts(operator_flags=["forged_document", "forged_document", "bogus"]), RiskContext(), cfg
    )
    assert [(s.code, s.evidence, s.severe, s.quotable) for s in found] == [
        ("forged_document", "operator_flag", True, False)
    ]
