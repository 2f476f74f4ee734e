from dataclasses import dataclass

import pytest

from bot.core import identity


@dataclass
class Rec:
    customer_id: str
    name: str
    registered_phone: str


@pytest.mark.parametrize(
    "text,code",
    [
        ("后四位是3721", "3721"),
        ("三七二一", "3721"),
        ("尾号 108x", "108X"),
        ("借款编号L20240001", "L20240001"),
        ("l20240003", "L20240003"),
        ("身份证号110101199001013721", "3721"),
        ("我不记得了", None),
        ("12345", None),
    ],
)
def test_parse_code(text, code):
    assert identity.parse_code(text) == code


@pytest.mark.parametrize(
    "text,name",
    [
        ("我叫张伟", "张伟"),
        ("张伟", "张伟"),
        ("我是王芳，后四位0521", "王芳"),
        ("借款人叫李娜", "李娜"),
        ("嗯，名字是刘洋", "刘洋"),
        ("1234", None),
    ],
)
def test_parse_name(text, name):
    assert identity.parse_name(text) == name


def test_code_cue_needs_a_cue_or_a_loan_number():
    assert identity.has_code_cue("身份证后四位3721")
    assert identity.has_code_cue("L20240001")
    assert not identity.has_code_cue("他欠了3000块")


def test_names_match_by_sound_for_asr_homophones():
    assert identity.same_name("章伟", "张伟")
    assert identity.same_name("我叫张伟啊", "张伟")
    assert not identity.same_name("王芳", "张伟")


def test_match_customer_checks_name_and_reports_phone():
    recs = [Rec("C1", "张伟", "13800000001"), Rec("C9", "王芳", "13800000009")]
    m = identity.match_customer("我叫王芳", "3721", recs, "+86 138-0000-0009")
    assert m.matched and m.customer_id == "C9" and m.phone_match is True
    m = identity.match_customer("张伟", "3721", recs, "13900000000")
    assert m.customer_id == "C1" and m.phone_match is False
    assert not identity.match_customer("李娜", "3721", recs, None).matched
    assert identity.match_customer("张伟", "3721", recs, None).phone_match is None
