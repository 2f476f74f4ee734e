"""The simulator's output: the per-call table, the totals by file and channel, the JSON report,
a transcript with question kinds, and the totals section of docs/benchmarks.md."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Dict, List, Sequence

from bench.sim.score import CallResult, Totals, totals

BEGIN, END = "<!-- sim:begin -->", "<!-- sim:end -->"
SECTION_TITLE = "## Caller simulator (`make sim`)"
FILES = ("borrowers", "relatives", "proxies")
CHANNELS = ("rest", "ivr")


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}% ({part}/{whole})" if whole else "–"


STATUS_FILE = Path(__file__).resolve().parents[2] / "tests" / "sim" / "STATUS.yml"


def file_status(path: Path = STATUS_FILE) -> Dict[str, Dict[str, str]]:
    """tests/sim/STATUS.yml: per persona file, `in-sample` or `held-out` (unlisted files: held-out)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    return {str(k): {kk: str(vv) for kk, vv in (v or {}).items()} for k, v in data.items()}


def status_of(name: str, status: Dict[str, Dict[str, str]]) -> str:
    return (status.get(name) or {}).get("status", "held-out")


def groups(results: Sequence[CallResult], status: Dict[str, Dict[str, str]] = None) -> List[Totals]:
    """All calls, in-sample and held-out, then by persona file, then by channel (empty groups left out)."""
    status = file_status() if status is None else status
    rows = [totals("all", results)]
    for kind in ("in-sample", "held-out"):
        part = [r for r in results if status_of(r.file, status) == kind]
        if part:
            rows.append(totals(f"**{kind}**", part))
    for name in FILES + tuple(sorted({r.file for r in results} - set(FILES))):
        part = [r for r in results if r.file == name]
        if part:
            rows.append(totals(name, part))
    for name in CHANNELS:
        part = [r for r in results if r.channel == name]
        if part:
            rows.append(totals(name, part))
    return rows


