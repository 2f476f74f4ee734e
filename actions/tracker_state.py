"""Reading the call state out of a Rasa SDK tracker."""

from typing import Optional

from rasa_sdk import Tracker

from bot.core.script import CallState


def call_state(tracker: Tracker) -> CallState:
    """The plain-Python view of the conversation's slots."""
    return CallState.from_slots(tracker.slots)


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_entities(tracker: Tracker) -> set:
    return {e.get("entity") for e in tracker.latest_message.get("entities") or []}


def caller_number(tracker: Tracker) -> Optional[str]:
    """The calling number: kept slot, else this message's or the session's metadata."""
    number = tracker.get_slot("caller_number")
    if number:
        return number
    for source in (tracker.latest_message.get("metadata"), tracker.get_slot("session_started_metadata")):
        if isinstance(source, dict) and source.get("caller_number"):
            return str(source["caller_number"])
    return None
