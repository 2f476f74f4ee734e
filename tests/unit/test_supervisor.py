"""The supervision loop of `python -m bot run` (bot/ops/supervisor.py) on a fake clock with fake processes."""

import json
import os
import signal
import subprocess

from bot.ops.supervisor import Child, Supervisor


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FakeProc:
    """A process that exits by itself after `lifetime` seconds (None: runs until signalled)."""

    def __init__(self, clock, pid, lifetime=None, exit_code=-9, obeys_sigint=True):
        self.clock, self.pid = clock, pid
        self.started = clock()
        self.lifetime, self.exit_code, self.obeys_sigint = lifetime, exit_code, obeys_sigint
        self.returncode = None
        self.signals, self.waits = [], []

    def poll(self):
        if self.returncode is None and self.lifetime is not None and self.clock() >= self.started + self.lifetime:
            self.returncode = self.exit_code
        return self.returncode

    def send_signal(self, sig):
        self.signals.append(sig)
        if sig == signal.SIGINT and self.obeys_sigint and self.poll() is None:
            self.returncode = 0

    def wait(self, timeout=None):
        self.waits.append(timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired("fake", timeout)
        return self.returncode

    def kill(self):
        self.signals.append(signal.SIGKILL)
        self.returncode = -9


class Harness:
    """Two children; `lifetimes[key]` lists how long each successive start of that child lives."""

    def __init__(self, lifetimes, stop_at=None, tmp_path=None, **kwargs):
        self.clock = Clock()
        self.lifetimes = {k: list(v) for k, v in lifetimes.items()}
        self.spawned = {"actions": [], "rasa": []}
        self.log = []
        self.crashes = {"动作服务": [], "Rasa 服务": []}  # when the supervisor noticed each exit
        self.stop_at = stop_at
        self.pid = 1000
        self.on_sleep = None
        self.sup = Supervisor(
            [Child("actions", "动作服务", ["actions"]), Child("rasa", "Rasa 服务", ["rasa"])],
            self.spawn,
            clock=self.clock,
            sleep=self.sleep,
            log=self.record,
            pid_file=tmp_path / "pids.json" if tmp_path else None,
            **kwargs,
        )

    def spawn(self, command):
        key = command[0]
        queue = self.lifetimes.get(key) or [None]
        lifetime = queue.pop(0) if len(queue) > 1 else queue[0]
        self.pid += 1
        proc = FakeProc(self.clock, self.pid, lifetime, **self.proc_options.get(key, {}))
        self.spawned[key].append((self.clock(), proc))
        return proc

    proc_options = {}

    def record(self, line):
        self.log.append(line)
        for label, times in self.crashes.items():
            if line.startswith(f"!! {label}意外退出"):
                times.append(self.clock())

    def sleep(self, seconds):
        self.clock.now += seconds
        if self.on_sleep:
            self.on_sleep(self)
        if self.stop_at is not None and self.clock.now >= self.stop_at:
            self.sup.request_stop()

    def start_times(self, key):
        return [t for t, _ in self.spawned[key]]

    def gaps(self, key):
        """Seconds from each noticed exit of `key` to its next start."""
        label = {"actions": "动作服务", "rasa": "Rasa 服务"}[key]
        starts = self.start_times(key)[1:]
        return [round(start - crash, 1) for crash, start in zip(self.crashes[label], starts)]


def test_back_off_doubles_from_one_second_to_the_cap_and_the_other_server_keeps_running():
    h = Harness({"actions": [0]}, stop_at=400)
    assert h.sup.run() == 0
    assert h.gaps("actions")[:8] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert len(h.spawned["rasa"]) == 1  # never touched while the action server crash-loops
    assert h.spawned["rasa"][0][1].signals == [signal.SIGINT]


def test_the_log_says_in_chinese_which_server_exited_with_what_code_and_when_it_restarts():
    h = Harness({"actions": [5, None], "rasa": [10, None]}, stop_at=20)
    h.sup.run()
    assert h.log == [
        "!! 动作服务意外退出（退出码 -9），1 秒后重启（第 1 次）…",
        f">> 动作服务已重新启动（进程号 {h.spawned['actions'][1][1].pid}）。",
        "!! Rasa 服务意外退出（退出码 -9），1 秒后重启（第 1 次）…",
        f">> Rasa 服务已重新启动（进程号 {h.spawned['rasa'][1][1].pid}）。",
        ">> 正在停止…",
    ]


def test_back_off_resets_after_the_server_stayed_up_for_the_stable_period():
    h = Harness({"actions": [0, 0, 0, 61, 0, 0, None]}, stop_at=300)
    h.sup.run()
    assert h.gaps("actions") == [1, 2, 4, 1, 2, 4]  # the 61 s run made its crash the "first" again
    assert "第 1 次" in [line for line in h.log if "意外退出" in line][3]


def test_back_off_does_not_reset_when_the_server_stayed_up_less_than_the_stable_period():
    h = Harness({"actions": [0, 0, 59, 0, None]}, stop_at=300)
    h.sup.run()
    assert h.gaps("actions") == [1, 2, 4, 8]


def test_a_server_that_always_dies_at_once_is_retried_at_the_cap_for_as_long_as_the_launcher_runs():
    hours = 3 * 3600
    h = Harness({"actions": [0]}, stop_at=hours)
    h.sup.run()
    gaps = h.gaps("actions")
    assert gaps[:5] == [1, 2, 4, 8, 16]
    assert set(gaps[5:]) == {30}
    assert len(gaps) > (hours - 31) // 30.5  # about every 30 s, to the last minute
    assert h.start_times("actions")[-1] > hours - 31
    assert "30 秒后重启" in h.log[-3]


def test_a_command_that_cannot_start_is_retried_like_a_crash():
    h = Harness({}, stop_at=10)
    real_spawn, attempts = h.spawn, []

    def failing_spawn(command):
        if command[0] == "actions" and len(attempts) < 2:
            attempts.append(h.clock())
            raise FileNotFoundError(2, "No such file or directory")
        return real_spawn(command)

    h.sup.spawn = failing_spawn
    h.sup.run()
    assert attempts == [0, 1]
    assert h.start_times("actions") == [3]  # 1 s, then 2 s later
    assert h.log[0].startswith("!! 动作服务意外退出（无法启动：")


def test_stop_sends_sigint_to_both_and_starts_nothing_afterwards(tmp_path):
    h = Harness({"actions": [5, None]}, stop_at=5.5, tmp_path=tmp_path)  # stop while a restart is pending
    assert h.sup.run() == 0
    assert len(h.spawned["actions"]) == 1
    assert h.spawned["rasa"][0][1].signals == [signal.SIGINT]
    assert not (tmp_path / "pids.json").exists()
    assert h.log[-1] == ">> 正在停止…"


def test_a_server_that_ignores_sigint_is_killed_after_the_stop_timeout():
    h = Harness({}, stop_at=1)
    h.proc_options = {"rasa": {"obeys_sigint": False}}
    assert h.sup.run() == 0
    actions, rasa = h.spawned["actions"][0][1], h.spawned["rasa"][0][1]
    assert actions.signals == [signal.SIGINT] and actions.returncode == 0
    assert rasa.signals == [signal.SIGINT, signal.SIGKILL] and rasa.returncode == -9
    assert rasa.waits[0] == 15.0  # the whole stop timeout, then the kill


def test_a_real_sigterm_stops_the_loop_through_the_handler():
    h = Harness({})
    h.on_sleep = lambda h: os.kill(os.getpid(), signal.SIGTERM) if h.clock.now >= 3 else None
    previous = signal.signal(signal.SIGTERM, h.sup.request_stop)
    try:
        assert h.sup.run() == 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert h.clock.now == 3
    assert all(p.signals == [signal.SIGINT] for _, p in h.spawned["actions"] + h.spawned["rasa"])


def test_the_pid_file_names_the_launcher_and_the_current_process_of_each_server(tmp_path):
    seen = []
    h = Harness({"actions": [2, None]}, stop_at=6, tmp_path=tmp_path)
    h.on_sleep = lambda h: seen.append(json.loads((tmp_path / "pids.json").read_text()))
    h.sup.run()
    first, second = h.spawned["actions"][0][1].pid, h.spawned["actions"][1][1].pid
    rasa = h.spawned["rasa"][0][1].pid
    assert seen[0] == {"launcher": os.getpid(), "actions": first, "rasa": rasa}
    assert {"launcher": os.getpid(), "rasa": rasa} in seen  # while the action server waits for its restart
    assert seen[-1] == {"launcher": os.getpid(), "actions": second, "rasa": rasa}
