"""Reading the call out of a Rasa SDK tracker: the call state, this turn, the calling number."""

from typing import List, Optional, Tuple

from rasa_sdk import Tracker

from bot.core.call import Call, absorb
from bot.core.call import signal_codes as script_signal_codes
from bot.core.hearing import NLU, Heard, hear


def call_state(tracker: Tracker) -> Call:
    """The plain-Python call state kept in the `call` slot."""
    return Call.from_slot(tracker.get_slot("call"))


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def heard_now(tracker: Tracker, trust_low_confidence: bool = False) -> Heard:
    """This turn, read for everything (the question the caller is answering is requested_slot).
    Speech below the ASR threshold gives nothing, unless `trust_low_confidence`."""
    metadata = tracker.latest_message.get("metadata") or {}
    return hear(
        latest_text(tracker),
        NLU.from_parse(tracker.latest_message),
        tracker.get_slot("requested_slot"),
        low_confidence=bool(metadata.get("low_confidence")) and not trust_low_confidence,
    )


def heard_event(event: dict, asked: Optional[str], low_confidence: bool = False) -> Heard:
    """An earlier caller turn (a `user` event), read again from its text and the NLU's parse."""
    return hear(event.get("text") or "", NLU.from_parse(event.get("parse_data") or {}), asked, low_confidence)


def _unsure(event: dict) -> bool:
    return bool((event.get("metadata") or {}).get("low_confidence"))


def tentative_heard(tracker: Tracker, text: str, asked: Optional[str]) -> Optional[Heard]:
    """The latest turn heard below the ASR threshold with this text, read as if it had been clear."""
    for event in reversed(tracker.events[:-1] if tracker.events else []):
        if event.get("event") == "user" and (event.get("text") or "") == text:
            return heard_event(event, asked)
    return None


def unsure_turns(tracker: Tracker, count: int) -> List[Heard]:
    """The latest `count` caller turns, those heard below the ASR threshold read as if clear (the
    others are left out: what they said was kept when they came), and the unsure turns just before
    them: a read-back in between adds a turn ("我要投诉你们" unsure, "我是他妈" unsure, "是" unsure: the
    complaint in the first still counts)."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    start = max(len(users) - count, 0)
    while start > 0 and _unsure(users[start - 1]):
        start -= 1
    return [heard_event(e, None) for e in users[start:] if _unsure(e)]


def missed_turns(tracker: Tracker) -> List[Tuple[Heard, Optional[str]]]:
    """Caller turns the call state never absorbed (the action server was down or the database
    locked when they came): said, kept by Rasa, and read now so that nothing said is lost."""
    events = tracker.events
    last = max((i for i, e in enumerate(events) if e.get("event") == "slot" and e.get("name") == "call"), default=-1)
    users = [i for i, e in enumerate(events) if e.get("event") == "user" and i > last]
    missed = []
    for i in users[:-1]:  # the latest is this turn
        event = events[i]
        asked = next(
            (
                e.get("value")
                for e in reversed(events[:i])
                if e.get("event") == "slot" and e.get("name") == "requested_slot"
            ),
            None,
        )
        missed.append((heard_event(event, asked, low_confidence=_unsure(event)), asked))
    return missed


def call_with_this_turn(tracker: Tracker) -> Call:
    """The call state as it will be once this turn is absorbed (for the risk check, which runs first)."""
    return absorb(call_state(tracker), heard_now(tracker), tracker.get_slot("requested_slot"))


def caller_number(tracker: Tracker) -> Optional[str]:
    """The calling number the channel vouches for: kept slot, else this message's or the session's metadata.

    The IVR platform and the agent's phone system give the real calling number; the REST
    channel passes a web number on only when it is signed (bot/integration/channels/rest.py).
    """
    number = tracker.get_slot("caller_number")
    if number:
        return number
    for source in (tracker.latest_message.get("metadata"), tracker.get_slot("session_started_metadata")):
        if isinstance(source, dict) and source.get("caller_number"):
            return str(source["caller_number"])
    return None


def signal_codes(tracker: Tracker) -> List[str]:
    return script_signal_codes(tracker.get_slot("proxy_signals"))
