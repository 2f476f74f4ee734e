"""Per-day report figures, kept apart from the conversations (bot/core/analytics.py makes them).

Two tables of the project database: `analytics_calls` (one row per call: its day, caller
turns, latest risk level, signal codes) and `analytics_cursor` (how far each event source
has been read). The consumers in bot/ops/analytics.py write them from the event broker;
`daily` is what a dashboard reads — calls per day by level and the top signals — without
touching the tracker store.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Dict, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.core.analytics import CallTally

metadata = sa.MetaData()

analytics_calls = sa.Table(
    "analytics_calls",
    metadata,
    sa.Column("call_id", sa.String(255), primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("turns", sa.Integer, nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("signals", sa.Text, nullable=False),  # signal codes, comma-separated, sorted
)

analytics_cursor = sa.Table(
    "analytics_cursor",
    metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def load(conn: Connection, call_ids: Iterable[str]) -> Dict[str, CallTally]:
    """The stored tallies of these calls."""
    ids = list(call_ids)
    out: Dict[str, CallTally] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for row in conn.execute(sa.select(analytics_calls).where(analytics_calls.c.call_id.in_(chunk))):
            m = row._mapping
            signals = {s for s in m["signals"].split(",") if s}
            out[m["call_id"]] = CallTally(m["call_id"], m["day"], m["turns"], m["level"], signals)
    return out


def store(conn: Connection, tallies: Iterable[CallTally]) -> None:
    """Write these tallies (replacing the calls' earlier rows)."""
    rows = [
        {"call_id": t.call_id, "day": t.day, "turns": t.turns, "level": t.level, "signals": ",".join(sorted(t.signals))}
        for t in tallies
    ]
    if not rows:
        return
    conn.execute(analytics_calls.delete().where(analytics_calls.c.call_id.in_([r["call_id"] for r in rows])))
    conn.execute(analytics_calls.insert(), rows)


def position(conn: Connection, source: str) -> int:
    found = conn.execute(sa.select(analytics_cursor.c.position).where(analytics_cursor.c.source == source)).scalar()
    return int(found or 0)


def set_position(conn: Connection, source: str, value: int) -> None:
    conn.execute(analytics_cursor.delete().where(analytics_cursor.c.source == source))
    conn.execute(analytics_cursor.insert().values(source=source, position=value))


def daily(engine: Engine, since: Optional[dt.date] = None, top: int = 5) -> List[dict]:
    """Per day, newest first: calls, calls by risk level, and the `top` signals by calls raising them."""
    query = sa.select(analytics_calls.c.day, analytics_calls.c.level, analytics_calls.c.signals)
    if since is not None:
        query = query.where(analytics_calls.c.day >= since)
    days: Dict[dt.date, dict] = {}
    with engine.connect() as conn:
        for day, level, signals in conn.execute(query):
            d = days.setdefault(day, {"day": day, "calls": 0, "levels": Counter(), "signals": Counter()})
            d["calls"] += 1
            d["levels"][level] += 1
            d["signals"].update(s for s in signals.split(",") if s)
    return [
        {
            "day": d["day"].isoformat(),
            "calls": d["calls"],
            "levels": dict(d["levels"]),
            "top_signals": d["signals"].most_common(top),
        }
        for d in sorted(days.values(), key=lambda d: d["day"], reverse=True)
    ]
