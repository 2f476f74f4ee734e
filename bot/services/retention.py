"""Retention (`python -m bot retention`): anonymise calls older than BOT_RETENTION_DAYS.

A call's age is its last activity: the newest of its conversation events, call
record, cases, call-history row, SMS codes, transcript segments and adherence
record (audit rows do not count: the purge writes one). For every call older than the cutoff, in one pass:

- tracker events: every text replaced by "［已按保留期限删除］", message metadata
  and text slot values removed (`bot.core.retention.anonymise_event`); codes,
  times, intents and actions stay, so the summary still reads;
- cases: the detail text cleared; reference, kind, role, dates stay;
- call records: the agent's note cleared; channel, agent, times, disposition stay;
- transcript segments (`transcript_segments`, the caller's and the agent's speech as
  recognised): the text cleared; speaker, final, the must-say items heard and the time
  stay, so the call's adherence (`call_adherence`, which holds no text) stays reportable;
- call history (`call_subjects`): the calling number cleared;
- SMS codes: deleted;
- the anti-proxy team's tables (`call_activity`, `team_case_calls`, `team_cases`): the
  calling number cleared. A call in a team case that is not closed is held (kept whole
  and listed): its evidence is still needed; it is anonymised after the case closes;
- evidence packets under BOT_DATA_DIR/cases: rewritten without texts, names and
  numbers (references, dates, levels and signal codes stay);
- audit: one `retention_purged` row per call with who ran it and when (the audit
  table is append-only: earlier rows are never changed).

A call already anonymised has nothing left to change and is not counted again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import sqlalchemy as sa

from bot.core.retention import anonymise_event, anonymise_packet, keep_set
from bot.services import case_export, complaint_index
from bot.services.storage import (
    CASES_REWRITTEN,
    Database,
    audit,
    call_activity,
    call_adherence,
    call_records,
    call_subjects,
    cases,
    maintenance,
    sms_codes,
    team_case_calls,
    team_cases,
    template_settings,
    transcript_segments,
)


@dataclass
class RetentionReport:
    """What a retention run changed (or, dry, would change)."""

    days: int
    cutoff: dt.datetime
    dry_run: bool
    calls: List[str] = field(default_factory=list)
    events: int = 0
    cases: int = 0
    notes: int = 0
    numbers: int = 0
    sms_codes: int = 0
    packets: int = 0
    segments: int = 0  # transcript segments whose text was cleared
    held: List[str] = field(default_factory=list)  # calls of team cases still open

    def describe(self) -> str:
        verb = "将匿名化" if self.dry_run else "已匿名化"
        head = "演练（未改动任何数据）：" if self.dry_run else ""
        return (
            f"{head}按保留期限 {self.days} 天（{self.cutoff:%Y-%m-%d %H:%M} UTC 之前结束的通话），"
            f"{verb} {len(self.calls)} 通电话：对话事件 {self.events} 条、登记内容 {self.cases} 条、"
            f"坐席备注 {self.notes} 条、通话转写 {self.segments} 段、来电号码 {self.numbers} 个、"
            f"验证码记录 {self.sms_codes} 条、证据材料包 {self.packets} 份。"
            + (f"另有 {len(self.held)} 通电话所属的专项组案件尚未结案，暂不匿名化。" if self.held else "")
        )


def _tracker_engine(tracker_url: str) -> Optional[sa.engine.Engine]:
    if tracker_url.startswith("sqlite:///") and not Path(tracker_url[len("sqlite:///") :]).exists():
        return None
    return sa.create_engine(tracker_url)


def _has_events_table(engine: Optional[sa.engine.Engine]) -> bool:
    return engine is not None and sa.inspect(engine).has_table("events")


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc).replace(tzinfo=None)


def last_activity(db: Database, tracker: Optional[sa.engine.Engine]) -> Dict[str, dt.datetime]:
    """Every known call id → its last activity (naive UTC; naive local times are taken as UTC)."""
    seen: Dict[str, dt.datetime] = {}

    def note(call_id, when):
        if call_id and when is not None and (call_id not in seen or when > seen[call_id]):
            seen[call_id] = when

    if _has_events_table(tracker):
        with tracker.connect() as conn:
            for sender, newest in conn.execute(
                sa.text("SELECT sender_id, max(timestamp) FROM events GROUP BY sender_id")
            ):
                if newest is not None:
                    note(sender, _utc(newest))
    queries = [
        sa.select(call_records.c.call_id, call_records.c.started_at),
        sa.select(call_records.c.call_id, call_records.c.ended_at),
        sa.select(call_records.c.call_id, call_records.c.note_at),
        sa.select(cases.c.call_id, cases.c.created_at),
        sa.select(call_subjects.c.call_id, call_subjects.c.recorded_at),
        sa.select(sms_codes.c.call_id, sms_codes.c.created_at),
        sa.select(call_activity.c.call_id, call_activity.c.last_seen),
        sa.select(transcript_segments.c.call_id, sa.func.max(transcript_segments.c.at)).group_by(
            transcript_segments.c.call_id
        ),
        sa.select(call_adherence.c.call_id, call_adherence.c.updated_at),
    ]
    with db.engine.connect() as conn:
        for query in queries:
            for call_id, when in conn.execute(query):
                note(call_id, when)
    return seen


def _packet_paths(cases_dir: Optional[Path], call_id: str) -> List[Path]:
    if cases_dir is None:
        return []
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in call_id)
    return [p for p in (cases_dir / f"{safe}.json",) if p.exists()]


def purge(
    db: Database,
    tracker_url: str,
    days: int,
    by: str,
    now: Optional[dt.datetime] = None,
    dry_run: bool = False,
    cases_dir: Optional[Path] = None,
) -> RetentionReport:
    """Anonymise every call whose last activity is more than `days` days before `now` (UTC)."""
    if days < 1:
        raise ValueError("retention needs at least one day")
    now = now or dt.datetime.utcnow()
    cutoff = now - dt.timedelta(days=days)
    report = RetentionReport(days=days, cutoff=cutoff, dry_run=dry_run)
    tracker = _tracker_engine(tracker_url)
    try:
        old = sorted(call for call, when in last_activity(db, tracker).items() if when < cutoff)
        held = _held_calls(db)
        report.held = [c for c in old if c in held]
        for call_id in (c for c in old if c not in held):
            if _purge_call(db, tracker, call_id, report, by, now, cutoff, dry_run, cases_dir):
                report.calls.append(call_id)
    finally:
        if tracker is not None:
            tracker.dispose()
    return report


def _held_calls(db: Database) -> set:
    """Calls of the anti-proxy team's cases that are not closed (their evidence is still needed)."""
    with db.engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                sa.select(team_case_calls.c.call_id)
                .select_from(team_case_calls.join(team_cases, team_cases.c.case_id == team_case_calls.c.case_id))
                .where(team_cases.c.status != "closed")
            )
        }


