"""Action server down or hung mid-call: a short apology and a handoff in bounded time, then the call goes on."""

import signal
import sqlite3
import time

import pytest

from tests.e2e.conftest import separate_stack

pytestmark = pytest.mark.e2e

TIMEOUT = 2.0


@pytest.fixture
def fault_stack(tmp_path):
    stack = separate_stack(tmp_path / "var", BOT_ACTION_TIMEOUT=str(TIMEOUT), BOT_DB_BUSY_TIMEOUT="0.5")
    stack.start()
    yield stack
    stack.stop()


def timed_say(stack, sender, text):
    started = time.monotonic()
    lines = stack.say(sender, text)
    return "\n".join(lines), time.monotonic() - started


def test_action_server_down_then_back(fault_stack):
    s = fault_stack
    s.say("f1", "我是本人")
    s.say("f1", "张伟")
    s.stop(["actions"])
    reply, took = timed_say(s, "f1", "3721")
    assert "系统暂时繁忙" in reply and "人工客服" in reply
    assert took < TIMEOUT * 3
    status, summary = s.summary("f1")
    assert status == 200 and summary["handoff"] is True and summary["next_step"] == "human_review"
    assert summary["caller_role"] == "borrower" and summary["identity_verified"] is False

    s.start(["actions"])
    reply, _ = timed_say(s, "f1", "后四位3721")
    assert "身份核实通过" in reply and "想办理什么事情" in reply
    _, summary = s.summary("f1")
    assert summary["identity_verified"] is True and summary["handoff"] is False
    assert summary["next_step"] is None


def test_hung_action_server_is_bounded(fault_stack):
    s = fault_stack
    s.say("f2", "你好")
    proc = s.procs["actions"]
    proc.send_signal(signal.SIGSTOP)  # the process hangs: connections open, no answers
    try:
        reply, took = timed_say(s, "f2", "我是他妈妈")
    finally:
        proc.send_signal(signal.SIGCONT)
    assert "系统暂时繁忙" in reply
    assert took < TIMEOUT * 3  # one timeout for the turn, not one per custom action
    reply, _ = timed_say(s, "f2", "我是他妈妈")
    assert "借款人叫什么名字" in reply


def test_locked_database_gives_a_graceful_answer_and_no_half_written_case(fault_stack):
    s = fault_stack
    s.say("f3", "你好")
    db_path = s.settings.data_dir / "bot.db"
    lock = sqlite3.connect(db_path, isolation_level=None, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        reply, took = timed_say(s, "f3", "我是他老婆，我要投诉你们催收的天天打电话骂人")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "系统暂时繁忙" in reply and took < TIMEOUT * 3
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cases WHERE call_id = 'f3'").fetchone()[0] == 0
    logs = (s.logs / "actions.log").read_text(encoding="utf-8", errors="replace")
    assert "数据库被锁定或不可用" in logs

    # the call goes on: what was said during the fault is not lost, and the complaint is registered once
    reply, _ = timed_say(s, "f3", "借款人叫王芳")
    assert "编号 TS" in reply
    timed_say(s, "f3", "还有，他们还打给我同事")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cases WHERE call_id = 'f3'").fetchone()[0] == 1
    _, summary = s.summary("f3")
    assert summary["complaint_registered"] is True and summary["handoff"] is False
    assert summary["caller_role"] == "family"
