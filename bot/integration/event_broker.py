"""Rasa's SQL event broker (`make run`) without a new SQLite connection per event.

Selected in endpoints.yml as `type: bot.integration.event_broker.SQLEventBroker`, with the
settings of Rasa's `type: sql`, and it writes the same `events` table (id, sender_id,
data = the event's JSON). Rasa publishes every event of every turn separately; its broker
opens and closes a SQLite connection (and an ORM session) for each, which on SQLite also
checkpoints the WAL. This one keeps pooled connections in WAL mode and inserts with one
plain statement. `python -m bot analytics update` reads the table (bot/ops/analytics.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Text

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker as RasaSQLEventBroker

from bot.services.storage import tune_sqlite
from bot.settings import env_float


class SQLEventBroker(RasaSQLEventBroker):
    """Rasa's SQLEventBroker with pooled SQLite connections and a plain INSERT."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=2,
                max_overflow=4,
                connect_args={"timeout": env_float("BOT_DB_BUSY_TIMEOUT", 3.0), "check_same_thread": False},
            )
            tune_sqlite(self.engine)
        style = self.engine.dialect.paramstyle
        mark = "?" if style == "qmark" else "%s"
        self._insert = f"INSERT INTO events (sender_id, data) VALUES ({mark}, {mark})"

    def publish(self, event: Dict[Text, Any]) -> None:
        """Append one event (its JSON) to the `events` table."""
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._insert, (event.get("sender_id"), json.dumps(event, ensure_ascii=False)))
