"""The call summary (contract §3) from a conversation's slots."""

from __future__ import annotations

from typing import Any, Dict, Optional

CHANNELS = ("rest", "ivr", "agent")


def build_summary(
    call_id: str,
    channel: Optional[str],
    slots: Dict[str, Any],
    case_id: Optional[str] = None,
    adherence: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """The contract's summary document for the call as it stands now; `case_id` is the
    anti-proxy team's case the call opened or joined (contract §3 v1.1, §7), None when none;
    `adherence` ({"required", "said", "score"}, `bot.core.adherence`) is given for agent calls
    only and absent from every other summary."""
    signals = slots.get("proxy_signals") or []
    summary = {
        "call_id": call_id,
        "channel": channel if channel in CHANNELS else "rest",
        "caller_role": slots.get("caller_role") or "unknown",
        "identity_verified": bool(slots.get("identity_verified")),
        "customer_id": slots.get("customer_id") or None,
        "purpose": slots.get("purpose") or "unknown",
        "materials_requested": list(slots.get("materials_requested") or []),
        "proxy_risk": {
            "level": slots.get("proxy_risk_level") or "none",
            "score": float(slots.get("proxy_risk_score") or 0.0),
            "signals": [{"code": s.get("code"), "evidence": s.get("evidence")} for s in signals],
        },
        "next_step": slots.get("next_step") or None,
        "handoff": bool(slots.get("handoff")),
        "complaint_registered": bool(slots.get("complaint_registered")),
        # v1.1
        "verification": slots.get("verification") or "none",
        "matters": [{"purpose": m.get("purpose"), "reference": m.get("reference")} for m in slots.get("matters") or []],
        "case_id": case_id or None,
    }
    if adherence is not None and summary["channel"] == "agent":
        summary["adherence"] = {
            "required": list(adherence["required"]),
            "said": list(adherence["said"]),
            "score": adherence["score"],
        }
    return summary
