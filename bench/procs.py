"""Processes the benchmark starts, and their memory.

Every child runs in its own session (its own process group, whose id is the
child's pid), so stopping it stops whatever it spawned too. All children are
kept in a registry and stopped on exit, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Callable, Dict, List, Mapping, Optional, Sequence

_LIVE: List[Child] = []
_LOCK = threading.Lock()


class Child:
    """One started command, in its own process group, with its output in a log file."""

    def __init__(self, name: str, cmd: Sequence[str], cwd: Path, env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.cmd = list(cmd)
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = open(log_path, "ab")
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=str(cwd),
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        with _LOCK:
            _LIVE.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: Optional[float] = None) -> int:
        """Wait for the command to end; on timeout stop it and raise TimeoutError."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise TimeoutError(f"{self.name} did not finish within {timeout:.0f} s") from None
        finally:
            if self.proc.poll() is not None:
                self._forget()

    def stop(self, grace: float = 15.0) -> None:
        """SIGINT to the group, then SIGTERM, then SIGKILL; only this child's own group."""
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # The leader may be gone while something it started lingers in its group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._forget()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _forget(self) -> None:
        with _LOCK:
            if self in _LIVE:
                _LIVE.remove(self)
        if not self._log.closed:
            self._log.close()


def stop_all() -> None:
    """Stop every child still running (newest first)."""
    with _LOCK:
        children = list(reversed(_LIVE))
    for child in children:
        child.stop(grace=10.0)


def install_cleanup() -> None:
    """Stop all children at exit; turn SIGTERM/SIGHUP into a normal exit that runs `finally`."""
    atexit.register(stop_all)

    def _terminate(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    # Ctrl-C raises KeyboardInterrupt even where the shell started us with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)


_EPOCHS = re.compile(r"Epochs:\s+\d+%\S*\s*\S*\s*(\d+)/(\d+)")


def log_progress(log_path: Path) -> str:
    """The last 'epoch N/M' a Rasa training log shows ('' if none)."""
    try:
        with open(log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4000))
            tail = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    found = _EPOCHS.findall(tail)
    return f"epoch {found[-1][0]}/{found[-1][1]}" if found else ""


def run_timed(
    name: str,
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    timeout: float,
    progress: Optional[Callable[[str], None]] = None,
    every: float = 15.0,
) -> float:
    """Run a command to completion; wall-clock seconds. Raises on failure with the log's tail.

    With `progress`, a line is reported every `every` seconds while it runs.
    """
    started = time.monotonic()
    return finish(Child(name, cmd, cwd, env, log_path), started, timeout, progress, every)


def finish(
    child: Child, started: float, timeout: float, progress: Optional[Callable[[str], None]] = None, every: float = 15.0
) -> float:
    """Wait for a started command (stopping it past `timeout` s from `started`); seconds it took."""
    deadline = started + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{child.name} did not finish within {timeout:.0f} s; see {child.log_path}")
            try:
                code = child.proc.wait(timeout=min(every, remaining))
                break
            except subprocess.TimeoutExpired:
                if progress:
                    detail = log_progress(child.log_path)
                    progress(f"{child.name}: {time.monotonic() - started:.0f} s" + (f", {detail}" if detail else ""))
    finally:
        child.stop()  # a no-op when it ended by itself; always releases the log file
    elapsed = time.monotonic() - started
    if code != 0:
        raise RuntimeError(f"{child.name} failed (exit {code}); last lines of {child.log_path}:\n{child.log_tail()}")
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(urls: Sequence[str], children: Sequence[Child], timeout: float = 240.0) -> float:
    """Poll until every URL answers (any HTTP status); seconds waited. Raises if a child dies."""
    started = time.monotonic()
    deadline = started + timeout
    pending = list(urls)
    while pending:
        dead = [c for c in children if not c.alive()]
        if dead:
            c = dead[0]
            raise RuntimeError(f"{c.name} exited during start-up; last lines of {c.log_path}:\n{c.log_tail()}")
        try:
            with urllib.request.urlopen(pending[0], timeout=2):
                pass
            pending.pop(0)
            continue
        except urllib.error.HTTPError:
            pending.pop(0)  # it answered
            continue
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pending[0]} did not answer within {timeout:.0f} s")
        time.sleep(0.5)
    return time.monotonic() - started


# ---- memory -----------------------------------------------------------------


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 if it is gone or has no RSS line)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        pass
    return 0


def _parent_map() -> Dict[int, int]:
    parents: Dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            parents[int(entry)] = int(fields[1])
    return parents


def descendants(pid: int, parents: Optional[Dict[int, int]] = None) -> List[int]:
    """pid and every process below it."""
    parents = _parent_map() if parents is None else parents
    children: Dict[int, List[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far, in seconds (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[-1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(pid: int, parents: Optional[Dict[int, int]] = None) -> float:
    """CPU seconds of a process and its live descendants."""
    return sum(cpu_seconds(p) for p in descendants(pid, parents))


def tree_rss_kib(pid: int, parents: Optional[Dict[int, int]] = None) -> int:
    """RSS of a process plus all its descendants, in KiB."""
    return sum(rss_kib(p) for p in descendants(pid, parents))


class RssSampler:
    """Samples the RSS (with children) of named processes in a thread; keeps the peaks.

    `peak[name]` is each process tree's own peak; `peak_total` is the peak of
    their sum at one sampling instant (what the machine has to hold at once).
    """

    def __init__(self, pids: Mapping[str, int], interval: float = 0.2) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.peak: Dict[str, int] = {name: 0 for name in self.pids}
        self.peak_total = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> None:
        parents = _parent_map()
        total = 0
        for name, pid in self.pids.items():
            value = tree_rss_kib(pid, parents)
            self.peak[name] = max(self.peak[name], value)
            total += value
        self.peak_total = max(self.peak_total, total)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()
