"""The anti-proxy team's cases (contract §7) and the calls the console lists.

A call reaching level2 or level1 opens a case (`track_call`, which `risk_service.record`
runs on every assessment); a later flagged call from the same number or about the same
borrower joins the case still open instead of opening a second. A case goes
open → investigating → reported → closed (`TRANSITIONS` says which steps are allowed);
its assignee, notes and status changes, and every view of its personal data, are rows of
the append-only audit table carrying who did it — that table is the case's history.

Times are stored in UTC (naive, like the audit table) and shown in China Standard Time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from bot.core.materials import label
from bot.core.risk.model import level_rank
from bot.services.storage import (
    Database,
    audit,
    call_activity,
    call_records,
    call_subjects,
    team_case_calls,
    team_cases,
    watchlist,
)

CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time, UTC+8: what the team reads
STATUSES = ("open", "investigating", "reported", "closed")
STATUS_LABELS = {code: label("case_status", code) for code in STATUSES}  # bot/catalogue/labels.yml
# Allowed status changes. Investigating may go back to open (handed back to the queue), a
# reported case back to investigating (the police ask for more), a closed one be reopened.
TRANSITIONS: Dict[str, Tuple[str, ...]] = {
    "open": ("investigating", "closed"),
    "investigating": ("reported", "closed", "open"),
    "reported": ("closed", "investigating"),
    "closed": ("open",),
}
CASE_LEVELS = ("level2", "level1")
ACTIVE_MINUTES = 10  # a call heard from within this many minutes, and not hung up, is in progress
MAX_NOTE_CHARS = 2000
MAX_ASSIGNEE_CHARS = 64
# Audit events of the console: the case's history, and the views of personal data.
CASE_EVENTS = ("case_opened", "case_linked", "case_escalated", "case_status", "case_assigned", "case_note")
VIEW_EVENTS = ("case_viewed", "call_viewed", "packet_exported")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{2,23}$")


class CaseError(Exception):
    """A request the case service refuses: HTTP status, a stable code, a Chinese message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Actor:
    """Who acts in the console: a supervisor by name, or the operator."""

    name: str
    role: str  # supervisor | operator

    def detail(self) -> Dict[str, str]:
        return {"by": self.name, "role": self.role}


SYSTEM = Actor("system", "system")


# ---- time -------------------------------------------------------------------------
def utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


