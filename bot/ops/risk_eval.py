"""Run the engine over the labelled development set and print precision/recall per level.

Usage: .venv/bin/python -m bot.ops.risk_eval [tests/risk_devset.yml]

Each call may also give `verification` (none|knowledge|registered_phone|sms_code; absent:
identity_verified decides, as for old callers of the engine) and `role_claims`
([[role, sentence], ...] in call order: the roles the caller claimed).
"""

from __future__ import annotations

import math
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.core.risk.engine import assess, load_config
from bot.core.risk.model import LEVELS, Assessment, CallFacts, RiskContext, level_rank
from bot.core.risk.phone import normalize_phone

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "tests" / "risk_devset.yml"
_DIM = 8


def _voiceprints(similarity: float) -> Tuple[List[float], List[float]]:
    """A caller vector and an enrolled vector whose cosine similarity is `similarity`."""
    enrolled = [1.0] + [0.0] * (_DIM - 1)
    caller = [similarity, math.sqrt(max(0.0, 1.0 - similarity**2))] + [0.0] * (_DIM - 2)
    return caller, enrolled


def call_to_inputs(call: Mapping[str, Any], now: datetime) -> Tuple[CallFacts, RiskContext]:
    """CallFacts and RiskContext for one devset call."""
    ctx_doc = call.get("context") or {}
    facts = CallFacts(
        caller_role=call["caller_role"],
        identity_verified=bool(call["identity_verified"]),
        purpose=call["purpose"],
        utterances=list(call["utterances"]),
        caller_number=str(call.get("caller_number") or ""),
        authorisation_shown=bool(call.get("authorisation_shown", False)),
        operator_flags=list(ctx_doc.get("operator_flags", [])),
        verification=str(call.get("verification") or "none"),
        role_claims=tuple((str(role), str(sentence)) for role, sentence in call.get("role_claims") or []),
    )
    context = RiskContext(current_customer_id=call.get("customer_id"), now=now)
    context.watchlist_phones = set(ctx_doc.get("watchlist_phones", []))
    if ctx_doc.get("watchlisted_number"):
        context.watchlist_phones.add(normalize_phone(facts.caller_number))
    context.watchlist_phrases = list(ctx_doc.get("watchlist_phrases", []))
    context.number_history = [
        (p["customer_id"], now - timedelta(days=float(p["days_ago"]))) for p in ctx_doc.get("prior_calls", [])
    ]
    context.complaint_corpus = [(c["customer_id"], c["text"]) for c in ctx_doc.get("complaint_corpus", [])]
    if "voiceprint_similarity" in ctx_doc:
        facts.voiceprint, enrolled = _voiceprints(float(ctx_doc["voiceprint_similarity"]))
        context.enrolled_voiceprints = [("watchlist-voice-1", enrolled)]
    return facts, context


def run(calls: Sequence[Mapping[str, Any]], now: datetime) -> List[Tuple[Mapping[str, Any], Assessment]]:
    """Assess every call with the default configuration."""
    config = load_config()
    return [(call, assess(*call_to_inputs(call, now), config=config)) for call in calls]


def _ratio(num: int, den: int) -> str:
    """A percentage, or "-" when undefined."""
    return f"{100.0 * num / den:5.1f}%" if den else "    -"


def metrics(results: Sequence[Tuple[Mapping[str, Any], Assessment]]) -> Dict[str, Any]:
    """Per-level precision/recall, proxy recall at level2+ and genuine callers raised to level2+."""
    per_level = {}
    for level in LEVELS:
        tp = sum(1 for c, a in results if a.level == level and c["expected_level"] == level)
        predicted = sum(1 for _, a in results if a.level == level)
        expected = sum(1 for c, _ in results if c["expected_level"] == level)
        per_level[level] = {"expected": expected, "predicted": predicted, "correct": tp}
    high = level_rank("level2")
    proxies = [a for c, a in results if c["group"] == "proxy"]
    genuine = [a for c, a in results if c["group"] != "proxy"]
    return {
        "levels": per_level,
        "proxy_hit": sum(1 for a in proxies if level_rank(a.level) >= high),
        "proxy_total": len(proxies),
        "genuine_high": sum(1 for a in genuine if level_rank(a.level) >= high),
        "genuine_total": len(genuine),
        "exact": sum(1 for c, a in results if c["expected_level"] == a.level),
        "total": len(results),
    }


def format_table(m: Mapping[str, Any]) -> str:
    """The evaluation table as text."""
    lines = [f"{'level':8} {'expected':>8} {'predicted':>9} {'correct':>7} {'precision':>9} {'recall':>7}"]
    for level, row in m["levels"].items():
        lines.append(
            f"{level:8} {row['expected']:8d} {row['predicted']:9d} {row['correct']:7d} "
            f"{_ratio(row['correct'], row['predicted']):>9} {_ratio(row['correct'], row['expected']):>7}"
        )
    lines.append("")
    rows = (
        ("exact level agreement", m["exact"], m["total"], ""),
        ("proxy recall at level2+", m["proxy_hit"], m["proxy_total"], "   (target >= 95%)"),
        ("genuine callers at level2+", m["genuine_high"], m["genuine_total"], "   (target 0%)"),
    )
    for label, num, den, target in rows:
        lines.append(f"{label:27} {num}/{den} = {_ratio(num, den).strip()}{target}")
    return "\n".join(lines)


def format_mismatches(results: Sequence[Tuple[Mapping[str, Any], Assessment]]) -> str:
    """One line per call whose level differs from its label."""
    rows = []
    for call, a in results:
        if a.level != call["expected_level"]:
            codes = ", ".join(f"{s.code}:{s.evidence}" for s in a.signals) or "-"
            rows.append(
                f"  {call['id']:5} expected {call['expected_level']:6} got {a.level:6} "
                f"score {a.score:.2f}  [{codes}]  {call['description']}"
            )
    return "\n".join(["mismatches:"] + rows) if rows else "mismatches: none"


def main(path: Optional[str] = None) -> Dict[str, Any]:
    """Evaluate the engine on the devset at `path` and print the table."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    now = datetime.fromisoformat(str(doc["now"]))
    results = run(doc["calls"], now)
    m = metrics(results)
    print(format_table(m))
    print()
    print(format_mismatches(results))
    return m


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
