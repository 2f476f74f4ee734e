"""Statistics helpers: percentiles, latency summaries, ratios and their formatting (pure Python)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0–100) with linear interpolation between ranks (numpy's default).

    None for an empty sequence.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, not {q}")
    data = sorted(values)
    if not data:
        return None
    if len(data) == 1:
        return float(data[0])
    rank = (len(data) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(data) - 1)
    fraction = rank - low
    return float(data[low] + (data[high] - data[low]) * fraction)


@dataclass(frozen=True)
class LatencySummary:
    """Per-turn latency of one regime, in milliseconds."""

    count: int
    p50: Optional[float]
    p95: Optional[float]
    p99: Optional[float]
    mean: Optional[float]
    max: Optional[float]

    def triple(self) -> str:
        """'p50 / p95 / p99' in ms, e.g. '12 / 31 / 48'."""
        return " / ".join(fmt_ms(v) for v in (self.p50, self.p95, self.p99))


def summarize(latencies_s: Sequence[float]) -> LatencySummary:
    """Summary in ms of latencies given in seconds."""
    ms = [v * 1000.0 for v in latencies_s]
    return LatencySummary(
        count=len(ms),
        p50=percentile(ms, 50),
        p95=percentile(ms, 95),
        p99=percentile(ms, 99),
        mean=sum(ms) / len(ms) if ms else None,
        max=max(ms) if ms else None,
    )


def ratio(ours: Optional[float], anchor: Optional[float]) -> Optional[float]:
    """ours / anchor, or None when either is missing or the anchor is zero."""
    if ours is None or anchor is None or anchor == 0:
        return None
    return ours / anchor


def fmt_ratio(value: Optional[float]) -> str:
    """A ratio as '3.2×' (two significant digits below 1: '0.31×'); 'n/a' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value >= 10:
        return f"{value:.0f}×"
    if value >= 1:
        return f"{value:.1f}×"
    return f"{value:.2f}×"


def fmt_ms(value: Optional[float]) -> str:
    """Milliseconds: '0.8', '12', '1530'; '–' when missing."""
    if value is None:
        return "–"
    if value < 10:
        return f"{value:.1f}"
    return f"{value:.0f}"


def fmt_rate(value: Optional[float]) -> str:
    """Turns per second with one decimal; '–' when missing."""
    return "–" if value is None else f"{value:.1f}"


def fmt_mib(kib: Optional[float]) -> str:
    """A size given in KiB as MiB, e.g. '512 MiB'; '–' when missing."""
    return "–" if kib is None else f"{kib / 1024:.0f} MiB"


def fmt_seconds(value: Optional[float]) -> str:
    """Seconds with one decimal: '14.2 s'; '–' when missing."""
    return "–" if value is None else f"{value:.1f} s"


def fmt_pct(value: Optional[float]) -> str:
    """A fraction as a percentage: '97.1%'; '–' when missing."""
    return "–" if value is None else f"{value * 100:.1f}%"
