"""Caller text as the project keeps it (bot.core.masking.mask_at_rest): no ID digits, no full phone number."""

import pytest

from bot.core.masking import mask_at_rest


@pytest.mark.parametrize(
    "said, kept",
    [
        ("后四位3721", "后四位****"),
        ("尾号108X的", "尾号****的"),
        ("身份证110101199001013721", "身份证******************"),
        ("11010119900101372X", "******************"),
        ("后四位三七二一", "后四位****"),  # spoken, as the IVR's speech recognition writes it
        ("后四位 3 7 2 1", "后四位 ****"),
        ("我的手机号是13912345678", "我的手机号是139****5678"),
        ("138 0000 2222", "138****2222"),
        ("幺三八零零零零零零零幺", "138****0001"),
        ("座机02180001234", "座机0218****1234"),
        ("借款编号L20240001", "借款编号L********"),
        ("验证码123456", "验证码******"),
        ("我欠8650", "我欠****"),
    ],
)
def test_identifiers_are_masked(said, kept):
    assert mask_at_rest(said) == kept


@pytest.mark.parametrize(
    "said",
    [
        "欠款8650.00元，逾期35天",
        "欠了12,000",
        "2024-01-15还的",
        "2024年3月",
        "¥8650",
        "我想分12期",
        "投诉编号TS202612010001",  # our own reference numbers stay readable
        "第一、二、三、四期",
        "后四位我记不清了",
        "138****0001",  # already masked: unchanged
    ],
)
def test_amounts_dates_references_and_words_stay_readable(said):
    assert mask_at_rest(said) == said


def test_masking_twice_changes_nothing_more():
    once = mask_at_rest("我叫张伟，身份证后四位3721，手机13800000001，借款编号L20240001")
    assert mask_at_rest(once) == once
    for secret in ("3721", "13800000001", "20240001"):
        assert secret not in once
