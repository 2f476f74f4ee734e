"""Retention: calls older than N days are anonymised, newer ones untouched, every purge audited."""

import datetime as dt
import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bot.core.call_view import slots_from_events
from bot.core.retention import PLACEHOLDER, anonymise_event
from bot.services import adherence_records, case_export, retention
from bot.services.sms import VerificationCodes
from bot.services.storage import Database, call_adherence, call_records, cases, sms_codes, transcript_segments
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "trainer" / "fixtures" / "call_events.json"
NOW = dt.datetime(2026, 12, 1, 2, 0, 0)  # UTC
OLD, NEW = NOW - dt.timedelta(days=200), NOW - dt.timedelta(days=3)
PERSONAL = ("张伟", "3721", "13800000001", "13912345678", "催收员天天打电话")
SEGMENTS = [  # an agent call as the platform's speech recognition heard it: (speaker, final, text, items)
    ("agent", True, "您好，为保障双方权益，本通话将被录音。", ["recording_notice"]),
    ("caller", True, "我是张伟，我想申请延期还款", []),
    ("agent", True, "好的张伟先生，请您准备失业证明。", ["materials"]),
    ("caller", False, "我的新号码是", []),
]


def events_at(when):
    """The fixture call (张伟, 3721, 13800000001) as if held at `when`."""
    events = json.loads(FIXTURE.read_text(encoding="utf-8"))
    first = events[0]["timestamp"]
    start = when.replace(tzinfo=dt.timezone.utc).timestamp()
    for e in events:
        e["timestamp"] = start + (e["timestamp"] - first)
    events.append(
        {
            "event": "user",
            "timestamp": start + 60,
            "text": "我的新号码13912345678",
            "parse_data": {
                "intent": {"name": "inform", "confidence": 1.0},
                "entities": [],
                "text": "我的新号码13912345678",
            },
            "metadata": {"voiceprint": [0.1, 0.2]},
        }
    )
    return events


