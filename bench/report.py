"""The result table: rows with targets and pass/miss, the machine it ran on, docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Dict, List, Optional, Sequence

PASS, MISS, NOT_RUN = "pass", "**miss**", "not run"


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    metric: str
    ours: str
    anchor: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""


HEADERS = ("metric", "ours", "stock `rasa init` / textbook", "ours ÷ anchor", "target", "result")


def judge(value: Optional[float], limit: float, higher_is_better: bool) -> str:
    """pass / miss against a limit; 'not run' when there is no value."""
    if value is None:
        return NOT_RUN
    ok = value >= limit if higher_is_better else value <= limit
    return PASS if ok else MISS


def all_pass(results: Sequence[str]) -> str:
    """Combine several judgements: miss if any missed, not run if any is missing, else pass."""
    if any(r == MISS for r in results):
        return MISS
    if any(r == NOT_RUN for r in results):
        return NOT_RUN
    return PASS


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table; '|' inside cells is escaped."""
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        cells = list(row) + [""] * (len(headers) - len(row))
        lines.append("| " + " | ".join(_cell(c) for c in cells[: len(headers)]) + " |")
    return "\n".join(lines)


def rows_table(rows: Sequence[Row]) -> str:
    return markdown_table(HEADERS, [(r.metric, r.ours, r.anchor, r.ratio, r.target, r.result) for r in rows])


# ---- the machine ---------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> Optional[float]:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except (OSError, ValueError):
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> Dict[str, str]:
    """What the numbers were measured on."""
    ram = _mem_total_gib()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "CPU": _cpu_model(),
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "RAM": f"{ram:.1f} GiB" if ram else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Rasa": _version("rasa"),
        "Rasa SDK": _version("rasa-sdk"),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start (1/5/15 min)": load,
    }


def machine_table(info: Dict[str, str]) -> str:
    return markdown_table(("machine", ""), list(info.items()))


def render_document(
    rows: Sequence[Row],
    machine: Dict[str, str],
    details: Sequence[str] = (),
    notes: Sequence[str] = (),
    command: str = "make bench",
) -> str:
    """docs/benchmarks.md: what was measured, on what, the table, then details."""
    parts: List[str] = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (`.venv/bin/python -m bench`); re-run it to refresh this page. "
        "All traffic goes to 127.0.0.1; every process the run starts is stopped at its end.",
        "",
        "## Machine",
        "",
        machine_table(machine),
        "",
        "## Results",
        "",
        rows_table(rows),
        "",
        "Ratios are ours ÷ anchor: above 1× is better for throughput, below 1× is better for "
        "latency, memory and time. Latency is per turn (one caller message → the bot's reply "
        "over the REST channel), in milliseconds, as p50 / p95 / p99.",
    ]
    if notes:
        parts += ["", "## How it was measured", ""] + [f"- {n}" for n in notes]
    if details:
        parts += ["", "## Details", ""] + list(details)
    return "\n".join(parts).rstrip() + "\n"


_MARKED = re.compile(r"<!-- ([a-z_-]+):(?:start|begin) -->.*?<!-- \1:end -->", re.S)


def keep_marked_sections(old: str, new: str) -> str:
    """`new` plus every marked section of `old` it lacks (the soak and simulator tables that
    other commands write between their own markers survive a rewrite of the page)."""
    kept = [m.group(0) for m in _MARKED.finditer(old) if f"<!-- {m.group(1)}:end -->" not in new]
    return new.rstrip("\n") + "".join(f"\n\n{section}" for section in kept) + "\n"


def write_document(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        text = keep_marked_sections(path.read_text(encoding="utf-8"), text)
    path.write_text(text, encoding="utf-8")
    return path
