"""`make run`'s event broker feeds the daily counts; a backup taken while calls go on restores
into an empty data dir, where a call held half-way resumes exactly where it was."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.e2e.conftest import separate_stack

pytestmark = pytest.mark.e2e

BORROWER = ["你好", "我是本人", "张伟", "3721", "我想申请分期还款", "我失业了"]
AGENCY = ["喂，我们是债务优化中心的，要求停息挂账", "借款人叫王芳", "后四位0521", "你们别联系她，有事找我们"]


def test_the_sql_event_brokers_events_become_daily_counts(stack, call):
    from bot.ops.analytics import update_from_sql
    from bot.services import analytics
    from bot.services.storage import engine_for

    c = call("13900000009")
    for text in AGENCY:
        c.say(text)
    summary = c.summary()
    engine = engine_for(stack.settings.db_url)
    assert update_from_sql(stack.settings.events_db_path, engine) > 0
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(analytics.analytics_calls).where(analytics.analytics_calls.c.call_id == c.id)
        ).first()
    assert row is not None and row.turns == len(AGENCY)
    assert row.level == summary["proxy_risk"]["level"] != "none"
    assert set(row.signals.split(",")) == {s["code"] for s in summary["proxy_risk"]["signals"]}
    day = next(d for d in analytics.daily(engine) if d["day"] == row.day.isoformat())
    assert day["levels"][row.level] >= 1
    assert update_from_sql(stack.settings.events_db_path, engine) == 0  # read once, not again
    with engine.connect() as conn:
        turns = conn.execute(
            sa.select(analytics.analytics_calls.c.turns).where(analytics.analytics_calls.c.call_id == c.id)
        ).scalar()
    assert turns == len(AGENCY)


def _cli(data_dir, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_DATA_DIR=str(data_dir))
    for key in ("BOT_DB_URL", "BOT_TRACKER_URL"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_a_backup_restores_into_an_empty_data_dir_and_the_call_resumes(tmp_path):
    first = separate_stack(tmp_path / "a")
    first.start()
    try:
        for text in BORROWER:  # the same call held without interruption, for reference
            first.say("reference-backup", text)
        _, reference = first.summary("reference-backup")
        for text in BORROWER[:4]:
            first.say("held-call", text)
        _, before = first.summary("held-call")
        done = _cli(tmp_path / "a", "backup", str(tmp_path / "backup"))  # while the servers run
        assert done.returncode == 0, done.stderr
    finally:
        first.stop()
    assert _cli(tmp_path / "a", "restore", str(tmp_path / "backup")).returncode == 2  # refuses to overwrite
    restored = _cli(tmp_path / "b", "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr

    second = separate_stack(tmp_path / "b")
    second.start()
    try:
        _, after_restore = second.summary("held-call")
        assert after_restore == before  # where it was
        for text in BORROWER[4:]:
            second.say("held-call", text)
        _, resumed = second.summary("held-call")
    finally:
        second.stop()
    assert {k: v for k, v in resumed.items() if k != "call_id"} == {
        k: v for k, v in reference.items() if k != "call_id"
    }
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'b' / 'rasa_tracker.db'}")
    with engine.connect() as conn:
        users = conn.exec_driver_sql(
            "SELECT count(*) FROM events WHERE sender_id = 'held-call' AND type_name = 'user'"
        ).scalar()
    engine.dispose()
    assert users == len(BORROWER)
