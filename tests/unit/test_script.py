import pytest

from bot.core.script import CallState, may_disclose_account, next_step, required_slots


def test_asks_role_first_then_purpose():
    assert required_slots(CallState()) == ["caller_role", "purpose"]


def test_borrower_is_verified_before_purpose():
    s = CallState(caller_role="borrower")
    assert required_slots(s) == ["caller_role", "customer_name", "identity_code", "purpose"]


def test_verified_borrower_with_hardship_purpose_is_asked_hardship():
    s = CallState(caller_role="borrower", identity_verified=True, purpose="fee_waiver")
    assert required_slots(s) == ["caller_role", "purpose", "hardship"]


def test_three_failed_attempts_stop_identity_questions():
    s = CallState(caller_role="borrower", identity_attempts=3, purpose="account_inquiry")
    assert "customer_name" not in required_slots(s)
    assert s.identity_failed
    assert next_step(s) == "human_review"


def test_third_party_names_the_borrower_once_and_skips_hardship():
    s = CallState(caller_role="third_party", purpose="repayment_plan")
    assert required_slots(s) == ["caller_role", "customer_name", "identity_code", "purpose"]
    done = CallState(caller_role="third_party", identity_role="third_party", purpose="repayment_plan")
    assert required_slots(done) == ["caller_role", "purpose"]


@pytest.mark.parametrize("purpose", ["collection_complaint", "credit_dispute", "fraud_report"])
def test_case_purposes_ask_for_the_details(purpose):
    s = CallState(caller_role="family", identity_role="family", purpose=purpose)
    assert required_slots(s)[-1] == "case_detail"


def test_handoff_ends_the_form():
    assert required_slots(CallState(handoff=True)) == []


@pytest.mark.parametrize(
    "state,risk,step",
    [
        (CallState(caller_role="borrower", identity_verified=True, purpose="repayment_plan"), "none", "handled"),
        (CallState(caller_role="borrower", identity_verified=True, purpose="fraud_report"), "none", "escalate_team"),
        (CallState(caller_role="third_party", purpose="fee_waiver"), "none", "callback_registered_phone"),
        (CallState(caller_role="family", purpose="collection_complaint"), "none", "handled"),
        (
            CallState(caller_role="borrower", identity_verified=True, purpose="fee_waiver"),
            "level2",
            "callback_registered_phone",
        ),
        (CallState(caller_role="third_party", purpose="fee_waiver"), "level1", "police_report_packet"),
        (CallState(caller_role="borrower", purpose="fee_waiver", handoff=True), "none", "human_review"),
        (CallState(caller_role="borrower", identity_verified=True, purpose="other"), "none", "human_review"),
    ],
)
def test_next_step(state, risk, step):
    assert next_step(state, risk) == step


def test_only_the_verified_borrower_hears_account_details():
    assert may_disclose_account(CallState(caller_role="borrower", identity_verified=True))
    assert not may_disclose_account(CallState(caller_role="borrower"))
    assert not may_disclose_account(CallState(caller_role="family", identity_verified=True))


def test_state_from_slots():
    s = CallState.from_slots({"caller_role": "borrower", "identity_attempts": 2.0, "identity_verified": None})
    assert s.identity_attempts == 2 and s.identity_verified is False


def test_a_handoff_after_a_system_fault_does_not_end_the_script():
    s = CallState(caller_role="borrower", handoff=True, handoff_reason="system_fault")
    assert required_slots(s) == ["caller_role", "customer_name", "identity_code", "purpose"]
    assert required_slots(CallState(handoff=True, handoff_reason="requested")) == []
