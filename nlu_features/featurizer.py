"""A Rasa dense featurizer: each message's MiniLM sentence embedding as its sentence feature.

In nlu/config.yml, after the tokenizer:
``- name: nlu_features.featurizer.SentenceEmbeddingFeaturizer``.
The embedding describes the whole message, so the sequence features (one row per token) are
zeros of the same width; DIET reads the sentence feature for the intent.
"""

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_features.minilm import MiniLM

FEATURIZED = (TEXT, ACTION_TEXT)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sentence features from the packaged MiniLM model (or ``model_dir``)."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model_dir": None}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Any folder is accepted here; a missing model fails when it is first used."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model = MiniLM(config.get("model_dir"))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for attribute in FEATURIZED:
            having = [m for m in messages if m.get(attribute)]
            vectors = self._model.encode([m.get(attribute) for m in having])
            for message, vector in zip(having, vectors, strict=True):
                tokens = message.get(TOKENS_NAMES[attribute]) or []
                self.add_features_to_message(
                    sequence=np.zeros((len(tokens), len(vector)), dtype=np.float32),
                    sentence=vector.reshape(1, -1),
                    attribute=attribute,
                    message=message,
                )
        return messages
