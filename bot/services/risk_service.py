"""The risk engine against the project database: load the context, assess, audit.

The engine (`bot.core.risk`) is pure; this module does the I/O around it so the
Rasa action that calls it stays a thin adapter.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, List, Optional, Sequence

from bot.core.risk import Assessment, CallFacts, RiskContext, assess, load_config, match_phone_hash, normalize_phone
from bot.core.risk.config import RiskConfig
from bot.core.risk.model import level_rank
from bot.core.risk.signals import complaint_texts
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


def assess_call(db: Database, call_id: str, facts: CallFacts, customer_id: Optional[str]) -> Assessment:
    """Assess a call as it stands now."""
    config = load_config()
    # Other calls' complaints are read only when the template check has a text to compare.
    has_text = bool(complaint_texts(facts.utterances, config.template.min_chars))
    context = load_context(db, call_id, facts.caller_number, customer_id, with_complaints=has_text, config=config)
    return assess(facts, context, config)


def signal_dicts(assessment: Assessment) -> List[Dict[str, object]]:
    """Signals as kept in the conversation (code, evidence, weight)."""
    return [{"code": s.code, "evidence": s.evidence, "weight": round(s.weight, 3)} for s in assessment.signals]


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
    db: Database, call_id: str, previous_level: str, previous_signals: Iterable[dict], assessment: Assessment
) -> None:
    """Write new flags and level changes to the append-only audit table."""
    db.append_audit(call_id, audit_rows(previous_level, list(previous_signals or []), assessment))
