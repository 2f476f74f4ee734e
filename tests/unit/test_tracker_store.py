"""bot.integration.tracker_store: the same conversations as Rasa's SQLTrackerStore, with fewer round trips.

The equivalence tests run with the speed-ups on and with BOT_RASA_SPEEDUPS=0 (`mode`),
where the class is Rasa's store unchanged; both must read and write the same conversations.
"""

import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore as RasaStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.integration.tracker_store import SQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  purpose: {type: text, influence_conversation: false, mappings: [{type: custom}]}
responses:
  utter_greet: [{text: 您好}]
""")


def run(coro):
    return asyncio.run(coro)


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "trackers.db")


@pytest.fixture(params=["speedups", "stock"])
def mode(request, monkeypatch):
    """Our store with its speed-ups, or as BOT_RASA_SPEEDUPS=0 leaves it (Rasa's own code)."""
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "1" if request.param == "speedups" else "0")
    return request.param


def ours(db):
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=db)


def rasas(db):
    return RasaStore(DOMAIN, dialect="sqlite", db=db)


def turn(tracker, n):
    for event in (
        UserUttered(f"第{n}句", {"name": "greet", "confidence": 1.0}),
        SlotSet("purpose", f"p{n}"),
        BotUttered(f"回答{n}"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)


def texts(tracker):
    return [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]


def stored_rows(db, sender):
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).scalar()


def test_turn_by_turn_saves_read_back_by_rasas_own_store(db, mode):
    store = ours(db)
    tracker = run(store.get_or_create_tracker("c1"))
    for n in range(5):
        tracker = run(store.retrieve("c1"))
        turn(tracker, n)
        run(store.save(tracker))
        run(store.save(tracker))  # saving again adds nothing
    theirs = run(rasas(db).retrieve("c1"))
    assert texts(theirs) == [t for n in range(5) for t in (f"第{n}句", f"回答{n}")]
    assert theirs.get_slot("purpose") == "p4"
    assert stored_rows(db, "c1") == 1 + 5 * 4  # action_listen + four events a turn, no duplicates
    assert texts(run(store.retrieve("c1"))) == texts(theirs)


def test_conversation_written_by_rasas_store_continues_here(db, mode):
    theirs = rasas(db)
    tracker = run(theirs.get_or_create_tracker("c2"))
    turn(tracker, 0)
    run(theirs.save(tracker))
    store = ours(db)
    tracker = run(store.retrieve("c2"))
    turn(tracker, 1)
    run(store.save(tracker))
    assert texts(run(theirs.retrieve("c2"))) == ["第0句", "回答0", "第1句", "回答1"]


def test_events_written_elsewhere_meanwhile_are_neither_lost_nor_duplicated(db, mode):
    store, other = ours(db), ours(db)  # e.g. two servers on one database
    run(store.get_or_create_tracker("c3"))
    mine = run(store.retrieve("c3"))
    theirs = run(other.retrieve("c3"))
    turn(theirs, 0)
    run(other.save(theirs))
    # `mine` is stale: it does not hold the other server's turn. Rasa's own rule applies
    # (count what is stored), so its save neither re-inserts nor drops stored events.
    turn(mine, 1)
    run(store.save(mine))
    rows = stored_rows(db, "c3")
    assert rows == 1 + 4 + 0  # the stale tracker's first 5 events count as stored: nothing doubled
    fresh = run(store.retrieve("c3"))
    turn(fresh, 2)
    run(store.save(fresh))
    assert texts(run(rasas(db).retrieve("c3"))) == ["第0句", "回答0", "第2句", "回答2"]


def test_only_the_latest_session_is_loaded_like_rasa(db, mode):
    store = ours(db)
    tracker = run(store.get_or_create_tracker("c4"))
    turn(tracker, 0)
    run(store.save(tracker))
    tracker = run(store.retrieve("c4"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, 1)
    run(store.save(tracker))
    assert texts(run(store.retrieve("c4"))) == texts(run(rasas(db).retrieve("c4"))) == ["第1句", "回答1"]
    full = run(store.retrieve_full_tracker("c4"))
    assert texts(full) == ["第0句", "回答0", "第1句", "回答1"]
    # a tracker loaded with the latest session only saves its new events after it
    latest = run(store.retrieve("c4"))
    turn(latest, 2)
    run(store.save(latest))
    assert texts(run(rasas(db).retrieve_full_tracker("c4")))[-2:] == ["第2句", "回答2"]
    assert len(texts(run(rasas(db).retrieve_full_tracker("c4")))) == 6


def test_unknown_conversation_is_none(db, mode):
    assert run(ours(db).retrieve("nobody")) is None


def test_connections_are_kept_not_reopened_every_turn(db, monkeypatch):
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "1")
    store = ours(db)
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    run(store.get_or_create_tracker("c5"))
    for n in range(10):
        tracker = run(store.retrieve("c5"))
        turn(tracker, n)
        run(store.save(tracker))
    assert len(opened) <= 2  # Rasa's own store opens (and checkpoints) one per read and write
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_caller_text_is_stored_masked_while_the_tracker_in_memory_keeps_it(db, mode):
    import json

    store = ours(db)
    tracker = run(store.get_or_create_tracker("c9"))
    said = "我叫张伟，后四位3721，手机13800000001"
    tracker.update(UserUttered(said, {"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered("谢谢，您的尾号0001"))
    run(store.save(tracker))
    assert tracker.latest_message.text == said  # this turn's actions still read what was said
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = [json.loads(r[0]) for r in conn.exec_driver_sql("SELECT data FROM events WHERE sender_id = 'c9'")]
    user = [r for r in rows if r["event"] == "user"][0]
    assert user["text"] == user["parse_data"]["text"] == "我叫张伟，后四位****，手机138****0001"
    assert "谢谢，您的尾号0001" in [r.get("text") for r in rows]  # the bot's lines are kept as said
    assert texts(run(rasas(db).retrieve("c9")))[0] == "我叫张伟，后四位****，手机138****0001"


def test_switched_off_it_is_rasas_store_with_rasas_connections(db, monkeypatch):
    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "0")
    store = ours(db)
    assert store.fast is False
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    run(store.get_or_create_tracker("c6"))
    for n in range(3):
        tracker = run(store.retrieve("c6"))
        turn(tracker, n)
        run(store.save(tracker))
    assert len(opened) > 3  # Rasa's engine: a connection per read and write, as stock Rasa does
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"  # not tuned
    assert texts(run(rasas(db).retrieve("c6"))) == [t for n in range(3) for t in (f"第{n}句", f"回答{n}")]


def test_another_rasa_release_gets_rasas_store_too(db, monkeypatch):
    from bot.integration import speedups

    monkeypatch.setenv("BOT_RASA_SPEEDUPS", "1")
    monkeypatch.setattr(speedups, "installed_rasa_version", lambda: "3.7.0")
    assert ours(db).fast is False
