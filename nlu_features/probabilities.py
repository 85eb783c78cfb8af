"""Rows of class scores as probabilities, and the weighted average that combines two models'."""

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Each row of scores as probabilities."""
    exponents = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exponents / exponents.sum(axis=1, keepdims=True)


def blend(first: np.ndarray, second: np.ndarray, second_weight: float) -> np.ndarray:
    """The weighted geometric mean of two rows of probabilities each, renormalised."""
    return softmax(
        (1 - second_weight) * np.log(first + 1e-9) + second_weight * np.log(second + 1e-9)
    )
