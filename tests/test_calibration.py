"""Calibrated fusion on tiny data: the features, the fit, the choice of model, the file."""

import numpy as np
import pytest

from kb_index.calibration import Calibration, Model, features, fit, learn, shipped


def test_features_are_the_scores_then_the_scores_standardised_within_the_query():
    x = features([np.array([0.2, 0.4, 0.6]), np.array([1.0, 1.0, 1.0])])
    assert x.shape == (3, 4)
    assert np.allclose(x[:, 0], [0.2, 0.4, 0.6]) and np.allclose(x[:, 1], 1.0)
    assert np.allclose(x[:, 2], [-1.2247, 0.0, 1.2247], atol=1e-3)
    assert np.allclose(x[:, 3], 0.0)  # a channel that tells the articles apart in nothing


def tiny_queries(seed: int = 3, count: int = 60, articles: int = 8):
    """Queries whose right article scores highest on channel "a" and, less reliably, "b"."""
    rng = np.random.default_rng(seed)
    queries, relevant = [], []
    for _ in range(count):
        right = rng.integers(articles)
        a = rng.normal(0.3, 0.05, articles)
        b = rng.normal(0.5, 0.2, articles)
        a[right] += 0.3
        b[right] += 0.1
        queries.append({"a": a, "b": b})
        relevant.append(np.arange(articles) == right)
    return queries, relevant


def test_the_fit_ranks_the_right_article_first_and_gives_it_a_higher_probability():
    queries, relevant = tiny_queries()
    model = fit(queries, relevant, ("a", "b"))
    test_queries, test_relevant = tiny_queries(seed=4)
    right, wrong = [], []
    for scores, rel in zip(test_queries, test_relevant, strict=True):
        p = model.probabilities(scores)
        assert p.argmax() == rel.argmax()
        right.append(p[rel].mean())
        wrong.append(p[~rel].mean())
    assert np.mean(right) > 0.5 > np.mean(wrong)
    assert all(0.0 <= v <= 1.0 for v in right + wrong)


def test_a_query_is_scored_by_the_model_that_reads_most_of_its_channels():
    small = Model(("a",), (1.0, 0.0), 0.0)
    large = Model(("a", "b"), (0.0, 0.0, 0.0, 0.0), -50.0)
    calibration = Calibration([small, large])
    scores = {"a": np.array([0.0, 5.0]), "b": np.array([1.0, 1.0])}
    assert np.allclose(calibration.probabilities(scores), 0.0, atol=1e-9)  # the large one
    assert calibration.probabilities({"a": np.array([0.0, 5.0])})[1] > 0.99  # the small one
    with pytest.raises(ValueError, match="no calibration"):
        calibration.probabilities({"b": np.array([1.0])})


def test_a_saved_calibration_loads_back_with_its_sources(tmp_path):
    model = Model(("lexical", "multilingual.title"), (0.5, 2.0, 0.1, 0.2), -3.0)
    path = tmp_path / "calibration.json"
    Calibration([model]).save(path, {"lexical,multilingual.title": ["stackfaq"]})
    assert Calibration.load(path).models == [model]
    assert '"learnt_from": [\n        "stackfaq"' in path.read_text()


def test_the_shipped_calibration_covers_every_query_with_or_without_the_english_channel():
    channels = {m.channels for m in shipped().models}
    assert ("lexical", "multilingual.passage", "multilingual.title") in channels
    assert any("english.title" in c for c in channels)


def test_one_model_is_learnt_per_set_of_channels_from_every_query_that_has_them():
    rows = np.array([0.9, 0.1, 0.2])
    english = {"lexical": rows, "english.title": rows}
    russian = {"lexical": rows}
    answers = [np.array([True, False, False])] * 3

    learnt, learnt_from = learn([english, russian, english], answers, ["sf", "ru", "sf"])

    assert [m.channels for m in learnt.models] == [("english.title", "lexical"), ("lexical",)]
    assert learnt_from == {"english.title,lexical": ["sf"], "lexical": ["ru", "sf"]}
