"""Rasa's SQL tracker store without its per-turn overhead (see docs/benchmarks.md).

Selected in endpoints.yml as `type: bot.tracker_store.SQLTrackerStore`; it takes the
same settings as Rasa's `type: SQL` and reads and writes the same `events` table, so
a database written by one is read by the other.

What it changes, measured on the Rasa server under load:

- SQLite connections are pooled. Rasa opens a new connection for every read and
  write (SQLAlchemy's default for SQLite files); closing the last one checkpoints the
  WAL, which made the connection churn a tenth of the server's CPU.
- Loading reads only the `data` column through SQLAlchemy Core instead of building
  an ORM object per stored event; saving inserts the new events in one statement.
- Saving no longer recounts the conversation's stored events to find the new ones.
  The store remembers, on the tracker it handed out, how many of its events are
  stored and the id of the last one. Before appending it checks that the last id
  for the conversation is still that one (one indexed lookup); if anything else
  wrote in between, it falls back to Rasa's count.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

# Attribute set on trackers this store loaded or saved: (events stored, last event id).
STORED_MARK = "_script_guide_stored"


class SQLTrackerStore(RasaSQLTrackerStore):
    """Rasa's SQLTrackerStore with pooled SQLite connections and cheaper loads and saves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._pool_sqlite()
        self._events = self.SQLEvent.__table__

    def _pool_sqlite(self) -> None:
        from bot.rasa_speedups import tune_sqlite

        url = self.engine.url
        self.engine.dispose()
        busy = float(os.environ.get("BOT_DB_BUSY_TIMEOUT", "3"))
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8,
            connect_args={"timeout": busy, "check_same_thread": False})
        tune_sqlite(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # -- reading -------------------------------------------------------------
    def _select(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> sa.sql.Select:
        """The rows Rasa's `_event_query` selects, as (id, data), in id order."""
        t = self._events
        query = sa.select(t.c.id, t.c.data).where(t.c.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            session_start = (
                sa.select(sa.func.max(t.c.timestamp))
                .where(t.c.sender_id == sender_id, t.c.type_name == SessionStarted.type_name)
                .scalar_subquery())
            query = query.where(sa.or_(t.c.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(t.c.id)

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = session.execute(self._select(sender_id, fetch_events_from_all_sessions)).all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(data) for _, data in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_MARK, (len(tracker.events), rows[-1][0]))
        return tracker

    # -- writing -------------------------------------------------------------
    def _last_id(self, session: Any, sender_id: Text) -> Optional[int]:
        t = self._events
        return session.execute(
            sa.select(sa.func.max(t.c.id)).where(t.c.sender_id == sender_id)).scalar()

    def _stored_count(self, session: Any, tracker: DialogueStateTracker) -> int:
        """How many of the tracker's events are in the table already."""
        mark: Optional[Tuple[int, int]] = getattr(tracker, STORED_MARK, None)
        if (mark is not None and tracker._max_event_history is None
                and mark[0] <= len(tracker.events)
                and self._last_id(session, tracker.sender_id) == mark[1]):
            return mark[0]
        # Not loaded here, or the conversation changed since: Rasa's own way.
        return self._event_query(session, tracker.sender_id,
                                 fetch_events_from_all_sessions=False).count()

    def _rows(self, tracker: DialogueStateTracker, events: Iterable[Any]) -> List[dict]:
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append({
                "sender_id": tracker.sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            })
        return rows

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet, in one transaction."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = self._stored_count(session, tracker)
            events = list(tracker.events)
            rows = self._rows(tracker, events[stored:])
            if rows:
                session.execute(self._events.insert(), rows)
            last_id = self._last_id(session, tracker.sender_id)
            session.commit()
        setattr(tracker, STORED_MARK, (len(events), last_id))
        logger.debug("Tracker with sender_id '%s' stored to database (%d new events)",
                     tracker.sender_id, len(rows))
