"""The template check's index in the project database: the verdicts of comparing one by one,
seen by every process at once, and filled in for a database written before it existed."""

import datetime as dt
import random

import numpy as np
import sqlalchemy as sa

from bot.core.risk import CallFacts, RiskContext, load_config
from bot.core.risk.signals import template_signals
from bot.services import complaint_index, storage
from bot.services.storage import Database

WORDS = list("你们催收天天打电话给我家人同事我要投诉违规上门威胁停息挂账减免利息罚息本金分期")


def _text(rng, base):
    text = list(base)
    for _ in range(rng.randint(0, 14)):  # near-duplicates of a template, and unrelated texts
        text[rng.randrange(len(text))] = rng.choice(WORDS)
    return "".join(text) if rng.random() < 0.7 else "".join(rng.choice(WORDS) for _ in base)


def test_same_signals_as_comparing_with_every_complaint(tmp_path):
    cfg = load_config()
    rng = random.Random(11)
    for trial in range(25):
        db = Database(f"sqlite:///{tmp_path / f'bot-{trial}.db'}")
        base = "".join(rng.choice(WORDS) for _ in range(rng.randint(15, 60)))
        for i in range(rng.randint(0, 30)):
            when = dt.datetime.now() - dt.timedelta(days=rng.choice([1, 30, 200]))
            db.register_case(
                f"call-{i}", "complaint", "third_party", f"C{rng.randint(1, 9)}", _text(rng, base), 15, when
            )
        exclude, current = f"call-{rng.randint(0, 5)}", f"C{rng.randint(1, 9)}"
        facts = CallFacts(caller_role="third_party", utterances=["我要投诉", _text(rng, base)])
        listed = RiskContext(complaint_corpus=db.complaint_texts(exclude_call_id=exclude), current_customer_id=current)
        indexed = RiskContext(complaint_search=db.complaint_search(exclude), current_customer_id=current)
        assert template_signals(facts, indexed, cfg) == template_signals(facts, listed, cfg), trial


def test_a_complaint_registered_by_one_process_is_found_by_another_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    writer = Database(url)
    template = "你们催收天天打电话骂人还威胁我家人我要投诉到银保监会"
    writer.register_case("call-1", "complaint", "third_party", "C1", template, 15)
    # a second action server: its own engine on the same file, nothing built in memory
    other = sa.create_engine(url)
    search = complaint_index.DatabaseComplaintSearch(
        other, storage.cases, "call-2", dt.datetime.now() - dt.timedelta(days=1), 3, 20
    )
    from bot.core.risk.similarity import shingles

    assert search.matches(shingles(template + "啊"), 0.5)[0][0] == "C1"


def test_a_database_from_before_the_index_is_indexed_on_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database(url)
    text = "你们催收天天打电话骂人还威胁我家人我要投诉到银保监会"
    with db.engine.begin() as conn:  # cases written without the index (an older version)
        for i in range(3):
            conn.execute(
                storage.cases.insert().values(
                    reference=f"TS{i}",
                    call_id=f"old-{i}",
                    kind="complaint",
                    customer_id=f"C{i}",
                    caller_role="borrower",
                    detail=text if i else "太短",
                    created_at=dt.datetime.now(),
                    reply_due=dt.date.today(),
                )
            )
    from bot.core.risk.similarity import shingles

    assert db.complaint_search("new").matches(shingles(text), 0.5) == []
    assert db.sync_complaint_index() == 2  # the short one is never compared
    assert sorted(c for c, _ in db.complaint_search("new").matches(shingles(text), 0.5)) == ["C1", "C2"]
    assert db.sync_complaint_index() == 2  # nothing indexed twice


def test_a_case_text_that_grows_during_the_call_is_indexed_as_it_is_now(tmp_path):
    from bot.core.risk.similarity import shingles

    db = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    first = "你们催收天天打电话骂人还威胁我家人"
    grown = first + "，说要去我单位找领导，我要投诉到银保监会"
    case = db.register_case("call-1", "complaint", "third_party", "C1", first, 15)
    db.update_case_detail(case.reference, grown)
    assert [c for c, _ in db.complaint_search("other").matches(shingles(grown), 0.9)] == ["C1"]
    assert db.complaint_search("other").matches(shingles(first), 0.9) == []
    with db.engine.connect() as conn:  # the old entry's id left no posting list
        live = {r[0] for r in conn.execute(sa.select(complaint_index.complaint_entries.c.id))}
        for (blob,) in conn.execute(sa.select(complaint_index.complaint_postings.c.entries)):
            assert set(np.frombuffer(bytes(blob), dtype="<u4").tolist()) <= live
    db.update_case_detail(case.reference, "")  # cleared (retention does the same)
    assert db.complaint_search("other").matches(shingles(grown), 0.5) == []
