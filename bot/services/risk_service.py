"""The risk engine against the project database: load the context, assess, audit.

The engine (`bot.core.risk`) is pure; this module does the I/O around it so the
Rasa action that calls it stays a thin adapter.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.core.risk import (
    Assessment,
    CallFacts,
    RiskContext,
    assess,
    carry_forward,
    load_config,
    match_phone_hash,
    normalize_phone,
)
from bot.core.risk.config import RiskConfig
from bot.core.risk.model import LEVELS, level_rank
from bot.core.risk.signals import complaint_texts
from bot.services import cases
from bot.services.storage import Database
from bot.settings import env

SHARING_KEY_ENV = "BOT_SHARING_KEY"


def parse_vector(value) -> Optional[List[float]]:
    """A voiceprint from a channel payload or the watchlist; None when malformed."""
    try:
        floats = [float(x) for x in (value.split() if isinstance(value, str) else value)]
    except (TypeError, ValueError):
        return None
    return floats if len(floats) >= 2 else None


def complaint_search(db: Database, call_id: str, config: RiskConfig):
    """Other calls' complaints through the index in the project database (bot/services/
    complaint_index.py: shared by every process, SQLite and PostgreSQL alike); None for
    MinHash, which compares with the list."""
    if config.template.method != "jaccard":
        return None
    return db.complaint_search(call_id)


def warm_up(db: Database) -> int:
    """Index the registered complaints the shared index lacks (a restored or older
    database; a no-op otherwise); the number of comparable complaints indexed."""
    return db.sync_complaint_index()


def load_context(
    db: Database,
    call_id: str,
    caller_number: Optional[str],
    customer_id: Optional[str],
    now: Optional[dt.datetime] = None,
    with_complaints: bool = True,
    config: Optional[RiskConfig] = None,
) -> RiskContext:
    """The operator data one call is compared with (other calls' complaints only when asked)."""
    entries = db.watchlist_entries()
    phones = {e["value"] for e in entries if e["kind"] == "phone"}
    hashes = {e["value"] for e in entries if e["kind"] == "phone_hash"}
    number = normalize_phone(caller_number or "")
    key = env(SHARING_KEY_ENV)
    if number and hashes and key and match_phone_hash(number, hashes, key):
        phones.add(number)  # a partner's hashed list matched this caller
    voiceprints = [
        (f"{e['source']} {e['note']}".strip() or f"watchlist#{e['id']}", v)
        for e in entries
        if e["kind"] == "voiceprint"
        for v in [parse_vector(e["value"])]
        if v
    ]
    search = complaint_search(db, call_id, config or load_config()) if with_complaints else None
    return RiskContext(
        watchlist_phones=phones,
        watchlist_phrases=[e["value"] for e in entries if e["kind"] == "phrase"],
        enrolled_voiceprints=voiceprints,
        number_history=db.calls_from_number(number, exclude_call_id=call_id) if number else [],
        complaint_corpus=(db.complaint_texts(exclude_call_id=call_id) if with_complaints and search is None else []),
        complaint_search=search,
        current_customer_id=customer_id,
        now=now or dt.datetime.utcnow(),
    )


# call_id → (caller_role, caller_number, customer_id) of its latest assessment in this process,
# for `record` (which the action calls right after `assess_call`) to open the call's case with.
_assessed: OrderedDict[str, Tuple[str, str, Optional[str]]] = OrderedDict()


def assess_call(db: Database, call_id: str, facts: CallFacts, customer_id: Optional[str]) -> Assessment:
    """Assess a call as it stands now."""
    _assessed[call_id] = (facts.caller_role, normalize_phone(facts.caller_number or ""), customer_id)
    _assessed.move_to_end(call_id)
    while len(_assessed) > 5000:
        _assessed.popitem(last=False)
    config = load_config()
    # Other calls' complaints are read only when the template check has a text to compare.
    has_text = bool(complaint_texts(facts.utterances, config.template.min_chars))
    context = load_context(db, call_id, facts.caller_number, customer_id, with_complaints=has_text, config=config)
    return assess(facts, context, config)


def assess_call_sticky(
    db: Database,
    call_id: str,
    facts: CallFacts,
    customer_id: Optional[str],
    previous_level: Optional[str],
    previous_signals: Optional[Sequence[dict]],
) -> Assessment:
    """Assess the call as it stands now, keeping what earlier turns raised (bot.core.risk.carry_forward):
    earlier signals stay, the level never falls except to an operator's recorded decision."""
    fresh = assess_call(db, call_id, facts, customer_id)
    return carry_forward(list(previous_signals or []), previous_level or "none", fresh, operator_floor(db, call_id))


def signal_dicts(assessment: Assessment) -> List[Dict[str, object]]:
    """Signals as kept in the conversation (code, evidence, weight, ceiling, severe); the summary shows
    code and evidence, carry_forward reads the rest back on the next turn."""
    return [
        {
            "code": s.code,
            "evidence": s.evidence,
            "weight": round(s.weight, 3),
            "ceiling": s.ceiling,
            "severe": s.severe,
        }
        for s in assessment.signals
    ]


def audit_rows(previous_level: str, previous_signals: Sequence[dict], assessment: Assessment) -> List[tuple]:
    """New flags and a level change, as (event, detail) audit rows."""
    seen = {(s.get("code"), s.get("evidence")) for s in previous_signals or []}
    rows = [("signal_raised", s) for s in signal_dicts(assessment) if (s["code"], s["evidence"]) not in seen]
    previous_level = previous_level or "none"
    if assessment.level != previous_level:
        rows.append(
            (
                "level_changed",
                {
                    "from": previous_level,
                    "to": assessment.level,
                    "score": assessment.score,
                    "direction": "up" if level_rank(assessment.level) > level_rank(previous_level) else "down",
                },
            )
        )
    return rows


def record(
    db: Database,
    call_id: str,
    previous_level: str,
    previous_signals: Iterable[dict],
    assessment: Assessment,
    facts: Optional[CallFacts] = None,
    customer_id: Optional[str] = None,
) -> Optional[str]:
    """Note the call for the team's console, open or join its case at level2+ (bot.services.cases),
    then write new flags and level changes to the append-only audit table; the call's case id.

    Who is calling comes from `facts` / `customer_id` when given, else from this call's
    `assess_call` just before. The case is written first, so whoever sees the level change
    in the audit table finds the case already there.
    """
    role, number, customer = _assessed.get(call_id, ("unknown", "", None))
    if facts is not None:
        role, number = facts.caller_role, normalize_phone(facts.caller_number or "")
    customer = customer_id or customer
    case_id = cases.track_call(
        db, call_id, assessment.level, signal_dicts(assessment), role, number or None, customer or None
    )
    db.append_audit(call_id, audit_rows(previous_level, list(previous_signals or []), assessment))
    return case_id


OPERATOR_DECISION = "operator_decision"


def record_operator_decision(db: Database, call_id: str, level: str, operator: str, reason: str) -> None:
    """Audit an operator's decision on a call's risk level (the only way a level falls within a call).

    From the next turn `assess_call_sticky` lets the level fall to `level` (not below what the
    call's evidence still shows); the decision is used up once a level change is recorded after it.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if not (operator or "").strip():
        raise ValueError("an operator decision needs the operator who made it")
    if not (reason or "").strip():
        raise ValueError("an operator decision needs a reason")
    detail = {"level": level, "operator": operator.strip(), "reason": reason.strip()}
    db.append_audit(call_id, [(OPERATOR_DECISION, detail)])


def operator_floor(db: Database, call_id: str) -> Optional[str]:
    """The level of the latest operator decision on this call not yet acted on (no level change
    recorded after it), else None."""
    floor: Optional[str] = None
    for row in db.audit_for_call(call_id):
        if row["event"] == OPERATOR_DECISION:
            floor = (row["detail"] or {}).get("level")
        elif row["event"] == "level_changed":
            floor = None
    return floor if floor in LEVELS else None
