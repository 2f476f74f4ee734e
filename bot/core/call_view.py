"""A conversation as plain data: slots and the turns said so far, read from Rasa's events."""

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
        lines: List[Line] = []
        metadata: Dict[str, Any] = {}
        for event in events:
            kind = event.get("event")
            text = (event.get("text") or "").strip()
            if kind == "user":
                metadata.update({k: v for k, v in (event.get("metadata") or {}).items() if v is not None})
            if kind == "user" and text and not text.startswith("/"):
                lines.append(Line(CALLER, text))
            elif kind == "bot" and text:
                meta = event.get("metadata") or {}
                buttons = tuple((event.get("data") or {}).get("buttons") or ())
                lines.append(Line(BOT, text, meta.get("utter_action"), buttons))
        return cls(call_id, channel, dict(slots), lines, metadata)

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
