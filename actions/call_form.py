"""call_form, a thin shell around the call state (bot/core/call.py).

Every caller turn while the form is active comes here, whatever the caller said:
the turn is read for everything, kept, and the core decides the one question
still worth asking (or none: the form ends and the wrap-up follows). This action
does the look-ups and writes the core asks for — the identity check, the SMS code,
the complaint registered the turn it is heard — and utters the responses it names.
Digressions are answered here too, so a "你是机器人吗" never loses the question.
"""

import logging
from dataclasses import replace
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.db import database, logs_database_errors
from actions.handoff import recovered_events
from actions.tracker_state import (
    call_state,
    caller_number,
    heard_now,
    missed_turns,
    signal_codes,
    tentative_heard,
    unsure_turns,
)
from bot.core import call as script
from bot.core import identity, materials
from bot.core.call import Call
from bot.core.hearing import Heard
from bot.settings import callback_hours

logger = logging.getLogger(__name__)

DIGRESSION_RESPONSES = {
    "chitchat": "utter_chitchat",
    "bot_challenge": "utter_bot_challenge",
    "ask_why": "utter_ask_why",
    "out_of_scope": "utter_out_of_scope",
    "thanks": "utter_you_are_welcome",
    "greet": "utter_still_here",
    "who_are_you": "utter_who_we_are",
    "legal_worry": "utter_legal_worry",
}
IDENTITY_RESPONSES = {
    "verified": "utter_identity_verified",
    "knowledge": None,  # matched by what the caller knows: the SMS code is offered next
    "ambiguous": "utter_identity_ambiguous",
    "mismatch": "utter_identity_mismatch",
    "failed": "utter_identity_failed",
}


