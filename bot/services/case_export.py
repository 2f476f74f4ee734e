"""The evidence packet of a call (`python -m bot case export CALL_ID`).

Transcript with timestamps, signals with their evidence, customer and calling
number, level history — as JSON for systems and as a Chinese document a
police officer or the anti-collection team can read. The caller's lines are
masked as all stored caller text is (`bot.core.masking.mask_at_rest`). Every time in
it is China Standard Time (UTC+8, `bot.core.clock`), stated once at the top: the
transcript's from Rasa's Unix timestamps, the audit trail's from the database's UTC
datetimes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict, Iterable, List

import sqlalchemy as sa

from bot.core.call_view import CALLER, slots_from_events, transcript_lines
from bot.core.clock import CHINA_TZ, ZONE_LABEL, china_time
from bot.core.masking import mask_at_rest
from bot.core.materials import label
from bot.services.storage import Database


def tracker_events(tracker: Path | str, call_id: str) -> List[dict]:
    """The conversation's events as Rasa's SQL tracker store keeps them (SQLite file or URL)."""
    if isinstance(tracker, Path):
        if not tracker.exists():
            return []
        tracker = f"sqlite:///{tracker}"
    engine = sa.create_engine(tracker)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :sid ORDER BY id"), {"sid": call_id})
            return [json.loads(r[0]) for r in rows]
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no events table: nothing stored yet
        return []
    finally:
        engine.dispose()


def transcript(events: Iterable[dict]) -> List[Dict[str, str]]:
    """Caller and bot lines in order, with their times (China Standard Time); the caller's masked."""
    return [
        {"at": china_time(line.at), "speaker": "caller", "text": mask_at_rest(line.text)}
        if line.speaker == CALLER
        else {"at": china_time(line.at), "speaker": "bot", "text": line.text}
        for line in transcript_lines(events)
    ]


def build_packet(call_id: str, events: List[dict], db: Database) -> Dict[str, Any]:
    """Everything the packet holds, as plain data."""
    slots = slots_from_events(events)
    customer = db.customer(slots["customer_id"]) if slots.get("customer_id") else None
    audit = db.audit_for_call(call_id)
    return {
        "call_id": call_id,
        "time_zone": CHINA_TZ.tzname(None),
        "exported_at": china_time(dt.datetime.now(dt.timezone.utc)),
        "caller_number": slots.get("caller_number"),
        "caller_role": slots.get("caller_role") or "unknown",
        "purpose": slots.get("purpose") or "unknown",
        "identity_verified": bool(slots.get("identity_verified")),
        "customer": None
        if customer is None
        else {
            "customer_id": customer.customer_id,
            "name": customer.name,
            "loan_id": customer.loan_id,
            "registered_phone": customer.registered_phone,
        },
        "proxy_risk": {
            "level": slots.get("proxy_risk_level") or "none",
            "score": slots.get("proxy_risk_score") or 0.0,
            "signals": slots.get("proxy_signals") or [],
        },
        "next_step": slots.get("next_step"),
        "cases": [
            {"reference": c["reference"], "kind": c["kind"], "detail": c["detail"], "reply_due": str(c["reply_due"])}
            for c in db.cases_for_call(call_id)
        ],
        "signals_raised": [{"at": china_time(r["at"]), **r["detail"]} for r in audit if r["event"] == "signal_raised"],
        "level_history": [{"at": china_time(r["at"]), **r["detail"]} for r in audit if r["event"] == "level_changed"],
        "transcript": transcript(events),
    }


def render_markdown(packet: Dict[str, Any]) -> str:
    """The packet as a Chinese document."""
    risk = packet["proxy_risk"]
    c = packet["customer"]
    out = [
        f"# 通话证据材料包：{packet['call_id']}",
        "",
        f"- 时间：本材料中的时间均为{ZONE_LABEL}",
        f"- 导出时间：{packet['exported_at']}",
        f"- 来电号码：{packet['caller_number'] or '未知'}",
        f"- 来电身份：{label('caller_role', packet['caller_role'])}"
        f"（{'已核实借款人本人' if packet['identity_verified'] else '未核实为借款人本人'}）",
        f"- 来电目的：{label('purpose', packet['purpose'])}",
        f"- 涉及客户：{c['name']}（{c['customer_id']}，借款编号 {c['loan_id']}，预留手机 {c['registered_phone']}）"
        if c
        else "- 涉及客户：未能匹配",
        f"- 风险等级：{label('risk_level', risk['level'])}（{risk['level']}，分数 {risk['score']}）",
        f"- 后续安排：{label('next_step', packet['next_step']) if packet['next_step'] else '尚未确定'}",
        "",
        "## 风险信号及证据",
    ]
    signals = packet["signals_raised"] or risk["signals"]
    out += [f"- {s.get('at', '')} `{s['code']}`：{s['evidence']}" for s in signals] or ["- 无"]
    out += ["", "## 等级变化"]
    out += [
        f"- {h['at']}：{label('risk_level', h['from'])} → {label('risk_level', h['to'])}（分数 {h['score']}）"
        for h in packet["level_history"]
    ] or ["- 无"]
    out += ["", "## 登记的投诉/异议/举报"]
    out += [
        f"- {k['reference']}（{label('case_kind', k['kind'])}，{k['reply_due']} 前答复）：{k['detail']}"
        for k in packet["cases"]
    ] or ["- 无"]
    out += ["", "## 通话记录", ""]
    speaker = {"caller": "来电人", "bot": "客服"}
    out += [f"{t['at']} {speaker[t['speaker']]}：{t['text']}  " for t in packet["transcript"]] or ["（无）"]
    return "\n".join(out) + "\n"


def write_packet(packet: Dict[str, Any], out_dir: Path) -> List[Path]:
    """Write CALL_ID.json and CALL_ID.md under out_dir; the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in packet["call_id"])
    json_path, md_path = out_dir / f"{safe}.json", out_dir / f"{safe}.md"
    json_path.write_text(json.dumps(packet, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    md_path.write_text(render_markdown(packet), encoding="utf-8")
    return [json_path, md_path]
