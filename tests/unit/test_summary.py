from bot.core.summary import build_summary


def test_empty_conversation_has_contract_defaults():
    s = build_summary("c-1", "rest", {})
    assert s == {
        "call_id": "c-1",
        "channel": "rest",
        "caller_role": "unknown",
        "identity_verified": False,
        "customer_id": None,
        "purpose": "unknown",
        "materials_requested": [],
        "proxy_risk": {"level": "none", "score": 0.0, "signals": []},
        "next_step": None,
        "handoff": False,
        "complaint_registered": False,
        "verification": "none",
        "matters": [],
        "case_id": None,
    }


def test_slots_flow_into_summary():
    s = build_summary(
        "c-2",
        "ivr",
        {
            "caller_role": "third_party",
            "customer_id": "C0001",
            "purpose": "fee_waiver",
            "materials_requested": ["power_of_attorney"],
            "proxy_risk_level": "level2",
            "proxy_risk_score": 0.7,
            "proxy_signals": [{"code": "gray_phrase", "evidence": "停息挂账", "weight": 0.3}],
            "next_step": "callback_registered_phone",
            "complaint_registered": True,
        },
    )
    assert s["channel"] == "ivr"
    assert s["proxy_risk"] == {
        "level": "level2",
        "score": 0.7,
        "signals": [{"code": "gray_phrase", "evidence": "停息挂账"}],
    }
    assert s["complaint_registered"] is True and s["customer_id"] == "C0001"


def test_the_case_id_is_carried_when_the_call_has_one():
    assert build_summary("c-3", "agent", {}, case_id="K202612010001")["case_id"] == "K202612010001"
