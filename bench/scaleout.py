"""`make bench-scaleout` (`python -m bench.scaleout`): the production path beside `make run`, one run.

Three stacks, one after another, the same call mix and load (bench/calls.py, bench/load.py):
  1. `make run`: the action server and one Rasa server on SQLite (bench/stack.py);
  2. `make run-scaleout` with BOT_RASA_SERVERS=1: nginx → one Rasa server, PostgreSQL,
     Redis, RabbitMQ, the analytics consumer;
  3. the same with BOT_RASA_SERVERS=2.
Each gets saturation with 1, 10 and 20 concurrent calls and live load (40 callers pausing
2 s), 10 s measured each after 2 s of warm-up. For every process (each Rasa server, the action
server, nginx, PostgreSQL with its backends, Redis, RabbitMQ, the analytics consumer) it
records CPU per turn and peak memory. From the CPU per turn it derives calls per core and a
sizing table for N machines. Writes its section between the scale-out markers of
docs/benchmarks.md (`--out`), and stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bench import calls, procs, report
from bench.load import Regime, RegimeResult, run_regime, warm_up
from bench.stack import BENCH_TOKEN, start_ours
from bench.stats import fmt_mib

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- scaleout:start -->", "<!-- scaleout:end -->"
CALL_PACE_S = 6.0  # a caller's turn every ~6 s in a real call (the soak's pace)
UTILISATION = 0.7  # size machines to run at most this busy


@dataclass
class StackResult:
    label: str
    results: Dict[str, RegimeResult] = field(default_factory=dict)
    cpu_ms: Dict[str, Dict[str, float]] = field(default_factory=dict)  # regime → process → ms/turn
    peak_kib: Dict[str, int] = field(default_factory=dict)
    startup_s: float = 0.0
    error: str = ""


class ScaleoutStack:
    """`python -m bot run-scaleout` on free ports under a temp data dir, in its own process group."""

    def __init__(self, work: Path, servers: int, logs: Path):
        self.work, self.servers = work, servers
        self.data = work / f"var-{servers}"
        while True:
            self.port = procs.free_port()
            if self.port + servers < 65535 and all(_free(self.port + i) for i in range(1, servers + 1)):
                break
        self.pg, self.redis, self.rabbit, self.action_port = (procs.free_port() for _ in range(4))
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
            BOT_DATA_DIR=str(self.data),
            PORT=str(self.port),
            ACTION_PORT=str(self.action_port),
            BOT_RASA_SERVERS=str(servers),
            BOT_SCALEOUT_PORTS=f"{self.pg},{self.redis},{self.rabbit}",
            BOT_API_TOKEN=BENCH_TOKEN,
        )
        for key in ("BOT_DB_URL", "BOT_TRACKER_URL", "BOT_ENDPOINTS"):
            env.pop(key, None)
        self.log = logs / f"scaleout-{servers}.log"
        started = time.monotonic()
        self.child = procs.Child(
            f"scaleout-{servers}", [sys.executable, "-m", "bot", "run-scaleout"], ROOT, env, self.log
        )
        self.rasa_ports = [self.port + i for i in range(1, servers + 1)]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if not self.child.alive():
                raise RuntimeError(f"run-scaleout exited; last lines of {self.log}:\n{self.child.log_tail()}")
            if all(_answers(p) for p in [self.port, *self.rasa_ports]) and _answers(self.action_port, "/health"):
                self.startup_s = time.monotonic() - started
                return
            time.sleep(1)
        raise RuntimeError("the scale-out stack did not come up within 600 s")

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def pids(self) -> Dict[str, int]:
        """Every process of the stack by name (PostgreSQL, Redis, RabbitMQ from their pid files)."""
        found = {k: v for k, v in json.loads((self.data / "pids.json").read_text()).items() if k != "launcher"}
        services = self.data / "services"
        for name, path in (("postgres", services / "pg" / "postmaster.pid"), ("redis", services / "redis.pid")):
            try:
                found[name] = int(path.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        try:  # RabbitMQ: the Erlang VM listening on the AMQP port
            out = subprocess.run(["ss", "-ltnpH", f"sport = :{self.rabbit}"], capture_output=True, text=True).stdout
            found["rabbitmq"] = int(out.split("pid=")[1].split(",")[0])
        except (OSError, IndexError, ValueError):
            pass
        return found

    def stop(self) -> None:
        if self.child.alive():
            os.killpg(self.child.pid, signal.SIGINT)  # Ctrl-C: the launcher stops its services too
            try:
                self.child.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
        self.child.stop()
        subprocess.run(
            [
                "bash",
                str(ROOT / "scripts/services.sh"),
                "stop",
                str(self.data / "services"),
                str(self.pg),
                str(self.redis),
                str(self.rabbit),
            ],
            timeout=120,
            capture_output=True,
        )


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _answers(port: int, path: str = "/webhooks/rest/") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
            return True
    except Exception:
        return False


def regimes(duration: float, live: float) -> List[Regime]:
    return [Regime(f"saturation-{c}", c, duration, warmup=2.0) for c in (1, 10, 20)] + [
        Regime("live-40", 40, live, think_time=2.0, warmup=4.0)
    ]


def drive(label: str, webhook: str, pids: Dict[str, int], args) -> StackResult:
    out = StackResult(label)
    factory = calls.ours_factory()
    slug = "".join(ch if ch.isalnum() else "-" for ch in label)  # sender ids: no spaces or commas
    with procs.RssSampler(pids) as sampler:
        asyncio.run(warm_up(webhook, factory, f"{slug}-warm", 4))
        for regime in regimes(args.duration, args.live_duration):
            before = {n: procs.tree_cpu_seconds(p) for n, p in pids.items()}
            result = asyncio.run(run_regime(webhook, factory, regime, f"{slug}-{regime.name}-{os.getpid()}"))
            answered = sum(1 for r in result.records if r.ok)
            if answered:
                out.cpu_ms[regime.name] = {
                    n: (procs.tree_cpu_seconds(p) - before[n]) * 1000 / answered for n, p in pids.items()
                }
            out.results[regime.name] = result
            print(f"   {label} {regime.name}: {result.describe()}", flush=True)
            for sample in result.error_samples[:2]:
                print(f"      error: {sample}", flush=True)
    out.peak_kib = dict(sampler.peak)
    return out


# ---- the report ------------------------------------------------------------------------------


def _group(cpu: Dict[str, float]) -> Dict[str, float]:
    """Per-process CPU folded into: Rasa (all servers), actions, nginx, database + broker, other."""
    g = {"Rasa": 0.0, "actions": 0.0, "nginx": 0.0, "PostgreSQL": 0.0, "Redis": 0.0, "RabbitMQ": 0.0, "analytics": 0.0}
    for name, ms in cpu.items():
        key = (
            "Rasa"
            if name.startswith("rasa")
            else {"postgres": "PostgreSQL", "redis": "Redis", "rabbitmq": "RabbitMQ"}.get(name, name)
        )
        g[key] = g.get(key, 0.0) + ms
    return g


def render(stacks: List[StackResult], machine: Dict[str, str], args) -> str:
    lines = [
        START,
        "## The production path (`make bench-scaleout`)",
        "",
        f"Run {machine['date']} on the machine above ({machine['cores']} cores, load average at start "
        f"{machine['load average at start (1/5/15 min)']}); one run, the three stacks one after another, "
        f"the same call mix as `make bench`; {args.duration:.0f} s measured per saturation regime, "
        f"{args.live_duration:.0f} s live. The load generator runs on the same 2 cores.",
        "",
        "| stack | regime | turns/s | p50 / p95 / p99 ms | errors | CPU ms per turn: total (Rasa + actions + nginx + PostgreSQL + Redis + RabbitMQ + analytics) |",
        "|---|---|---|---|---|---|",
    ]
    for s in stacks:
        if s.error:
            lines.append(f"| {s.label} | not run: {s.error[:120]} | | | | |")
            continue
        for name, r in s.results.items():
            g = _group(s.cpu_ms.get(name, {}))
            parts = " + ".join(f"{v:.1f}" for v in g.values())
            lines.append(
                f"| {s.label} | {name} | {r.throughput:.1f} | {r.latency().triple()} | {r.errors} | "
                f"{sum(g.values()):.1f} ({parts}) |"
            )
    lines += [
        "",
        "Peak memory (RSS with children, MiB) of each process:",
        "",
        "| stack | " + "process | MiB |" * 1,
        "|---|---|---|",
    ]
    for s in stacks:
        for name, kib in sorted(s.peak_kib.items()):
            lines.append(f"| {s.label} | {name} | {fmt_mib(kib)} |")
    lines += [
        "",
        "Start-up until every server answered: "
        + "; ".join(f"{s.label} {s.startup_s:.0f} s" for s in stacks if not s.error)
        + ".",
        "",
    ]
    # sizing from the serial regime's CPU per turn (the least disturbed figure)
    sizing = [s for s in stacks if not s.error and "saturation-1" in s.cpu_ms]
    if sizing:
        lines += [
            "### Sizing",
            "",
            f"Calls per core = (1000 ÷ CPU ms per turn of the whole stack) × {CALL_PACE_S:.0f} s between a caller's "
            f"turns (the soak's pace), at {UTILISATION:.0%} of each core. Measured here on 2 cores with everything on one "
            "machine; the N-machine rows assume the Rasa servers and action servers spread over N machines of 2 cores, "
            "and PostgreSQL, Redis and RabbitMQ on their own machine, whose CPU per turn (measured) sets the ceiling.",
            "",
            "| stack | CPU ms per turn (serial) | of which PostgreSQL + Redis + RabbitMQ | calls per core | 1 machine (2 cores) | 2 machines | 4 machines | 8 machines | database machine (2 cores) saturates at |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in sizing:
            g = _group(s.cpu_ms["saturation-1"])
            total = sum(g.values())
            shared = g["PostgreSQL"] + g["Redis"] + g["RabbitMQ"]
            per_core = 1000 / total * CALL_PACE_S * UTILISATION
            app = total - shared
            app_core = 1000 / app * CALL_PACE_S * UTILISATION if app else 0
            db_limit = 2 * 1000 / shared * CALL_PACE_S * UTILISATION if shared else float("inf")
            cells = [f"{per_core * 2:.0f}"] + [f"{min(app_core * 2 * n, db_limit):.0f}" for n in (2, 4, 8)]
            lines.append(
                f"| {s.label} | {total:.1f} | {shared:.1f} | {per_core:.0f} | "
                + " | ".join(cells)
                + f" | {db_limit:.0f} calls |"
            )
        lines.append("")
    lines += [
        "What 2 cores can and cannot show: every process here — Rasa servers, action server, nginx, PostgreSQL, "
        "Redis, RabbitMQ, the consumer and the load generator — shares the same two cores, so a second Rasa "
        "server cannot add throughput once both cores are busy (it shows the cost of the extra hop and the "
        "shared stores, and that failover and the lock store work); latency under saturation is mostly queueing "
        "for those cores. The CPU per turn of each process is the transferable figure: it is what the sizing "
        "table projects from. Not measured: network latency between machines, PostgreSQL on its own disk "
        "(fsync is off in the local cluster), more than one action server.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write(section: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scaleout", description=__doc__)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--live-duration", type=float, default=15.0)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="'-' prints only")
    args = p.parse_args(argv)
    procs.install_cleanup()
    from bot.ops.train_model import train

    train(quiet=True)
    machine = report.machine_info()
    work = Path(tempfile.mkdtemp(prefix="sg-bench-scaleout-"))
    os.chmod(work, 0o755)
    logs = work / "logs"
    stacks: List[StackResult] = []
    try:
        print("== make run (SQLite, one Rasa server)", flush=True)
        served = start_ours(ROOT, work / "embedded", logs)
        try:
            result = drive("make run", served.webhook, served.pids(), args)
            result.startup_s = served.startup_s
            stacks.append(result)
        finally:
            served.stop()
        for servers in (1, 2):
            label = f"scale-out, {servers} Rasa server{'s' if servers > 1 else ''}"
            print(f"== {label}", flush=True)
            try:
                stack = ScaleoutStack(work, servers, logs)
            except Exception as err:  # noqa: BLE001 - reported in the table
                stacks.append(StackResult(label, error=str(err).splitlines()[0]))
                continue
            try:
                result = drive(label, stack.webhook, stack.pids(), args)
                result.startup_s = stack.startup_s
                stacks.append(result)
            finally:
                stack.stop()
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    section = render(stacks, machine, args)
    print(section)
    if str(args.out) != "-":
        write(section, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