def to_cst(moment: Optional[dt.datetime]) -> Optional[dt.datetime]:
    """A stored (naive UTC) time in China Standard Time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(CST)


def iso(moment: Optional[dt.datetime]) -> Optional[str]:
    """ISO 8601 with the +08:00 offset (contract §5's style)."""
    local = to_cst(moment)
    return local.isoformat(timespec="seconds") if local else None


def cst_text(moment: Optional[dt.datetime]) -> str:
    """ "2026-12-01 10:00:00" in China Standard Time ("" for none)."""
    local = to_cst(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S") if local else ""


def mask_number(number: Optional[str]) -> str:
    """138****0001: how lists and dashboards show a phone number."""
    digits = (number or "").strip()
    if len(digits) < 7:
        return digits[:1] + "****" if digits else ""
    return digits[:3] + "****" + digits[-4:]


# ---- what the action server records on every assessment ----------------------------------
# call_id → the state last written, so a turn that changes nothing writes nothing.
_written: OrderedDict[tuple, tuple] = OrderedDict()
_WRITTEN_MAX = 5000
_REFRESH = dt.timedelta(seconds=60)  # last_seen is refreshed at most this often


def _remember(key: tuple, value: tuple) -> None:
    _written[key] = value
    _written.move_to_end(key)
    while len(_written) > _WRITTEN_MAX:
        _written.popitem(last=False)


def track_call(
    db: Database,
    call_id: str,
    level: str,
    signals: Sequence[dict],
    caller_role: str = "unknown",
    caller_number: Optional[str] = None,
    customer_id: Optional[str] = None,
    now: Optional[dt.datetime] = None,
) -> Optional[str]:
    """Note the call for the live list and open or join a case at level2+; the case id, if any."""
    now = now or utcnow()
    note_activity(db, call_id, caller_role or "unknown", caller_number or None, customer_id or None, level, now)
    if level in CASE_LEVELS:
        return open_or_link(db, call_id, level, signals, caller_number or None, customer_id or None, now)
    seen = _written.get((str(db.engine.url), "case", call_id))
    return seen[0] if seen else None


def note_activity(
    db: Database,
    call_id: str,
    caller_role: str,
    caller_number: Optional[str],
    customer_id: Optional[str],
    level: str,
    now: dt.datetime,
) -> None:
    """Upsert the call's row in call_activity when something changed or a minute has passed."""
    key = (str(db.engine.url), "activity", call_id)
    state = (caller_role, caller_number, customer_id, level)
    seen = _written.get(key)
    if seen and seen[0] == state and now - seen[1] < _REFRESH:
        return
    with db.engine.begin() as conn:
        row = conn.execute(sa.select(call_activity).where(call_activity.c.call_id == call_id)).first()
        if row is None:
            conn.execute(
                call_activity.insert().values(
                    call_id=call_id,
                    caller_number=caller_number,
                    caller_role=caller_role,
                    customer_id=customer_id,
                    level=level,
                    max_level=level,
                    started_at=now,
                    last_seen=now,
                )
            )
        else:
            top = level if level_rank(level) > level_rank(row.max_level) else row.max_level
            conn.execute(
                call_activity.update()
                .where(call_activity.c.call_id == call_id)
                .values(
                    caller_number=caller_number or row.caller_number,
                    caller_role=caller_role if caller_role != "unknown" else row.caller_role,
                    customer_id=customer_id or row.customer_id,
                    level=level,
                    max_level=top,
                    last_seen=now,
                )
            )
    _remember(key, (state, now))


def _signal_key(signals: Iterable[dict]) -> Tuple[Tuple[str, str], ...]:
    return tuple((str(s.get("code")), str(s.get("evidence") or "")) for s in signals)


def _merge_signals(stored: Sequence[dict], new: Sequence[dict]) -> List[dict]:
    out = [{"code": s.get("code"), "evidence": s.get("evidence")} for s in stored or []]
    seen = set(_signal_key(out))
    for s in new:
        if (str(s.get("code")), str(s.get("evidence") or "")) not in seen:
            out.append({"code": s.get("code"), "evidence": s.get("evidence")})
            seen.add((str(s.get("code")), str(s.get("evidence") or "")))
    return out


def _audit_row(call_id: str, event: str, detail: dict, now: dt.datetime) -> dict:
    return {"at": now, "call_id": call_id, "event": event, "detail": detail}


def open_or_link(
    db: Database,
    call_id: str,
    level: str,
    signals: Sequence[dict],
    caller_number: Optional[str],
    customer_id: Optional[str],
    now: dt.datetime,
) -> str:
    """The call's case: the one it is in, else the open case of its number or borrower, else a new one."""
    key = (str(db.engine.url), "case", call_id)
    state = (level, _signal_key(signals), caller_number, customer_id)
    seen = _written.get(key)
    if seen and seen[1] == state:
        return seen[0]
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                case_id = _open_or_link(conn, call_id, level, signals, caller_number, customer_id, now)
            break
        except sa.exc.IntegrityError:  # another process took the same case number or call first
            if attempt == 4:
                raise
    _remember(key, (case_id, state))
    return case_id


def _open_or_link(conn, call_id, level, signals, caller_number, customer_id, now) -> str:
    link = conn.execute(sa.select(team_case_calls).where(team_case_calls.c.call_id == call_id)).first()
    if link is not None:
        case = conn.execute(sa.select(team_cases).where(team_cases.c.case_id == link.case_id)).first()
        conn.execute(
            team_case_calls.update()
            .where(team_case_calls.c.call_id == call_id)
            .values(
                level=level if level_rank(level) > level_rank(link.level) else link.level,
                caller_number=caller_number or link.caller_number,
                customer_id=customer_id or link.customer_id,
            )
        )
        _update_case(conn, case, call_id, level, signals, caller_number, customer_id, now)
        return case.case_id
    found = _open_case_of(conn, caller_number, customer_id)
    if found is not None:
        case, reason = found
        conn.execute(
            team_case_calls.insert().values(
                call_id=call_id,
                case_id=case.case_id,
                caller_number=caller_number,
                customer_id=customer_id,
                level=level,
                linked_at=now,
            )
        )
        conn.execute(
            audit.insert().values(
                **_audit_row(
                    call_id,
                    "case_linked",
                    {"case_id": case.case_id, "level": level, "reason": reason, "by": "system"},
                    now,
                )
            )
        )
        _update_case(conn, case, call_id, level, signals, caller_number, customer_id, now)
        return case.case_id
    case_id = _next_case_id(conn, now)
    conn.execute(
        team_cases.insert().values(
            case_id=case_id,
            call_id=call_id,
            level=level,
            signals=_merge_signals([], signals),
            status="open",
            assignee=None,
            customer_id=customer_id,
            caller_number=caller_number,
            opened_at=now,
            updated_at=now,
        )
    )
    conn.execute(
        team_case_calls.insert().values(
            call_id=call_id,
            case_id=case_id,
            caller_number=caller_number,
            customer_id=customer_id,
            level=level,
            linked_at=now,
        )
    )
    conn.execute(
        audit.insert().values(
            **_audit_row(call_id, "case_opened", {"case_id": case_id, "level": level, "by": "system"}, now)
        )
    )
    return case_id


def _update_case(conn, case, call_id, level, signals, caller_number, customer_id, now) -> None:
    """Raise the case's level, add new signals, fill a missing number or borrower."""
    values: Dict[str, Any] = {}
    if level_rank(level) > level_rank(case.level):
        values["level"] = level
        conn.execute(
            audit.insert().values(
                **_audit_row(
                    call_id,
                    "case_escalated",
                    {"case_id": case.case_id, "from": case.level, "to": level, "by": "system"},
                    now,
                )
            )
        )
    merged = _merge_signals(case.signals or [], signals)
    if len(merged) != len(case.signals or []):
        values["signals"] = merged
    if caller_number and not case.caller_number:
        values["caller_number"] = caller_number
    if customer_id and not case.customer_id:
        values["customer_id"] = customer_id
    if values:
        values["updated_at"] = now
        conn.execute(team_cases.update().where(team_cases.c.case_id == case.case_id).values(**values))


def _open_case_of(conn, caller_number: Optional[str], customer_id: Optional[str]):
    """(the oldest case not closed with a call from this number or about this borrower, why) or None."""
    for column, value, reason in (
        (team_case_calls.c.caller_number, caller_number, "same_number"),
        (team_case_calls.c.customer_id, customer_id, "same_customer"),
    ):
        if not value:
            continue
        row = conn.execute(
            sa.select(team_cases)
            .where(
                team_cases.c.status != "closed",
                team_cases.c.case_id.in_(sa.select(team_case_calls.c.case_id).where(column == value)),
            )
            .order_by(team_cases.c.opened_at)
            .limit(1)
        ).first()
        if row is not None:
            return row, reason
    return None


def _next_case_id(conn, now: dt.datetime) -> str:
    """K + the China Standard Time date + the day's next 4-digit number (K202612010001)."""
    prefix = "K" + to_cst(now).strftime("%Y%m%d")
    last = conn.execute(
        sa.select(sa.func.max(team_cases.c.case_id)).where(team_cases.c.case_id.like(prefix + "%"))
    ).scalar()
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def case_for_call(db: Database, call_id: str) -> Optional[str]:
    """The case the call belongs to (None when it opened or joined none)."""
    with db.engine.connect() as conn:
        return conn.execute(sa.select(team_case_calls.c.case_id).where(team_case_calls.c.call_id == call_id)).scalar()


# ---- reading cases ---------------------------------------------------------------------
def case_row(case) -> Dict[str, Any]:
    """A case as the contract lists it."""
    m = case._mapping if hasattr(case, "_mapping") else case
    return {
        "case_id": m["case_id"],
        "call_id": m["call_id"],
        "level": m["level"],
        "signals": [{"code": s.get("code"), "evidence": s.get("evidence")} for s in m["signals"] or []],
        "status": m["status"],
        "assignee": m["assignee"],
        "opened_at": iso(m["opened_at"]),
        "updated_at": iso(m["updated_at"]),
    }


def _number(value: Any, field: str) -> Optional[float]:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise CaseError(400, "invalid_filter", f"{field} 应为不小于 0 的数字（天）。")
    return number


def list_cases(
    db: Database,
    status: Optional[str] = None,
    level: Optional[str] = None,
    assignee: Optional[str] = None,
    min_age_days: Any = None,
    max_age_days: Any = None,
    now: Optional[dt.datetime] = None,
) -> List[Dict[str, Any]]:
    """Cases, newest first, filtered by status, level, assignee ("none": unassigned) and age in days."""
    now = now or utcnow()
    query = sa.select(team_cases)
    if status:
        if status not in STATUSES:
            raise CaseError(400, "invalid_status", f"未知的状态：{status}（可选 {'、'.join(STATUSES)}）。")
        query = query.where(team_cases.c.status == status)
    if level:
        if level not in CASE_LEVELS:
            raise CaseError(400, "invalid_level", f"未知的等级：{level}（案件只有 level2、level1）。")
        query = query.where(team_cases.c.level == level)
    if assignee == "none":
        query = query.where(team_cases.c.assignee.is_(None))
    elif assignee:
        query = query.where(team_cases.c.assignee == assignee)
    low, high = _number(min_age_days, "min_age_days"), _number(max_age_days, "max_age_days")
    if low is not None:
        query = query.where(team_cases.c.opened_at <= now - dt.timedelta(days=low))
    if high is not None:
        query = query.where(team_cases.c.opened_at >= now - dt.timedelta(days=high))
    with db.engine.connect() as conn:
        rows = conn.execute(query.order_by(team_cases.c.opened_at.desc(), team_cases.c.case_id.desc())).all()
    return [case_row(r) for r in rows]


def _case(conn, case_id: str):
    row = conn.execute(sa.select(team_cases).where(team_cases.c.case_id == case_id)).first()
    if row is None:
        raise CaseError(404, "case_not_found", f"找不到案件：{case_id}")
    return row


def case_calls(db: Database, case_id: str) -> List[Dict[str, Any]]:
    """The case's calls, first first, with channel, agent, role and times."""
    query = (
        sa.select(
            team_case_calls,
            call_activity.c.caller_role,
            call_activity.c.started_at,
            call_activity.c.last_seen,
            call_records.c.channel,
            call_records.c.agent_id,
            call_records.c.ended_at,
        )
        .select_from(
            team_case_calls.outerjoin(call_activity, call_activity.c.call_id == team_case_calls.c.call_id).outerjoin(
                call_records, call_records.c.call_id == team_case_calls.c.call_id
            )
        )
        .where(team_case_calls.c.case_id == case_id)
        .order_by(team_case_calls.c.linked_at)
    )
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "call_id": r.call_id,
            "channel": r.channel or "rest",
            "agent_id": r.agent_id,
            "caller_role": r.caller_role or "unknown",
            "caller_number": r.caller_number,
            "customer_id": r.customer_id,
            "level": r.level,
            "started_at": iso(r.started_at or r.linked_at),
            "linked_at": iso(r.linked_at),
        }
        for r in rows
    ]


