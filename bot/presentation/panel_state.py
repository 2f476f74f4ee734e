"""What the agent side panel shows, derived from the call's slots: lines, checklist, risk, quick replies.

Plain Python over plain data (`CallView`); `bot/integration/channels/agent.py` only moves
it between HTTP and Rasa.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional

from bot.core import adherence as must_say
from bot.core import materials
from bot.core.call import LINE_SIGNALS, MAX_ATTEMPTS, Call, blocked, may_disclose_account, signal_codes
from bot.core.call_view import BOT, CallView
from bot.core.clock import CHINA_TZ
from bot.core.datafiles import catalogue as catalogue_file
from bot.core.summary import build_summary

DONE, CURRENT, TODO, SKIPPED, FAILED = "done", "current", "todo", "skipped", "failed"
FINISHED = (DONE, FAILED)
# "请告知客户：……" — an instruction to the agent, then the words to say.
_MACHINE_NOTE = re.compile(r"(\s*[A-Za-z_]+=\S*)+\s*")
_INSTRUCTION = re.compile(r"^(请[^：:，。]{0,8}客户[^：:，。]{0,4})[：:]\s*(.+)$", re.S)


def catalogue() -> dict:
    """bot/catalogue/panel.yml: checklist labels, risk levels, signals, quick replies, dispositions."""
    return catalogue_file("panel.yml")


def split_line(text: str) -> Dict[str, str]:
    """{"instruction": "请告知客户", "words": what to say} (instruction empty when there is none)."""
    match = _INSTRUCTION.match(text.strip())
    if not match:
        return {"instruction": "", "words": text.strip()}
    return {"instruction": match.group(1), "words": match.group(2).strip()}


def lines_to_say(texts: Iterable[str]) -> List[Dict[str, str]]:
    """This turn's bot messages as lines for the agent."""
    return [dict(text=t, **split_line(t)) for t in texts if t and t.strip()]


# ---- checklist ------------------------------------------------------------
def checklist(
    slots: Dict[str, Any], said: Iterable[str], adherence: Optional[must_say.Adherence] = None
) -> List[Dict[str, Any]]:
    """The script's six steps, each done / failed / current / todo / skipped, with a short detail.

    With the call's `adherence`, the steps that are lines the agent must say (recording notice,
    materials) also carry `say`: said / manual / suggested / pending / not_needed (see `say_list`).
    """
    cat = catalogue()
    details = cat["checklist_details"]
    said = set(said)
    borrower = slots.get("caller_role") == "borrower"
    verified = bool(slots.get("identity_verified"))
    failed = borrower and not verified and int(slots.get("identity_attempts") or 0) >= MAX_ATTEMPTS
    handoff = bool(slots.get("handoff"))
    role = slots.get("caller_role")
    role_label = materials.label("caller_role", role)
    purpose = slots.get("purpose")
    codes = slots.get("materials_requested")
    wrapped = bool(slots.get("wrapped_key"))
    level = slots.get("proxy_risk_level") or "none"
    step = slots.get("next_step")

    found: Dict[str, tuple] = {}
    found["recording_notice"] = (DONE, details["recording_notice"]) if "utter_opening" in said else (TODO, "")
    if role in (None, "unknown"):
        found["identity"] = (TODO, "")
    elif failed:
        found["identity"] = (FAILED, details["identity_failed"])
    elif borrower and verified:
        found["identity"] = (DONE, details["identity_verified"])
    elif not borrower and slots.get("customer_name"):
        found["identity"] = (DONE, details["identity_subject_noted"].format(role=role_label))
    else:
        found["identity"] = (TODO, details["identity_pending"].format(role=role_label))
    found["purpose"] = (DONE, materials.label("purpose", purpose)) if purpose not in (None, "unknown") else (TODO, "")
    if codes is not None and wrapped:
        found["materials"] = (
            DONE,
            "、".join(materials.load_catalogue()["labels"].get(c, c) for c in codes) or details["no_materials"],
        )
    else:
        found["materials"] = (TODO, "")
    found["risk_check"] = (DONE, materials.label("risk_level", level)) if wrapped else (TODO, "")
    found["next_step"] = (DONE, materials.label("next_step", step)) if step and (wrapped or handoff) else (TODO, "")

    items: List[Dict[str, str]] = []
    current_given = False
    for entry in cat["checklist"]:
        status, detail = found[entry["key"]]
        if status == TODO and handoff:
            status, detail = SKIPPED, details["handoff"]
        elif status == TODO and not current_given:
            status, current_given = CURRENT, True
        item: Dict[str, Any] = {"key": entry["key"], "label": entry["label"], "status": status, "detail": detail}
        if adherence is not None and entry["key"] in must_say.ITEMS:
            item["say"] = adherence.state(entry["key"])
        items.append(item)
    return items


