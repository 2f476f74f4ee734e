"""Closing the script in at most two short prompts: what was noted and the materials, then what
happens next (with the free, direct route for anyone but the verified borrower).

Complaints are registered earlier, the turn they are heard (actions/call_form.py);
account facts are told here only to the borrower verified by registered phone or
SMS code, on a call below level2 from a line the anti-proxy team does not know.
"""

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.db import database, logs_database_errors
from actions.risk import assess_and_record
from actions.tracker_state import call_state, signal_codes
from bot.core import call as script
from bot.core import materials
from bot.services import case_export
from bot.settings import callback_hours, load_settings

# nobody's customer (bot/core/call.py not_customer): what they are told instead of a wrap-up
NOT_CUSTOMER_RESPONSES = {"wrong_number": "utter_wrong_number", "prospect": "utter_prospect"}


class ActionWrapUp(Action):
    """States what was noted, the materials and how to hand them in, and what happens next."""

    def name(self) -> Text:
        return "action_wrap_up"

    @logs_database_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        risk_events = assess_and_record(tracker, include_this_turn=False)
        tracker.add_slots(risk_events)
        call = call_state(tracker)
        level = tracker.get_slot("proxy_risk_level") or "none"
        signals = signal_codes(tracker)
        step = script.next_step(call, level, tracker.get_slot("risk_next_step"), signals)
        key = "|".join(
            str(x) for x in (call.role, call.purposes, call.hardship, call.verification, call.handoff, level, step)
        )
        if key == tracker.get_slot("wrapped_key") or (call.level1 and tracker.get_slot("wrapped_key")):
            # said already: no closing twice; after two such turns, offer the human and end
            repeats = int(tracker.get_slot("closings") or 0) + 1
            if adds_after_handoff(call, tracker):
                dispatcher.utter_message(response="utter_handoff_noted", callback_hours=callback_hours())
            elif call.ended or repeats >= 3:
                dispatcher.utter_message(response="utter_goodbye")
            elif repeats == 2:
                dispatcher.utter_message(response="utter_closing_offer_human")
            else:
                dispatcher.utter_message(response="utter_anything_else")
            return risk_events + [SlotSet("closings", float(repeats))]
        events: List[EventType] = risk_events + [
            SlotSet("wrapped_key", key),
            SlotSet("next_step", step),
            SlotSet("closings", 0.0),
        ]
        disclose = script.may_disclose_account(call, level, signals)
        if call.not_customer and step == "handled":
            # a wrong number, a wish to borrow: where they called and what to do, no materials, no callback
            dispatcher.utter_message(response=NOT_CUSTOMER_RESPONSES[call.not_customer])
            if call.ended:
                dispatcher.utter_message(response="utter_goodbye")
            return events + [SlotSet("materials_requested", [])]

        codes: List[str] = []
        purposes = [p for p in call.purposes if p not in ("unknown",)]
        if not call.handoff and not call.level1:
            extra = tracker.get_slot("risk_extra_materials") or []
            for purpose in purposes:
                # someone the calls reached, acting for nobody, hands in their own evidence, not a 委托书;
                # their question about the borrower's debt is answered (only the borrower hears it): no papers
                if call.bystander and purpose == "account_inquiry":
                    continue
                role = "unknown" if call.bystander and purpose == "collection_complaint" else call.role
                codes += materials.materials_for(purpose, role, call.hardship, extra if role == call.role else ())
            codes = list(dict.fromkeys(codes))
            if "account_inquiry" in purposes and not said(tracker, *ACCOUNT_LINES):
                self._account(dispatcher, call, disclose)
            noted = "和".join(materials.label("purpose", p) for p in purposes) or "您的来电"
            # a wrap-up again (a new matter, a change): only the materials not asked for yet
            told = set(tracker.get_slot("materials_requested") or []) if tracker.get_slot("wrapped_key") else set()
            new_codes = [c for c in codes if c not in told]
            if new_codes:
                dispatcher.utter_message(
                    response="utter_materials",
                    matters=noted,
                    materials=materials.describe(new_codes),
                    materials_spoken=materials.spoken(new_codes),
                    submit=materials.how_to_submit(),
                    submit_spoken=materials.how_to_submit(True),
                )
            elif [p for p in purposes if p != "account_inquiry"]:
                dispatcher.utter_message(response="utter_matters_noted", matters=noted)
        events.append(SlotSet("materials_requested", codes))

        if not call.handoff:
            # the same next step told already in this call (a matter added later): only "anything else?"
            repeat = said(tracker, closing_response(call, step, level, disclose, bool(codes))) and not call.ended
            dispatcher.utter_message(
                response="utter_anything_else"
                if repeat
                else closing_response(call, step, level, disclose, bool(codes)),
                callback_hours=callback_hours(),
            )
        elif adds_after_handoff(call, tracker):
            dispatcher.utter_message(response="utter_handoff_noted", callback_hours=callback_hours())
        if call.ended:
            dispatcher.utter_message(response="utter_goodbye")
        if level == "level1":
            keep_evidence(tracker, events)
        return events

    @staticmethod
    def _account(dispatcher: CollectingDispatcher, call: script.Call, disclose: bool) -> None:
        customer = database().customer(call.customer_id) if disclose and call.customer_id else None
        if customer is None:
            dispatcher.utter_message(response="utter_account_info_withheld")
            return
        dispatcher.utter_message(
            response="utter_account_info",
            loan_id=customer.loan_id,
            outstanding=f"{customer.outstanding:,.2f}",
            overdue_days=customer.overdue_days,
        )