def case_history(db: Database, case_id: str, call_ids: Sequence[str]) -> List[Dict[str, Any]]:
    """The case's own audit rows (opened, linked, escalated, status, assignee, notes), oldest first."""
    if not call_ids:
        return []
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit)
            .where(audit.c.call_id.in_(list(call_ids)), audit.c.event.in_(CASE_EVENTS))
            .order_by(audit.c.id)
        ).all()
    return [
        {"at": iso(r.at), "event": r.event, **r.detail}
        for r in rows
        if isinstance(r.detail, dict) and r.detail.get("case_id") == case_id
    ]


def linked_cases(db: Database, case_id: str, numbers: Iterable[str], customers: Iterable[str]) -> List[Dict[str, Any]]:
    """Other cases with a call from one of these numbers or about one of these borrowers."""
    numbers, customers = [n for n in numbers if n], [c for c in customers if c]
    if not numbers and not customers:
        return []
    related = sa.select(team_case_calls.c.case_id).where(
        sa.or_(team_case_calls.c.caller_number.in_(numbers), team_case_calls.c.customer_id.in_(customers))
    )
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(team_cases)
            .where(team_cases.c.case_id.in_(related), team_cases.c.case_id != case_id)
            .order_by(team_cases.c.opened_at)
        ).all()
    return [case_row(r) for r in rows]


