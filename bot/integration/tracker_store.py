"""Rasa's SQL tracker store without its per-turn overhead (see docs/benchmarks.md).

Selected in endpoints.yml as `type: bot.integration.tracker_store.SQLTrackerStore`; it takes the
same settings as Rasa's `type: SQL` and reads and writes the same `events` table, so
a database written by one is read by the other.

What it changes, measured on the Rasa server under load:

- SQLite connections are pooled. Rasa opens a new connection for every read and
  write (SQLAlchemy's default for SQLite files); closing the last one checkpoints the
  WAL, which made the connection churn a tenth of the server's CPU.
- Loading reads only the `id` and `data` columns with one plain SQL statement instead
  of building an ORM object per stored event; saving inserts the new events in one
  statement. (SQLAlchemy's statement building cost more than SQLite's work.)
- Events go to the event broker (if one is configured) from the save itself: Rasa's
  `stream_events` read the whole conversation a second time on every save to find them.
- Saving no longer recounts the conversation's stored events to find the new ones.
  The store remembers, on the tracker it handed out, how many of its events are
  stored and the id of the last one. Before appending it checks that the last id
  for the conversation is still that one (one indexed lookup); if anything else
  wrote in between, it falls back to Rasa's count.
- SQLite in WAL mode with `synchronous=NORMAL` keeps every committed turn across a
  crash of the process (not across a power cut of the machine) at a fraction of
  the cost of a full fsync per turn (`tune_rasa_store` does the same for Rasa's own
  `type: SQL` store).

What it keeps: caller text is stored masked (PIPL art. 28; `bot.core.masking.mask_at_rest`):
a user event's `text` and `parse_data.text` have no ID digits, loan number or full phone
number. Masking happens only on the copy written to the table; the tracker in memory keeps
the raw text, so this turn's actions (the identity check) read what the caller said, and
what they need later they keep in slots, which are stored as they are. Earlier turns read
back from the table are masked, and so is what the agent panel's transcript shows.

With the speed-ups off (BOT_RASA_SPEEDUPS=0, or a Rasa release other than the one
they were tested with: `bot.integration.speedups.active()`) this class is Rasa's
SQLTrackerStore: Rasa's engine, Rasa's reads and Rasa's way of saving (count what
is stored, add the rest through the ORM) on the same table. The masking above is not
a speed-up and stays on either way.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.core.masking import mask_at_rest
from bot.integration import speedups
from bot.services.storage import tune_sqlite
from bot.settings import env_float

logger = logging.getLogger(__name__)

# Attribute set on trackers this store loaded or saved: (events stored, last event id).
STORED_MARK = "_script_guide_stored"


class SQLTrackerStore(RasaSQLTrackerStore):
    """Rasa's SQLTrackerStore with pooled SQLite connections and cheaper loads and saves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fast = speedups.active()  # False: every method below is Rasa's own
        if self.fast and self.engine.dialect.name == "sqlite":
            self._pool_sqlite()
        self._events = self.SQLEvent.__table__

    def _pool_sqlite(self) -> None:
        url = self.engine.url
        self.engine.dispose()
        busy = env_float("BOT_DB_BUSY_TIMEOUT", 3.0)
        self.engine = sa.create_engine(
            url,
            poolclass=sa.pool.QueuePool,
            pool_size=4,
            max_overflow=8,
            connect_args={"timeout": busy, "check_same_thread": False},
        )
        tune_sqlite(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # -- SQL -------------------------------------------------------------------
    def _sql(self, statement: str) -> str:
        """`statement` written with `?` placeholders, in the driver's own style."""
        style = self.engine.dialect.paramstyle
        if style == "qmark":
            return statement
        if style in ("format", "pyformat"):
            return statement.replace("?", "%s")
        raise NotImplementedError(f"paramstyle {style}")

    def _query(self, conn: Any, statement: str, *params: Any) -> List[Tuple]:
        return conn.exec_driver_sql(self._sql(statement), params).fetchall()

    # -- reading -------------------------------------------------------------
    def _where(self, sender_id: Text, all_sessions: bool) -> Tuple[str, Tuple]:
        """The conversation's rows; without all_sessions, the latest session as Rasa's
        `_event_query` selects it (at or after the last session start, else all)."""
        if all_sessions:
            return "sender_id = ?", (sender_id,)
        table, started = self._events.name, SessionStarted.type_name
        last_start = f"(SELECT max(timestamp) FROM {table} WHERE sender_id = ? AND type_name = ?)"
        return (
            f"sender_id = ? AND (timestamp >= {last_start} OR {last_start} IS NULL)",
            (sender_id, sender_id, started, sender_id, started),
        )

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        if not self.fast:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        where, params = self._where(sender_id, fetch_events_from_all_sessions)
        statement = f"SELECT id, data FROM {self._events.name} WHERE {where} ORDER BY id"
        with self.engine.connect() as conn:
            rows = self._query(conn, statement, *params)
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for _, data in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_MARK, (len(tracker.events), rows[-1][0]))
        return tracker

    # -- writing -------------------------------------------------------------
    def _last_id(self, conn: Any, sender_id: Text) -> Optional[int]:
        return self._query(conn, f"SELECT max(id) FROM {self._events.name} WHERE sender_id = ?", sender_id)[0][0]

    def _stored_count(self, conn: Any, tracker: DialogueStateTracker) -> int:
        """How many of the tracker's events are in the table already."""
        mark: Optional[Tuple[int, int]] = getattr(tracker, STORED_MARK, None)
        if (
            mark is not None
            and tracker._max_event_history is None
            and mark[0] <= len(tracker.events)
            and self._last_id(conn, tracker.sender_id) == mark[1]
        ):
            return mark[0]
        # Not loaded here, or the conversation changed since: Rasa's own way (count them).
        where, params = self._where(tracker.sender_id, all_sessions=False)
        return self._query(conn, f"SELECT count(*) FROM {self._events.name} WHERE {where}", *params)[0][0]

    def _rows(self, tracker: DialogueStateTracker, events: Iterable[Any]) -> List[Tuple]:
        rows = []
        for event in events:
            data = stored_form(event.as_dict())
            rows.append(
                (
                    tracker.sender_id,
                    event.type_name,
                    data.get("timestamp"),
                    data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    data.get("name"),
                    json.dumps(data),
                )
            )
        return rows

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet, in one transaction, then hand
        the same new events to the event broker (Rasa's own save reads the whole conversation
        again to find them; here they are known, and only stored events are published)."""
        if not self.fast:
            return await self._save_as_rasa_does(tracker)
        with self.engine.begin() as conn:
            stored = self._stored_count(conn, tracker)
            events = list(tracker.events)
            rows = self._rows(tracker, events[stored:])
            if rows:
                conn.exec_driver_sql(
                    self._sql(
                        f"INSERT INTO {self._events.name} (sender_id, type_name, timestamp, "
                        "intent_name, action_name, data) VALUES (?, ?, ?, ?, ?, ?)"
                    ),
                    rows,
                )
            last_id = self._last_id(conn, tracker.sender_id)
        setattr(tracker, STORED_MARK, (len(events), last_id))
        if self.event_broker is not None:
            for event in events[stored:]:  # as stored: caller text masked in the broker's copy too
                self.event_broker.publish({"sender_id": tracker.sender_id, **stored_form(event.as_dict())})
        logger.debug("Tracker with sender_id '%s' stored to database (%d new events)", tracker.sender_id, len(rows))

    async def _save_as_rasa_does(self, tracker: DialogueStateTracker) -> None:
        """Rasa 3.6's `SQLTrackerStore.save`, step for step, writing each event's `stored_form`."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(stored_form(data)),
                    )
                )
            session.commit()
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)


def stored_form(data: dict) -> dict:
    """An event as the table keeps it: a user message's text masked (a copy; the event is untouched)."""
    if data.get("event") != "user":
        return data
    data = dict(data)
    if isinstance(data.get("text"), str):
        data["text"] = mask_at_rest(data["text"])
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
        data["parse_data"] = {**parse_data, "text": mask_at_rest(parse_data["text"])}
    return data


async def tune_rasa_store(app, _loop) -> None:
    """Server listener: WAL and NORMAL sync for Rasa's own SQL tracker store (`type: SQL`) on SQLite."""
    store = getattr(getattr(app.ctx, "agent", None), "tracker_store", None)
    while hasattr(store, "_tracker_store"):  # Rasa wraps the store (failsafe, awaitable)
        store = store._tracker_store
    if isinstance(store, SQLTrackerStore) or not isinstance(store, RasaSQLTrackerStore):
        return  # ours is pooled and tuned already (or stock on purpose); other stores are not SQL
    tune_sqlite(store.engine)
