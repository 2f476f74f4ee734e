"""Validation of call_form: the script's order, identity checks, misses and handoff."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.db import database, logs_database_errors
from actions.handoff import handoff_events, miss_events, recovered_events
from actions.tracker_state import call_state, caller_number, latest_entities, latest_intent, latest_text
from bot.core import identity, script

logger = logging.getLogger(__name__)

# Turns the form does not consume: rules answer them, then the form asks again.
DIGRESSIONS = {"chitchat", "bot_challenge", "ask_why", "out_of_scope", "thanks", "greet", "goodbye"}
IDENTITY_SLOTS = ("customer_name", "identity_code")
PHRASE_ENTITIES = {"caller_role", "purpose", "hardship"}


class ValidateCallForm(FormValidationAction):
    """Fills and checks the call_form slots in the order bot.core.script prescribes."""

    def name(self) -> Text:
        return "validate_call_form"

    @logs_database_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        recovered = recovered_events(tracker)
        tracker.add_slots(recovered)
        events = await self._validate(dispatcher, tracker, domain)
        if not events:
            return []  # rejected: a rule answers; the fault recovery is applied next turn
        return recovered + events

    async def _validate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = latest_intent(tracker)
        if intent == "request_human":
            dispatcher.utter_message(response="utter_handoff")
            return handoff_events() + [SlotSet("requested_slot", None)]
        filled_before = _filled_this_turn(tracker)
        events = await super().run(dispatcher, tracker, domain)
        filled = filled_before or any(_answered(e) for e in events)
        number = caller_number(tracker)
        if number and not tracker.get_slot("caller_number"):
            events.append(SlotSet("caller_number", number))
        if filled:
            if tracker.get_slot("misses"):
                events.append(SlotSet("misses", 0))
            return events
        if intent in DIGRESSIONS:
            return []  # rejected: a rule answers, then the form resumes
        requested = tracker.get_slot("requested_slot")
        if requested == "caller_role" and intent == "deny":
            return events + [SlotSet("role_denied", True)]
        reprompt = "utter_bad_code" if requested == "identity_code" else "utter_please_rephrase"
        extra = miss_events(dispatcher, tracker, reprompt)
        if any(e.get("name") == "handoff" for e in extra):
            events = [e for e in events if e.get("name") != "requested_slot"]
            return events + extra + [SlotSet("requested_slot", None)]
        return events + extra

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """call_form's slots. Rasa does not send the domain (selective domain in
        endpoints.yml), so they come from bot.core.script, which `make validate` keeps equal."""
        return super().domain_slots(domain) or list(script.FORM_SLOTS)

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return script.required_slots(call_state(tracker))

    # ---- extraction of the identity answers -------------------------------
    def extract_customer_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = latest_text(tracker)
        if not _identity_turn(tracker) and not identity.has_name_cue(text):
            return {}
        if latest_entities(tracker) & PHRASE_ENTITIES or latest_intent(tracker) in DIGRESSIONS:
            return {}
        name = identity.parse_name(text)
        return {"customer_name": name} if name else {}

    def extract_identity_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = latest_text(tracker)
        if not _identity_turn(tracker) and not identity.has_code_cue(text):
            return {}
        code = identity.parse_code(text)
        return {"identity_code": code} if code else {}

    # ---- validation --------------------------------------------------------
    def validate_purpose(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if _free_text_turn(tracker):
            return {"purpose": _value_before_this_turn(tracker, "purpose")}
        return {"purpose": value}

    def validate_caller_role(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if _free_text_turn(tracker):
            return {"caller_role": _value_before_this_turn(tracker, "caller_role")}
        checked_as = script.identity_kind(tracker.get_slot("identity_role"))
        now = script.identity_kind(value)
        result: Dict[Text, Any] = {"caller_role": value, "role_denied": False}
        if checked_as is None or now is None or checked_as == now:
            return result
        dispatcher.utter_message(response="utter_role_changed")
        if now == "subject":  # was checked as the borrower, is not the borrower
            result.update(identity_verified=False, identity_role=value)
            return result
        # now claims to be the borrower: the borrower check must run
        result.update(identity_role=None, identity_attempts=0)
        tracker.slots.update(result)
        result.update(self._check_identity(dispatcher, tracker))
        return result

    def validate_customer_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate_identity_slot("customer_name", dispatcher, tracker)

    def validate_identity_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate_identity_slot("identity_code", dispatcher, tracker)

    def _validate_identity_slot(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        current = tracker.get_slot(slot)
        if current is None:  # cleared by a failed check earlier this turn
            return {slot: None}
        return {slot: current, **self._check_identity(dispatcher, tracker)}

    def _check_identity(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Compare name and code with the records once both are known."""
        state = call_state(tracker)
        if not (state.customer_name and state.identity_code) or not script.identity_pending(state):
            return {}
        db = database()
        number = caller_number(tracker)
        match = identity.match_customer(
            state.customer_name, state.identity_code, db.customers_by_code(state.identity_code), number
        )
        logger.info(
            "call %s: identity check as %s, code %s, caller %s → %s",
            tracker.sender_id,
            state.caller_role,
            "****" + state.identity_code[-4:],
            number or "-",
            match.customer_id or "no match",
        )
        if match.matched:
            db.record_call_subject(tracker.sender_id, number, match.customer_id)
        if not state.is_borrower:
            dispatcher.utter_message(response="utter_subject_noted")
            return {"identity_role": state.caller_role, "customer_id": match.customer_id}
        if match.matched:
            dispatcher.utter_message(response="utter_identity_verified")
            return {
                "identity_verified": True,
                "identity_role": "borrower",
                "customer_id": match.customer_id,
                "phone_match": match.phone_match,
            }
        attempts = state.identity_attempts + 1
        failed = attempts >= identity.MAX_ATTEMPTS
        dispatcher.utter_message(response="utter_identity_failed" if failed else "utter_identity_mismatch")
        return {
            "identity_attempts": attempts,
            "identity_role": "borrower",
            "customer_name": None,
            "identity_code": None,
        }


def _answered(event: EventType) -> bool:
    """Whether a validation event shows the caller answered (an identity check ran or a slot filled)."""
    if event.get("event") != "slot":
        return False
    if event.get("name") in ("identity_attempts", "identity_verified", "identity_role"):
        return True
    return event.get("name") in IDENTITY_SLOTS and event.get("value") is not None


def _free_text_turn(tracker: Tracker) -> bool:
    """The caller was describing the case in their own words: words there are not answers."""
    return tracker.get_slot("requested_slot") == "case_detail"


def _value_before_this_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the caller's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _identity_turn(tracker: Tracker) -> bool:
    return tracker.get_slot("requested_slot") in IDENTITY_SLOTS


def _filled_this_turn(tracker: Tracker) -> bool:
    """Whether the caller's last message already set a slot (by entity, intent or text)."""
    return any(name != "requested_slot" and value is not None for name, value in tracker.slots_to_validate().items())
