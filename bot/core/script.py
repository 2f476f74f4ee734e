"""The 专业话术流程 as plain rules: what to ask next and what happens after the call.

The Rasa form asks for whatever `required_slots` returns, in that order, and
skips what the caller already said; the wrap-up uses `next_step` and
`case_kind`. Nothing here talks to Rasa or to a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.core.identity import MAX_ATTEMPTS

HARDSHIP_PURPOSES = ("repayment_plan", "fee_waiver")
HARDSHIP_ROLES = ("borrower", "family", "authorized_agent")
CASE_KINDS = {"collection_complaint": "complaint", "credit_dispute": "dispute", "fraud_report": "fraud"}
# Cases whose registration the summary reports as `complaint_registered`.
COMPLAINT_KINDS = ("complaint", "fraud")
MAX_MISSES = 2
# A handoff after an action-server fault does not end the script: the call goes on
# with the bot once the action server answers again.
SYSTEM_FAULT = "system_fault"


@dataclass(frozen=True)
class CallState:
    """What the dialogue knows about the call so far (mirrors the slots)."""

    caller_role: Optional[str] = None
    identity_verified: bool = False
    identity_attempts: int = 0
    identity_role: Optional[str] = None  # the role under which identity was last checked
    customer_name: Optional[str] = None
    identity_code: Optional[str] = None
    purpose: Optional[str] = None
    hardship: Optional[str] = None
    case_detail: Optional[str] = None
    handoff: bool = False
    handoff_reason: Optional[str] = None  # requested | misses | system_fault

    @classmethod
    def from_slots(cls, slots: dict) -> CallState:
        """The state as read from the conversation's slots."""
        return cls(
            caller_role=slots.get("caller_role"),
            identity_verified=bool(slots.get("identity_verified")),
            identity_attempts=int(slots.get("identity_attempts") or 0),
            identity_role=slots.get("identity_role"),
            customer_name=slots.get("customer_name"),
            identity_code=slots.get("identity_code"),
            purpose=slots.get("purpose"),
            hardship=slots.get("hardship"),
            case_detail=slots.get("case_detail"),
            handoff=bool(slots.get("handoff")),
            handoff_reason=slots.get("handoff_reason"),
        )

    @property
    def is_borrower(self) -> bool:
        return self.caller_role == "borrower"

    @property
    def identity_failed(self) -> bool:
        return self.is_borrower and not self.identity_verified and self.identity_attempts >= MAX_ATTEMPTS


def identity_kind(role: Optional[str]) -> Optional[str]:
    """Borrowers are verified; everyone else only names whom they call about."""
    if role in (None, "unknown"):
        return None
    return "borrower" if role == "borrower" else "subject"


def identity_pending(state: CallState) -> bool:
    """Whether the identity step still has to run for the current role."""
    kind = identity_kind(state.caller_role)
    if kind is None:
        return False
    if kind == "borrower":
        return not state.identity_verified and state.identity_attempts < MAX_ATTEMPTS
    return identity_kind(state.identity_role) != "subject"


# Every slot `required_slots` can ask for, in the order of domain.yml's call_form (which
# `make validate` checks). The action server uses this list instead of the domain, which
# Rasa then does not have to send with every action call.
FORM_SLOTS = ("caller_role", "customer_name", "identity_code", "purpose", "hardship", "case_detail")


def required_slots(state: CallState) -> List[str]:
    """The slots the form must still have, in the order the script asks them."""
    if state.handoff and state.handoff_reason != SYSTEM_FAULT:
        return []
    slots = ["caller_role"]
    if identity_pending(state):
        slots += ["customer_name", "identity_code"]
    slots.append("purpose")
    if state.purpose in HARDSHIP_PURPOSES and state.caller_role in HARDSHIP_ROLES:
        slots.append("hardship")
    elif state.purpose in CASE_KINDS:
        slots.append("case_detail")
    return slots


def case_kind(purpose: Optional[str]) -> Optional[str]:
    """The kind of case a purpose registers (complaint, dispute, fraud), if any."""
    return CASE_KINDS.get(purpose or "")


def next_step(state: CallState, risk_level: str = "none", risk_next_step: Optional[str] = None) -> str:
    """What happens after the call, as a contract `next_step` code."""
    if risk_level == "level1":
        return risk_next_step or "police_report_packet"
    if state.handoff or state.identity_failed:
        return "human_review"
    if risk_level == "level2":
        return risk_next_step or "callback_registered_phone"
    if state.purpose == "fraud_report":
        return "escalate_team"
    if not state.is_borrower:
        if state.caller_role == "family" and state.purpose == "collection_complaint":
            return "handled"
        if state.caller_role == "unknown" or state.purpose in (None, "unknown", "other"):
            return "human_review"
        return "callback_registered_phone"
    if not state.identity_verified:
        return "callback_registered_phone"
    if state.purpose in (None, "unknown", "other"):
        return "human_review"
    return "handled"


def may_disclose_account(state: CallState) -> bool:
    """Account details go to the verified borrower only."""
    return state.is_borrower and state.identity_verified
