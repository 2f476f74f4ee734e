"""`python -m bot analytics update | consume | show`: the event broker's events → per-day counts.

Reports (calls per day by risk level, the top signals) are read from the project
database's analytics tables (bot/services/analytics.py), which these consumers fill
from Rasa's event broker — never from the tracker store, so a report costs the
servers nothing while calls go on:

- `update` reads the SQL event broker's SQLite file of `make run` (BOT_DATA_DIR/events.db)
  from where it stopped last time, once;
- `consume` runs until stopped: with BOT_RABBITMQ_HOST set (the scale-out stack) it
  takes the events from RabbitMQ (queue `scriptguide_events`), acknowledging each batch
  once its counts are committed; without it, it runs `update` every two seconds;
- `show` prints the per-day table (in Chinese) or, with --json, what a dashboard reads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import signal
import sqlite3
import time
from pathlib import Path
from typing import List, Optional

from bot.core.analytics import tally
from bot.services import analytics
from bot.services.storage import engine_for
from bot.settings import env, env_int, load_settings

logger = logging.getLogger(__name__)
QUEUE = "scriptguide_events"  # deploy/endpoints.scaleout.yml
SQL_SOURCE = "sql_event_broker"
BATCH = 2000


def _engine():
    engine = engine_for(load_settings().db_url)
    analytics.create_tables(engine)
    return engine


def apply_events(engine, events: List[dict], source: Optional[str] = None, upto: Optional[int] = None) -> int:
    """Fold events into the stored tallies in one transaction (with the source's new position)."""
    with engine.begin() as conn:
        calls = analytics.load(conn, {e.get("sender_id") for e in events if e.get("sender_id")})
        touched = tally(events, calls)
        analytics.store(conn, [calls[c] for c in touched])
        if source is not None and upto is not None:
            analytics.set_position(conn, source, upto)
    return len(touched)


def update_from_sql(events_db: Path, engine=None) -> int:
    """Read the SQL event broker's new rows (by id, from where the last run stopped); events read."""
    engine = engine or _engine()
    if not events_db.exists():
        return 0
    read = 0
    with sqlite3.connect(f"file:{events_db}?mode=ro", uri=True, timeout=5) as src:
        while True:
            with engine.connect() as conn:
                start = analytics.position(conn, SQL_SOURCE)
            rows = src.execute(
                "SELECT id, data FROM events WHERE id > ? ORDER BY id LIMIT ?", (start, BATCH)
            ).fetchall()
            if not rows:
                return read
            events = []
            for _, data in rows:
                try:
                    events.append(json.loads(data))
                except ValueError:
                    logger.warning("统计：跳过一条无法解析的事件")
            apply_events(engine, events, SQL_SOURCE, rows[-1][0])
            read += len(rows)


async def consume_rabbitmq(stop: asyncio.Event, engine=None, flush_s: float = 2.0) -> None:
    """Take events from RabbitMQ until `stop` is set; each batch is acknowledged after it is committed."""
    import aio_pika

    engine = engine or _engine()
    connection = await aio_pika.connect_robust(
        host=env("BOT_RABBITMQ_HOST"),
        port=env_int("BOT_RABBITMQ_PORT", 5672),
        login=env("BOT_RABBITMQ_USER") or "guest",
        password=env("BOT_RABBITMQ_PASSWORD") or "guest",
    )
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=BATCH)
        queue = await channel.declare_queue(QUEUE, durable=True)  # as Rasa's Pika broker declares it
        inbox: asyncio.Queue = asyncio.Queue()
        await queue.consume(inbox.put_nowait)
        pending: List = []
        while not stop.is_set() or pending:
            try:
                pending.append(await asyncio.wait_for(inbox.get(), timeout=flush_s))
                if len(pending) < BATCH:
                    continue
            except asyncio.TimeoutError:
                pass
            if pending:
                events = []
                for m in pending:
                    try:
                        events.append(json.loads(m.body))
                    except ValueError:
                        logger.warning("统计：跳过一条无法解析的事件")
                await asyncio.get_running_loop().run_in_executor(None, apply_events, engine, events)
                await pending[-1].ack(multiple=True)
                pending = []


def consume() -> int:
    """Run until SIGINT/SIGTERM (the supervisor's stop)."""
    from bot.ops import logs

    logs.configure()
    if env("BOT_RABBITMQ_HOST"):
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        logger.info("统计：从 RabbitMQ 队列 %s 读取事件", QUEUE)
        loop.run_until_complete(consume_rabbitmq(stop))
        return 0
    events_db = load_settings().events_db_path
    logger.info("统计：每 2 秒读取 %s 的新事件", events_db)
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(1))
    engine = _engine()
    while not stopping:
        update_from_sql(events_db, engine)
        time.sleep(2)
    return 0


LEVELS = ("none", "watch", "level2", "level1")


def show(days: int, as_json: bool) -> int:
    since = dt.date.today() - dt.timedelta(days=days - 1)
    rows = analytics.daily(_engine(), since)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print("| 日期 | 通话数 | " + " | ".join(LEVELS) + " | 最常见的风险信号 |")
    print("|---|---|" + "---|" * len(LEVELS) + "---|")
    for r in rows:
        levels = " | ".join(str(r["levels"].get(level, 0)) for level in LEVELS)
        top = "，".join(f"{code} {n}" for code, n in r["top_signals"]) or "—"
        print(f"| {r['day']} | {r['calls']} | {levels} | {top} |")
    if not rows:
        print(f"（最近 {days} 天没有统计数据；make run 下请先运行 python -m bot analytics update）")
    return 0