HANDOFF_LINES = ("utter_handoff", "utter_handoff_after_misses")
ACCOUNT_LINES = ("utter_account_info", "utter_account_info_withheld")


def said(tracker: Tracker, *responses: str) -> bool:
    """Whether one of these responses was said earlier in this call."""
    return any(
        event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in responses
        for event in tracker.events
    )


def adds_after_handoff(call: script.Call, tracker: Tracker) -> bool:
    """The caller writes again after the call was handed to a person (not in the handoff's own turn):
    what they add is kept for the staff, and nothing more is asked."""
    if not call.handoff or call.handoff_reason == script.SYSTEM_FAULT or call.ended:
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in HANDOFF_LINES:
            return False  # the handoff line was said this turn
    return True


class ActionAcknowledge(Action):
    """ "好/是的/嗯" after the wrap-up: a yes to "还有别的需要吗？" is asked to go on ("好的，请您说。");
    after a closing that asked nothing it is only an acknowledgement, so the bot asks whether there
    is anything else instead of inviting the caller to say it all again."""

    def name(self) -> Text:
        return "action_acknowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        last = next((e.get("text") or "" for e in reversed(tracker.events) if e.get("event") == "bot"), "")
        asked = bool(re.search(r"(吗|么)[？?]?\s*$", last.strip()))
        dispatcher.utter_message(response="utter_ask_more" if asked else "utter_anything_else")
        return []


def closing_response(call: script.Call, step: str, level: str, disclose: bool, materials_asked: bool = True) -> str:
    """The closing line: the next step, and the direct route for anyone but the verified borrower."""
    if step == "handled" and disclose and not materials_asked:
        return "utter_anything_else"  # told what was asked (the account), nothing to hand in
    if step == "escalate_team" and level == "level2":
        # the team verifies with the borrower: by the registered phone, unless the caller holds it
        held = call.line_held or call.borrower_unreachable or call.contact_change or call.phone_match
        return "utter_next_human_review" if held and not call.is_borrower else "utter_next_callback_level2"
    if step == "handled" and not disclose:
        if not materials_asked and not any(m.reference for m in call.matters):
            # nothing registered, nothing to hand in (one asking about someone else's debt was told
            # only the borrower hears it): the direct route, and no "已经登记"
            return "utter_next_handled_told"
        return "utter_next_handled_other"
    return f"utter_next_{step}"


def keep_evidence(tracker: Tracker, events: List[EventType]) -> None:
    """Level 1: write the evidence packet under BOT_DATA_DIR/cases and audit that it was kept."""
    db = database()
    packet = case_export.build_packet(tracker.sender_id, list(tracker.events) + list(events), db)
    paths = case_export.write_packet(packet, load_settings().data_dir / "cases")
    db.append_audit(tracker.sender_id, [("evidence_kept", {"files": [str(p) for p in paths]})])
