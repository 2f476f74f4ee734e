"""Action server down or hung mid-call: a short apology and a handoff in bounded time, then the call goes on."""
import os
import signal
import time

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

TIMEOUT = 2.0


@pytest.fixture
def fault_stack(tmp_path):
    saved = dict(os.environ)
    os.environ["BOT_ACTION_TIMEOUT"] = str(TIMEOUT)
    try:
        stack = Stack(tmp_path / "var")
    finally:
        os.environ.clear()
        os.environ.update(saved)
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
    assert "系统暂时繁忙" in reply and "转接人工" in reply
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
    assert "借款人姓名" in reply
