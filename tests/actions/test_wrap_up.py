"""action_wrap_up: materials, account facts only for the verified borrower, cases, next step."""

import re

from actions.session import ActionSessionStart
from actions.wrap_up import ActionWrapUp
from tests.actions.conftest import make_tracker, responses, run_action, slot_events


def wrap(domain, **slots):
    tracker = make_tracker(slots, text="", active_loop=None)
    return run_action(ActionWrapUp(), tracker, domain)


def test_third_party_fee_waiver(domain):
    events, messages = wrap(
        domain, caller_role="third_party", purpose="fee_waiver", identity_role="third_party", customer_id="C0001"
    )
    slots = slot_events(events)
    assert slots["materials_requested"] == ["power_of_attorney", "agent_id", "borrower_confirmation"]
    assert slots["next_step"] == "callback_registered_phone"
    assert responses(messages) == [
        "utter_materials",
        "utter_next_callback_registered_phone",
        "utter_direct_route",
        "utter_recap",
        "utter_anything_else",
    ]
    materials_line = messages[0]
    assert "授权委托书原件" in materials_line["materials"]


def test_verified_borrower_hears_account_facts(domain):
    events, messages = wrap(
        domain, caller_role="borrower", identity_verified=True, purpose="account_inquiry", customer_id="C0001"
    )
    info = next(m for m in messages if m["response"] == "utter_account_info")
    assert info["outstanding"] == "8,650.00" and info["overdue_days"] == 35
    assert "utter_direct_route" not in responses(messages)
    assert slot_events(events)["materials_requested"] == []


def test_unverified_caller_asking_about_the_account_hears_nothing(domain):
    _, messages = wrap(
        domain, caller_role="family", purpose="account_inquiry", identity_role="family", customer_id="C0001"
    )
    assert "utter_account_info" not in responses(messages)
    assert "utter_account_info_withheld" in responses(messages)


def test_complaint_is_registered_once_with_a_reference(domain, action_db):
    slots = dict(
        caller_role="third_party", purpose="collection_complaint", identity_role="third_party", case_detail="天天打电话"
    )
    events, messages = wrap(domain, **slots)
    out = slot_events(events)
    assert out["complaint_registered"] is True
    assert re.fullmatch(r"TS\d{12}", out["case_reference"])
    case_line = next(m for m in messages if m["response"] == "utter_case_registered")
    assert case_line["reply_days"] == 15
    events2, _ = wrap(domain, **slots)  # same call wrapped again after a new turn
    assert slot_events(events2)["case_reference"] == out["case_reference"]
    assert len(action_db.cases_for_call("call-1")) == 1


def test_repeat_wrap_up_without_changes_only_asks_anything_else(domain):
    slots = dict(caller_role="borrower", identity_verified=True, purpose="repayment_plan", hardship="illness")
    events, _ = wrap(domain, **slots)
    key = slot_events(events)["wrapped_key"]
    events, messages = wrap(domain, wrapped_key=key, **slots)
    assert set(slot_events(events)) <= {
        "proxy_risk_level",
        "proxy_risk_score",
        "proxy_signals",
        "risk_next_step",
        "risk_extra_materials",
    }
    assert responses(messages) == ["utter_anything_else"]


def test_session_start_greets_with_recording_notice_and_keeps_the_number(domain):
    tracker = make_tracker({"session_started_metadata": {"caller_number": "13800000002"}}, active_loop=None)
    events, messages = run_action(ActionSessionStart(), tracker, domain)
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert slot_events(events) == {"caller_number": "13800000002"}
    assert responses(messages) == ["utter_opening"]