def totals_table(rows: Sequence[Totals]) -> str:
    lines = [
        "| group | calls | completed | summary correct | re-asks (calls) | stuck calls | misunderstood turns "
        "| mean turns | leaks (calls) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t in rows:
        mean = f"{t.mean_turns:.1f}" if t.mean_turns is not None else "–"
        lines.append(
            f"| {t.label} | {t.calls} | {pct(t.completed, t.calls)} | {pct(t.correct, t.calls)} "
            f"| {t.reasks} ({t.calls_with_reasks}) | {t.stuck} | {t.misunderstood} | {mean} "
            f"| {t.leaks} ({t.calls_with_leaks}) |"
        )
    return "\n".join(lines)


def field_misses(results: Sequence[CallResult]) -> List[tuple]:
    """(summary field, calls where it differs), most often first."""
    counts: Dict[str, int] = {}
    for r in results:
        for diff in r.differences:
            counts[_short(diff)] = counts.get(_short(diff), 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def in_sample(results: Sequence[CallResult], status: Dict[str, Dict[str, str]] = None) -> List[CallResult]:
    """The calls of in-sample files: only they are listed call by call (reading a held-out call
    would make its file in-sample)."""
    status = file_status() if status is None else status
    return [r for r in results if status_of(r.file, status) == "in-sample"]


def misses_line(results: Sequence[CallResult], status: Dict[str, Dict[str, str]] = None) -> str:
    results = in_sample(results, status)
    misses = field_misses(results)
    if not misses:
        return "Summary fields that differ (in-sample calls): none."
    return "Summary fields that differ (in-sample calls): " + ", ".join(f"{name} {n}" for name, n in misses) + "."


def _short(diff: str) -> str:
    return diff.split(":", 1)[0]


def call_table(results: Sequence[CallResult], status: Dict[str, Dict[str, str]] = None) -> str:
    head = f"{'persona':<9} {'ch':<4} {'done':<4} {'summ':<4} {'reask':>5} {'stuck':>5} {'misu':>4} {'turns':>5} {'leaks':>5}  {'ended':<10} differs / error"
    lines = [head, "-" * len(head)]
    listed = in_sample(results, status)
    for r in listed:
        detail = r.error or ", ".join(_short(d) for d in r.differences)
        lines.append(
            f"{r.persona:<9} {r.channel:<4} {'yes' if r.completed else 'NO':<4} {'ok' if r.summary_correct else 'NO':<4} "
            f"{r.reasks:>5} {len(r.stuck):>5} {r.misunderstood:>4} {r.turns:>5} {len(r.leaks):>5}  {r.ended_by:<10} {detail}"
        )
    if len(listed) < len(results):
        lines.append(f"({len(results) - len(listed)} calls of held-out files not listed: only their totals are shown)")
    return "\n".join(lines)


def transcript(result: CallResult) -> str:
    """A call as a person reads it: caller lines with what they answered, bot lines with the kind asked."""
    out = [f"== {result.persona} ({result.channel}, call id {result.call_id}) — ended by {result.ended_by}"]
    for turn in result.transcript:
        if turn.caller is not None:
            extra = " [keys]" if turn.dtmf else ""
            if turn.confidence is not None and turn.confidence < 0.6:
                extra += f" [asr {turn.confidence}]"
            out.append(f"  {turn.n:>2} caller ({turn.said_as}){extra}: {turn.caller}")
        elif turn.said_as == "start":
            out.append("   0 (start)")
        for text in turn.bot:
            out.append(f"       bot: {text}")
        marks = []
        if turn.kind:
            marks.append(f"asks {turn.kind}: “{turn.question}”")
        if turn.reask:
            marks.append("RE-ASK")
        if turn.misunderstood:
            marks.append("MISUNDERSTOOD")
        if turn.ivr and (turn.ivr.get("transfer") or turn.ivr.get("hangup")):
            marks.append(f"ivr {turn.ivr}")
        if marks:
            out.append("       -> " + "; ".join(marks))
    if result.error:
        out.append(f"  error: {result.error}")
    out.append(f"  summary: {json.dumps(result.summary, ensure_ascii=False)}")
    for diff in result.differences:
        out.append(f"  differs: {diff}")
    for leak in result.leaks:
        out.append(f"  LEAK {leak.customer_id} {leak.fact} “{leak.found}” in: {leak.text}")
    if result.stuck:
        out.append(f"  stuck: {', '.join(result.stuck)}")
    return "\n".join(out)


def json_report(results: Sequence[CallResult], meta: Dict[str, object]) -> Dict[str, object]:
    return {
        "meta": meta,
        "totals": [t.__dict__ for t in groups(results)],
        "summary_field_misses": dict(field_misses(results)),
        "calls": [r.to_dict() for r in results],
    }


def write_json(path: Path, data: Dict[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def held_out_line(results: Sequence[CallResult]) -> str:
    status = file_status()
    names = sorted({r.file for r in results if status_of(r.file, status) == "held-out"})
    if not names:
        return "none (every file has been read)"
    return (
        ", ".join(f"`{n}`" for n in names)
        + "; the first measurement of each file that is in-sample now: "
        + (
            "; ".join(f"`{n}` {v['first']}" for n, v in sorted(status.items()) if v.get("first") and n not in names)
            or "none"
        )
    )


def doc_section(results: Sequence[CallResult], seconds: float, jobs: int) -> str:
    return "\n".join(
        [
            BEGIN,
            SECTION_TITLE,
            "",
            "Every persona of `tests/sim/personas/` (written blind from the contract and the domain brief, "
            "never used for training) held as a "
            "whole call against the real servers, over the channel it names; the caller answers whatever "
            "the bot last asked with that persona's line for the question's kind. Definitions: "
            "`bench/sim/score.py`; per call: `var/sim/report.json`, `python -m bench.sim --show ID`.",
            "",
            "**In-sample and held-out** (`tests/sim/STATUS.yml`). Every file was written blind (from the "
            "contract and the domain brief only). A file is in-sample once the dialogue's developer has read "
            "its calls while fixing general mechanisms; the held-out rows are calls nobody here has read, and "
            "only they measure the targets honestly. Held-out: " + held_out_line(results) + ".",
            "",
            f"Last run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {len(results)} personas, "
            f"{jobs} calls at a time, {seconds:.0f} s. Targets (issue 12): 100% completed, 0 re-asks, "
            "0 stuck, 0 leaks, ≥ 97% summaries correct.",
            "",
            totals_table(groups(results)),
            "",
            misses_line(results),
            END,
        ]
    )


def write_doc(path: Path, section: str) -> None:
    """Put `section` (markers included) in place of the old one, keeping the rest of the file;
    append it where the file has none yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    # a copy of the section that lost its begin marker (an edit of the file around it) goes too
    orphan = re.compile(
        re.escape(SECTION_TITLE) + r"(?:(?!" + re.escape(BEGIN) + r").)*?" + re.escape(END) + r"\n*", re.S
    )
    head, marker, tail = text.partition(BEGIN)
    text = orphan.sub("", head) + marker + tail
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{section}\n"
    path.write_text(text, encoding="utf-8")
