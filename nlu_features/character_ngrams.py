"""A lexical intent model beside the fine-tuned encoder: a logistic regression on character
2-5-gram TF-IDF vectors of the message text.

Character n-grams inside word boundaries share a word's stem across its endings and survive a
typo ("здраствуйте", "переоткройте обращение" against "переоткрыть обращение"), which a small
sentence encoder misses in a heavily inflected language. FineTunedIntentClassifier averages its
log-probabilities with the encoder's for the languages it is asked to (``lexical_languages``).

Stored as plain arrays (vocabulary, idf, weights), never as a pickle.
"""

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from nlu_features.probabilities import softmax

NGRAMS = (2, 5)
REGULARISATION = 30.0  # scikit-learn's C: weak, the examples are few and each one counts
VOCABULARY_FILE, ARRAYS_FILE = "lexical_vocabulary.json", "lexical.npz"


@dataclass(frozen=True)
class CharacterNgramModel:
    vocabulary: dict[str, int]  # n-gram -> column
    idf: np.ndarray  # (n-grams,)
    weight: np.ndarray  # (n-grams, classes)
    bias: np.ndarray  # (classes,)

    @classmethod
    def train(
        cls, texts: list[str], labels: list[int], classes: int
    ) -> "CharacterNgramModel | None":
        """The model learnt from ``texts``; None when they hold fewer than two labels.

        A class without an example gets a weight of 0 and a bias below every learnt one, so
        the model gives it the least probability but never rules it out alone."""
        from sklearn.linear_model import LogisticRegression

        if len(set(labels)) < 2:
            return None
        vectorizer = _vectorizer()
        features = vectorizer.fit_transform(texts)
        fitted = LogisticRegression(C=REGULARISATION, max_iter=3000).fit(features, labels)
        coefficients, intercepts = fitted.coef_, fitted.intercept_
        if len(fitted.classes_) == 2:  # scikit-learn keeps one row for two classes
            coefficients = np.vstack([-coefficients / 2, coefficients / 2])
            intercepts = np.array([-intercepts[0] / 2, intercepts[0] / 2])
        weight = np.zeros((features.shape[1], classes), dtype=np.float32)
        bias = np.full(classes, intercepts.min() - 1.0, dtype=np.float32)
        weight[:, fitted.classes_] = coefficients.T
        bias[fitted.classes_] = intercepts
        vocabulary = {gram: int(column) for gram, column in vectorizer.vocabulary_.items()}
        return cls(vocabulary, vectorizer.idf_.astype(np.float32), weight, bias)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row of class probabilities per text."""
        return softmax(self._vectorizer.transform(texts) @ self.weight + self.bias)

    @cached_property
    def _vectorizer(self):
        vectorizer = _vectorizer(self.vocabulary)
        vectorizer.idf_ = self.idf
        return vectorizer

    def save(self, directory: Path) -> None:
        (directory / VOCABULARY_FILE).write_text(json.dumps(self.vocabulary), encoding="utf-8")
        np.savez(directory / ARRAYS_FILE, idf=self.idf, weight=self.weight, bias=self.bias)

    @classmethod
    def load(cls, directory: Path) -> "CharacterNgramModel | None":
        """The model saved in ``directory``, or None if none was."""
        if not (directory / ARRAYS_FILE).exists():
            return None
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS_FILE) as arrays:
            return cls(vocabulary, arrays["idf"], arrays["weight"], arrays["bias"])


def _vectorizer(vocabulary: dict[str, int] | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, vocabulary=vocabulary
    )
