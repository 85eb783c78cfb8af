"""A Rasa intent classifier: a sentence encoder with its top layers fine-tuned on the training
examples.

In a pipeline, after the tokenizer:
``- name: nlu_features.intent_classifier.FineTunedIntentClassifier``.
It needs no featurizer: it reads the message text. Its options are nlu_features.fine_tune's
``Training`` fields, plus:

- ``encoder``: ``all-MiniLM-L6-v2`` (the default; English only, its vocabulary spells Russian
  letter by letter) or ``multilingual-e5-small`` (nlu_features.e5; reads Russian too, twice
  the layers, so twice the time a message);
- ``model_dir``: another BERT-style folder for the MiniLM encoder;
- ``languages``: the languages the classifier answers. A message in another language
  (servicedesk.language.detect, with the gateway's choice for short texts) keeps the intent an
  earlier classifier in the pipeline gave it;
- ``training_languages``: the languages of the examples it learns from, ``languages`` by
  default. A multilingual encoder learns Russian intents better from the Russian and the
  English examples together;
- ``lexical_languages``: the languages in which a character n-gram model
  (nlu_features.character_ngrams), learnt from the examples in those languages, is averaged
  with the encoder (none by default);
- ``lexical_weight``: its share of that average of log-probabilities;
- ``nearest_weight``: the share, in every language, of a nearest-example model
  (nlu_features.nearest_examples: each intent's closest training example in the fine-tuned
  encoder's vectors) in the same kind of average (0, none, by default);
- ``nearest_scale``: how sharply its cosines become probabilities;
- ``query_vector``: with the e5 encoder, also give each message's vector as the untrained
  encoder sees it (e5's "query: " embedding, unit length) in the parse data as
  ``query_vector``, for the knowledge-base search to use instead of embedding the message
  again. The layers below the fine-tuned ones run once for both;
- ``ranking_length``.

Training runs in TensorFlow (nlu_features.fine_tune); answering runs the encoder's layers in
ONNX Runtime (nlu_features.onnx_layers).
"""

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_features.character_ngrams import CharacterNgramModel
from nlu_features.e5 import NAME as E5_NAME
from nlu_features.e5 import E5Small
from nlu_features.fine_tune import FineTuned, Training, fine_tune
from nlu_features.minilm import MiniLM
from nlu_features.nearest_examples import NearestExamples
from nlu_features.onnx_layers import OnnxPooled
from nlu_features.probabilities import blend, softmax
from servicedesk.language import detect