class ValidateCallForm(FormValidationAction):
    """Reads each turn for everything and asks only for what is still missing."""

    def name(self) -> Text:
        return "validate_call_form"

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """call_form's slots: the questions of bot/core/call.py (make validate keeps domain.yml equal)."""
        return list(script.QUESTIONS)

    @logs_database_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        missed = missed_turns(tracker)  # before the fault recovery adds its own `call` slot
        events = recovered_events(tracker)
        tracker.add_slots(events)
        call = call_state(tracker)
        for heard_then, asked_then in missed:
            call = script.absorb(call, heard_then, asked_then)
        asked = tracker.get_slot("requested_slot")
        heard = heard_now(tracker)
        call = self._tentative(tracker, call, heard)
        call = script.absorb(call, heard, asked)
        # below the ASR threshold: the words read as if clear, held aside (and kept for level1)
        unsure = heard_now(tracker, trust_low_confidence=True) if heard.low_confidence else None
        if unsure is not None:
            call = script.held_unsure(call, unsure, asked)
        level = tracker.get_slot("proxy_risk_level") or "none"
        signals = signal_codes(tracker)
        turn = Turn(dispatcher, tracker)

        if heard.wants_human and not call.handoff:
            call = script.handed_off(call, "requested")
            turn.dispatcher.utter_message(response="utter_handoff", callback_hours=callback_hours())
        elif heard.digression == "goodbye":
            call = replace(call, ended=True)
        elif heard.digression in DIGRESSION_RESPONSES and not (heard.digression == "greet" and call.turns <= 1):
            turn.dispatcher.utter_message(response=DIGRESSION_RESPONSES[heard.digression])

        if level == "level1" and not call.level1 and unsure is not None:
            # the words that decided level1 came below the ASR threshold: the demand in them is kept
            # (the caller is told it is recorded, and is asked nothing more)
            call = script.keep_matters(call, unsure, with_role=True)
        call = self._identity(turn, call, heard, level, signals)
        call = self._register(turn, call)
        if level == "level1" and not call.level1:
            call = replace(call, level1=True)
            official = "impersonating_official" in signals
            turn.dispatcher.utter_message(response="utter_official_channels" if official else "utter_level1_hold")
        if call.level1:
            call = replace(call, misses=0)  # level1: nothing more is collected from this caller
        if call.misses >= script.MAX_MISSES and not call.handoff and not script.reads_back(call):
            # to the human with what was said kept: the matters of the turns heard unsure go with the
            # call, and a complaint in them is registered now (a person checks the rest)
            for unsure in unsure_turns(tracker, script.MAX_MISSES):
                call = script.keep_matters(call, unsure)
            call = self._register(turn, call)
            call = script.handed_off(call, "misses")
            turn.dispatcher.utter_message(response="utter_handoff_after_misses", callback_hours=callback_hours())
        question = script.next_question(call)
        if call.misses and not call.handoff and not heard.digression and question not in script.CONFIRMATIONS:
            # (the confirmation says what was heard instead: "您是说您是借款人本人，对吗？")
            turn.dispatcher.utter_message(response="utter_no_hear" if heard.low_confidence else "utter_please_rephrase")
        if heard.surname_only and question == "customer_name":
            turn.dispatcher.utter_message(response="utter_full_name_please")
        reask = question is not None and call.times_asked(question) >= 1
        call = script.asking(call, question)
        if call.added_detail:
            turn.dispatcher.utter_message(response="utter_detail_added")
        denied = asked == "caller_role" and heard.deny and call.role is None
        return events + slot_events(tracker, call, level, question, reask, denied)

    @staticmethod
    def _tentative(tracker: Tracker, call: Call, heard: Heard) -> Call:
        """An earlier unsure turn that this clear turn corroborates is kept now (before this turn,
        so that what is said clearly wins)."""
        if not call.tentative or heard.low_confidence:
            return call
        text, asked_then = call.tentative[0], call.tentative[1] or None
        earlier = tentative_heard(tracker, text, asked_then)
        asked_now = tracker.get_slot("requested_slot")
        if earlier is not None and (
            script.corroborated(earlier, heard) or script.confirms_tentative(call, heard, asked_now)
        ):
            logger.info("call %s: an unsure turn confirmed by the next clear one", tracker.sender_id)
            return script.absorb_corroborated(call, earlier, asked_then)
        return call

    # ---- identity --------------------------------------------------------------------------------
    def _identity(self, turn: "Turn", call: Call, heard: Heard, level: str, signals: List[str]) -> Call:
        db = database()
        number = caller_number(turn.tracker)
        if script.needs_identity_check(call):
            records = db.customers_by_code(call.code)
            found = identity.candidates(call.borrower_name, records, number)
            call, outcome = script.apply_identity(call, found)
            logger.info(
                "call %s: identity check, code ****%s, caller %s → %s (%d record(s))",
                turn.tracker.sender_id,
                (call.code or "")[-4:],
                number or "-",
                outcome,
                len(found),
            )
            if call.customer_id:
                db.record_call_subject(turn.tracker.sender_id, number, call.customer_id)
            if IDENTITY_RESPONSES.get(outcome):
                turn.dispatcher.utter_message(response=IDENTITY_RESPONSES[outcome])
        elif script.needs_subject_lookup(call):
            call = self._note_subject(turn, call, number)
        if heard.sms_code and call.sms == "sent":
            check = sms_codes().check(turn.tracker.sender_id, heard.sms_code)
            call, outcome = script.apply_sms(call, check.ok, check.exhausted or check.expired)
            turn.dispatcher.utter_message(
                response={"verified": "utter_identity_verified", "failed": "utter_sms_failed"}.get(
                    outcome, "utter_sms_wrong"
                )
            )
        if script.wants_resend(call, heard):
            resent = self._send_code(turn, call)
            if resent.sms == "sent":
                call = replace(resent, sms_resent=True)
                turn.dispatcher.utter_message(response="utter_sms_resent")
            else:
                call = script.not_received_again(call)
        elif heard.not_received and call.sms == "sent":
            call = script.not_received_again(call)
        if script.wants_sms(call, level, signals):
            call = self._send_code(turn, call)
        return call

    def _note_subject(self, turn: "Turn", call: Call, number: Optional[str]) -> Call:
        db = database()
        records = db.customers_by_code(call.code) if call.code else db.customers_by_name(call.borrower_name)
        found = identity.candidates(call.borrower_name, records, None)
        key = f"subject|{call.borrower_name}|{call.code}"
        call = replace(call, checked=call.checked + (key,))
        if len(found) == 1:
            call = replace(call, subject_customer_id=found[0].customer_id)
            db.record_call_subject(turn.tracker.sender_id, number, found[0].customer_id)
        turn.dispatcher.utter_message(
            response="utter_subject_noted"
        )  # the same words whether or not such a borrower exists
        return call

    def _send_code(self, turn: "Turn", call: Call) -> Call:
        customer = database().customer(call.customer_id) if call.customer_id else None
        if customer is None or not customer.registered_phone:
            return script.sms_sent(call, None)
        try:
            sent = sms_codes().send(turn.tracker.sender_id, customer.registered_phone)
        except Exception as err:  # noqa: BLE001 - the gateway is down: go on without the code
            logger.warning("call %s: 验证码短信未能发送（%s），改为回拨预留手机核实", turn.tracker.sender_id, err)
            return script.sms_sent(call, None)
        return script.sms_sent(call, sent.masked_phone)

    # ---- matters ----------------------------------------------------------------------------------
    def _register(self, turn: "Turn", call: Call) -> Call:
        """Every complaint, dispute or fraud report is registered the turn it is heard."""
        db = database()
        for index in script.pending_registrations(call):
            matter = call.matters[index]
            kind = matter.case_kind
            case = db.register_case(
                turn.tracker.sender_id,
                kind,
                call.role or "unknown",
                call.customer_id or call.subject_customer_id,
                matter.detail,
                materials.reply_days(kind),
            )
            call = script.registered(call, index, case.reference)
            turn.dispatcher.utter_message(
                response="utter_case_registered",
                case_label=materials.label("case_kind", kind),
                reference=case.reference,
                reference_spoken=" ".join(case.reference),
                reply_days=materials.reply_days(kind),
                reply_due=case.reply_due.strftime("%Y年%m月%d日"),
            )
        for matter, before in zip(call.matters, call_state(turn.tracker).matters):
            if matter.reference and matter.detail != before.detail and before.reference:
                db.update_case_detail(matter.reference, matter.detail)
        return call


