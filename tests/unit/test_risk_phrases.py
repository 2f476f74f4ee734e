"""The pinyin-robust lexicon matcher: homophones caught, false friends and the lender's own words not."""

import pytest

from bot.core.risk import load_config
from bot.core.risk.phrases import PhraseEntry, PhraseMatcher, near_syllables, split_syllable


@pytest.fixture(scope="module")
def lexicon():
    return load_config().lexicon


def terms(matcher, text):
    return [m.entry.term for m in matcher.find(text)]


@pytest.mark.parametrize(
    "text, term",
    [
        ("我们帮他挺息挂帐", "停息挂账"),
        ("我是他的法物", "法务"),
        ("我们做正信修复的", "征信修复"),
        ("帮他做债物优化", "债务优化"),
        ("帮客户负债上按", "负债上岸"),
        ("维全不成功不收费", "维权不成功不收费"),
        ("我们是专业反吹收的", "专业反催收"),
        ("逾期产单包过", "逾期铲单"),
    ],
)
def test_asr_homophones_are_caught(lexicon, text, term):
    assert term in terms(lexicon, text)


def test_exact_match_evidence_is_the_span(lexicon):
    (match,) = [m for m in lexicon.find("他需要停息挂账。") if m.entry.term == "停息挂账"]
    assert match.kind == "exact" and match.evidence == "停息挂账"


def test_homophone_evidence_shows_the_term(lexicon):
    (match,) = lexicon.find("挺息挂帐")
    assert match.kind == "homophone" and match.evidence == "挺息挂帐≈停息挂账"


def test_one_misheard_syllable_in_a_long_term_is_tolerated(lexicon):
    (match,) = lexicon.find("帮他停止挂账")
    assert match.entry.term == "停息挂账" and match.kind == "near"


def test_short_terms_get_no_near_match():
    matcher = PhraseMatcher([PhraseEntry("法务", 0.3)], near_min_len=4)
    assert matcher.find("法图") == []  # tu/wu share a final, but two-character terms need all syllables
    assert matcher.find("法律") == []
    assert matcher.find("发误")  # a full homophone still matches


def test_punctuation_and_width_are_ignored(lexicon):
    assert "停息挂账" in terms(lexicon, "停息，挂账")
    assert "停息挂账" in terms(lexicon, "停 息 挂 账！")


@pytest.mark.parametrize(
    "text",
    [
        "这两年生意惨淡",  # 惨淡 sounds like 铲单
        "医生说不能吃发物",  # 发物 sounds like 法务
        "你们法务部的人说要起诉我",  # the lender's own legal department
        "有人冒充你们公司的法务",
        "征信上有一笔逾期要修改",  # 修改 is not 修复
        "我想申请分期",
        "能不能延期还款",
        "按第七十条申请",
    ],
)
def test_false_friends_and_ordinary_words_do_not_match(lexicon, text):
    assert terms(lexicon, text) == []


def test_longest_match_wins_over_contained_terms(lexicon):
    assert terms(lexicon, "帮你负债上岸") == ["负债上岸"]
    assert terms(lexicon, "维权不成功不收费") == ["维权不成功不收费"]
    assert terms(lexicon, "我们做逾期铲单") == ["逾期铲单"]


def test_variants_match(lexicon):
    assert "征信修复" in terms(lexicon, "可以帮你修复征信")


def test_every_lexicon_entry_matches_its_own_term(lexicon):
    for entry in lexicon.entries:
        assert entry.term in terms(lexicon, f"对方说{entry.term}就行"), entry.term


def test_fuzzy_false_matches_only_the_characters():
    matcher = PhraseMatcher([PhraseEntry("上岸", 0.1, fuzzy=False)])
    assert matcher.find("上岸") and not matcher.find("伤岸")


def test_syllable_helpers():
    assert split_syllable("zhang") == ("zh", "ang")
    assert split_syllable("an") == ("", "an")
    assert near_syllables("xi", "zi")  # same final
    assert near_syllables("hui", "hua")  # same initial
    assert not near_syllables("fu", "gai")
    assert not near_syllables("1", "2")


def test_a_repeated_utterance_gives_the_same_matches_and_callers_cannot_spoil_them():
    matcher = PhraseMatcher([PhraseEntry("停息挂账", 1.0), PhraseEntry("法务", 0.3)])
    first = matcher.find("我们法务要求挺息挂帐")
    assert sorted(m.entry.term for m in first) == ["停息挂账", "法务"]
    first.clear()
    again = matcher.find("我们法务要求挺息挂帐")
    assert sorted(m.entry.term for m in again) == ["停息挂账", "法务"]
    assert matcher.find("你好") == []
