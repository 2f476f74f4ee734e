"""An agent call's adherence from what is stored: the agent's transcript segments, the items
ticked by hand, the record kept when the call ended; and the report per agent and day.

The matching and the rules are `bot.core.adherence`; this module feeds them the call's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from bot.core import adherence
from bot.core.call_view import CallView
from bot.core.clock import CHINA_TZ
from bot.services.storage import Database

LOOK_BACK = 1  # earlier agent segments a new one is matched together with (a line cut at a pause)


def context(db: Database, call_id: str, slots: Mapping[str, Any]) -> adherence.Context:
    """The matcher's context: the materials asked for, the references with their due dates."""
    due = {case["reference"]: case["reply_due"] for case in db.cases_for_call(call_id)}
    return adherence.context_of(slots, due)


def hear_agent(db: Database, call_id: str, slots: Mapping[str, Any], text: str) -> List[str]:
    """The items one final agent segment says (with the segment before it), in catalogue order."""
    earlier = [s["text"] for s in db.segments(call_id, speaker="agent")][-LOOK_BACK:] if LOOK_BACK else []
    found = adherence.heard_in_segments(earlier + [text], context(db, call_id, slots))
    return [item for item in adherence.ITEMS if item in found]


def heard_so_far(db: Database, call_id: str, agent_segments: Optional[List[dict]] = None) -> List[str]:
    """Every item heard in the call's agent segments (`agent_segments`: those rows, already read)."""
    found = set()
    for segment in db.segments(call_id, speaker="agent") if agent_segments is None else agent_segments:
        found.update(segment.get("items") or [])
    return [item for item in adherence.ITEMS if item in found]


def live(db: Database, view: CallView, agent_segments: Optional[List[dict]] = None) -> adherence.Adherence:
    """The call's adherence as it stands (required from the slots, said from the segments)."""
    row = db.adherence_row(view.call_id) or {}
    heard = heard_so_far(db, view.call_id, agent_segments)
    return adherence.evaluate(view.slots, view.said(), heard, row.get("manual") or [])


def stored(db: Database, call_id: str) -> Optional[Dict[str, Any]]:
    """Contract §3 `adherence` as it was kept when the call ended, or None."""
    row = db.adherence_row(call_id)
    if not row or row.get("required") is None:
        return None
    return {"required": list(row["required"]), "said": list(row["said"] or []), "score": row["score"]}


def for_summary(db: Database, view: CallView) -> Dict[str, Any]:
    """The summary's `adherence`: the one kept at the end, or the live one while the call runs."""
    return stored(db, view.call_id) or live(db, view).summary()


def keep_at_end(
    db: Database,
    view: CallView,
    agent_id: Optional[str],
    confirm_unsaid: bool,
    result: Optional[adherence.Adherence] = None,
) -> adherence.Adherence:
    """Store the adherence with the call record as the call ends (`result`: it, already worked out)."""
    result = live(db, view) if result is None else result
    db.save_adherence(view.call_id, agent_id, result.required, result.said, result.score, confirm_unsaid)
    return result


# ---- the report ---------------------------------------------------------------------------------
def report(
    db: Database, since: dt.date, until: Optional[dt.date] = None, agent_id: Optional[str] = None
) -> Dict[str, Any]:
    """Ended agent calls from `since` to `until` (inclusive; days in China Standard Time), per agent
    and per day: calls, required items, said items, score (said / required, rounded to 2)."""

    def utc(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), CHINA_TZ).astimezone(dt.timezone.utc).replace(tzinfo=None)

    rows = db.adherence_records(utc(since), utc(until + dt.timedelta(days=1)) if until else None, agent_id)
    groups: Dict[tuple, Dict[str, Any]] = {}
    agents: Dict[str, Dict[str, Any]] = {}
    for row in rows:
        day = row["started_at"].replace(tzinfo=dt.timezone.utc).astimezone(CHINA_TZ).date().isoformat()
        agent = row["agent_id"] or ""
        for key, table in (((agent, day), groups), (agent, agents)):
            entry = table.setdefault(key, {"calls": 0, "required": 0, "said": 0, "unsaid_confirmed": 0})
            entry["calls"] += 1
            entry["required"] += len(row["required"] or [])
            entry["said"] += len(row["said"] or [])
            entry["unsaid_confirmed"] += 1 if row["confirm_unsaid"] else 0

    def score(entry: Dict[str, Any]) -> float:
        return round(entry["said"] / entry["required"], 2) if entry["required"] else 1.0

    return {
        "since": since.isoformat(),
        "until": until.isoformat() if until else None,
        "agents": [{"agent_id": a, **e, "score": score(e)} for a, e in sorted(agents.items())],
        "days": [{"agent_id": a, "day": d, **e, "score": score(e)} for (a, d), e in sorted(groups.items())],
    }
