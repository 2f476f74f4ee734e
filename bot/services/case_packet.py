"""A case with its personal data, as the console's case page and the police-report packet use it.

Built on `case_export.build_packet` (one per call of the case) and the case service: the
customer, every call's transcript with times, the signals with their evidence, the calling
numbers with their history across calls (and which partners listed them), a timeline, and
the audit trail. Every time is China Standard Time (UTC+8), as the packet states.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import sqlalchemy as sa

from bot.core.materials import label
from bot.services import case_export, cases, industry_sharing
from bot.services.storage import Database, audit

TIME_ZONE_NOTE = "本材料中所有时间均为北京时间（中国标准时间，UTC+8）。"
SPEAKERS = {"caller": "来电人", "bot": "客服"}


def spoken_lines(transcript: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The transcript without the channels' start commands ("/greet")."""
    return [dict(t) for t in transcript if not str(t.get("text", "")).startswith("/")]


def audit_trail(db: Database, call_ids: Sequence[str]) -> List[Dict[str, Any]]:
    """Every audit row of these calls, oldest first, times in China Standard Time."""
    if not call_ids:
        return []
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).where(audit.c.call_id.in_(list(call_ids))).order_by(audit.c.id)).all()
    return [
        {"id": r.id, "at": cases.iso(r.at), "at_text": cases.cst_text(r.at), "call_id": r.call_id, **_event(r)}
        for r in rows
    ]


def _event(row) -> Dict[str, Any]:
    detail = row.detail if isinstance(row.detail, dict) else {}
    return {"event": row.event, "detail": detail, "text": describe(row.event, detail)}


def describe(event: str, d: Mapping[str, Any]) -> str:
    """One audit row in Chinese, as a person reads the trail."""
    by = d.get("by")
    who = f"（{by}）" if by and by != "system" else ""
    status = cases.STATUS_LABELS
    if event == "signal_raised":
        return f"发现风险信号：{signal_label(d.get('code'))}——{d.get('evidence') or ''}"
    if event == "level_changed":
        return f"风险等级：{label('risk_level', d.get('from'))} → {label('risk_level', d.get('to'))}（分数 {d.get('score')}）"
    if event == "evidence_kept":
        return "已留存证据材料（一级异常维权）"
    if event == "case_opened":
        return f"立案：{d.get('case_id')}（{label('risk_level', d.get('level'))}）"
    if event == "case_linked":
        why = {"same_number": "同一来电号码", "same_customer": "涉及同一借款人"}.get(d.get("reason"), "关联")
        return f"来电并入案件 {d.get('case_id')}（{why}）"
    if event == "case_escalated":
        return f"案件等级升为{label('risk_level', d.get('to'))}"
    if event == "case_status":
        return f"案件状态：{status.get(d.get('from'), d.get('from'))} → {status.get(d.get('to'), d.get('to'))}{who}"
    if event == "case_assigned":
        return f"指派处理人：{d.get('to') or '（取消指派）'}{who}"
    if event == "case_note":
        return f"备注{who}：{d.get('text')}"
    if event == "case_viewed":
        return f"查看案件个人信息{who}"
    if event == "call_viewed":
        return f"查看通话记录{who}"
    if event == "packet_exported":
        return f"导出报案材料{who}"
    if event == "watchlist_added":
        return f"号码 {d.get('value')} 加入观察名单{who}"
    return event


def signal_label(code: Optional[str]) -> str:
    """The signal's Chinese name (bot/catalogue/labels.yml, family `signal`)."""
    return label("signal", code)


def number_view(db: Database, number: str, sharing_key: Optional[str]) -> Dict[str, Any]:
    """A calling number: its calls across time, whether we list it, which partners list it."""
    listed = cases.watchlisted(db, number)
    return {
        "number": number,
        "masked": cases.mask_number(number),
        "history": cases.number_history(db, number),
        "watchlisted": bool(listed),
        "watchlist_source": listed["source"] if listed else None,
        "shared": [
            {"source": m["source"], "imported_at": cases.iso(m["imported_at"])}
            for m in industry_sharing.matches(db, number, sharing_key)
        ],
    }


def build_case_packet(
    db: Database, case_id: str, events_by_call: Mapping[str, List[dict]], sharing_key: Optional[str] = None
) -> Dict[str, Any]:
    """The case (contract §7 fields, notes, history) plus its personal data, calls and audit trail."""
    case = cases.get_case(db, case_id)
    call_docs = []
    customer = None
    for meta in case["calls"]:
        packet = case_export.build_packet(meta["call_id"], events_by_call.get(meta["call_id"]) or [], db)
        customer = customer or packet["customer"]
        call_docs.append(
            {
                **meta,
                "caller_number": meta["caller_number"] or packet["caller_number"],
                "purpose": packet["purpose"],
                "identity_verified": packet["identity_verified"],
                "next_step": packet["next_step"],
                "proxy_risk": packet["proxy_risk"],
                "complaints": packet["cases"],
                "transcript": spoken_lines(packet["transcript"]),
            }
        )
    if customer is None and case["customer_id"]:
        found = db.customer(case["customer_id"])
        if found:
            customer = {
                "customer_id": found.customer_id,
                "name": found.name,
                "loan_id": found.loan_id,
                "registered_phone": found.registered_phone,
            }
    trail = audit_trail(db, [c["call_id"] for c in case["calls"]])
    signals = [
        {
            "at": r["at"],
            "at_text": r["at_text"],
            "call_id": r["call_id"],
            "label": signal_label(r["detail"].get("code")),
            **r["detail"],
        }
        for r in trail
        if r["event"] == "signal_raised"
    ]
    numbers = list(dict.fromkeys(c["caller_number"] for c in call_docs if c["caller_number"]))
    timeline = [
        {"at": r["at"], "at_text": r["at_text"], "call_id": r["call_id"], "text": r["text"]}
        for r in trail
        if r["event"] not in cases.VIEW_EVENTS
    ]
    return {
        **case,
        "exported_at": cases.cst_text(cases.utcnow()),
        "time_zone": TIME_ZONE_NOTE,
        "customer": customer,
        "calls": call_docs,
        "signals_raised": signals,
        "numbers": [number_view(db, n, sharing_key) for n in numbers],
        "timeline": timeline,
        "audit": trail,
    }
