"""`python -m bot run` for real: a crashed server is restarted and the call goes on; SIGTERM stops everything.

The launcher writes BOT_DATA_DIR/pids.json ({"launcher", "actions", "rasa"}) on every
(re)start of a server; the test reads it to kill one server and to see the new one.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import separate_stack

pytestmark = pytest.mark.e2e


def read_pids(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def processes_on(ports) -> list:
    """Processes (any parent) whose command line names one of our ports."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(str(p).encode() in argv for p in ports) and b"--port" in argv:
                found.append(int(entry.name))
    return found


@pytest.fixture
def launcher(tmp_path):
    from bot.ops.train_model import train

    train(quiet=True)
    stack = separate_stack(tmp_path / "var")  # free ports, own BOT_DATA_DIR, tokens, the client
    log_path = tmp_path / "launcher.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=stack.env, stdout=log, stderr=subprocess.STDOUT
        )
    stack.launcher, stack.log_path = proc, log_path
    stack.pid_file = stack.settings.data_dir / "pids.json"
    stack.log = lambda: log_path.read_text(encoding="utf-8", errors="replace")
    try:
        yield stack
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        for pid in read_pids(stack.pid_file).values():  # never leave a server behind
            if pid != proc.pid and alive(pid):
                os.kill(pid, signal.SIGKILL)


def restarted(stack, key: str, old_pid: int) -> int:
    """Wait until the supervisor has started a new `key` server and both servers answer; its pid."""
    pid = wait_for(lambda: (p := read_pids(stack.pid_file).get(key)) and p != old_pid and p, 60, f"a new {key} process")
    stack.wait_up(timeout=180)
    return pid


def test_a_killed_server_is_restarted_the_call_goes_on_and_sigterm_stops_all(launcher):
    s = launcher
    pids = wait_for(lambda: (p := read_pids(s.pid_file)).keys() >= {"actions", "rasa"} and p, 120, "pids.json")
    assert pids["launcher"] == s.launcher.pid
    s.wait_up(timeout=180)
    wait_for(lambda: ">> 已启动" in s.log(), 30, "the start-up line")
    seen = set(pids.values())

    call = "supervised-1"
    assert "请问您是借款人本人吗" in "\n".join(s.say(call, "你好"))
    s.say(call, "我是本人")
    s.say(call, "张伟")

    # the action server crashes: restarted after 1 s, the Rasa server keeps its process
    os.kill(pids["actions"], signal.SIGKILL)
    actions = restarted(s, "actions", pids["actions"])
    assert "!! 动作服务意外退出（退出码 -9），1 秒后重启（第 1 次）…" in s.log()
    assert read_pids(s.pid_file)["rasa"] == pids["rasa"]
    reply = "\n".join(s.say(call, "3721"))
    assert "身份核实通过" in reply and "想办理什么事情" in reply
    status, summary = s.summary(call)
    assert status == 200 and summary["identity_verified"] is True and summary["handoff"] is False

    # the Rasa server crashes: restarted, the action server keeps its process, the call resumes
    os.kill(pids["rasa"], signal.SIGKILL)
    rasa = restarted(s, "rasa", pids["rasa"])
    assert "!! Rasa 服务意外退出（退出码 -9），1 秒后重启（第 1 次）…" in s.log()
    assert read_pids(s.pid_file)["actions"] == actions
    s.say(call, "我想申请分期还款")
    reply = "\n".join(s.say(call, "我失业了"))
    assert "失业证明" in reply
    status, summary = s.summary(call)
    assert status == 200
    assert summary["caller_role"] == "borrower" and summary["identity_verified"] is True
    assert summary["purpose"] == "repayment_plan" and "unemployment_proof" in summary["materials_requested"]
    seen |= {actions, rasa}

    # SIGTERM: both servers stopped, exit code 0, nothing left running
    s.launcher.send_signal(signal.SIGTERM)
    assert s.launcher.wait(timeout=60) == 0
    assert [pid for pid in seen if alive(pid)] == []
    assert processes_on([s.port, s.action_port]) == []
    assert not s.pid_file.exists()
    assert ">> 正在停止…" in s.log()