def get_case(db: Database, case_id: str) -> Dict[str, Any]:
    """The case with its calls, notes, status history, assignee history and linked cases."""
    with db.engine.connect() as conn:
        row = _case(conn, case_id)
    calls = case_calls(db, case_id)
    history = case_history(db, case_id, [c["call_id"] for c in calls] or [row.call_id])
    doc = case_row(row)
    doc.update(
        {
            "status_label": STATUS_LABELS[row.status],
            "customer_id": row.customer_id,
            "allowed_status": list(TRANSITIONS[row.status]),
            "calls": calls,
            "notes": [
                {"at": h["at"], "by": h.get("by"), "role": h.get("role"), "text": h.get("text")}
                for h in history
                if h["event"] == "case_note"
            ],
            "status_history": [{"at": doc["opened_at"], "from": None, "to": "open", "by": "system"}]
            + [
                {"at": h["at"], "from": h.get("from"), "to": h.get("to"), "by": h.get("by")}
                for h in history
                if h["event"] == "case_status"
            ],
            "assignee_history": [
                {"at": h["at"], "from": h.get("from"), "to": h.get("to"), "by": h.get("by")}
                for h in history
                if h["event"] == "case_assigned"
            ],
            "history": history,
            "linked_cases": linked_cases(
                db, case_id, [c["caller_number"] for c in calls], [c["customer_id"] for c in calls]
            ),
        }
    )
    return doc


