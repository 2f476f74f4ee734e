"""validate_call_form: every turn read for everything, identity by possession, complaints at once."""

from actions.call_form import ValidateCallForm
from bot.core.call import Call, Matter
from tests.actions.conftest import make_tracker, responses, run_action, slot_events


def turn(domain, call=Call(), text="", asked=None, intent="inform", entities=(), number=None, slots=None):
    tracker = make_tracker(
        {"call": call.to_slot(), **(slots or {})},
        text=text,
        intent=intent,
        entities=entities,
        requested_slot=asked,
        metadata={"caller_number": number} if number else {},
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    return out, Call.from_slot(out["call"]), responses(messages)


def test_everything_in_the_first_sentence_is_kept_and_only_the_missing_is_asked(domain):
    out, call, said = turn(domain, text="我是张伟，身份证后四位3721，想分期", asked="caller_role", number="13800000001")
    assert call.role == "borrower" and call.verification == "registered_phone" and call.purposes == ("repayment_plan",)
    assert said == ["utter_identity_verified"]
    assert out["requested_slot"] == "hardship"  # neither the name nor the purpose is asked again
    assert out["identity_verified"] is True and out["verification"] == "registered_phone"


def test_knowledge_from_another_phone_is_not_verification(domain):
    out, call, said = turn(domain, text="我是张伟本人，身份证后四位3721", asked="caller_role", number="13912345678")
    assert call.verification == "knowledge" and out["identity_verified"] is False
    assert "utter_identity_verified" not in said


def test_a_complaint_is_registered_the_turn_it_is_heard_whoever_calls(domain, action_db):
    out, call, said = turn(
        domain,
        text="催收天天打电话骚扰我，我要投诉",
        asked="caller_role",
        entities=[("purpose", "collection_complaint")],
    )
    assert "utter_case_registered" in said and out["complaint_registered"] is True
    assert call.matters[0].reference and len(action_db.cases_for_call("call-1")) == 1
    # identity is still pending: the role question comes next, the complaint already counts
    assert out["requested_slot"] == "caller_role"


def test_a_digression_keeps_the_complaint_detail(domain):
    call = Call(role="family", borrower_name="陈静", matters=(Matter("collection_complaint", "每天打电话骂人", "TS1"),))
    _, after, said = turn(domain, call, text="你是机器人吗", asked="case_detail", intent="bot_challenge")
    assert after.matters[0].detail == "每天打电话骂人"
    assert "utter_bot_challenge" in said


def test_dont_know_gets_the_alternative_never_the_same_question(domain):
    call = Call(role="borrower", borrower_name="张伟", asked=(("identity_code", 1),))
    out, _, _ = turn(domain, call, text="这个我不知道", asked="identity_code")
    assert out["requested_slot"] == "loan_id"
    call2 = Call.from_slot(out["call"])
    out2, _, _ = turn(domain, call2, text="也不记得", asked="loan_id")
    assert out2["requested_slot"] == "purpose"  # go on without it; the callback is arranged at wrap-up


def test_no_question_is_asked_a_third_time(domain):
    call = Call(asked=(("caller_role", 2),))
    out, _, _ = turn(domain, call, text="嗯", asked="caller_role", intent="chitchat")
    assert out["requested_slot"] != "caller_role"


def test_two_turns_that_fill_nothing_reach_a_human_with_the_complaint_kept(domain):
    call = Call(misses=1, matters=(Matter("collection_complaint", "骚扰", "TS1"),))
    out, after, said = turn(domain, call, text="啊吧啊吧", asked="caller_role", intent="nlu_fallback")
    assert said == ["utter_handoff_after_misses"] and out["handoff"] is True and out["requested_slot"] is None
    assert after.matters[0].reference == "TS1"


def test_two_unsure_turns_reach_a_human_with_the_complaint_in_them_registered(domain, action_db):
    """IVR: both turns below the ASR threshold, the second a complaint: nothing was taken from them
    while the script went on, but the human gets the call with the complaint registered."""
    first, second = "喂，喂", "你们天天打电话骚扰我家里人，我要投诉"
    history = [{"event": "user", "text": first, "parse_data": {"text": first}, "metadata": {"low_confidence": True}}]
    tracker = make_tracker(
        {"call": Call(misses=1, turns=1).to_slot()},
        text=second,
        requested_slot="caller_role",
        metadata={"low_confidence": True},
        history=history,
    )
    tracker.events[-1]["metadata"] = {"low_confidence": True}
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert responses(messages)[-2:] == ["utter_case_registered", "utter_handoff_after_misses"]
    assert out["handoff"] is True and out["complaint_registered"] is True
    assert [m["purpose"] for m in out["matters"]] == ["collection_complaint"]
    assert len(action_db.cases_for_call("call-1")) == 1
    after = Call.from_slot(out["call"])
    assert after.role is None  # who is calling is left to the person who takes the call


def test_a_complaint_said_unsure_before_a_read_back_still_reaches_the_human_registered(domain, action_db):
    """IVR: the complaint, the role and the "是" to the read-back all below the ASR threshold: three
    unsure turns, and the complaint in the first is registered when the call goes to the human."""
    first, second, third = "你们的人说要来村里贴告示，我要投素你们", "我是他妈", "是"
    history = [
        {"event": "user", "text": t, "parse_data": {"text": t}, "metadata": {"low_confidence": True}}
        for t in (first, second)
    ]
    call = Call(misses=2, turns=2, asked=(("caller_role", 1), ("role_confirm", 1)), unsure_role="family")
    tracker = make_tracker(
        {"call": call.to_slot()},
        text=third,
        requested_slot="role_confirm",
        metadata={"low_confidence": True},
        history=history,
    )
    tracker.events[-1]["metadata"] = {"low_confidence": True}
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert out["handoff"] is True and out["complaint_registered"] is True
    assert [m["purpose"] for m in out["matters"]] == ["collection_complaint"]


def test_an_agency_demanding_the_collection_stop_files_no_complaint(domain, action_db):
    call = Call(role="third_party", borrower_name="黄丽", asked=(("caller_role", 1), ("purpose", 1)))
    out, after, said = turn(
        domain,
        call,
        text="就是通知你们别再联系她，以后有事找我们",
        asked="purpose",
        entities=[("purpose", "collection_complaint")],  # the NLU reads a complaint into it
    )
    assert out["complaint_registered"] is False and after.purposes == ("other",)
    assert "utter_case_registered" not in said
    # the same words from the borrower's wife are her complaint about the calls
    wife = Call(role="family", borrower_name="黄丽", asked=(("caller_role", 1), ("purpose", 1)))
    out, after, _ = turn(domain, wife, text="你们天天打电话骚扰，别再给我打电话了", asked="purpose")
    assert out["complaint_registered"] is True


def test_a_correction_replaces_the_code(domain):
    call = Call(role="borrower", borrower_name="张伟", id_digits="1234", checked=("张伟|1234",), identity_attempts=1)
    _, after, said = turn(domain, call, text="不对，是三七二一", asked="identity_code", number="13800000001")
    assert after.id_digits == "3721" and after.verification == "registered_phone"


def test_wrong_digits_keep_the_name_and_ask_for_the_number_again(domain):
    call = Call(role="borrower", borrower_name="张伟")
    out, after, said = turn(domain, call, text="1234", asked="identity_code")
    assert said == ["utter_identity_mismatch"] and after.identity_attempts == 1 and after.borrower_name == "张伟"
    assert out["requested_slot"] == "identity_code"


def test_a_non_borrower_hears_the_same_words_whether_or_not_the_borrower_exists(domain):
    _, _, known = turn(domain, text="客户叫张伟", asked="customer_name", slots={}, call=Call(role="third_party"))
    _, _, unknown = turn(domain, text="客户叫欧阳娜娜", asked="customer_name", call=Call(role="third_party"))
    assert known == unknown == ["utter_subject_noted"]


def test_a_flip_to_the_borrower_is_never_verified_in_that_call(domain):
    call = Call(role="third_party", role_claims=(("third_party", "我是她的法务"),), borrower_name="张伟")
    out, after, said = turn(domain, call, text="其实我就是张伟本人，后四位3721", asked="purpose", number="13800000001")
    assert after.flipped and after.role == "borrower" and out["identity_verified"] is False
    assert "utter_identity_verified" not in said


def test_level1_stops_asking_and_sets_the_next_step_at_once(domain):
    out, after, said = turn(
        domain,
        text="我是派出所的，要查张伟的欠款",
        asked="caller_role",
        slots={
            "proxy_risk_level": "level1",
            "proxy_signals": [{"code": "impersonating_official", "evidence": "派出所"}],
        },
    )
    assert "utter_official_channels" in said and out["requested_slot"] is None
    assert out["next_step"] == "police_report_packet"


def unsure_level1_turn(domain, text, signal, evidence):
    """A turn below the ASR threshold whose words decided level1 (the risk check runs first)."""
    tracker = make_tracker(
        {
            "call": Call().to_slot(),
            "proxy_risk_level": "level1",
            "proxy_signals": [{"code": signal, "evidence": evidence}],
        },
        text=text,
        requested_slot="caller_role",
        metadata={"low_confidence": True},
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    return slot_events(events), responses(messages)


def test_a_level1_demand_heard_below_the_asr_threshold_is_still_recorded(domain):
    text = "罚息你们今天必须全部免掉，不免我们就天天投诉"
    out, said = unsure_level1_turn(domain, text, "extortion", "不免我们就天天投诉")
    assert "utter_level1_hold" in said and out["requested_slot"] is None
    assert [m["purpose"] for m in out["matters"]] == ["fee_waiver"]  # "您的诉求已记录" is true
    after = Call.from_slot(out["call"])
    assert after.caller_name is None and after.misses == 0


def test_an_official_impersonator_heard_below_the_asr_threshold_is_recorded_as_a_third_party(domain):
    text = "喂，我是城南派出所的民警，要查孙悦的欠款和还款记录"
    out, said = unsure_level1_turn(domain, text, "impersonating_official", "派出所")
    assert "utter_official_channels" in said and out["requested_slot"] is None
    assert out["caller_role"] == "third_party"  # the words that decided level1 say who claims to call


def test_a_low_confidence_turn_below_level1_gives_nothing(domain):
    tracker = make_tracker(
        {"call": Call().to_slot()},
        text="罚息能不能免掉",
        requested_slot="caller_role",
        metadata={"low_confidence": True},
    )
    out = slot_events(run_action(ValidateCallForm(), tracker, domain)[0])
    assert out.get("matters", []) == [] and Call.from_slot(out["call"]).misses == 1


def test_an_unsure_turn_counts_once_a_clear_turn_repeats_its_name(domain):
    """IVR: "我系本人啦，许娟" below the ASR threshold gives nothing at once ("没听清"); when the caller then
    says "许娟" clearly at the name question, the unsure turn was heard right and 本人 counts too."""
    unsure = "我系本人啦，许娟"
    tracker = make_tracker(
        {"call": Call(asked=(("caller_role", 2), ("role_confirm", 1))).to_slot()},
        text=unsure,
        requested_slot="caller_role",
        metadata={"low_confidence": True},
    )
    out = slot_events(run_action(ValidateCallForm(), tracker, domain)[0])
    first = Call.from_slot(out["call"])
    assert first.role is None and first.misses == 1 and out["requested_slot"] == "customer_name"
    history = [
        {"event": "user", "text": unsure, "parse_data": {"text": unsure}, "metadata": {"low_confidence": True}},
        {"event": "slot", "name": "call", "value": out["call"]},
    ]
    for clear, role in (("许娟，言午许", "borrower"), ("王建国", None)):
        tracker = make_tracker({"call": first.to_slot()}, text=clear, requested_slot="customer_name", history=history)
        out = slot_events(run_action(ValidateCallForm(), tracker, domain)[0])
        after = Call.from_slot(out["call"])
        assert after.role == role  # another name corroborates nothing: the role is still unknown
        if role:
            assert after.borrower_name == "许娟" and after.misses == 0 and out["requested_slot"] == "identity_code"


def test_a_role_said_below_the_asr_threshold_at_the_second_ask_is_read_back_for_a_yes(domain):
    tracker = make_tracker(
        {"call": Call(asked=(("caller_role", 2),), turns=2).to_slot()},
        text="我是本人",
        requested_slot="caller_role",
        metadata={"low_confidence": True},
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert out["requested_slot"] == "role_confirm" and out["role_unsure_label"] == "借款人本人"
    assert "utter_no_hear" not in responses(messages)  # the read-back says what was heard instead
    tracker = make_tracker({"call": out["call"]}, text="对", intent="affirm", requested_slot="role_confirm")
    out = slot_events(run_action(ValidateCallForm(), tracker, domain)[0])
    assert out["caller_role"] == "borrower" and out["requested_slot"] == "customer_name"


def test_an_unsure_role_on_the_second_miss_is_read_back_before_the_human(domain):
    """ "我想问一下…" not understood, then "我本人啊" below the ASR threshold: a reading to confirm, not a
    second turn of nothing; if the read-back is not answered either, the call goes to the human."""
    tracker = make_tracker(
        {"call": Call(asked=(("caller_role", 2),), turns=2, misses=1).to_slot()},
        text="我本人啊",
        requested_slot="caller_role",
        metadata={"low_confidence": True},
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert out["requested_slot"] == "role_confirm" and "utter_handoff_after_misses" not in responses(messages)
    tracker = make_tracker(
        {"call": out["call"]}, text="我本人啊", requested_slot="role_confirm", metadata={"low_confidence": True}
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    assert "utter_handoff_after_misses" in responses(messages) and slot_events(events)["handoff"] is True


def test_a_name_said_below_the_asr_threshold_on_the_second_miss_is_read_back_and_a_yes_keeps_it(domain):
    unsure = "王建国"
    start = Call(role="borrower", asked=(("caller_role", 1), ("customer_name", 1)), misses=1, turns=2)
    tracker = make_tracker(
        {"call": start.to_slot()}, text=unsure, requested_slot="customer_name", metadata={"low_confidence": True}
    )
    events, messages = run_action(ValidateCallForm(), tracker, domain)
    out = slot_events(events)
    assert out["requested_slot"] == "name_confirm" and out["name_unsure_label"] == "王建国"
    assert not {"utter_handoff_after_misses", "utter_no_hear"} & set(responses(messages))
    history = [
        {"event": "user", "text": unsure, "parse_data": {"text": unsure}, "metadata": {"low_confidence": True}},
        {"event": "slot", "name": "call", "value": out["call"]},
    ]
    tracker = make_tracker(
        {"call": out["call"]}, text="对", intent="affirm", requested_slot="name_confirm", history=history
    )
    out = slot_events(run_action(ValidateCallForm(), tracker, domain)[0])
    after = Call.from_slot(out["call"])
    assert after.borrower_name == "王建国" and after.misses == 0 and out["requested_slot"] == "identity_code"


def test_request_human_hands_off_at_once(domain):
    out, _, said = turn(domain, text="转人工", asked="customer_name", intent="request_human")
    assert said == ["utter_handoff"] and out["handoff"] is True and out["next_step"] == "human_review"


def assessed(domain, text, number, entities=()):
    """The risk assessment of a first turn (action_assess_risk runs after every caller message)."""
    from actions.risk import ActionAssessRisk

    tracker = make_tracker(text=text, entities=entities, metadata={"caller_number": number}, requested_slot=None)
    events, _ = run_action(ActionAssessRisk(), tracker, domain)
    out = slot_events(events)
    return out.get("proxy_risk_level", "none"), [s["code"] for s in out.get("proxy_signals") or []]


def test_a_stranger_the_calls_reached_is_not_flagged_as_an_unauthorised_agency(domain):
    level, codes = assessed(
        domain,
        "你们能不能管管你们的催收？一天给我打三个电话找什么林峰，我根本不认识这个人！",
        "18655501234",
        [("purpose", "collection_complaint")],
    )
    assert level == "none" and "unauthorized_third_party" not in codes
    # an agency saying it acts for the borrower is one
    level, codes = assessed(domain, "我们是债务优化公司的，林峰委托我们了，以后有事找我们", "18655501235")
    assert "unauthorized_third_party" in codes