def _purge_call(
    db: Database,
    tracker: Optional[sa.engine.Engine],
    call_id: str,
    report: RetentionReport,
    by: str,
    now: dt.datetime,
    cutoff: dt.datetime,
    dry_run: bool,
    cases_dir: Optional[Path],
) -> bool:
    """Anonymise one call; whether anything was (or, dry, would be) changed."""
    with db.engine.connect() as conn:
        own_cases = conn.execute(sa.select(cases).where(cases.c.call_id == call_id)).all()
        subjects = conn.execute(sa.select(call_subjects).where(call_subjects.c.call_id == call_id)).all()
        note_rows = conn.execute(
            sa.select(call_records.c.call_id).where(call_records.c.call_id == call_id, call_records.c.note != "")
        ).all()
        code_rows = conn.execute(sa.select(sa.func.count()).where(sms_codes.c.call_id == call_id)).scalar_one()
        segment_rows = conn.execute(
            sa.select(sa.func.count()).where(transcript_segments.c.call_id == call_id, transcript_segments.c.text != "")
        ).scalar_one()
        team_numbers = sum(
            conn.execute(
                sa.select(sa.func.count()).where(table.c.call_id == call_id, table.c.caller_number.isnot(None))
            ).scalar_one()
            for table in (call_activity, team_case_calls, team_cases)
        )
    keep = keep_set(
        [c.reference for c in own_cases] + [c.customer_id for c in own_cases] + [s.customer_id for s in subjects]
    )
    changed_events = []
    if _has_events_table(tracker):
        with tracker.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, data FROM events WHERE sender_id = :sid"), {"sid": call_id})
            for row_id, data in rows:
                event = json.loads(data)
                anonymised = anonymise_event(event, keep)
                if anonymised != event:
                    changed_events.append((row_id, json.dumps(anonymised)))
    texts = [c.reference for c in own_cases if c.detail]
    numbers = [s.call_id for s in subjects if s.caller_number] + [call_id] * min(team_numbers, 1)
    packets = [p for p in _packet_paths(cases_dir, call_id) if _packet_changes(p)]
    counts = dict(
        events=len(changed_events),
        cases=len(texts),
        notes=len(note_rows),
        numbers=len(numbers),
        sms_codes=code_rows,
        packets=len(packets),
        segments=segment_rows,
    )
    if not any(counts.values()):
        return False
    for name, count in counts.items():
        setattr(report, name, getattr(report, name) + count)
    if dry_run:
        return True
    if changed_events:
        with tracker.begin() as conn:
            conn.execute(
                sa.text("UPDATE events SET data = :data WHERE id = :id"),
                [{"id": row_id, "data": data} for row_id, data in changed_events],
            )
    for path in packets:
        _rewrite_packet(path)
    with db.engine.begin() as conn:
        if texts:
            conn.execute(cases.update().where(cases.c.call_id == call_id).values(detail=""))
            _bump(conn, CASES_REWRITTEN)
            shingle_size, min_chars = template_settings()
            for case in own_cases:  # out of the template check's shared index too
                complaint_index.replace(conn, case.reference, case.detail or "", "", shingle_size, min_chars)
        conn.execute(call_records.update().where(call_records.c.call_id == call_id).values(note=""))
        conn.execute(call_subjects.update().where(call_subjects.c.call_id == call_id).values(caller_number=None))
        conn.execute(sms_codes.delete().where(sms_codes.c.call_id == call_id))
        if segment_rows:
            conn.execute(
                transcript_segments.update()
                .where(transcript_segments.c.call_id == call_id, transcript_segments.c.text != "")
                .values(text="")
            )
        for table in (call_activity, team_case_calls, team_cases):
            conn.execute(table.update().where(table.c.call_id == call_id).values(caller_number=None))
        detail = {"by": by, "days": report.days, "cutoff": cutoff.isoformat(timespec="seconds"), **counts}
        conn.execute(audit.insert().values(at=now, call_id=call_id, event="retention_purged", detail=detail))
    return True


def _bump(conn, key: str) -> None:
    """Tell running processes that rows they keep in memory changed (storage's complaint cache)."""
    updated = conn.execute(
        maintenance.update().where(maintenance.c.key == key).values(value=maintenance.c.value + 1)
    ).rowcount
    if not updated:
        conn.execute(maintenance.insert().values(key=key, value=1))


def _packet_changes(path: Path) -> bool:
    packet = json.loads(path.read_text(encoding="utf-8"))
    return anonymise_packet(packet) != packet


def _rewrite_packet(path: Path) -> None:
    """The JSON and its Chinese document, without texts, names and numbers."""
    packet = anonymise_packet(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(packet, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    path.with_suffix(".md").write_text(case_export.render_markdown(packet), encoding="utf-8")
