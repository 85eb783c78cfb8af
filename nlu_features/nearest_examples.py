"""A nearest-example intent model beside the fine-tuned head: a message's score for an intent is
its cosine similarity to the closest training example of that intent, in the fine-tuned
encoder's own sentence vectors.

The softmax head draws one straight boundary between intents; a short or rare phrasing that
lies next to one training example of its intent ("увидимся", "дайте техника") can still fall on
the wrong side of it. FineTunedIntentClassifier averages the two models' log-probabilities
(``nearest_weight``). deskbot's pipeline leaves it off: it also makes the classifier sure of
messages that belong to no intent (docs/BENCHMARKS.md, "A nearest-example model").

Stored as plain arrays (unit vectors sorted by intent, where each intent starts), never as a
pickle.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlu_features.probabilities import softmax

ARRAYS_FILE = "nearest.npz"


@dataclass(frozen=True)
class NearestExamples:
    vectors: np.ndarray  # (examples, dimension) unit rows, grouped by class
    starts: np.ndarray  # (classes,) the first row of each class

    @classmethod
    def of(cls, vectors: np.ndarray, labels: list[int], classes: int) -> "NearestExamples":
        """The model of ``vectors`` labelled ``labels``; every class needs an example."""
        labels = np.asarray(labels)
        if set(labels.tolist()) != set(range(classes)):
            raise ValueError("every class needs at least one example")
        order = np.argsort(labels, kind="stable")
        starts = np.searchsorted(labels[order], np.arange(classes))
        return cls(_unit(vectors[order]).astype(np.float32), starts)

    def probabilities(self, vectors: np.ndarray, scale: float) -> np.ndarray:
        """One row of class probabilities per vector: softmax of ``scale`` times each class's
        best cosine."""
        similarities = _unit(vectors) @ self.vectors.T
        return softmax(scale * np.maximum.reduceat(similarities, self.starts, axis=1))

    def save(self, directory: Path) -> None:
        np.savez(directory / ARRAYS_FILE, vectors=self.vectors, starts=self.starts)

    @classmethod
    def load(cls, directory: Path) -> "NearestExamples | None":
        """The model saved in ``directory``, or None if none was."""
        if not (directory / ARRAYS_FILE).exists():
            return None
        with np.load(directory / ARRAYS_FILE) as arrays:
            return cls(arrays["vectors"], arrays["starts"])


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
