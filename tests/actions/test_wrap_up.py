"""action_wrap_up: two prompts at most, materials and how to hand them in, account facts only when allowed."""

from actions.wrap_up import ActionWrapUp
from bot.core.call import Call, Matter
from tests.actions.conftest import make_tracker, responses, run_action, slot_events


def wrap(domain, call, **slots):
    tracker = make_tracker({"call": call.to_slot(), **slots}, text="", active_loop=None)
    events, messages = run_action(ActionWrapUp(), tracker, domain)
    return slot_events(events), messages


def test_third_party_fee_waiver_gets_the_agency_materials_and_the_direct_route(domain):
    call = Call(role="third_party", borrower_name="张伟", matters=(Matter("fee_waiver"),))
    out, messages = wrap(domain, call)
    assert out["materials_requested"] == ["power_of_attorney", "agent_id", "borrower_confirmation"]
    assert out["next_step"] == "callback_registered_phone"
    assert responses(messages) == ["utter_materials", "utter_next_callback_registered_phone"]
    assert "授权委托书原件" in messages[0]["materials"] and "App" in messages[0]["submit"]


def test_borrower_verified_by_phone_hears_the_account(domain):
    call = Call(
        role="borrower", verification="registered_phone", customer_id="C0001", matters=(Matter("account_inquiry"),)
    )
    out, messages = wrap(domain, call)
    info = next(m for m in messages if m["response"] == "utter_account_info")
    assert info["outstanding"] == "8,650.00" and info["overdue_days"] == 35
    assert len(messages) <= 2


def test_knowledge_alone_hears_nothing_about_the_account(domain):
    call = Call(role="borrower", verification="knowledge", customer_id="C0001", matters=(Matter("account_inquiry"),))
    _, messages = wrap(domain, call)
    assert "utter_account_info" not in responses(messages)
    assert "utter_account_info_withheld" in responses(messages)


def test_verified_borrower_on_a_level2_call_hears_nothing(domain):
    call = Call(role="borrower", verification="sms_code", customer_id="C0001", matters=(Matter("account_inquiry"),))
    _, messages = wrap(domain, call, proxy_risk_level="level2")
    assert "utter_account_info" not in responses(messages)


def test_verified_borrower_on_a_watchlisted_line_hears_nothing(domain):
    call = Call(
        role="borrower", verification="registered_phone", customer_id="C0001", matters=(Matter("account_inquiry"),)
    )
    _, messages = wrap(domain, call, proxy_signals=[{"code": "watchlist_phone", "evidence": "13900009999"}])
    assert "utter_account_info" not in responses(messages)


def test_two_matters_get_the_materials_of_both(domain):
    call = Call(
        role="borrower",
        verification="registered_phone",
        customer_id="C0001",
        hardship="illness",
        matters=(Matter("collection_complaint", "骚扰", "TS1"), Matter("repayment_plan")),
    )
    out, messages = wrap(domain, call)
    assert {"complaint_evidence", "medical_proof", "repayment_proposal"} <= set(out["materials_requested"])
    assert "投诉催收和协商还款" in messages[0]["matters"]


def test_a_repeat_wrap_up_without_changes_only_asks_anything_else(domain):
    call = Call(
        role="borrower", verification="registered_phone", matters=(Matter("repayment_plan"),), hardship="illness"
    )
    out, _ = wrap(domain, call)
    out2, messages = wrap(domain, call, wrapped_key=out["wrapped_key"])
    assert responses(messages) == ["utter_anything_else"]


def test_goodbye_ends_with_the_goodbye(domain):
    call = Call(role="family", borrower_name="陈静", matters=(Matter("collection_complaint", "x", "TS1"),), ended=True)
    _, messages = wrap(domain, call)
    assert responses(messages)[-1] == "utter_goodbye"


def test_an_employer_reached_by_the_calls_hands_in_evidence_not_a_power_of_attorney(domain):
    call = Call(role="third_party", bystander=True, borrower_name="马超", matters=(Matter("collection_complaint"),))
    out, _ = wrap(domain, call)
    assert out["materials_requested"] == ["complaint_evidence"]
    agency = Call(role="third_party", borrower_name="马超", matters=(Matter("collection_complaint"),))
    assert "power_of_attorney" in wrap(domain, agency)[0]["materials_requested"]


