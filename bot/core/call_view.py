"""A conversation as plain data: slots and the turns said so far, read from Rasa's events.

`transcript_lines` is the one reading of who said what (the channels' views and
the evidence packet both use it); `slots_from_events` the one reading of the slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set

CALLER, BOT = "caller", "bot"


@dataclass(frozen=True)
class Line:
    """One thing said: by the caller, or by the bot (with the response it came from)."""

    speaker: str
    text: str
    utter_action: Optional[str] = None
    buttons: tuple = ()
    at: Optional[float] = None  # the event's Unix timestamp


def transcript_lines(events: Iterable[Dict[str, Any]]) -> List[Line]:
    """What the caller and the bot said, in order, from serialised events (`Event.as_dict()`).

    A caller text starting with "/" is a command the channels send (/greet opens an
    IVR or agent call), never the caller's words: it is left out.
    """
    lines: List[Line] = []
    for event in events:
        kind = event.get("event")
        text = (event.get("text") or "").strip()
        if kind == "user" and text and not text.startswith("/"):
            lines.append(Line(CALLER, text, at=event.get("timestamp")))
        elif kind == "bot" and text:
            meta = event.get("metadata") or {}
            buttons = tuple((event.get("data") or {}).get("buttons") or ())
            lines.append(Line(BOT, text, meta.get("utter_action"), buttons, event.get("timestamp")))
    return lines


def slots_from_events(events: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """Each slot's last value set in the events."""
    slots: Dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot":
            slots[event.get("name")] = event.get("value")
    return slots


@dataclass
class CallView:
    """What the channels show of a call: its slots and its transcript."""

    call_id: str
    channel: Optional[str] = None
    slots: Dict[str, Any] = field(default_factory=dict)
    lines: List[Line] = field(default_factory=list)
    caller_metadata: Dict[str, Any] = field(default_factory=dict)  # latest value of each key sent

    @classmethod
    def from_events(
        cls, call_id: str, channel: Optional[str], slots: Dict[str, Any], events: Iterable[Dict[str, Any]]
    ) -> CallView:
        """The view of a tracker, from its serialised events (`Event.as_dict()`)."""
        events = list(events)
        metadata: Dict[str, Any] = {}
        for event in events:
            if event.get("event") == "user":
                metadata.update({k: v for k, v in (event.get("metadata") or {}).items() if v is not None})
        return cls(call_id, channel, dict(slots), transcript_lines(events), metadata)

    @property
    def started(self) -> bool:
        return bool(self.lines)

    def said(self) -> Set[str]:
        """Every response the bot has used in this call."""
        return {line.utter_action for line in self.lines if line.utter_action}

    def last_bot_turn(self) -> List[Line]:
        """The bot's lines after the caller last spoke (the prompt now standing)."""
        turn: List[Line] = []
        for line in reversed(self.lines):
            if line.speaker == CALLER:
                break
            turn.insert(0, line)
        return turn

    def last_said(self, actions: Iterable[str]) -> Optional[str]:
        """Which of `actions` the bot used most recently, if any."""
        wanted = set(actions)
        for line in reversed(self.lines):
            if line.utter_action in wanted:
                return line.utter_action
        return None
