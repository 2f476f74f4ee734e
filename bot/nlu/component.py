"""Rasa adapter for CallTextClassifier: sets the intent and the phrase entities."""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.classifier import HEADS, NONE, CallTextClassifier, best_label, labels_from_examples

logger = logging.getLogger(__name__)

_MODEL_FILE = "call_text_classifier.pkl"
# The code the model is trained and run with, beyond this class (see fingerprint_addon).
_MODEL_CODE = (
    Path(__file__).resolve().parent / "classifier.py",
    Path(__file__).resolve().parent.parent / "core" / "textnorm.py",
)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class CallNLUClassifier(GraphComponent):
    """Intent plus caller_role / purpose / hardship entities from one sentence model."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "entity_threshold": 0.25, "ranking_length": 10}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[CallTextClassifier] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Rasa's training cache keys on this class's source only; a change to the classifier or
        text normalisation code must retrain the model, not restore the cached one."""
        digest = hashlib.sha256()
        for path in _MODEL_CODE:
            digest.update(path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CallNLUClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CallNLUClassifier:
        try:
            with model_storage.read_from(resource) as model_dir:
                with open(model_dir / _MODEL_FILE, "rb") as f:
                    model = pickle.load(f)
        except (ValueError, FileNotFoundError):
            logger.warning("CallNLUClassifier has no trained model; it will predict nothing.")
            model = None
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = []
        for message in training_data.intent_examples:
            entities = [
                (e[ENTITY_ATTRIBUTE_TYPE], str(e[ENTITY_ATTRIBUTE_VALUE]))
                for e in sorted(message.get(ENTITIES, []), key=lambda e: e.get("start") or 0)
                if e[ENTITY_ATTRIBUTE_TYPE] in HEADS
            ]
            examples.append((message.get(TEXT), message.get(INTENT), entities))
        texts, labels = labels_from_examples(examples)
        self.model = CallTextClassifier(c=float(self.config["C"])).fit(texts, labels)
        with self._model_storage.write_to(self._resource) as model_dir:
            with open(model_dir / _MODEL_FILE, "wb") as f:
                pickle.dump(self.model, f)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        for message, prediction in zip(messages, self.model.predict_many(texts)):
            self._annotate(message, prediction)
        return messages

    def _annotate(self, message: Message, prediction: Dict) -> None:
        intent = prediction.get("intent")
        if intent is not None:
            message.set(INTENT, {"name": intent.label, "confidence": intent.confidence}, add_to_output=True)
            ranking = [{"name": n, "confidence": c} for n, c in intent.ranking[: int(self.config["ranking_length"])]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        text = message.get(TEXT) or ""
        entities = list(message.get(ENTITIES, []))
        for head in HEADS[1:]:
            p = prediction.get(head)
            if p is None:
                continue
            label, confidence = best_label(p, float(self.config["entity_threshold"]))
            if label == NONE:
                continue
            entities.append(
                {
                    "entity": head,
                    "value": label,
                    "start": 0,
                    "end": len(text),
                    "confidence": round(confidence, 4),
                    "extractor": self.__class__.__name__,
                }
            )
        message.set(ENTITIES, entities, add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
