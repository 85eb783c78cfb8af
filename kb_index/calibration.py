"""Calibrated fusion: the channels' scores of one query turned into the probability that each
article answers it.

Each channel gives every article a score (cosines, the lexical match). The scores are put on one
footing twice: as they are, and standardised within the query (how far an article stands out
from the rest of the KB for this query), which makes the channels and the languages comparable.
A logistic regression over those features, learnt on public data (``python -m kb_index
calibrate``), gives the probability. The same number ranks the articles and decides "no good
match", in every language.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# Ridge penalty of the fit: keeps the weights finite when a feature separates the data.
L2 = 1e-3
NEWTON_STEPS = 30


def features(channels: Sequence[np.ndarray]) -> np.ndarray:
    """(articles, 2 x channels): each channel's scores, then each standardised within the query.

    Args:
        channels: one row of scores per channel, over the same articles.
    """
    raw = np.stack([np.asarray(c, dtype=np.float64) for c in channels], axis=-1)
    spread = raw.std(axis=0, keepdims=True)
    standardised = (raw - raw.mean(axis=0, keepdims=True)) / (spread + 1e-6)
    return np.concatenate([raw, standardised], axis=-1)


@dataclass(frozen=True)
class Model:
    """A logistic regression over the features of the named channels."""

    channels: tuple[str, ...]
    weights: tuple[float, ...]  # one per feature: the raw scores', then the standardised ones'
    bias: float

    def probabilities(self, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        return sigmoid(self.log_odds(scores))

    def log_odds(self, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        x = features([scores[name] for name in self.channels])
        return x @ np.asarray(self.weights) + self.bias


class Calibration:
    """Models for several sets of channels; a query is scored by the model that reads the most
    of the channels it has."""

    def __init__(self, models: Sequence[Model]) -> None:
        self.models = sorted(models, key=lambda m: -len(m.channels))

    def probabilities(self, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        return sigmoid(self.log_odds(scores))

    def log_odds(self, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        for model in self.models:
            if set(model.channels) <= set(scores):
                return model.log_odds(scores)
        raise ValueError(f"no calibration for the channels {sorted(scores)}")

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> "Calibration":
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            [Model(tuple(m["channels"]), tuple(m["weights"]), m["bias"]) for m in raw["models"]]
        )

    def save(self, path: Path, sources: Mapping[str, list[str]]) -> None:
        """Write the models, with the datasets each was learnt from (``sources``)."""
        models = [
            {
                "channels": list(m.channels),
                "learnt_from": sources[",".join(m.channels)],
                "weights": [round(w, 6) for w in m.weights],
                "bias": round(m.bias, 6),
            }
            for m in self.models
        ]
        Path(path).write_text(json.dumps({"models": models}, indent=2) + "\n", encoding="utf-8")


def sigmoid(log_odds: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-log_odds))


@cache
def shipped() -> Calibration:
    """The calibration shipped with deskbot, ``CALIBRATION_FILE``."""
    return Calibration.load()


def learn(
    queries: Sequence[Mapping[str, np.ndarray]],
    relevant: Sequence[np.ndarray],
    sources: Sequence[str],
) -> tuple[Calibration, dict[str, list[str]]]:
    """One model per set of channels the queries have, each learnt from every query that has
    those channels; and, for ``Calibration.save``, the datasets (``sources``, one a query) each
    model was learnt from."""
    models, learnt_from = [], {}
    for channels in sorted({tuple(sorted(q)) for q in queries}):
        having = [i for i, q in enumerate(queries) if set(channels) <= set(q)]
        models.append(fit([queries[i] for i in having], [relevant[i] for i in having], channels))
        learnt_from[",".join(channels)] = sorted({sources[i] for i in having})
    return Calibration(models), learnt_from


def fit(
    queries: Sequence[Mapping[str, np.ndarray]],
    relevant: Sequence[np.ndarray],
    channels: tuple[str, ...],
) -> Model:
    """Learn a model from queries' channel scores and which articles answer each.

    Args:
        queries: per query, the channels' scores over the KB's articles.
        relevant: per query, a boolean row over the same articles.
        channels: the channels the model reads.
    Returns:
        The fitted model.
    """
    x = np.concatenate([features([q[name] for name in channels]) for q in queries])
    y = np.concatenate([np.asarray(r, dtype=np.float64) for r in relevant])
    x = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    w = np.zeros(x.shape[1])
    penalty = L2 * np.eye(len(w))
    for _ in range(NEWTON_STEPS):
        p = sigmoid(x @ w)
        gradient = x.T @ (p - y) + penalty @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        w -= np.linalg.solve(hessian, gradient)
    return Model(channels, tuple(float(v) for v in w[:-1]), float(w[-1]))
