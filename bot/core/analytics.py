"""Per-call figures from conversation events, for the reports a dashboard reads.

Pure: Rasa's event broker delivers every event of every turn as a dict
(`{"sender_id", "event", "timestamp", ...}`); `tally` folds them into one `CallTally`
per call — the day it started, how many caller turns, the latest risk level, every
signal code raised. bot/services/analytics.py keeps the tallies in the project
database and counts them per day; nothing here reads the tracker store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Set

LEVEL_SLOT = "proxy_risk_level"
SIGNALS_SLOT = "proxy_signals"


@dataclass
class CallTally:
    """What the reports count about one call."""

    call_id: str
    day: dt.date
    turns: int = 0
    level: str = "none"
    signals: Set[str] = field(default_factory=set)


def event_day(event: dict) -> Optional[dt.date]:
    """The local date of an event's timestamp (None without one)."""
    ts = event.get("timestamp")
    if not isinstance(ts, (int, float)):
        return None
    return dt.datetime.fromtimestamp(ts).date()


def tally(events: Iterable[dict], calls: Dict[str, CallTally]) -> Set[str]:
    """Fold events into `calls` (call id → tally, updated in place); the call ids touched."""
    touched: Set[str] = set()
    for event in events:
        call_id = event.get("sender_id")
        if not call_id:
            continue
        found = calls.get(call_id)
        if found is None:
            day = event_day(event)
            if day is None:
                continue
            found = calls[call_id] = CallTally(call_id, day)
        kind = event.get("event")
        if kind == "user":
            found.turns += 1
        elif kind == "slot" and event.get("name") == LEVEL_SLOT and isinstance(event.get("value"), str):
            found.level = event["value"]
        elif kind == "slot" and event.get("name") == SIGNALS_SLOT and isinstance(event.get("value"), list):
            found.signals.update(s["code"] for s in event["value"] if isinstance(s, dict) and s.get("code"))
        else:
            continue
        touched.add(call_id)
    return touched
