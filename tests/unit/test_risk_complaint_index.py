"""The indexed template check finds exactly what comparing with every complaint finds."""

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.risk import CallFacts, RiskContext, load_config
from bot.core.risk.complaints import ComplaintIndex, ComplaintSearch, StoredComplaint
from bot.core.risk.signals import template_signals
from bot.core.risk.similarity import ShingleIndex, jaccard, shingles

WORDS = list("你们催收天天打电话给我家人同事我要投诉违规上门威胁停息挂账减免利息罚息本金分期")
NOW = dt.datetime(2026, 11, 1)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet="abcdefgh", min_size=0, max_size=14), max_size=25),
    st.text(alphabet="abcdefgh", min_size=0, max_size=14),
    st.sampled_from([0.2, 0.3, 0.5, 0.7, 0.9, 1.0]),
)
def test_shingle_index_returns_exactly_the_sets_at_or_above_the_threshold(stored, query, threshold):
    index = ShingleIndex()
    for i, text in enumerate(stored):
        index.add(i, shingles(text, 2))
    q = shingles(query, 2)
    expected = [
        (i, jaccard(q, shingles(t, 2)))
        for i, t in enumerate(stored)
        if q and shingles(t, 2) and jaccard(q, shingles(t, 2)) >= threshold
    ]
    assert index.search(q, threshold) == expected


def _complaint(rng, base):
    text = list(base)
    for _ in range(rng.randint(0, 12)):  # near-duplicates of a template, and unrelated texts
        text[rng.randrange(len(text))] = rng.choice(WORDS)
    return "".join(text) if rng.random() < 0.7 else "".join(rng.choice(WORDS) for _ in base)


def test_same_verdicts_as_comparing_with_every_complaint():
    cfg = load_config()
    rng = random.Random(5)
    for trial in range(60):
        base = "".join(rng.choice(WORDS) for _ in range(rng.randint(15, 60)))
        stored = [
            StoredComplaint(
                f"C{rng.randint(1, 12)}",
                f"call-{i}",
                NOW - dt.timedelta(days=rng.choice([1, 30, 200])),
                _complaint(rng, base),
            )
            for i in range(rng.randint(0, 40))
        ]
        exclude, since = f"call-{rng.randint(0, 5)}", NOW - dt.timedelta(days=180)
        index = ComplaintIndex(cfg.template.shingle_size, cfg.template.min_chars)
        for complaint in stored:
            index.add(complaint)
        corpus = [(c.customer_id, c.text) for c in stored if c.call_id != exclude and c.created_at >= since]
        facts = CallFacts(caller_role="third_party", utterances=["喂", _complaint(rng, base)])
        current = f"C{rng.randint(1, 12)}"
        listed = template_signals(facts, RiskContext(complaint_corpus=corpus, current_customer_id=current), cfg)
        indexed = template_signals(
            facts,
            RiskContext(complaint_search=ComplaintSearch(index, exclude, since), current_customer_id=current),
            cfg,
        )
        assert listed == indexed, trial


def test_an_index_built_for_other_settings_is_refused_not_silently_empty():
    import pytest

    cfg = load_config()
    index = ComplaintIndex(cfg.template.shingle_size + 1, cfg.template.min_chars)
    facts = CallFacts(caller_role="third_party", utterances=["你们催收天天打电话给我家人同事我要投诉违规上门威胁"])
    context = RiskContext(complaint_search=ComplaintSearch(index, "c", NOW))
    with pytest.raises(ValueError):
        template_signals(facts, context, cfg)