def say_list(adherence: must_say.Adherence) -> List[Dict[str, Any]]:
    """Every line the agent may owe the caller, in the catalogue's order: `state` is said (heard in
    the agent's speech), manual (ticked by hand), suggested (the bot put the line up, the agent
    was not heard saying it), pending (required, not yet put up) or not_needed."""
    out = []
    for item in must_say.ITEMS:
        state = adherence.state(item)
        out.append(
            {
                "key": item,
                "label": must_say.label(item),
                "state": state,
                "state_label": must_say.state_label(state),
                "required": item in adherence.required,
            }
        )
    return out


def checklist_complete(items: List[Dict[str, str]]) -> bool:
    return all(item["status"] in FINISHED for item in items)


# ---- risk -----------------------------------------------------------------
def risk_view(slots: Dict[str, Any]) -> Dict[str, Any]:
    """Level, its colour and label, the signals with evidence, and what the level requires of the agent."""
    cat = catalogue()
    level = slots.get("proxy_risk_level") or "none"
    level_info = cat["risk_levels"].get(level, cat["risk_levels"]["none"])
    return {
        "level": level,
        "label": materials.label("risk_level", level),
        "colour": level_info["colour"],
        "score": round(float(slots.get("proxy_risk_score") or 0.0), 3),
        "requirement": level_info["requirement"],
        "signals": [
            {
                "code": s.get("code"),
                "label": cat["signals"].get(s.get("code"), s.get("code")),
                "evidence": readable_evidence(s.get("evidence")),
                "weight": s.get("weight"),
            }
            for s in slots.get("proxy_signals") or []
        ],
    }


def readable_evidence(evidence: Optional[str]) -> str:
    """The evidence as an agent reads it: quoted words stay, internal `key=value` notes are dropped."""
    text = (evidence or "").strip()
    return "" if _MACHINE_NOTE.fullmatch(text) else text


