"""Class probabilities (nlu_features.probabilities): softmax rows, and the weighted geometric
mean that averages the intent classifier's models."""

import numpy as np
import pytest

from nlu_features.probabilities import blend, softmax

ENCODER = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
OTHER = np.array([[0.1, 0.8, 0.1], [0.2, 0.6, 0.2]])


def test_softmax_rows_sum_to_one_and_survive_huge_scores():
    rows = softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, np.log(3.0), 0.0]]))
    assert rows.ravel().tolist() == pytest.approx([0.5, 0.5, 0.0, 0.2, 0.6, 0.2])


def test_the_blend_weighs_each_side_as_asked():
    assert blend(ENCODER, OTHER, 0.0) == pytest.approx(ENCODER, abs=1e-6)
    assert blend(ENCODER, OTHER, 1.0) == pytest.approx(OTHER, abs=1e-6)
    # The geometric mean of 0.7 and 0.1, of 0.2 and 0.8, of 0.1 and 0.1, renormalised.
    first = [(0.7 * 0.1) ** 0.5, (0.2 * 0.8) ** 0.5, 0.1]
    expected = [v / sum(first) for v in first]
    assert blend(ENCODER, OTHER, 0.5)[0].tolist() == pytest.approx(expected, abs=1e-6)


def test_a_zero_probability_on_either_side_gives_no_nan():
    blended = blend(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), 0.5)
    assert blended[0].tolist() == pytest.approx([0.5, 0.5])