# ---- changing a case -------------------------------------------------------------------
def parse_patch(body: Any) -> Dict[str, Any]:
    """The PATCH body's status / assignee / note, checked (CaseError 400 otherwise)."""
    if not isinstance(body, dict):
        raise CaseError(400, "not_an_object", "请求体应为 JSON 对象，例如 {\"status\": \"investigating\"}。")
    unknown = sorted(set(body) - {"status", "assignee", "note"})
    if unknown:
        raise CaseError(400, "unknown_field", f"不支持的字段：{'、'.join(unknown)}（可用 status、assignee、note）。")
    if not body:
        raise CaseError(400, "nothing_to_change", "请至少提供 status、assignee、note 中的一项。")
    out: Dict[str, Any] = {}
    if "status" in body:
        status = body["status"]
        if status not in STATUSES:
            raise CaseError(
                400,
                "invalid_status",
                f"无效的状态：{status!s:.20}。可选："
                + "、".join(f"{s}（{STATUS_LABELS[s]}）" for s in STATUSES)
                + "。",
            )
        out["status"] = status
    if "assignee" in body:
        assignee = body["assignee"]
        if assignee is not None and not isinstance(assignee, str):
            raise CaseError(400, "invalid_assignee", "assignee 应为处理人名称（字符串），或 null 表示取消指派。")
        assignee = (assignee or "").strip() or None
        if assignee and len(assignee) > MAX_ASSIGNEE_CHARS:
            raise CaseError(400, "invalid_assignee", f"处理人名称过长（最多 {MAX_ASSIGNEE_CHARS} 个字符）。")
        out["assignee"] = assignee
    if "note" in body:
        note = body["note"]
        if not isinstance(note, str) or not note.strip():
            raise CaseError(400, "invalid_note", "备注应为非空文字。")
        if len(note) > MAX_NOTE_CHARS:
            raise CaseError(400, "note_too_long", f"备注过长（最多 {MAX_NOTE_CHARS} 个字符）。")
        out["note"] = note.strip()
    return out


def update_case(
    db: Database, case_id: str, body: Any, actor: Actor, now: Optional[dt.datetime] = None
) -> Dict[str, Any]:
    """Apply a PATCH (status, assignee, note), audit each change with who made it; the case."""
    changes = parse_patch(body)
    now = now or utcnow()
    with db.engine.begin() as conn:
        row = _case(conn, case_id)
        values: Dict[str, Any] = {}
        rows: List[dict] = []
        who = actor.detail()
        if "status" in changes and changes["status"] != row.status:
            new = changes["status"]
            if new not in TRANSITIONS[row.status]:
                allowed = "、".join(f"“{STATUS_LABELS[s]}”" for s in TRANSITIONS[row.status])
                raise CaseError(
                    400,
                    "invalid_transition",
                    f"案件 {case_id} 当前为“{STATUS_LABELS[row.status]}”，不能改为“{STATUS_LABELS[new]}”；"
                    f"只能改为 {allowed}。",
                )
            values["status"] = new
            rows.append(
                _audit_row(row.call_id, "case_status", {"case_id": case_id, "from": row.status, "to": new, **who}, now)
            )
        if "assignee" in changes and changes["assignee"] != row.assignee:
            values["assignee"] = changes["assignee"]
            rows.append(
                _audit_row(
                    row.call_id,
                    "case_assigned",
                    {"case_id": case_id, "from": row.assignee, "to": changes["assignee"], **who},
                    now,
                )
            )
        if "note" in changes:
            rows.append(_audit_row(row.call_id, "case_note", {"case_id": case_id, "text": changes["note"], **who}, now))
        if rows:
            values["updated_at"] = now
            conn.execute(team_cases.update().where(team_cases.c.case_id == case_id).values(**values))
            conn.execute(audit.insert(), rows)
    return get_case(db, case_id)


