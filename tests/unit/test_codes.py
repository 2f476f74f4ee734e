"""Verification codes as callers say or key them, and the SMS and number they see or hear."""

import re

import pytest

from bot.core.codes import extract_code, masked_phone, sms_text


@pytest.mark.parametrize(
    "said, code",
    [
        ("123456", "123456"),
        ("验证码是 幺二三 四五六", "123456"),
        ("一二三四五六", "123456"),
        ("洞洞幺 两三四", "001234"),
        ("1 2 3, 4 5 6", "123456"),
        ("123，456", "123456"),
        ("我的验证码是：9 8 7 6 5 4。", "987654"),
        ("五 六 七 八 九 零", "567890"),
        ("１２３４５６", "123456"),  # full-width, as some input methods type
        ("123456#", "123456"),  # keyed, with the terminator
        ("收到了一条短信，验证码 246810", "246810"),
        ("两分钟前收到的 098765", "098765"),
        ("验证码123456，我手机13800000001", "123456"),
    ],
)
def test_codes_said_or_keyed(said, code):
    assert extract_code(said) == code


@pytest.mark.parametrize(
    "said",
    [
        "我没收到",
        "12345",  # too short
        "1234567",  # too long
        "我手机13800000001",  # a phone number is not a code
        "123456 不对 654321",  # two codes: ask again rather than spend an attempt on a guess
        "一 二 三 四 五 六 七",
        "我欠8650.00元",
        "",
        None,
    ],
)
def test_no_code_or_not_one_code(said):
    assert extract_code(said) is None


def test_sms_text_carries_the_code_as_its_only_six_digits_and_the_warnings():
    text = sms_text("042137")
    assert re.findall(r"[0-9]{6,}", text) == ["042137"]
    assert "5分钟" in text
    for warning in ("请勿告诉任何人", "工作人员", "法务", "协商"):
        assert warning in text


def test_sms_text_refuses_what_is_not_a_code():
    with pytest.raises(ValueError):
        sms_text("12345")


def test_masked_phone_as_the_caller_hears_it():
    assert masked_phone("13700000001") == "137****0001"
    assert masked_phone("+86 137-0000-0001") == "137****0001"
    assert masked_phone("02180001234") == "021****1234"
    assert masked_phone("") == "****"
