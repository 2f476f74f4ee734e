"""Transcript segments, hand ticks and the adherence kept at the end of a call, on SQLite and
(where the machine has PostgreSQL's binaries) on a throwaway PostgreSQL; and the report."""

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from bot.core.call_view import CallView
from bot.services import adherence_records
from bot.services.storage import INTERIM_KEPT, Database

PG_BIN = "/usr/local/bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL cluster of its own for this module (skipped where it cannot run)."""
    if not (os.path.exists(f"{PG_BIN}/initdb") and shutil.which("runuser")) or os.geteuid() != 0:
        pytest.skip("no PostgreSQL binaries (or not root to run them as postgres)")
    base = tempfile.mkdtemp(prefix="adh-pg-", dir="/tmp")
    os.chmod(base, 0o777)
    data, port = os.path.join(base, "pg"), _free_port()

    def as_pg(*cmd):
        return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], capture_output=True, text=True)

    made = as_pg(f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
    if made.returncode != 0:
        pytest.skip(f"initdb failed: {made.stderr[-200:]}")
    as_pg(f"{PG_BIN}/pg_ctl", "-D", data, "-o", f"-p {port} -k {base} -h 127.0.0.1", "-l", f"{base}/log", "-w", "start")
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        import sqlalchemy as sa

        for _ in range(30):
            try:
                with sa.create_engine(url).connect():
                    break
            except Exception:
                time.sleep(0.5)
        yield url
    finally:
        as_pg(f"{PG_BIN}/pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, db_url):
    if request.param == "sqlite":
        return Database(db_url)
    url = request.getfixturevalue("postgres_url")
    database = Database(url)
    with database.engine.begin() as conn:  # a clean slate per test
        for table in ("transcript_segments", "call_adherence", "call_records", "cases"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
    return database


PROXY = {
    "caller_role": "third_party",
    "materials_requested": ["power_of_attorney", "agent_id", "borrower_confirmation"],
    "proxy_risk_level": "level2",
}


def test_segments_interim_buffer_and_what_the_agent_was_heard_saying(db):
    db.start_call("p-1", "agent", "agent1")
    for n in range(INTERIM_KEPT + 2):
        db.add_segment("p-1", "caller", False, f"我想问一下{n}")
    assert [s["text"] for s in db.segments("p-1", final=False)] == [
        f"我想问一下{n}" for n in range(2, INTERIM_KEPT + 2)
    ]
    final, interim = db.segment_marks("p-1")
    assert final == 0 and interim > 0
    db.add_segment("p-1", "caller", True, "我想问一下借款的事")  # the final text clears the buffer
    assert db.segments("p-1", final=False) == []
    items = adherence_records.hear_agent(db, "p-1", PROXY, "您好，为保障双方权益，本通话将被录音。")
    assert items == ["recording_notice"]
    db.add_segment("p-1", "agent", True, "您好，为保障双方权益，本通话将被录音。", items)
    half = adherence_records.hear_agent(db, "p-1", PROXY, "借款人直接找我们协商是免费的")
    db.add_segment("p-1", "agent", True, "借款人直接找我们协商是免费的", half)
    assert half == [] and adherence_records.heard_so_far(db, "p-1") == ["recording_notice"]
    # the ID digits an agent reads back are not kept
    db.add_segment("p-1", "agent", True, "您身份证后四位是3721吗", [])
    assert "3721" not in db.segments("p-1", speaker="agent")[-1]["text"]


def test_hand_ticks_the_end_of_call_record_and_the_summary_field(db):
    db.start_call("p-2", "agent", "agent1")
    view = CallView("p-2", "agent", dict(PROXY))
    db.add_segment("p-2", "agent", True, "本通话将被录音", ["recording_notice"])
    db.mark_said("p-2", "agent1", "direct_route")
    db.mark_said("p-2", "agent1", "direct_route")
    live = adherence_records.live(db, view)
    assert live.state("direct_route") == "manual" and live.state("recording_notice") == "said"
    assert live.unsaid == ["materials", "level2_line"]
    assert adherence_records.stored(db, "p-2") is None
    assert adherence_records.for_summary(db, view) == {
        "required": ["recording_notice", "materials", "direct_route", "level2_line"],
        "said": ["recording_notice", "direct_route"],
        "score": 0.5,
    }
    adherence_records.keep_at_end(db, view, "agent1", confirm_unsaid=True)
    row = db.adherence_row("p-2")
    assert (
        row["unsaid"] == ["materials", "level2_line"]
        and row["confirm_unsaid"] is True
        and row["manual"] == ["direct_route"]
    )
    # what was kept at the end is the summary's from then on
    db.add_segment("p-2", "agent", True, "late", ["materials"])
    assert adherence_records.for_summary(db, view)["score"] == 0.5


def test_the_report_per_agent_and_per_day(db):
    cst_morning = dt.datetime(2026, 12, 1, 1, 0)  # 09:00 in Beijing, stored as naive UTC
    for call_id, agent, started, required, said in [
        ("r-1", "agent1", cst_morning, ["recording_notice", "direct_route"], ["recording_notice"]),
        ("r-2", "agent1", cst_morning + dt.timedelta(days=1), ["recording_notice"], ["recording_notice"]),
        ("r-3", "agent2", cst_morning, ["recording_notice", "materials", "direct_route"], []),
        ("r-4", "agent2", dt.datetime(2026, 11, 30, 23, 30), ["recording_notice"], ["recording_notice"]),
    ]:
        db.start_call(call_id, "agent", agent)
        with db.engine.begin() as conn:
            from bot.services.storage import call_records

            conn.execute(call_records.update().where(call_records.c.call_id == call_id).values(started_at=started))
        score = round(len(said) / len(required), 2)
        db.save_adherence(call_id, agent, required, said, score, confirm_unsaid=len(said) < len(required))
    db.start_call("r-open", "agent", "agent1")  # not ended: not in the report

    report = adherence_records.report(db, dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    # r-4 began at 23:30 UTC on 30 Nov = 07:30 on 1 Dec in Beijing: it is 1 Dec's
    assert report["agents"] == [
        {"agent_id": "agent1", "calls": 2, "required": 3, "said": 2, "unsaid_confirmed": 1, "score": 0.67},
        {"agent_id": "agent2", "calls": 2, "required": 4, "said": 1, "unsaid_confirmed": 1, "score": 0.25},
    ]
    assert [(d["agent_id"], d["day"], d["calls"], d["score"]) for d in report["days"]] == [
        ("agent1", "2026-12-01", 1, 0.5),
        ("agent1", "2026-12-02", 1, 1.0),
        ("agent2", "2026-12-01", 2, 0.25),
    ]
    only = adherence_records.report(db, dt.date(2026, 12, 2), None, agent_id="agent1")
    assert [d["day"] for d in only["days"]] == ["2026-12-02"]
