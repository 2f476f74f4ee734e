"""The held-out NLU set (never trained on): role and purpose as the dialogue hears them stay ≥ 95%.

The issue-12 target (97%) is reported by `make nlu-eval`; it is not met yet, so it is not asserted."""

import pytest

from bot.ops.nlu_eval import FLOOR, evaluate
from bot.ops.train_model import MODEL_PATH, train
from tests.conftest import ROOT


def test_role_and_purpose_accuracy_on_the_holdout_set():
    train(quiet=True)
    nlu_only, as_heard = evaluate(ROOT / "tests" / "nlu_holdout.yml", MODEL_PATH)
    for head in ("caller_role", "purpose"):
        for scores in (nlu_only, as_heard):
            s = scores[head]
            assert s.total >= 290
            assert s.accuracy >= FLOOR, f"{head}: {s.accuracy:.1%}, errors: {s.errors[:10]}"


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "tests").glob("nlu_holdout*.yml")))
def test_holdout_is_not_in_the_training_data(name):
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.core.textnorm import normalize

    train_texts = {normalize(e.get("text")) for e in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    holdout = [e.get("text") for e in load_data(str(ROOT / "tests" / name)).intent_examples]
    assert len(holdout) >= 250
    overlap = [t for t in holdout if normalize(t) in train_texts]
    assert overlap == []
