"""Keep the servers running: restart one that exits, with back-off, until told to stop.

`Supervisor` starts each `Child` command, polls them, and when one exits while
no stop was asked for it says so in Chinese and starts it again after 1, 2, 4 …
seconds (at most `max_delay`, 30). A child that then stays up for `stable_after`
seconds (60) counts as healthy again: its next crash waits 1 s again. The other
children are not touched while one waits for its restart. It never gives up: a
command that cannot even start (OSError) is retried the same way.

`request_stop()` (the launcher's SIGINT and SIGTERM handlers call it) ends the
loop; `run()` then sends SIGINT to every live child, waits `stop_timeout`
seconds for all of them, kills what is left and returns 0.

Children's process ids are written to `pid_file` (JSON: launcher and each child
by name) on every start, and the file is removed after a clean stop.

The clock, sleep, process spawner and log are parameters, so the loop is tested
without real servers (tests/unit/test_supervisor.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence


@dataclass(frozen=True)
class Child:
    """One supervised command: its key (pid file), its name in Chinese log lines, its argv."""

    key: str
    label: str
    command: Sequence[str]


@dataclass
class _State:
    """What the supervisor knows about one child."""

    proc: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    restart_at: Optional[float] = None  # when a pending restart is due
    failures: int = 0  # consecutive exits without a stable period in between


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Supervisor:
    """Runs the children until `request_stop()`; see the module docstring."""

    def __init__(
        self,
        children: Sequence[Child],
        spawn: Callable[[Sequence[str]], subprocess.Popen],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = _say,
        pid_file: Optional[Path] = None,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
        stop_timeout: float = 15.0,
        tick: float = 0.5,
    ) -> None:
        self.children = list(children)
        self.spawn, self.clock, self.sleep, self.log = spawn, clock, sleep, log
        self.pid_file = pid_file
        self.base_delay, self.max_delay, self.stable_after = base_delay, max_delay, stable_after
        self.stop_timeout, self.tick = stop_timeout, tick
        self.state: Dict[str, _State] = {c.key: _State() for c in self.children}
        self.stopping = False

    # ---- the loop ----------------------------------------------------------------
    def request_stop(self, *_signal_args) -> None:
        """Ask the loop to stop (safe to call from a signal handler)."""
        self.stopping = True

    def run(self) -> int:
        """Start every child, keep them running until a stop is requested, stop them; 0."""
        for child in self.children:
            self._start(child)
        while not self.stopping:
            self.check()
            if not self.stopping:
                self.sleep(self._pause())
        self.log(">> 正在停止…")
        self.stop_children()
        return 0

    def check(self) -> None:
        """One pass: notice exits, schedule restarts, start those that are due."""
        now = self.clock()
        for child in self.children:
            if self.stopping:
                return
            st = self.state[child.key]
            if st.proc is not None and st.proc.poll() is not None:
                self._schedule_restart(child, f"退出码 {st.proc.returncode}", now)
            if st.restart_at is not None and now >= st.restart_at:
                self._start(child)

    def _pause(self) -> float:
        """Until the next poll: one tick, or less when a restart falls due sooner."""
        due = [st.restart_at for st in self.state.values() if st.restart_at is not None]
        return max(0.0, min([self.tick] + [t - self.clock() for t in due]))

    def delay_for(self, failures: int) -> float:
        """Seconds to wait before restart number `failures` (1, 2, 4 … capped)."""
        return min(self.base_delay * 2 ** (failures - 1), self.max_delay)

    # ---- one child -----------------------------------------------------------------
    def _start(self, child: Child) -> None:
        st = self.state[child.key]
        restarting = st.failures > 0
        st.restart_at = None
        try:
            st.proc = self.spawn(child.command)
        except OSError as err:
            st.proc = None
            self._schedule_restart(child, f"无法启动：{err}", self.clock())
            return
        st.started_at = self.clock()
        if restarting:
            self.log(f">> {child.label}已重新启动（进程号 {st.proc.pid}）。")
        self._write_pids()

    def _schedule_restart(self, child: Child, why: str, now: float) -> None:
        st = self.state[child.key]
        if st.proc is not None and now - st.started_at >= self.stable_after:
            st.failures = 0  # it had been running well: start the back-off again from 1 s
        st.proc = None
        st.failures += 1
        delay = self.delay_for(st.failures)
        st.restart_at = now + delay
        self.log(f"!! {child.label}意外退出（{why}），{delay:g} 秒后重启（第 {st.failures} 次）…")
        self._write_pids()

    # ---- stopping ------------------------------------------------------------------
    def stop_children(self) -> None:
        """SIGINT to every live child, up to `stop_timeout` seconds for all, then SIGKILL."""
        live = [st.proc for st in self.state.values() if st.proc is not None and st.proc.poll() is None]
        for proc in live:
            try:
                proc.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
        deadline = self.clock() + self.stop_timeout
        for proc in live:
            try:
                proc.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for st in self.state.values():
            st.proc, st.restart_at = None, None
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)

    def _write_pids(self) -> None:
        if self.pid_file is None:
            return
        pids = {"launcher": os.getpid()}
        pids.update({key: st.proc.pid for key, st in self.state.items() if st.proc is not None})
        tmp = self.pid_file.with_name(self.pid_file.name + ".tmp")
        tmp.write_text(json.dumps(pids) + "\n", encoding="utf-8")
        os.replace(tmp, self.pid_file)  # readers never see half a file


def popen_in(cwd: Path, env: Dict[str, str]) -> Callable[[Sequence[str]], subprocess.Popen]:
    """A spawner that starts commands in `cwd` with `env` (output goes where ours goes)."""

    def spawn(command: Sequence[str]) -> subprocess.Popen:
        return subprocess.Popen(list(command), cwd=cwd, env=env)

    return spawn