# ---- quick replies ----------------------------------------------------------
def quick_replies(slots: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Common caller answers to the question now standing, then the ones valid at any step."""
    cat = catalogue()["quick_replies"]
    step = slots.get("requested_slot")
    if slots.get("handoff"):
        chosen: list = []
    elif step:
        chosen = cat.get(step, [])
    elif slots.get("wrapped_key"):
        chosen = cat["after_wrap_up"]
    else:
        chosen = []
    return [
        {
            "label": q["label"],
            "text": q["text"],
            "complete": q.get("complete", True),
            "handoff": (q.get("means") or {}).get("intent") == "request_human",
        }
        for q in list(chosen) + ([] if slots.get("handoff") else cat["always"])
    ]


def dispositions() -> List[Dict[str, str]]:
    return [{"code": c, "label": l} for c, l in catalogue()["dispositions"].items()]


def summary_rows(summary: Dict[str, Any]) -> List[Dict[str, str]]:
    """The contract summary as labelled Chinese rows for the panel."""
    cat = catalogue()
    names, words = cat["summary_fields"], cat["summary_values"]
    yes_no = lambda flag: words["yes"] if flag else words["no"]  # noqa: E731
    material_names = materials.load_catalogue()["labels"]
    values = {
        "caller_role": materials.label("caller_role", summary["caller_role"]),
        "identity_verified": yes_no(summary["identity_verified"]),
        "customer_id": summary["customer_id"] or words["none"],
        "purpose": materials.label("purpose", summary["purpose"]),
        "materials_requested": "、".join(material_names.get(c, c) for c in summary["materials_requested"])
        or words["none"],
        "proxy_risk": materials.label("risk_level", summary["proxy_risk"]["level"]),
        "next_step": materials.label("next_step", summary["next_step"]) if summary["next_step"] else words["pending"],
        "handoff": yes_no(summary["handoff"]),
        "complaint_registered": yes_no(summary["complaint_registered"]),
    }
    return [{"key": key, "label": label, "value": values[key]} for key, label in names.items()]


# ---- transcript and the whole answer ------------------------------------------
def transcript(view: CallView, agent_lines: Iterable[Dict[str, Any]] = ()) -> List[Dict[str, str]]:
    """Caller and bot lines from the dialogue, with what the agent was heard saying (speaker
    `agent`, from the call's transcript feed) placed by time."""
    lines = [(line.at or 0.0, 0, {"speaker": line.speaker, "text": line.text}) for line in view.lines]
    for segment in agent_lines:
        lines.append((float(segment.get("at") or 0.0), 1, {"speaker": "agent", "text": segment.get("text") or ""}))
    return [entry for _, _, entry in sorted(lines, key=lambda x: (x[0], x[1]))]


def answer(
    view: CallView,
    turn_texts: Optional[List[str]] = None,
    record: Optional[dict] = None,
    agent_id: Optional[str] = None,
    customer: Any = None,
    adherence: Optional[must_say.Adherence] = None,
    agent_lines: Iterable[Dict[str, Any]] = (),
    interim: Iterable[Dict[str, Any]] = (),
) -> Dict[str, Any]:
    """The agent webhook's answer: lines to say, checklist, risk, quick replies, transcript, summary,
    the call's times and how it ended, and the customer card.

    `adherence` (the call's must-say lines), `agent_lines` ({"text", "at": unix seconds} heard
    from the agent) and `interim` ({"speaker", "text"}: not-yet-final recognition) come from the
    transcript feed (contract §6); without them the must-say lines are worked out from the
    slots alone, nothing said. `customer` is the record of `card_customer_id(view.slots)`, looked
    up by the channel; ignored when the card may not show it.
    """
    record = record or {}
    ended = bool(record.get("ended_at"))
    if turn_texts is None:
        turn_texts = [] if ended else [line.text for line in view.last_bot_turn() if line.speaker == BOT]
    if adherence is None:
        adherence = must_say.evaluate(view.slots, view.said())
    items = checklist(view.slots, view.said(), adherence)
    summary = build_summary(view.call_id, view.channel, view.slots, adherence=adherence.summary())
    return {
        "call_id": view.call_id,
        "agent_id": agent_id or record.get("agent_id"),
        "lines": lines_to_say(turn_texts),
        "checklist": items,
        "checklist_complete": checklist_complete(items),
        "risk": risk_view(view.slots),
        "quick_replies": [] if ended else quick_replies(view.slots),
        "transcript": transcript(view, agent_lines),
        "interim": [] if ended else [{"speaker": i.get("speaker"), "text": i.get("text") or ""} for i in interim],
        "must_say": say_list(adherence),
        "adherence": {**adherence.summary(), "unsaid": adherence.unsaid, "manual": list(adherence.manual)},
        "wrapped_up": bool(view.slots.get("wrapped_key")) or bool(view.slots.get("handoff")),
        "ended": ended,
        "summary": summary,
        "summary_rows": summary_rows(summary),
        "note": {"disposition": record.get("disposition"), "note": record.get("note") or ""},
        # the disposition was given by the call closing itself, not yet confirmed by the agent
        "disposition_automatic": bool(record.get("disposition")) and record.get("note_at") is None,
        "dispositions": dispositions(),
        **call_times(record, view),
        "customer_card": customer_card(view.slots, customer),
    }


# ---- the call's life: times, how it ended, today's calls ------------------------------------------
GOODBYE = "utter_goodbye"


def iso(moment: Optional[dt.datetime]) -> Optional[str]:
    """A stored (naive UTC) time as ISO 8601 in China Standard Time (None for none)."""
    if moment is None:
        return None
    if not isinstance(moment, dt.datetime):
        return str(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def said_goodbye(view: CallView) -> bool:
    """The bot's last turn ended the conversation: it said goodbye (the wrap-up's or the goodbye rule's)."""
    return any(line.utter_action == GOODBYE for line in view.last_bot_turn() if line.speaker == BOT)


def automatic_disposition(slots: Dict[str, Any]) -> str:
    """The disposition a call that closed itself is given until the agent confirms or changes it."""
    step = slots.get("next_step")
    if slots.get("handoff") or step == "human_review":
        return "transferred"
    if step in ("escalate_team", "police_report_packet"):
        return "escalated"
    if slots.get("complaint_registered"):
        return "complaint"
    if step == "callback_registered_phone":
        return "callback"
    if slots.get("materials_requested"):
        return "materials_pending"
    if slots.get("wrapped_key"):
        return "resolved"
    return "other"


def call_times(record: dict, view: Optional[CallView] = None) -> Dict[str, Any]:
    """When the call started and ended (ISO, UTC+8), how it ended, and the server's clock for the timers."""
    ended = bool(record.get("ended_at"))
    ended_by = None
    if ended:
        ended_by = "goodbye" if view is not None and said_goodbye(view) else "agent"
    return {
        "started_at": iso(record.get("started_at")),
        "ended_at": iso(record.get("ended_at")),
        "ended_by": ended_by,
        "ended_by_label": catalogue()["ended_by"][ended_by] if ended_by else None,
        "server_time": iso(dt.datetime.utcnow()),
    }


def day_start(now: Optional[dt.datetime] = None) -> dt.datetime:
    """Midnight of today in China Standard Time, as naive UTC (how the call records keep times)."""
    now = now or dt.datetime.utcnow()
    local = now.replace(tzinfo=dt.timezone.utc).astimezone(CHINA_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.timezone.utc).replace(tzinfo=None)


def call_list(records: Iterable[dict]) -> Dict[str, Any]:
    """GET /webhooks/agent/calls: the agent's calls of today as the panel lists them (records in
    storage order: open ones first, then newest first)."""
    labels = {d["code"]: d["label"] for d in dispositions()}
    levels = catalogue()["risk_levels"]
    calls = []
    for r in records:
        role = r.get("caller_role") or "unknown"
        level = r.get("level") or "none"
        calls.append(
            {
                "call_id": r["call_id"],
                "started_at": iso(r.get("started_at")),
                "ended_at": iso(r.get("ended_at")),
                "ended": bool(r.get("ended_at")),
                "caller_role": role,
                "caller_role_label": materials.label("caller_role", role),
                "level": level,
                "level_label": materials.label("risk_level", level),
                "level_colour": levels.get(level, levels["none"])["colour"],
                "disposition": r.get("disposition"),
                "disposition_label": labels.get(r.get("disposition")) if r.get("disposition") else None,
                "disposition_automatic": bool(r.get("disposition")) and r.get("note_at") is None,
            }
        )
    return {"calls": calls, "open": sum(1 for c in calls if not c["ended"]), "server_time": iso(dt.datetime.utcnow())}


# ---- the customer card ------------------------------------------------------------------------------
def _call(slots: Dict[str, Any]) -> Call:
    return Call.from_slot(slots.get("call"))


def _signal_codes(slots: Dict[str, Any]) -> List[str]:
    return signal_codes(slots.get("proxy_signals"))


def card_customer_id(slots: Dict[str, Any]) -> Optional[str]:
    """Whose account the card may show (the channel looks that record up), or None: the borrower
    verified by registered phone or SMS code, on a call below level2 from a line nobody watch-listed."""
    call = _call(slots)
    if call.customer_id and may_disclose_account(call, slots.get("proxy_risk_level") or "none", _signal_codes(slots)):
        return call.customer_id
    return None


def customer_card(slots: Dict[str, Any], customer: Any = None) -> Dict[str, Any]:
    """The customer card: the account (loan, outstanding, overdue days, phone match, verification)
    when `card_customer_id` allows it, else why not and what to say. A withheld card carries no
    account fact whatever `customer` is given."""
    cat = catalogue()["customer_card"]
    call = _call(slots)
    verification = call.verification if call.is_borrower else "none"
    card: Dict[str, Any] = {
        "shown": False,
        "verification": verification,
        "verification_label": cat["verification"].get(verification, verification),
    }
    allowed = card_customer_id(slots)
    if allowed and customer is not None and getattr(customer, "customer_id", None) == allowed:
        phone = {True: "yes", False: "no"}.get(call.phone_match, "unknown")
        outstanding = Decimal(str(customer.outstanding))
        values = {
            "customer_id": customer.customer_id,
            "loan_id": customer.loan_id,
            "outstanding": cat["amount"].format(amount=f"{outstanding:,.2f}"),
            "overdue_days": cat["days"].format(days=customer.overdue_days),
            "phone_match": cat["phone_match"][phone],
            "verification": card["verification_label"],
        }
        card.update(
            shown=True,
            customer_id=customer.customer_id,
            loan_id=customer.loan_id,
            outstanding=f"{outstanding:.2f}",
            overdue_days=int(customer.overdue_days),
            phone_match=call.phone_match,
            rows=[{"key": k, "label": cat["fields"][k], "value": v} for k, v in values.items()],
        )
        return card
    key, values = _withheld_because(slots, call, allowed)
    texts = cat["withheld"][key]
    card.update(why=key, reason=texts["reason"].format(**values), advice=texts["advice"].format(**values))
    return card


def _withheld_because(slots: Dict[str, Any], call: Call, allowed: Optional[str]):
    """(reason key, placeholder values) for a card that shows no account."""
    level = slots.get("proxy_risk_level") or "none"
    codes = _signal_codes(slots)
    kinds = catalogue()["customer_card"]["code_kinds"]
    values = {
        "level": materials.label("risk_level", level),
        "role": materials.label("caller_role", call.role or "unknown"),
        "code": kinds["loan_id"] if call.loan_id and not call.id_digits else kinds["id_digits"],
        "tail": (call.sms_masked or "")[-4:],
    }
    if allowed:
        return "no_record", values
    if level == "level1":
        return "blocked_level1", values
    if blocked(level, ()):
        return "blocked_level", values
    if any(c in LINE_SIGNALS for c in codes):
        return "blocked_line", values
    if call.role in (None, "unknown"):
        return "no_role", values
    if not call.is_borrower:
        return "not_borrower", values
    if call.flipped:
        return "flipped", values
    if call.sms == "exhausted":
        return "sms_exhausted", values
    if call.identity_failed:
        return "failed", values
    if call.verification == "knowledge":
        return ("knowledge_sms_sent" if call.sms == "sent" and values["tail"] else "knowledge"), values
    return "pending", values
