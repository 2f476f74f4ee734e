"""Proxy-risk assessment on every caller turn (run by action_extract_slots) and at wrap-up."""

import logging
from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.db import database, logs_database_errors
from actions.tracker_state import call_state, call_with_this_turn, caller_number, signal_codes
from bot.core.call import Call, reported_role
from bot.core.risk import Assessment, CallFacts
from bot.services import risk_service

logger = logging.getLogger(__name__)


def risk_role(call: Call, codes) -> str:
    """The role the risk engine assesses: the reported one, except that someone the collection calls
    reached, acting for nobody, is no unauthorised agent (`unknown`)."""
    return "unknown" if call.bystander else (reported_role(call, codes) or "unknown")


def call_facts(tracker: Tracker, call: Call) -> CallFacts:
    """What the dialogue knows: `call` is the call state, with this turn read in when it is not absorbed yet."""
    role = risk_role(call, signal_codes(tracker))
    metadata = tracker.latest_message.get("metadata") or {}
    return CallFacts(
        caller_role=role,
        identity_verified=call.identity_verified,
        verification=call.verification if call.is_borrower else "none",
        role_claims=tuple(tuple(c) for c in call.role_claims),
        purpose=call.purpose or "unknown",
        utterances=[e.get("text") or "" for e in tracker.events if e.get("event") == "user"],
        caller_number=caller_number(tracker) or "",
        # `authorized_agent` means "claims written authorisation" (contract); the claim is
        # checked through the materials (授权委托书原件) and the borrower's own confirmation.
        authorisation_shown=role == "authorized_agent",
        voiceprint=risk_service.parse_vector(metadata.get("voiceprint")) if metadata.get("voiceprint") else None,
    )


def assess_and_record(tracker: Tracker, include_this_turn: bool = True) -> List[EventType]:
    """Assess the call, audit what changed, and return the risk slots."""
    db = database()
    previous = tracker.get_slot("proxy_risk_level") or "none"
    # Signals once raised stay with their evidence; the level never falls within a call
    # (except to an operator's recorded decision).
    call = call_with_this_turn(tracker) if include_this_turn else call_state(tracker)
    facts = call_facts(tracker, call)
    earlier = tracker.get_slot("proxy_signals") or []
    assessment: Assessment = risk_service.assess_call_sticky(
        db, tracker.sender_id, facts, tracker.get_slot("customer_id"), previous, earlier
    )
    # shown to be an agency by what this assessment found (a known line or voice): assessed as one
    role = risk_role(call, [s.code for s in assessment.signals])
    if role != facts.caller_role and role == "third_party":
        facts = replace(facts, caller_role=role, authorisation_shown=False)
        assessment = risk_service.assess_call_sticky(
            db, tracker.sender_id, facts, tracker.get_slot("customer_id"), previous, earlier
        )
    risk_service.record(db, tracker.sender_id, previous, tracker.get_slot("proxy_signals") or [], assessment)
    logger.info(
        "call %s: caller %s role=%s purpose=%s risk %s→%s signals=%s",
        tracker.sender_id,
        caller_number(tracker) or "-",
        call_state(tracker).role,
        call_state(tracker).purpose,
        previous,
        assessment.level,
        ",".join(s.code for s in assessment.signals) or "-",
    )
    values = {
        "proxy_risk_level": assessment.level,
        "proxy_risk_score": assessment.score,
        "proxy_signals": risk_service.signal_dicts(assessment),
        "risk_next_step": assessment.next_step,
        "risk_extra_materials": assessment.extra_materials,
    }
    # Only what changed: every event is stored and re-read on each later turn.
    return [SlotSet(name, value) for name, value in values.items() if tracker.get_slot(name) != value]


class ActionAssessRisk(Action):
    """Re-assesses proxy risk after every caller message (custom slot mapping of proxy_risk_level)."""

    def name(self) -> Text:
        return "action_assess_risk"

    @logs_database_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return assess_and_record(tracker)
