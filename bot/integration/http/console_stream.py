"""GET /console/stream: the console's server push (Server-Sent Events over one long response).

Level 1 is decided in the action server, another process (and with scale-out, on another
machine), so this stream does not wait for a message from it: every second it reads what
is new in the shared project database — audit rows after the last one it sent (the audit
table's id only grows) and the call-activity table's version — and pushes

- `alert`   a call reached level1 (with its case, role and signals), the moment the row is there;
- `changed` {"kinds": ["cases", "calls"]}: the lists should be read again;
- `call`    the watched call (`?watch=CALL_ID`) has new turns (its last tracker event changed).

A comment line every 15 s keeps proxies from closing an idle stream; a stream ends after
five minutes (the page reconnects with `?since=` the last audit id it was sent, so a level1
row written in between still arrives; the token is checked again) or when the server stops.
The page reads it with fetch() so the Authorization header goes along (EventSource cannot
send one), which also lets a reverse proxy put the header on for SSO.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sanic.request import Request

from bot.core.materials import label
from bot.services import cases
from bot.services.cases import Actor
from bot.services.storage import Database, audit, call_activity

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
PING_SECONDS = 15.0
MAX_SECONDS = 300.0
MAX_CATCH_UP = 1000  # audit rows a reconnecting page may ask to be sent again
STATE = {"stopping": False}


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def last_audit_id(db: Database) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(audit.c.id))).scalar() or 0


def audit_since(db: Database, last_id: int, limit: int = 500) -> List[Any]:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(audit).where(audit.c.id > last_id).order_by(audit.c.id).limit(limit)).all()


def activity_version(db: Database) -> tuple:
    """Changes whenever a call is added or its row rewritten (role, level, last heard)."""
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.count(), sa.func.max(call_activity.c.last_seen))).first()
    return (row[0], str(row[1]))


def alerts_in(db: Database, rows: List[Any]) -> List[Dict[str, Any]]:
    """A level1 alert for every level change to level1 among these audit rows."""
    out = []
    for row in rows:
        detail = row.detail if isinstance(row.detail, dict) else {}
        if row.event != "level_changed" or detail.get("to") != "level1":
            continue
        activity = cases.call_activity_row(db, row.call_id) or {}
        signals = [
            r.detail.get("code")
            for r in rows
            if r.call_id == row.call_id and r.event == "signal_raised" and isinstance(r.detail, dict)
        ]
        out.append(
            {
                "call_id": row.call_id,
                "case_id": cases.case_for_call(db, row.call_id),
                "level": "level1",
                "caller_role": activity.get("caller_role") or "unknown",
                "caller_role_label": label("caller_role", activity.get("caller_role")),
                "signals": [label("signal", s) for s in dict.fromkeys(signals)],
                "at": cases.iso(row.at),
            }
        )
    return out


async def tracker_mark(request: Request, call_id: Optional[str]) -> Optional[Any]:
    """Something that changes when the call has a new event (its last event id where the
    store can say it cheaply, else its number of events)."""
    if not call_id:
        return None
    store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
    if store is None:
        return None
    last_id = getattr(store, "_last_id", None)
    engine = getattr(store, "engine", None)
    if last_id is not None and engine is not None:
        with engine.connect() as conn:
            return last_id(conn, call_id)
    tracker = await store.retrieve_full_tracker(call_id)
    return len(tracker.events) if tracker else 0


async def serve(request: Request, actor: Actor, db: Database):
    """Hold the stream open, pushing what changed (see the module docstring)."""
    watch = request.args.get("watch") or None
    response = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    last = newest = last_audit_id(db)
    try:  # a reconnecting page says how far it had read, so nothing in between is missed
        since = int(request.args.get("since") or "")
        if newest - MAX_CATCH_UP <= since < newest:
            last = since
    except ValueError:
        pass
    version = activity_version(db)
    mark = await tracker_mark(request, watch)
    started = last_ping = time.monotonic()
    try:
        await response.send(sse("hello", {"name": actor.name, "last_id": last, "watch": watch}))
        while not STATE["stopping"] and time.monotonic() - started < MAX_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            if request.transport.is_closing():
                break
            kinds = set()
            rows = audit_since(db, last)
            if rows:
                last = rows[-1].id
                for alert in alerts_in(db, rows):
                    await response.send(sse("alert", {**alert, "last_id": last}))
                if any(r.event not in cases.VIEW_EVENTS for r in rows):
                    kinds.update(("cases", "calls"))
            now_version = activity_version(db)
            if now_version != version:
                version = now_version
                kinds.add("calls")
            if kinds:
                await response.send(sse("changed", {"kinds": sorted(kinds), "last_id": last}))
            if watch:
                now_mark = await tracker_mark(request, watch)
                if now_mark != mark:
                    mark = now_mark
                    await response.send(sse("call", {"call_id": watch}))
            if time.monotonic() - last_ping > PING_SECONDS:
                last_ping = time.monotonic()
                await response.send(": ping\n\n")
        await response.eof()
    except Exception as err:  # noqa: BLE001 - the browser went away; nothing to clean up
        logger.debug("console stream closed: %s", err)