class Turn:
    """The dispatcher and tracker of the turn being handled."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker):
        self.dispatcher, self.tracker = dispatcher, tracker


def slot_events(
    tracker: Tracker, call: Call, level: str, question: Optional[str], reask: bool, role_denied: bool = False
) -> List[EventType]:
    """The call state and the slots the summary, the panel and the responses read, where they changed."""
    signals = signal_codes(tracker)
    role = script.reported_role(call, signals)
    unmasked = role != call.role  # an agency behind the borrower's name: nothing it passed counts
    values: Dict[str, Any] = {
        "call": call.to_slot(),
        "caller_role": role or ("unknown" if call.times_asked("caller_role") else None),
        "customer_name": call.borrower_name,
        "identity_code": call.code,
        "purpose": call.purpose,
        "hardship": call.hardship,
        "identity_verified": call.identity_verified and not unmasked,
        "verification": call.verification if call.is_borrower and not unmasked else "none",
        "customer_id": call.customer_id or call.subject_customer_id,
        "phone_match": call.phone_match,
        "matters": [{"purpose": m.purpose, "reference": m.reference} for m in call.matters],
        "complaint_registered": script.complaint_registered(call),
        "case_reference": next((m.reference for m in reversed(call.matters) if m.reference), None),
        "identity_attempts": float(call.identity_attempts),
        "misses": float(call.misses),
        "sms_masked": call.sms_masked,
        "sms_tail": (call.sms_masked or "")[-4:] or None,
        "reask": reask,
        "role_unsure_label": role_spoken(call.unsure_role),
        "name_unsure_label": call.unsure_name,
        "role_denied": role_denied or bool(tracker.get_slot("role_denied")) and call.role is None,
    }
    if call.handoff:
        values.update(script.handoff_slots(call.handoff_reason or "requested"))
    if call.level1:
        values["next_step"] = script.next_step(call, level, tracker.get_slot("risk_next_step"), signals)
    number = caller_number(tracker)
    if number and not tracker.get_slot("caller_number"):
        values["caller_number"] = number
    events: List[EventType] = [SlotSet(k, v) for k, v in values.items() if tracker.get_slot(k) != v or k == "call"]
    return events + [SlotSet("requested_slot", question)]


def role_spoken(role: Optional[str]) -> Optional[str]:
    """How the role heard unsure is read back in the confirmation ("您是说您是{…}，对吗？")."""
    return materials.label("caller_role_spoken", role) if role else None


_CODES = None


def sms_codes():
    """The verification-code service (bot/services/sms.py), one per process."""
    global _CODES
    if _CODES is None:
        from bot.services.sms import VerificationCodes

        _CODES = VerificationCodes(database())
    return _CODES
