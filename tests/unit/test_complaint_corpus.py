"""Other calls' complaint texts, as the risk check reads them on every turn."""

import datetime as dt

import sqlalchemy as sa

from bot.services import storage
from bot.services.storage import Database


def register(db, call_id, customer_id, text, days_ago=0):
    when = dt.datetime.now() - dt.timedelta(days=days_ago)
    db.register_case(call_id, "complaint", "borrower", customer_id, text, 15, now=when)


def test_new_complaints_are_seen_on_the_next_turn(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    register(db, "call-1", "C1", "第一条投诉")
    register(db, "call-2", "C2", "")  # no text: never compared
    assert db.complaint_texts(exclude_call_id="call-9") == [("C1", "第一条投诉")]
    register(db, "call-3", None, "第三条投诉")
    register(db, "call-4", "C4", "第四条投诉", days_ago=200)  # older than the window
    assert db.complaint_texts(exclude_call_id="call-9") == [("C1", "第一条投诉"), ("", "第三条投诉")]
    assert db.complaint_texts(exclude_call_id="call-1") == [("", "第三条投诉")]
    assert ("C4", "第四条投诉") in db.complaint_texts(days=365)


def test_complaints_written_by_another_process_are_seen(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database(url)
    register(db, "call-1", "C1", "第一条投诉")
    assert len(db.complaint_texts()) == 1
    other = sa.create_engine(url)  # e.g. a second action server writing to the same file
    with other.begin() as conn:
        conn.execute(
            storage.cases.insert().values(
                reference="TS000",
                call_id="call-x",
                kind="complaint",
                customer_id="C7",
                caller_role="borrower",
                detail="别处登记的投诉",
                created_at=dt.datetime.now(),
                reply_due=dt.date.today(),
            )
        )
    assert ("C7", "别处登记的投诉") in db.complaint_texts()


def test_a_replaced_database_is_read_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database(url)
    for n in range(3):
        register(db, f"call-{n}", f"C{n}", f"投诉{n}")
    assert len(db.complaint_texts()) == 3
    with db.engine.begin() as conn:  # as if an older backup were restored
        conn.execute(storage.cases.delete())
    register(db, "call-new", "C9", "恢复后的投诉")
    assert db.complaint_texts() == [("C9", "恢复后的投诉")]
