"""The classifier's one-sentence fast path gives scikit-learn's own probabilities."""

import pickle

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.classifier import CallTextClassifier, labels_from_examples
from tests.conftest import ROOT


def _examples(path):
    out = []
    for message in load_data(str(path)).intent_examples:
        entities = [(e["entity"], str(e["value"])) for e in message.get("entities", [])]
        out.append((message.get("text"), message.get("intent"), entities))
    return out


@pytest.fixture(scope="module")
def trained():
    texts, labels = labels_from_examples(_examples(ROOT / "data" / "nlu"))
    return CallTextClassifier().fit(texts, labels), texts


def _agree(fast, reference):
    assert fast.keys() == reference.keys()
    for head, mine in fast.items():
        theirs = reference[head]
        assert mine.label == theirs.label, head
        assert [label for label, _ in mine.ranking] == [label for label, _ in theirs.ranking]
        for (_, a), (_, b) in zip(mine.ranking, theirs.ranking):
            assert a == pytest.approx(b, abs=1e-9)


def test_same_predictions_on_every_training_and_held_out_sentence(trained):
    model, texts = trained
    held_out = [t for t, _, _ in _examples(ROOT / "tests" / "nlu_holdout.yml")]
    odd = ["", "   ", "？？？", "ABC abc 123", "挺息挂帐", "喂" * 300, "😀"]
    sentences = texts + held_out + odd
    for fast, reference in zip(model.predict_many(sentences), model.predict_many_reference(sentences)):
        _agree(fast, reference)


def test_pickled_model_rebuilds_the_fast_path(trained):
    model, _ = trained
    model.predict("我是借款人")  # builds the fast path
    copy = pickle.loads(pickle.dumps(model))
    assert "_fast_path" not in pickle.loads(pickle.dumps(model)).__dict__
    _agree(copy.predict("我想申请停息挂账"), model.predict_many_reference(["我想申请停息挂账"])[0])
