"""The load generator: scripted calls over the REST channel, asyncio + aiohttp, bounded.

Each simulated caller holds one call after another (a new, unique sender per
call), sending the next turn as soon as the last is answered (saturation) or
after a pause (live calls). Every loop is bounded by a deadline and a cap on
turns; only 127.0.0.1 is ever addressed.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional
from urllib.parse import urlparse

import aiohttp

from bench.calls import Script, ScriptFactory
from bench.stats import LatencySummary, fmt_ms, percentile, summarize

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Regime:
    """How one load phase runs."""

    name: str
    concurrency: int
    duration: float  # measured seconds
    think_time: float = 0.0  # pause between a reply and the caller's next turn
    warmup: float = 2.0  # seconds run before measuring starts
    max_turns: int = 200_000  # hard bound on requests in this phase

    @property
    def live(self) -> bool:
        return self.think_time > 0


@dataclass
class TurnRecord:
    started: float
    ended: float
    ok: bool
    as_expected: bool
    kind: str


@dataclass
class RegimeResult:
    regime: Regime
    records: List[TurnRecord] = field(default_factory=list)
    window_start: float = 0.0
    window_end: float = 0.0
    calls_started: int = 0
    calls_completed: int = 0
    error_samples: List[str] = field(default_factory=list)

    def measured(self) -> List[TurnRecord]:
        """Turns that started inside the measured window."""
        return [r for r in self.records if self.window_start <= r.started < self.window_end]

    @property
    def turns(self) -> int:
        return len(self.measured())

    @property
    def errors(self) -> int:
        return sum(1 for r in self.measured() if not r.ok)

    @property
    def unexpected(self) -> int:
        return sum(1 for r in self.measured() if r.ok and not r.as_expected)

    @property
    def throughput(self) -> float:
        """Answered turns per second that ended inside the window."""
        span = self.window_end - self.window_start
        done = sum(1 for r in self.records if r.ok and self.window_start <= r.ended <= self.window_end)
        return done / span if span > 0 else 0.0

    def latency(self) -> LatencySummary:
        return summarize([r.ended - r.started for r in self.measured() if r.ok])

    def describe(self) -> str:
        lat = self.latency()
        return (
            f"{self.turns} turns, {self.throughput:.1f} turns/s, p50/p95/p99 {lat.triple()} ms, "
            f"{self.calls_completed} calls completed, errors {self.errors}, "
            f"unexpected replies {self.unexpected}"
        )


def _check_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"the benchmark only sends traffic to this machine, not to {host!r}")


async def _say(session: aiohttp.ClientSession, url: str, sender: str, text: str, metadata: Dict[str, str]) -> List[str]:
    body = {"sender": sender, "message": text, "metadata": metadata}
    async with session.post(url, json=body) as resp:
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {(await resp.text())[:200]}")
        payload = await resp.json(content_type=None)
    if not isinstance(payload, list) or not payload:
        raise RuntimeError(f"empty reply: {payload!r}"[:200])
    return [m.get("text") or "" for m in payload]


async def run_regime(
    url: str,
    factory: ScriptFactory,
    regime: Regime,
    sender_prefix: str,
    progress: Optional[Callable[[str], None]] = None,
    request_timeout: float = 30.0,
) -> RegimeResult:
    """Drive `regime.concurrency` callers against the REST webhook at `url`."""
    _check_loopback(url)
    result = RegimeResult(regime)
    call_numbers = itertools.count()
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    result.window_start = t0 + regime.warmup
    result.window_end = result.window_start + regime.duration
    deadline = result.window_end
    sent = 0
    rng = random.Random(17)

    def may_send() -> bool:
        return time.perf_counter() < deadline and sent < regime.max_turns

    async def caller(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal sent
        if regime.live:  # callers do not all start at once
            await asyncio.sleep(rng.uniform(0, regime.think_time))
        while may_send():
            n = next(call_numbers)
            script: Script = factory(n)
            sender = f"{sender_prefix}-{n}"
            result.calls_started += 1
            finished = True
            for i, turn in enumerate(script.turns):
                if regime.live and i > 0:
                    await asyncio.sleep(regime.think_time)
                if not may_send():
                    finished = False
                    break
                sent += 1
                started = time.perf_counter()
                try:
                    lines = await _say(session, url, sender, turn.text, script.metadata)
                    ok, expected = True, (turn.expect is None or any(turn.expect in line for line in lines))
                except Exception as err:  # noqa: BLE001 - every failure is counted, not fatal
                    ok, expected = False, False
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{type(err).__name__}: {err}"[:300])
                result.records.append(TurnRecord(started, time.perf_counter(), ok, expected, script.kind))
                if not ok:
                    finished = False
                    break  # a broken call is abandoned; the caller dials again
            if finished:
                result.calls_completed += 1
            if regime.live and may_send():
                await asyncio.sleep(regime.think_time)

    async def reporter() -> None:
        while True:
            await asyncio.sleep(5.0)
            now = time.perf_counter()
            if progress is None:
                continue
            if now < result.window_start:
                progress(f"warming up ({now - t0:.0f}/{regime.warmup:.0f} s)")
                continue
            recent = [
                r.ended - r.started for r in result.records if r.ok and r.started >= max(result.window_start, now - 5.0)
            ]
            elapsed = min(now, deadline) - result.window_start
            done = sum(1 for r in result.records if r.started >= result.window_start)
            progress(
                f"{elapsed:.0f}/{regime.duration:.0f} s: {done} turns, "
                f"last 5 s p50 {fmt_ms(percentile([v * 1000 for v in recent], 50))} ms, "
                f"errors {sum(1 for r in result.records if not r.ok)}"
            )

    connector = aiohttp.TCPConnector(limit=regime.concurrency + 4)
    timeout = aiohttp.ClientTimeout(total=request_timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [loop.create_task(caller(i, session)) for i in range(regime.concurrency)]
        tasks.append(loop.create_task(reporter()))
        try:
            # Callers stop at the deadline by themselves; this bounds the phase even if one hangs.
            await asyncio.wait(
                tasks[:-1], timeout=regime.warmup + regime.duration + request_timeout + regime.think_time + 30
            )
        finally:
            for task in tasks:
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception) and not isinstance(outcome, asyncio.CancelledError):
                raise outcome
    return result


async def warm_up(url: str, factory: ScriptFactory, sender_prefix: str, calls: int) -> int:
    """Hold `calls` calls one after another (not measured); the number of failed turns."""
    _check_loopback(url)
    failures = 0
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for n in range(calls):
            script = factory(n)
            for turn in script.turns:
                try:
                    await _say(session, url, f"{sender_prefix}-{n}", turn.text, script.metadata)
                except Exception:  # noqa: BLE001
                    failures += 1
    return failures