@pytest.fixture
def stores(data_dir, db_url):
    """A project database and a tracker store holding one old and one new call of each kind."""
    tracker = data_dir / "rasa_tracker.db"
    engine = sa.create_engine(f"sqlite:///{tracker}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) "
            "NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        for call, when in (("old-rest", OLD), ("new-rest", NEW)):
            for e in events_at(when):
                conn.exec_driver_sql(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                    (call, e["event"], e["timestamp"], json.dumps(e, ensure_ascii=False)),
                )
    engine.dispose()
    db = Database(db_url)
    for call, when in (("old-rest", OLD), ("new-rest", NEW)):
        db.register_case(call, "complaint", "borrower", "C0001", "催收员天天打电话 13912345678", 15, now=when)
        db.record_call_subject(call, "13800000001", "C0001", now=when)
    for call, when in (("old-agent", OLD), ("new-agent", NEW)):
        db.start_call(call, "agent", "agent1")
        db.save_call_note(call, "callback", "客户张伟要求回拨")
        add_segments(db, call, when)
        db.save_adherence(
            call, "agent1", ["recording_notice", "materials"], ["recording_notice", "materials"], 1.0, False
        )
        with db.engine.begin() as conn:
            conn.execute(
                call_records.update()
                .where(call_records.c.call_id == call)
                .values(started_at=when, ended_at=when, note_at=when)
            )
            conn.execute(
                sa.update(call_adherence).where(call_adherence.c.call_id == call).values(updated_at=when, ended_at=when)
            )
    codes = VerificationCodes(db, lambda *a: None)
    codes.send("old-rest", "13800000001", now=OLD)
    codes.send("new-rest", "13800000001", now=NEW)
    packet = case_export.build_packet("old-rest", events_at(OLD), db)
    case_export.write_packet(packet, data_dir / "cases")
    return db, f"sqlite:///{tracker}", data_dir


def add_segments(db, call, when):
    for i, (speaker, final, text, items) in enumerate(SEGMENTS):
        row_id = db.add_segment(call, speaker, final, text, items)
        with db.engine.begin() as conn:
            conn.execute(
                transcript_segments.update()
                .where(transcript_segments.c.id == row_id)
                .values(at=when + dt.timedelta(seconds=10 * i))
            )


def segment_rows(db, call):
    with db.engine.connect() as conn:
        query = sa.select(transcript_segments).where(transcript_segments.c.call_id == call)
        return [dict(r._mapping) for r in conn.execute(query.order_by(transcript_segments.c.id))]


def stored_events(tracker_url, call):
    return case_export.tracker_events(tracker_url, call)


def test_old_calls_are_anonymised_and_new_ones_untouched(stores):
    db, tracker_url, data_dir = stores
    before_new = stored_events(tracker_url, "new-rest")
    report = retention.purge(db, tracker_url, 180, by="ops1", now=NOW, cases_dir=data_dir / "cases")
    assert sorted(report.calls) == ["old-agent", "old-rest"]
    assert "已匿名化 2 通电话" in report.describe()

    old = stored_events(tracker_url, "old-rest")
    stored = json.dumps(old, ensure_ascii=False)
    for secret in PERSONAL:
        assert secret not in stored, secret
    assert [e["text"] for e in old if e["event"] == "user"][0] == PLACEHOLDER
    slots = slots_from_events(old)
    # codes, references and the customer id stay: the summary still says what the call was
    assert slots["caller_role"] == "borrower" and slots["purpose"] == "repayment_plan"
    assert slots["customer_id"] == "C0001" and slots["identity_verified"] is True
    assert slots["materials_requested"] == ["id_card", "unemployment_proof", "repayment_proposal"]
    assert stored_events(tracker_url, "new-rest") == before_new

    with db.engine.connect() as conn:
        rows = {r.call_id: r for r in conn.execute(sa.select(cases))}
        notes = {r.call_id: r.note for r in conn.execute(sa.select(call_records))}
        codes = {r.call_id for r in conn.execute(sa.select(sms_codes))}
    assert rows["old-rest"].detail == "" and rows["old-rest"].reference.startswith("TS")
    assert rows["old-rest"].reply_due and rows["old-rest"].created_at == OLD
    assert rows["new-rest"].detail.startswith("催收员天天打电话")
    assert notes == {"old-agent": "", "new-agent": "客户张伟要求回拨"}
    assert codes == {"new-rest"}
    assert db.calls_from_number("13800000001") == [("C0001", NEW)]

    packet = (data_dir / "cases" / "old-rest.json").read_text(encoding="utf-8")
    document = (data_dir / "cases" / "old-rest.md").read_text(encoding="utf-8")
    for secret in PERSONAL:
        assert secret not in packet and secret not in document, secret
    assert rows["old-rest"].reference in packet and '"level": "none"' in packet


def test_the_transcript_text_is_cleared_and_the_adherence_stays_reportable(stores):
    db, tracker_url, data_dir = stores
    before_new = segment_rows(db, "new-agent")
    old_before = segment_rows(db, "old-agent")
    assert "张伟" in old_before[1]["text"]
    report = retention.purge(db, tracker_url, 180, by="ops1", now=NOW, cases_dir=data_dir / "cases")
    assert "old-agent" in report.calls and report.segments == len(SEGMENTS)
    assert f"通话转写 {len(SEGMENTS)} 段" in report.describe()

    old = segment_rows(db, "old-agent")
    assert [r["text"] for r in old] == [""] * len(SEGMENTS)
    keep = ("id", "speaker", "final", "items", "at")
    assert [{k: r[k] for k in keep} for r in old] == [{k: r[k] for k in keep} for r in old_before]
    assert segment_rows(db, "new-agent") == before_new  # a recent call keeps its words

    audited = [r for r in db.audit_for_call("old-agent") if r["event"] == "retention_purged"]
    assert audited[0]["detail"]["segments"] == len(SEGMENTS) and audited[0]["detail"]["notes"] == 1

    # the report still has the purged call: what was required and said, per agent and day
    kept = adherence_records.report(db, OLD.date(), OLD.date())
    assert kept["agents"] == [
        {"agent_id": "agent1", "calls": 1, "required": 2, "said": 2, "unsaid_confirmed": 0, "score": 1.0}
    ]
    assert adherence_records.heard_so_far(db, "old-agent") == ["recording_notice", "materials"]
    again = retention.purge(db, tracker_url, 180, by="ops2", now=NOW, cases_dir=data_dir / "cases")
    assert again.calls == [] and again.segments == 0


def test_a_call_with_recent_transcript_segments_is_not_purged_early(stores):
    db, tracker_url, _ = stores
    # a call whose record is old but whose platform kept sending segments until three days ago
    db.start_call("long-agent", "agent", "agent2")
    with db.engine.begin() as conn:
        conn.execute(call_records.update().where(call_records.c.call_id == "long-agent").values(started_at=OLD))
    add_segments(db, "long-agent", NEW)
    assert retention.last_activity(db, None)["long-agent"] == NEW + dt.timedelta(seconds=30)
    report = retention.purge(db, tracker_url, 180, by="ops1", now=NOW)
    assert "long-agent" not in report.calls and "old-agent" in report.calls
    assert "张伟" in segment_rows(db, "long-agent")[1]["text"]
    # a hand tick is activity too: an old call ticked recently is kept
    db.start_call("ticked-agent", "agent", "agent2")
    with db.engine.begin() as conn:
        conn.execute(call_records.update().where(call_records.c.call_id == "ticked-agent").values(started_at=OLD))
    db.mark_said("ticked-agent", "agent2", "recording_notice")
    assert retention.last_activity(db, None)["ticked-agent"] > NOW - dt.timedelta(days=180)


def test_the_anonymised_call_still_loads_in_rasa(stores):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    db, tracker_url, data_dir = stores
    retention.purge(db, tracker_url, 180, by="ops1", now=NOW)
    store = SQLTrackerStore(
        Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(data_dir / "rasa_tracker.db")
    )
    import asyncio

    tracker = asyncio.run(store.retrieve_full_tracker("old-rest"))
    assert tracker.get_slot("caller_role") == "borrower"
    assert tracker.get_slot("customer_name") == PLACEHOLDER


def test_each_purge_is_audited_once_and_a_second_run_changes_nothing(stores):
    db, tracker_url, data_dir = stores
    retention.purge(db, tracker_url, 180, by="ops1", now=NOW, cases_dir=data_dir / "cases")
    again = retention.purge(db, tracker_url, 180, by="ops2", now=NOW, cases_dir=data_dir / "cases")
    assert again.calls == []
    rows = [r for r in db.audit_for_call("old-rest") if r["event"] == "retention_purged"]
    assert len(rows) == 1
    assert rows[0]["detail"]["by"] == "ops1" and rows[0]["at"] == NOW and rows[0]["detail"]["days"] == 180
    assert db.audit_for_call("new-rest") == []
    with pytest.raises(sa.exc.DBAPIError):  # the audit stays append-only
        with db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE audit SET event = 'x'")


def test_a_dry_run_counts_and_changes_nothing(stores):
    db, tracker_url, data_dir = stores
    before = stored_events(tracker_url, "old-rest")
    segments_before = segment_rows(db, "old-agent")
    report = retention.purge(db, tracker_url, 180, by="ops1", now=NOW, dry_run=True, cases_dir=data_dir / "cases")
    assert sorted(report.calls) == ["old-agent", "old-rest"] and report.sms_codes == 1 and report.packets == 1
    assert report.segments == len(SEGMENTS)
    assert "演练" in report.describe() and "将匿名化 2 通电话" in report.describe()
    assert stored_events(tracker_url, "old-rest") == before
    assert segment_rows(db, "old-agent") == segments_before
    assert db.audit_for_call("old-rest") == [] and db.audit_for_call("old-agent") == []


def test_a_running_process_forgets_cleared_complaint_texts(stores):
    db, tracker_url, _ = stores
    assert len(db.complaint_texts(days=100_000)) == 2  # read (and kept in this process) before the purge
    retention.purge(db, tracker_url, 180, by="ops1", now=NOW)
    assert [text for _, text in db.complaint_texts(days=100_000)] == ["催收员天天打电话 139****5678"]


def test_cli_reads_the_setting_and_prints_in_chinese(stores, monkeypatch):
    monkeypatch.delenv("BOT_RETENTION_DAYS", raising=False)
    unset = subprocess.run([sys.executable, "-m", "bot", "retention"], cwd=ROOT, capture_output=True, text=True)
    assert unset.returncode == 0 and "未设置保留期限" in unset.stdout
    monkeypatch.setenv("BOT_RETENTION_DAYS", "180")
    dry = subprocess.run(
        [sys.executable, "-m", "bot", "retention", "--dry-run"], cwd=ROOT, capture_output=True, text=True
    )
    assert dry.returncode == 0, dry.stderr
    assert "演练" in dry.stdout and "通电话" in dry.stdout


@pytest.mark.parametrize(
    "event",
    [
        {
            "event": "slot",
            "name": "proxy_signals",
            "value": [{"code": "gray_phrase", "evidence": "停息挂账", "weight": 0.3}],
        },
        {"event": "slot", "name": "session_started_metadata", "value": {"caller_number": "13800000001"}},
        {
            "event": "bot",
            "text": "请问您是借款人本人吗？",
            "data": {"buttons": [{"title": "本人", "payload": "我是本人"}]},
        },
    ],
)
def test_anonymising_keeps_codes_and_removes_text(event):
    out = anonymise_event(event)
    assert anonymise_event(out) == out
    flat = json.dumps(out, ensure_ascii=False)
    assert "停息挂账" not in flat and "13800000001" not in flat and "本人" not in flat
    if event["name" if "name" in event else "event"] == "proxy_signals":
        assert out["value"][0]["code"] == "gray_phrase" and out["value"][0]["weight"] == 0.3
