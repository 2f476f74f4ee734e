"""Closing the script: materials, account facts, case registration, next step, recap."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.db import database, logs_database_errors
from actions.risk import assess_and_record
from actions.tracker_state import call_state
from bot.core import materials, script
from bot.services import case_export
from bot.settings import load_settings


class ActionWrapUp(Action):
    """States the materials standard and what happens next, registers any case, recaps."""

    def name(self) -> Text:
        return "action_wrap_up"

    @logs_database_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        risk_events = assess_and_record(tracker, include_this_turn=False)
        tracker.add_slots(risk_events)
        state = call_state(tracker)
        risk_level = tracker.get_slot("proxy_risk_level") or "none"
        key = "|".join(
            str(x)
            for x in (
                state.caller_role,
                state.purpose,
                state.hardship,
                state.identity_verified,
                state.handoff,
                risk_level,
            )
        )
        if key == tracker.get_slot("wrapped_key"):
            dispatcher.utter_message(response="utter_anything_else")
            return risk_events
        events: List[EventType] = risk_events + [SlotSet("wrapped_key", key)]
        db = database()

        kind = script.case_kind(state.purpose)
        if kind:
            case = db.register_case(
                tracker.sender_id,
                kind,
                state.caller_role or "unknown",
                tracker.get_slot("customer_id"),
                state.case_detail or "",
                materials.reply_days(kind),
            )
            dispatcher.utter_message(
                response="utter_case_registered",
                case_label=materials.label("case_kind", kind),
                reference=case.reference,
                reply_days=materials.reply_days(kind),
                reply_due=case.reply_due.strftime("%Y年%m月%d日"),
            )
            events.append(SlotSet("case_reference", case.reference))
            if kind in script.COMPLAINT_KINDS:
                events.append(SlotSet("complaint_registered", True))

        codes: List[str] = []
        if not state.handoff and state.purpose not in (None, "unknown"):
            if state.purpose == "account_inquiry":
                self._account_inquiry(dispatcher, tracker, state)
            if state.purpose in script.HARDSHIP_PURPOSES and script.may_disclose_account(state):
                dispatcher.utter_message(response="utter_plan_entitlement")
            extra = tracker.get_slot("risk_extra_materials") or []
            codes = materials.materials_for(state.purpose, state.caller_role, state.hardship, extra)
            if codes:
                dispatcher.utter_message(
                    response="utter_materials",
                    purpose_label=materials.label("purpose", state.purpose),
                    materials=materials.describe(codes),
                )
            elif state.purpose != "account_inquiry":
                dispatcher.utter_message(response="utter_no_materials")
        events.append(SlotSet("materials_requested", codes))

        step = script.next_step(state, risk_level, tracker.get_slot("risk_next_step"))
        events.append(SlotSet("next_step", step))
        if risk_level in ("level2", "level1"):
            dispatcher.utter_message(response="utter_verify_before_acting")
        dispatcher.utter_message(response=f"utter_next_{step}")
        if not script.may_disclose_account(state):
            dispatcher.utter_message(response="utter_direct_route")
        dispatcher.utter_message(
            response="utter_recap",
            role_label=materials.label("caller_role", state.caller_role),
            purpose_label=materials.label("purpose", state.purpose),
            identity_text=_identity_text(state),
            next_step_label=materials.label("next_step", step),
        )
        if not state.handoff:
            dispatcher.utter_message(response="utter_anything_else")
        if risk_level == "level1":
            keep_evidence(tracker, events)
        return events

    @staticmethod
    def _account_inquiry(dispatcher: CollectingDispatcher, tracker: Tracker, state) -> None:
        customer = None
        if script.may_disclose_account(state) and tracker.get_slot("customer_id"):
            customer = database().customer(tracker.get_slot("customer_id"))
        if customer is None:
            dispatcher.utter_message(response="utter_account_info_withheld")
            return
        dispatcher.utter_message(
            response="utter_account_info",
            loan_id=customer.loan_id,
            outstanding=f"{customer.outstanding:,.2f}",
            overdue_days=customer.overdue_days,
        )


def keep_evidence(tracker: Tracker, events: List[EventType]) -> None:
    """Level 1: write the evidence packet under BOT_DATA_DIR/cases and audit that it was kept."""
    db = database()
    packet = case_export.build_packet(tracker.sender_id, list(tracker.events) + list(events), db)
    paths = case_export.write_packet(packet, load_settings().data_dir / "cases")
    db.append_audit(tracker.sender_id, [("evidence_kept", {"files": [str(p) for p in paths]})])


def _identity_text(state: script.CallState) -> str:
    if script.may_disclose_account(state):
        return "身份已核实"
    if state.identity_failed:
        return "身份核对未通过，转人工复核"
    if state.is_borrower:
        return "身份未核实"
    return "非借款人本人，未透露账户信息"
