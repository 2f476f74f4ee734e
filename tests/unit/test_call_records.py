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
