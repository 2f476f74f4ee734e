from bot.core.textnorm import normalize, pinyin_key, spoken_digits_to_arabic


def test_normalize_folds_width_case_and_punctuation():
    assert normalize("ＡＢＣ，你好！ 123") == "abc你好123"


def test_spoken_digits_become_arabic():
    assert spoken_digits_to_arabic("幺三八叉") == "138X"
    assert spoken_digits_to_arabic("后四位三七二一") == "后四位3721"


def test_homophones_share_a_fuzzy_pinyin_key():
    assert pinyin_key("挺息挂帐") == pinyin_key("停息挂账")
    assert pinyin_key("分七") == pinyin_key("分期")
    assert pinyin_key("正信") == pinyin_key("征信")
    assert pinyin_key("投诉") != pinyin_key("分期")
