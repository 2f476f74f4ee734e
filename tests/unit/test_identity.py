"""Comparing what the caller said with the records: fuzzy names, phone matches, same-name records."""

from dataclasses import dataclass

from bot.core import identity
from bot.core.call import Call, apply_identity


@dataclass
class Rec:
    customer_id: str
    name: str
    registered_phone: str


RECORDS = [Rec("C1", "张伟", "13800000001"), Rec("C2", "王芳", "13800000002")]
TWINS = [Rec("S9", "王建国", "13700000009"), Rec("S10", "王建国", "13700000010")]


def test_homophones_match_by_sound():
    assert identity.same_name("章伟", "张伟") and identity.same_name("我叫张伟", "张伟")
    assert not identity.same_name("李娜", "张伟")


def test_candidates_carry_whether_the_call_comes_from_the_registered_phone():
    assert identity.candidates("张伟", RECORDS, "13800000001") == [identity.Candidate("C1", True)]
    assert identity.candidates("张伟", RECORDS, "13900000000") == [identity.Candidate("C1", False)]
    assert identity.candidates("张伟", RECORDS, None) == [identity.Candidate("C1", None)]
    assert identity.candidates("李娜", RECORDS, "13800000001") == []


def test_same_name_and_digits_are_told_apart_by_the_registered_phone():
    call = Call(role="borrower", borrower_name="王建国", id_digits="7128")
    found = identity.candidates("王建国", TWINS, "13700000010")
    new, outcome = apply_identity(call, found)
    assert outcome == "verified" and new.customer_id == "S10" and new.verification == "registered_phone"


def test_same_name_and_digits_from_another_phone_are_never_picked_arbitrarily():
    call = Call(role="borrower", borrower_name="王建国", id_digits="7128")
    new, outcome = apply_identity(call, identity.candidates("王建国", TWINS, "13900000000"))
    assert outcome == "ambiguous" and new.customer_id is None and new.ambiguous
    # the loan number then settles it
    loan = [TWINS[1]]
    settled, outcome = apply_identity(
        new.__class__(**{**new.__dict__, "loan_id": "L20250010"}), identity.candidates("王建国", loan, "13900000000")
    )
    assert outcome == "knowledge" and settled.customer_id == "S10" and settled.verification == "knowledge"
