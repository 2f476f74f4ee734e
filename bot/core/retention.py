"""Anonymising a call past its retention period (PIPL art. 19, 28): what is kept, what goes.

Pure functions over the stored shapes (Rasa's event dicts, the evidence packet);
`bot.services.retention` reads and writes them.

Kept: the call's structure and codes — event types, times, intents, actions,
slot values that are codes (roles, purposes, levels, next steps, signal codes,
materials), booleans and numbers, and the strings named in `keep` (the call's
case references and customer id). Removed: every free text — what the caller
and the bot said, button titles, message metadata (calling number, voiceprint),
slot values that are text (names, ID digits, phone numbers, case details, signal
evidence) and number vectors (voiceprints).
"""

from __future__ import annotations

import re
from typing import Any, Dict, FrozenSet, Iterable

PLACEHOLDER = "［已按保留期限删除］"

_CODE = re.compile(r"[a-z][a-z0-9_]*")
# Event metadata Rasa and our channels add that identifies no one.
_METADATA_KEPT = ("utter_action", "template", "model_id", "assistant_id")


def anonymise_value(value: Any, keep: FrozenSet[str] = frozenset()) -> Any:
    """A slot value with its free text removed (codes, numbers and `keep` stay)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if (not value or value in keep or _CODE.fullmatch(value)) else PLACEHOLDER
    if isinstance(value, dict):
        return {k: anonymise_value(v, keep) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if len(value) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return PLACEHOLDER  # a vector: a voiceprint
        return [anonymise_value(v, keep) for v in value]
    return PLACEHOLDER


def _metadata(metadata: Any) -> Any:
    if not isinstance(metadata, dict):
        return metadata
    return {k: v for k, v in metadata.items() if k in _METADATA_KEPT}


def _text(value: Any) -> Any:
    return PLACEHOLDER if isinstance(value, str) and value else value


def anonymise_event(event: Dict[str, Any], keep: FrozenSet[str] = frozenset()) -> Dict[str, Any]:
    """A stored Rasa event without the personal data it carried (a new dict)."""
    out = dict(event)
    if "metadata" in out:
        out["metadata"] = _metadata(out["metadata"])
    for key in ("text", "action_text"):
        if key in out:
            out[key] = _text(out[key])
    kind = out.get("event")
    if kind == "user" and isinstance(out.get("parse_data"), dict):
        parse = dict(out["parse_data"])
        if "text" in parse:
            parse["text"] = _text(parse["text"])
        if "metadata" in parse:
            parse["metadata"] = _metadata(parse["metadata"])
        if "entities" in parse:
            parse["entities"] = anonymise_value(parse["entities"], keep)
        out["parse_data"] = parse
    elif kind == "bot" and "data" in out:
        out["data"] = anonymise_value(out["data"], keep)
    elif kind == "slot" and "value" in out:
        out["value"] = anonymise_value(out["value"], keep)
    elif kind == "entities" and "entities" in out:
        out["entities"] = anonymise_value(out["entities"], keep)
    return out


def anonymise_packet(packet: Dict[str, Any]) -> Dict[str, Any]:
    """An evidence packet (bot.services.case_export) keeping references, dates, levels and signal codes."""
    out = dict(packet)
    out["caller_number"] = _text(packet.get("caller_number"))
    customer = packet.get("customer")
    if isinstance(customer, dict):
        out["customer"] = {k: (v if k == "customer_id" else _text(v)) for k, v in customer.items()}
    risk = packet.get("proxy_risk")
    if isinstance(risk, dict):
        out["proxy_risk"] = {**risk, "signals": [_without_evidence(s) for s in risk.get("signals") or []]}
    out["signals_raised"] = [_without_evidence(s) for s in packet.get("signals_raised") or []]
    out["cases"] = [{**c, "detail": _text(c.get("detail"))} for c in packet.get("cases") or []]
    out["transcript"] = [{**t, "text": _text(t.get("text"))} for t in packet.get("transcript") or []]
    return out


def _without_evidence(signal: Any) -> Any:
    if isinstance(signal, dict) and "evidence" in signal:
        return {**signal, "evidence": _text(signal["evidence"])}
    return signal


def keep_set(values: Iterable[Any]) -> FrozenSet[str]:
    """The strings a call's anonymised slots may still carry (its references and customer id)."""
    return frozenset(str(v) for v in values if v)
