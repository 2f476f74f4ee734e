"""validate_call_form: identity checks, the script order, misses and handoff."""

from actions.call_form import ValidateCallForm
from tests.actions.conftest import make_tracker, responses, run_action, slot_events

BORROWER = {
    "caller_role": "borrower",
    "identity_role": None,
    "identity_attempts": 0,
    "identity_verified": False,
    "misses": 0,
}


def test_borrower_with_matching_name_and_code_is_verified(domain):
    tracker = make_tracker(
        BORROWER, text="我叫张伟，后四位3721", requested_slot="customer_name", metadata={"caller_number": "13800000001"}
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["identity_verified"] is True
    assert slots["customer_id"] == "C0001" and slots["phone_match"] is True
    assert slots["requested_slot"] == "purpose"
    assert responses(messages) == ["utter_identity_verified"]


def test_wrong_code_counts_an_attempt_and_asks_again(domain):
    tracker = make_tracker({**BORROWER, "customer_name": "张伟"}, text="1234", requested_slot="identity_code")
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["identity_attempts"] == 1
    assert slots["customer_name"] is None and slots["identity_code"] is None
    assert slots["requested_slot"] == "customer_name"
    assert responses(messages) == ["utter_identity_mismatch"]
    assert "identity_verified" not in slots


def test_third_failure_stops_identity_and_moves_on(domain):
    tracker = make_tracker(
        {**BORROWER, "customer_name": "张伟", "identity_attempts": 2}, text="9999", requested_slot="identity_code"
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["identity_attempts"] == 3 and slots["requested_slot"] == "purpose"
    assert responses(messages) == ["utter_identity_failed"]


def test_third_party_names_the_borrower_without_being_verified(domain):
    tracker = make_tracker(
        {"caller_role": "third_party", "customer_name": "张伟"}, text="后四位3721", requested_slot="identity_code"
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["customer_id"] == "C0001" and slots["identity_role"] == "third_party"
    assert slots.get("identity_verified") in (None, False)
    assert responses(messages) == ["utter_subject_noted"]


def test_unknown_borrower_named_by_a_third_party_is_not_revealed(domain):
    tracker = make_tracker(
        {"caller_role": "third_party", "customer_name": "无此人"}, text="后四位5555", requested_slot="identity_code"
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    assert responses(messages) == ["utter_subject_noted"]  # same words as for a match
    assert slot_events(events)["customer_id"] is None


def test_request_human_ends_the_form_with_a_handoff(domain):
    tracker = make_tracker({}, text="转人工", intent="request_human", requested_slot="caller_role")
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    assert slot_events(events) == {
        "handoff": True,
        "next_step": "human_review",
        "handoff_reason": "requested",
        "requested_slot": None,
    }
    assert responses(messages) == ["utter_handoff"]


def test_chitchat_is_left_to_the_rules(domain):
    tracker = make_tracker({}, text="你吃饭了吗", intent="chitchat", requested_slot="caller_role")
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    assert events == [] and messages == []


def test_first_miss_reprompts_second_hands_off(domain):
    tracker = make_tracker({"misses": 0}, text="嗯嗯啊啊", intent="nlu_fallback", requested_slot="caller_role")
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    assert slot_events(events)["misses"] == 1
    assert responses(messages) == ["utter_please_rephrase"]
    tracker = make_tracker({"misses": 1}, text="哦哦", intent="nlu_fallback", requested_slot="caller_role")
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["handoff"] is True and slots["requested_slot"] is None
    assert responses(messages) == ["utter_handoff_after_misses"]


def test_a_filled_slot_resets_misses(domain):
    tracker = make_tracker(
        {"misses": 1},
        text="我是他妈妈",
        set_this_turn={"caller_role": "family"},
        entities=[("caller_role", "family")],
        requested_slot="caller_role",
    )
    events, _ = run_action(ValidateCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["misses"] == 0 and slots["requested_slot"] == "customer_name"


def test_no_to_are_you_the_borrower_asks_the_relation(domain):
    tracker = make_tracker({}, text="不是", intent="deny", requested_slot="caller_role")
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    assert slot_events(events)["role_denied"] is True
    assert messages == []  # the form re-asks with the relation variant of utter_ask_caller_role


def test_verified_borrower_who_turns_out_to_be_family_loses_verification(domain):
    slots = {**BORROWER, "identity_verified": True, "identity_role": "borrower", "customer_id": "C0001"}
    tracker = make_tracker(
        slots,
        text="不对，我是他妈妈",
        set_this_turn={"caller_role": "family"},
        entities=[("caller_role", "family")],
        requested_slot="purpose",
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert out["caller_role"] == "family" and out["identity_verified"] is False
    assert "utter_role_changed" in responses(messages)


def test_case_details_do_not_change_role_or_purpose(domain):
    history = [
        {"event": "slot", "name": "purpose", "value": "collection_complaint"},
        {"event": "slot", "name": "caller_role", "value": "family"},
    ]
    slots = {"caller_role": "family", "identity_role": "family", "purpose": "collection_complaint"}
    tracker = make_tracker(
        slots,
        text="有人冒充你们打电话给我妈",
        history=history,
        set_this_turn={"purpose": "fraud_report", "case_detail": "有人冒充你们打电话给我妈"},
        entities=[("purpose", "fraud_report")],
        requested_slot="case_detail",
    )
    events, _ = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert out["purpose"] == "collection_complaint" and out["requested_slot"] is None
