"""`make soak` (`python -m bench.soak`): several hundred concurrent calls for a few minutes.

Checks what a long busy period must not do: fail or lose a turn (every turn
sent is answered and stored as a user event in the tracker store), or grow the
servers' memory. Loopback only, bounded in time and turns; it stops by itself
and writes its table into docs/benchmarks.md between the soak markers.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from bench.calls import ours_factory
from bench.load import Regime, run_regime
from bench.procs import install_cleanup, rss_kib, stop_all
from bench.stack import start_ours

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- soak:start -->", "<!-- soak:end -->"
PREFIX = "soak"


def stored_user_turns(tracker_db: Path) -> int:
    """User messages the tracker store holds for the soak's callers."""
    with sqlite3.connect(tracker_db) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM events WHERE type_name = 'user' AND sender_id LIKE ?", (f"{PREFIX}-%",)
        ).fetchone()[0]


async def sample_memory(pids: Dict[str, int], every: float, until: float, samples: List[tuple]) -> None:
    """(elapsed seconds, total RSS MiB) every `every` seconds until `until`."""
    started = time.monotonic()
    while time.monotonic() < until:
        total = sum(rss_kib(pid) for pid in pids.values()) / 1024
        samples.append((time.monotonic() - started, total))
        await asyncio.sleep(every)


async def soak(url: str, pids: Dict[str, int], regime: Regime, every: float) -> tuple:
    samples: List[tuple] = []
    until = time.monotonic() + regime.warmup + regime.duration + 5
    memory = asyncio.create_task(sample_memory(pids, every, until, samples))
    result = await run_regime(url, ours_factory(seed=23), regime, PREFIX, progress=lambda line: print(line, flush=True))
    memory.cancel()
    return result, samples


def report(result, samples: List[tuple], stored: int, regime: Regime) -> str:
    sent = len(result.records)
    answered = sum(1 for r in result.records if r.ok)
    third = max(1, len(samples) // 3)
    first_mib = sum(m for _, m in samples[:third]) / third
    last_mib = sum(m for _, m in samples[-third:]) / third
    lat = result.latency()
    rows = [
        ("concurrent calls (each caller pauses between turns)", f"{regime.concurrency} ({regime.think_time:.0f} s)"),
        ("duration measured", f"{regime.duration:.0f} s after {regime.warmup:.0f} s warm-up"),
        ("turns sent / answered / stored in the tracker store", f"{sent} / {answered} / {stored}"),
        ("calls completed", f"{result.calls_completed}"),
        ("errors / unexpected replies", f"{result.errors} / {result.unexpected}"),
        ("throughput (measured window)", f"{result.throughput:.1f} turns/s"),
        ("latency p50 / p95 / p99", f"{lat.p50:.0f} / {lat.p95:.0f} / {lat.p99:.0f} ms"),
        (
            "RSS, Rasa + action server: first third → last third of the run",
            f"{first_mib:.0f} MiB → {last_mib:.0f} MiB ({last_mib - first_mib:+.0f} MiB)",
        ),
        ("RSS samples (every 10 s)", " ".join(f"{m:.0f}" for _, m in samples)),
    ]
    verdict = (
        "pass"
        if result.errors == 0 and answered == sent == stored and last_mib - first_mib < 0.1 * first_mib
        else "**miss**"
    )
    lines = [
        START,
        "## Soak (`make soak`)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on the same machine; "
        "our stack as `make run` deploys it, the same call mix as above, every call a new "
        "sender. Target: no errors, no lost turns (sent = answered = stored), memory flat "
        f"(less than 10% growth). Result: {verdict}.",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines.append(END)
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
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    p.add_argument("--calls", type=int, default=300, help="concurrent calls")
    p.add_argument("--duration", type=float, default=180.0, help="measured seconds")
    p.add_argument("--think", type=float, default=6.0, help="seconds a caller pauses between turns")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = p.parse_args(argv)
    install_cleanup()
    from bot.ops.train_model import train

    train(quiet=True)
    with tempfile.TemporaryDirectory(prefix="script-guide-soak-") as tmp:
        data_dir, logs = Path(tmp) / "var", Path(tmp) / "logs"
        served = start_ours(ROOT, data_dir, logs)
        try:
            regime = Regime("soak", args.calls, args.duration, think_time=args.think, warmup=10.0, max_turns=200_000)
            print(f"soak: {args.calls} calls for {args.duration:.0f} s …", flush=True)
            result, samples = asyncio.run(soak(served.webhook, served.pids(), regime, every=10.0))
            time.sleep(1)
            stored = stored_user_turns(data_dir / "rasa_tracker.db")
        finally:
            served.stop()
            stop_all()
    section = report(result, samples, stored, regime)
    print(section)
    write(section, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