def record_view(db: Database, call_id: str, event: str, actor: Actor, **detail: Any) -> None:
    """Audit that someone saw a case's or call's personal data (who, when, what)."""
    assert event in VIEW_EVENTS
    db.append_audit(call_id, [(event, {**detail, **actor.detail()})])


def require_case(db: Database, case_id: str):
    """The case's row (CaseError 404 when there is none)."""
    with db.engine.connect() as conn:
        return _case(conn, case_id)


# ---- the calls in progress -------------------------------------------------------------
def active_calls(
    db: Database, now: Optional[dt.datetime] = None, minutes: float = ACTIVE_MINUTES
) -> List[Dict[str, Any]]:
    """Calls heard from within `minutes` and not hung up, newest first (contract §7 shape plus case)."""
    now = now or utcnow()
    since = now - dt.timedelta(minutes=minutes)
    query = (
        sa.select(
            call_activity,
            call_records.c.channel,
            call_records.c.agent_id,
            call_records.c.started_at.label("record_started"),
            call_records.c.ended_at,
            team_case_calls.c.case_id,
        )
        .select_from(
            call_activity.outerjoin(call_records, call_records.c.call_id == call_activity.c.call_id).outerjoin(
                team_case_calls, team_case_calls.c.call_id == call_activity.c.call_id
            )
        )
        .where(call_activity.c.last_seen >= since, call_records.c.ended_at.is_(None))
        .order_by(call_activity.c.started_at.desc())
    )
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "call_id": r.call_id,
            "channel": r.channel or "rest",
            "caller_role": r.caller_role,
            "level": r.level,
            "agent_id": r.agent_id,
            "started_at": iso(r.record_started or r.started_at),
            "last_seen": iso(r.last_seen),
            "max_level": r.max_level,
            "case_id": r.case_id,
        }
        for r in rows
    ]


def call_activity_row(db: Database, call_id: str) -> Optional[Dict[str, Any]]:
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(call_activity).where(call_activity.c.call_id == call_id)).first()
    return dict(row._mapping) if row else None


# ---- calling numbers across calls --------------------------------------------------------
def number_history(db: Database, number: str) -> List[Dict[str, Any]]:
    """Every call this number made that the bot saw: when, about whom, the level, its case."""
    if not number:
        return []
    query = (
        sa.select(
            call_activity.c.call_id,
            call_activity.c.started_at,
            call_activity.c.caller_role,
            call_activity.c.max_level,
            call_activity.c.customer_id,
            call_subjects.c.customer_id.label("subject"),
            team_case_calls.c.case_id,
        )
        .select_from(
            call_activity.outerjoin(call_subjects, call_subjects.c.call_id == call_activity.c.call_id).outerjoin(
                team_case_calls, team_case_calls.c.call_id == call_activity.c.call_id
            )
        )
        .where(call_activity.c.caller_number == number)
        .order_by(call_activity.c.started_at)
    )
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "call_id": r.call_id,
            "at": iso(r.started_at),
            "caller_role": r.caller_role,
            "level": r.max_level,
            "customer_id": r.subject or r.customer_id,
            "case_id": r.case_id,
        }
        for r in rows
    ]


def watchlisted(db: Database, number: str) -> Optional[Dict[str, Any]]:
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(watchlist).where(watchlist.c.kind == "phone", watchlist.c.value == number)).first()
    return dict(row._mapping) if row else None


def mark_watchlist(
    db: Database, number: Any, note: Any, actor: Actor, call_id: str, case_id: Optional[str] = None
) -> Dict[str, Any]:
    """Put a calling number on the watchlist (kind phone), audited on the call; the entry."""
    if not isinstance(number, str) or not _PHONE.match(number.strip()):
        raise CaseError(400, "invalid_number", "号码格式不正确，应为电话号码。")
    if note is not None and not isinstance(note, str):
        raise CaseError(400, "invalid_note", "备注应为文字。")
    number = number.strip()
    note = (note or "").strip()[:MAX_NOTE_CHARS] or (
        f"反催收专项组标记（案件 {case_id}）" if case_id else "反催收专项组标记"
    )
    counts = db.add_watchlist_entries(
        [{"kind": "phone", "value": number, "source": f"专项组：{actor.name}", "note": note}]
    )
    db.append_audit(
        call_id,
        [("watchlist_added", {"case_id": case_id, "kind": "phone", "value": number, "note": note, **actor.detail()})],
    )
    return {"number": number, "note": note, "added": bool(counts["added"])}