WEIGHTS_FILE = "classifier.npz"
LABELS_FILE = "intents.json"
HEAD_WEIGHT, HEAD_BIAS = "head.weight", "head.bias"
MINILM, E5 = "all-MiniLM-L6-v2", E5_NAME
NO_INTENT = {"name": None, "confidence": 0.0}
QUERY_VECTOR = "query_vector"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FineTunedIntentClassifier(GraphComponent, IntentClassifier):
    """Softmax over the intents on top of a partly fine-tuned sentence encoder."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "encoder": MINILM,
            "model_dir": None,
            "ranking_length": 10,
            "languages": None,  # every language
            "training_languages": None,  # those of ``languages``
            "lexical_languages": [],  # no lexical model
            "lexical_weight": 0.2,
            "nearest_weight": 0.0,  # no nearest-example model
            "nearest_scale": 50.0,
            "query_vector": False,
            **asdict(Training()),
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FineTunedIntentClassifier":
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        intents: list[str] | None = None,
        tuned: FineTuned | None = None,
        lexical: CharacterNgramModel | None = None,
        nearest: NearestExamples | None = None,
    ) -> None:
        self._config, self._storage, self._resource = config, model_storage, resource
        self._intents, self._tuned, self._lexical = intents or [], tuned, lexical
        self._nearest = nearest
        self._model = self._encoder(tuned.replaced if tuned else None)
        # Answering runs the layers in ONNX Runtime; a loaded classifier builds them now, so
        # that the first message does not wait.
        self._onnx: OnnxPooled | None = None
        if tuned:
            self._answering()

    def _encoder(self, replaced: dict[str, np.ndarray] | None) -> MiniLM:
        if self._config["encoder"] == E5:
            return E5Small(replaced=replaced)
        if self._config["encoder"] == MINILM:
            return MiniLM(self._config.get("model_dir"), replaced)
        raise ValueError(f"unknown encoder {self._config['encoder']!r}; use {MINILM} or {E5}")

    def _answering(self) -> OnnxPooled:
        if self._onnx is None or self._onnx.model is not self._model:
            self._onnx = OnnxPooled(self._model, branch=self._query_encoder())
        return self._onnx

    def _query_encoder(self) -> E5Small | None:
        """The untrained e5 that the KB search embeds queries with, when asked for."""
        if not (self._config["query_vector"] and self._config["encoder"] == E5 and self._tuned):
            return None
        return E5Small()

    def train(self, training_data: TrainingData) -> Resource:
        languages = self._config["training_languages"] or self._config["languages"]
        examples = [m for m in training_data.intent_examples if _written_in(m, languages)]
        self._intents = sorted({m.get(INTENT) for m in examples})
        answered = any(_written_in(m, self._config["languages"]) for m in examples)
        if len(self._intents) < 2 or not answered:
            # Nothing to tell apart, or no message of its languages to expect (CLINC150 has
            # no Russian): nothing is trained, and process() leaves messages alone.
            return self._resource
        number = {intent: index for index, intent in enumerate(self._intents)}
        training = Training(**{f.name: self._config[f.name] for f in fields(Training)})
        self._tuned = fine_tune(
            self._model,
            [m.get(TEXT) for m in examples],
            [number[m.get(INTENT)] for m in examples],
            len(self._intents),
            training,
        )
        self._model = self._encoder(self._tuned.replaced)
        if self._config["nearest_weight"]:
            self._nearest = NearestExamples.of(
                self._answering().pooled([m.get(TEXT) for m in examples]),
                [number[m.get(INTENT)] for m in examples],
                len(self._intents),
            )
        if self._config["lexical_languages"]:
            lexical = [m for m in examples if _written_in(m, self._config["lexical_languages"])]
            self._lexical = CharacterNgramModel.train(
                [m.get(TEXT) for m in lexical],
                [number[m.get(INTENT)] for m in lexical],
                len(self._intents),
            )
        with self._storage.write_to(self._resource) as directory:
            np.savez(
                directory / WEIGHTS_FILE,
                **self._tuned.replaced,
                **{HEAD_WEIGHT: self._tuned.head_weight, HEAD_BIAS: self._tuned.head_bias},
            )
            (directory / LABELS_FILE).write_text(json.dumps(self._intents), encoding="utf-8")
            for model in (self._lexical, self._nearest):
                if model is not None:
                    model.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "FineTunedIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                intents, tuned = _read(Path(directory))
                lexical = (
                    CharacterNgramModel.load(Path(directory))
                    if config["lexical_languages"]
                    else None
                )
                nearest = (
                    NearestExamples.load(Path(directory)) if config["nearest_weight"] else None
                )
        except ValueError:  # trained on fewer than two intents: nothing was stored
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, intents, tuned, lexical, nearest)

    def process(self, messages: list[Message]) -> list[Message]:
        having = [m for m in messages if _written_in(m, self._config["languages"])]
        if self._tuned is not None and having:
            self._classify(having)
        for message in messages:
            if not message.get(INTENT):
                # Not read by any classifier so far (no text, or untrained): Rasa's "no intent",
                # which a later classifier may replace and the FallbackClassifier turns into
                # nlu_fallback.
                message.set(INTENT, NO_INTENT, add_to_output=True)
        return messages

    def _classify(self, messages: list[Message]) -> None:
        texts = [m.get(TEXT) for m in messages]
        if self._answering().has_branch:
            pooled, queries = self._answering().pooled_with_branch(texts)
            for message, vector in zip(messages, unit_rows(queries), strict=True):
                message.set(QUERY_VECTOR, query_vector(vector), add_to_output=True)
        else:
            pooled = self._answering().pooled(texts)
        probabilities = softmax(self._tuned.scores(pooled))
        if self._nearest is not None:
            probabilities = blend(
                probabilities,
                self._nearest.probabilities(pooled, self._config["nearest_scale"]),
                self._config["nearest_weight"],
            )
        if self._lexical is not None:
            self._blend_lexical(messages, probabilities)
        for message, row in zip(messages, probabilities, strict=True):
            best = np.argsort(-row)[: self._config["ranking_length"]]
            ranking = [{"name": self._intents[i], "confidence": float(row[i])} for i in best]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _blend_lexical(self, messages: list[Message], probabilities: np.ndarray) -> None:
        """Averages in the lexical model's probabilities, in place, for the messages in its
        languages."""
        rows = np.array([_written_in(m, self._config["lexical_languages"]) for m in messages])
        if rows.any():
            texts = [m.get(TEXT) for m, row in zip(messages, rows, strict=True) if row]
            probabilities[rows] = blend(
                probabilities[rows],
                self._lexical.probabilities(texts),
                self._config["lexical_weight"],
            )


def unit_rows(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def query_vector(vector: np.ndarray) -> dict[str, Any]:
    """The parse data's ``query_vector``: which model, and the vector to 5 decimals."""
    return {"model": E5, "vector": [round(float(v), 5) for v in vector]}


def _written_in(message: Message, languages: list[str] | None) -> bool:
    """Whether the message has text in one of ``languages`` (any language when None)."""
    text = message.get(TEXT)
    if not text or not languages:
        return bool(text)
    return detect(text, (message.get("metadata") or {}).get("language")) in languages


def _read(directory: Path) -> tuple[list[str], FineTuned]:
    intents = json.loads((directory / LABELS_FILE).read_text(encoding="utf-8"))
    with np.load(directory / WEIGHTS_FILE) as stored:
        tensors = {name: stored[name] for name in stored.files}
    head_weight, head_bias = tensors.pop(HEAD_WEIGHT), tensors.pop(HEAD_BIAS)
    return intents, FineTuned(tensors, head_weight, head_bias)
