"""Call records of the IVR and agent channels: start once, end once, the agent's note."""

from bot.services.storage import Database


def test_a_call_is_recorded_once_ended_once_and_keeps_the_note(db_url):
    db = Database(db_url)
    assert db.call_record("p-1") is None
    first = db.start_call("p-1", "agent", "agent1")
    assert (first["channel"], first["agent_id"], first["ended_at"]) == ("agent", "agent1", None)
    assert db.start_call("p-1", "ivr")["channel"] == "agent"
    db.end_call("p-1")
    ended = db.call_record("p-1")["ended_at"]
    db.end_call("p-1")
    assert ended is not None and db.call_record("p-1")["ended_at"] == ended
    db.save_call_note("p-1", "callback", "需回拨借款人")
    record = db.call_record("p-1")
    assert (record["disposition"], record["note"]) == ("callback", "需回拨借款人") and record["note_at"]


def test_a_call_the_dialogue_closed_keeps_the_agents_disposition_or_gets_the_automatic_one(db_url):
    db = Database(db_url)
    db.start_call("p-auto", "agent", "agent1")
    db.close_call("p-auto", "resolved")
    record = db.call_record("p-auto")
    assert record["ended_at"] and record["disposition"] == "resolved" and record["note_at"] is None
    db.start_call("p-chosen", "agent", "agent1")
    db.save_call_note("p-chosen", "callback", "已约回拨")
    db.close_call("p-chosen", "resolved")
    chosen = db.call_record("p-chosen")
    assert chosen["ended_at"] and (chosen["disposition"], chosen["note"]) == ("callback", "已约回拨")


def test_an_agents_calls_of_today_open_ones_first_then_newest_first(db_url):
    import datetime as dt

    import sqlalchemy as sa

    from bot.services.storage import call_records

    db = Database(db_url)
    now = dt.datetime.utcnow()
    started = {"old-open": 50, "new-ended": 1, "mid-ended": 20, "new-open": 5, "yesterday": 60 * 30}
    for call_id, minutes in started.items():
        db.start_call(call_id, "agent", "agent1")
        with db.engine.begin() as conn:
            conn.execute(
                call_records.update()
                .where(call_records.c.call_id == call_id)
                .values(started_at=now - dt.timedelta(minutes=minutes))
            )
    db.start_call("someone-else", "agent", "agent2")
    db.start_call("ivr-call", "ivr")
    db.end_call("new-ended")
    db.close_call("mid-ended", "resolved")
    rows = db.agent_calls("agent1", since=now - dt.timedelta(hours=12))
    assert [r["call_id"] for r in rows] == ["new-open", "old-open", "new-ended", "mid-ended"]
    assert rows[0]["caller_role"] is None and rows[0]["level"] is None  # no risk check noted yet
    with db.engine.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(call_records)).scalar_one() == 7
