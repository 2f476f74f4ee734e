"""Shingles, Jaccard, MinHash and cosine."""

import math

import pytest

from bot.core.risk.similarity import cosine, jaccard, minhash_signature, minhash_similarity, shingles

TEMPLATE = (
    "本人因疫情影响收入大幅下降，无力偿还贵司欠款。贵司催收人员多次暴力催收、爆通讯录，"
    "严重影响本人生活和工作。现要求贵司停止催收、减免全部罚息和违约金。"
)


def test_shingles_ignore_punctuation_spaces_and_width():
    assert shingles("停息，挂账！") == shingles("停息 挂账") == shingles("停息挂账")
    assert shingles("ＡＢＣＤ") == shingles("abcd")


def test_shingles_of_short_and_empty_text():
    assert shingles("你好", 3) == frozenset({"你好"})
    assert shingles("，。", 3) == frozenset()


def test_jaccard_bounds():
    a = shingles(TEMPLATE)
    assert jaccard(a, a) == 1.0
    assert jaccard(a, shingles("我想问一下提前还款要不要手续费")) < 0.05
    assert jaccard(frozenset(), a) == 0.0


def test_small_edits_keep_similarity_high():
    edited = TEMPLATE.replace("疫情影响", "失业").replace("，", ",").replace("和违约金", "及违约金")
    assert jaccard(shingles(TEMPLATE), shingles(edited)) > 0.6


def test_minhash_estimates_jaccard():
    edited = TEMPLATE.replace("疫情影响", "生病").replace("贵司", "贵公司")
    a, b = shingles(TEMPLATE), shingles(edited)
    estimate = minhash_similarity(minhash_signature(a, 256), minhash_signature(b, 256))
    assert abs(estimate - jaccard(a, b)) < 0.12


def test_minhash_is_deterministic_and_length_checked():
    a = shingles(TEMPLATE)
    assert minhash_signature(a) == minhash_signature(a)
    assert minhash_similarity(minhash_signature(a, 64), minhash_signature(a, 128)) == 0.0
    assert minhash_similarity(minhash_signature(a), minhash_signature(a)) == 1.0


def test_cosine():
    assert cosine([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert cosine([1, 0], [0, 1]) == 0.0
    assert cosine([0, 0], [1, 1]) == 0.0
    assert cosine([1, 1], [1, 0]) == pytest.approx(1 / math.sqrt(2))
    with pytest.raises(ValueError):
        cosine([1, 2], [1, 2, 3])