def test_after_a_handoff_what_the_caller_adds_is_kept_and_nothing_is_asked(domain):
    from bot.settings import callback_hours

    call = Call(role="borrower", borrower_name="张伟", handoff=True, handoff_reason="requested")
    # the handoff's own turn: its line was said by the form already, the wrap-up adds nothing
    handoff_line = {"event": "bot", "text": "……", "metadata": {"utter_action": "utter_handoff"}}
    tracker = make_tracker({"call": call.to_slot()}, text="转人工", active_loop=None)
    tracker.events.append(handoff_line)
    _, messages = run_action(ActionWrapUp(), tracker, domain)
    assert responses(messages) == []
    # a later turn, whether the wrap-up repeats or what the caller said is new: noted, no question
    for slots in ({}, {"wrapped_key": None}):
        out, messages = wrap(domain, call, **slots)
        assert responses(messages) == ["utter_handoff_noted"]
        assert messages[0]["callback_hours"] == callback_hours()
    repeat_key = "borrower|()|None|none|True|none|human_review"
    out, messages = wrap(domain, call, wrapped_key=repeat_key, closings=2.0)
    assert out["closings"] == 3.0 and "wrapped_key" not in out  # the third repeat: would say goodbye
    assert responses(messages) == ["utter_handoff_noted"]


def test_after_a_system_fault_the_closing_lines_are_the_usual_ones(domain):
    call = Call(role="borrower", borrower_name="张伟", handoff=True, handoff_reason="system_fault")
    _, messages = wrap(domain, call)
    assert "utter_handoff_noted" not in responses(messages)


def test_yes_after_a_closing_that_asked_nothing_is_an_acknowledgement(domain):
    from actions.wrap_up import ActionAcknowledge

    for last, expected in (
        ("我们已把情况转交专项工作组，专人会尽快跟进。", "utter_anything_else"),
        ("材料交齐后我们会尽快为您办理。还有别的需要帮您的吗？", "utter_ask_more"),
    ):
        tracker = make_tracker({}, text="好", active_loop=None, history=[{"event": "bot", "text": last}])
        _, messages = run_action(ActionAcknowledge(), tracker, domain)
        assert responses(messages) == [expected]


def test_a_matter_added_later_hears_only_its_own_materials_and_not_the_same_closing_again(domain):
    """A fraud report wrapped up, then the caller adds a repayment plan: the report's materials and the
    team's line are not read out a second time, and the account is told once."""
    fraud = Call(
        role="borrower",
        verification="registered_phone",
        customer_id="C0001",
        matters=(Matter("fraud_report", "交了四千八给中介", "FZ1"), Matter("account_inquiry")),
    )
    tracker = make_tracker({"call": fraud.to_slot()}, text="", active_loop=None)
    events, first = run_action(ActionWrapUp(), tracker, domain)
    out = slot_events(events)
    assert "utter_next_escalate_team" in responses(first) and "utter_account_info" in responses(first)
    history = [{"event": "bot", "text": "……", "metadata": {"utter_action": r}} for r in responses(first)]
    both = Call(
        role="borrower",
        verification="registered_phone",
        customer_id="C0001",
        hardship="unemployment",
        matters=fraud.matters + (Matter("repayment_plan"),),
    )
    slots = {
        "call": both.to_slot(),
        "wrapped_key": out["wrapped_key"],
        "materials_requested": out["materials_requested"],
    }
    tracker = make_tracker(slots, text="另一个是我想谈分期", active_loop=None, history=history)
    events, second = run_action(ActionWrapUp(), tracker, domain)
    said_again = responses(second)
    assert "utter_next_escalate_team" not in said_again and "utter_account_info" not in said_again
    told = next(m for m in second if m["response"] == "utter_materials")
    assert "还款计划" in told["materials"] and "投诉证据" not in told["materials"]
    assert said_again[-1] == "utter_anything_else"
    # the summary still lists every material of the call
    assert {"complaint_evidence", "repayment_proposal"} <= set(slot_events(events)["materials_requested"])


def test_an_employer_asking_about_someone_elses_debt_is_told_nothing_and_not_that_it_was_registered(domain):
    call = Call(
        role="third_party",
        bystander=True,
        borrower_name="周杰",
        matters=(Matter("account_inquiry"),),
        asked=(("caller_role", 1),),
    )
    out, messages = wrap(domain, call)
    # only the borrower hears the account; no 委托书 for a question we do not answer; no "已经登记"
    assert responses(messages) == ["utter_account_info_withheld", "utter_next_handled_told"]
    assert out["next_step"] == "handled" and out["materials_requested"] == []
