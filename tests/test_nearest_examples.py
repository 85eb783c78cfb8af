"""The nearest-example intent model (nlu_features.nearest_examples): each class scores its
closest example's cosine, every class must have an example, and it survives saving."""

import numpy as np
import pytest

from nlu_features.nearest_examples import NearestExamples

# Three classes in two dimensions; class 1's examples come first and class 0's are split.
VECTORS = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [-1.0, 0.0], [1.0, 0.1]])
LABELS = [1, 0, 1, 2, 0]


@pytest.fixture
def model() -> NearestExamples:
    return NearestExamples.of(VECTORS, LABELS, 3)


def test_each_class_scores_its_nearest_example(model):
    probabilities = model.probabilities(np.array([[3.0, 0.2], [0.1, 5.0], [-2.0, 0.1]]), 50.0)
    assert probabilities.argmax(axis=1).tolist() == [0, 1, 2]
    assert probabilities.sum(axis=1).tolist() == pytest.approx([1.0] * 3)


def test_the_scale_sets_how_sharp_the_probabilities_are(model):
    vector = np.array([[1.0, 1.0]])  # as near class 0 as class 1
    soft, sharp = model.probabilities(vector, 1.0), model.probabilities(vector, 100.0)
    assert soft[0, 2] > sharp[0, 2]
    assert sharp[0, 0] + sharp[0, 1] == pytest.approx(1.0, abs=1e-6)


def test_the_best_cosine_per_class_is_the_softmax_input(model):
    probabilities = model.probabilities(np.array([[1.0, 0.0]]), 1.0)
    # cosines: class 0 max(1, 0.995) = 1, class 1 max(0, 0) = 0, class 2 = -1
    expected = np.exp([1.0, 0.0, -1.0]) / np.exp([1.0, 0.0, -1.0]).sum()
    assert probabilities[0].tolist() == pytest.approx(expected.tolist(), abs=1e-6)


def test_a_zero_vector_is_answered_without_nan(model):
    probabilities = model.probabilities(np.zeros((1, 2)), 50.0)
    assert np.isfinite(probabilities).all()
    assert probabilities.sum() == pytest.approx(1.0)


def test_a_class_without_an_example_is_refused():
    with pytest.raises(ValueError, match="every class"):
        NearestExamples.of(VECTORS, LABELS, 4)


def test_the_model_survives_saving_and_loading(model, tmp_path):
    assert NearestExamples.load(tmp_path) is None
    model.save(tmp_path)
    loaded = NearestExamples.load(tmp_path)
    probe = np.array([[0.3, 0.9], [-1.0, -1.0]])
    assert np.allclose(loaded.probabilities(probe, 50.0), model.probabilities(probe, 50.0))
