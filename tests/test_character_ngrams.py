"""The character n-gram intent model (nlu_features.character_ngrams), run in the Rasa
environment, which has scikit-learn: it reads a word across its endings, keeps a class it never
saw possible and survives saving."""

import pytest

from tests.support.rasa_env import run_in_rasa_env

SCRIPT = """
import json, sys, tempfile
from pathlib import Path
import numpy as np
from nlu_features.character_ngrams import CharacterNgramModel

found = {}
TEXTS = ["принтер не печатает", "принтер зажевал бумагу", "ошибка принтера",
         "забыл пароль", "сбросить пароль", "пароль истёк",
         "привет", "добрый день", "здравствуйте"]
LABELS = [0, 0, 0, 2, 2, 2, 3, 3, 3]  # class 1 has no example
model = CharacterNgramModel.train(TEXTS, LABELS, 4)
unseen = ["принтером", "паролем", "здраствуйте", "", "\\x00\\xff", "<b>принтер</b>",
          "принтер " * 5000, "🔥🔥"]
probabilities = model.probabilities(unseen)
found["shape"] = list(probabilities.shape)
found["sums"] = probabilities.sum(axis=1).tolist()
found["best"] = probabilities.argmax(axis=1).tolist()
found["unseen_class_least_likely_but_possible"] = bool(
    (probabilities[:, 1] > 0).all()
    and (probabilities[:3, 1] < probabilities[:3].max(axis=1)).all())
with tempfile.TemporaryDirectory() as directory:
    found["nothing_saved_loads_none"] = CharacterNgramModel.load(Path(directory)) is None
    model.save(Path(directory))
    loaded = CharacterNgramModel.load(Path(directory))
    found["same_after_loading"] = bool(np.allclose(loaded.probabilities(unseen), probabilities))
two = CharacterNgramModel.train(["принтер", "принтера", "пароль", "пароля"], [0, 0, 1, 1], 2)
found["two_classes"] = two.probabilities(["принтеры", "паролю"]).argmax(axis=1).tolist()
found["one_class"] = CharacterNgramModel.train(["принтер", "принтера"], [0, 0], 2) is None

print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def found() -> dict:
    return run_in_rasa_env(SCRIPT)


def test_each_text_gets_one_probability_per_class(found):
    assert found["shape"] == [8, 4]
    assert found["sums"] == pytest.approx([1.0] * 8)


def test_a_word_is_read_across_its_endings_and_typos(found):
    assert found["best"][:3] == [0, 2, 3]  # принтером, паролем, здраствуйте


def test_hostile_text_is_answered(found):
    assert found["best"][5:7] == [0, 0]  # markup around "принтер"; "принтер" 5,000 times
    assert all(0 <= best < 4 for best in found["best"])


def test_a_class_without_examples_stays_possible_but_least_likely(found):
    assert found["unseen_class_least_likely_but_possible"] is True


def test_the_model_survives_saving_and_loading(found):
    assert found["nothing_saved_loads_none"] is True
    assert found["same_after_loading"] is True


def test_two_classes_and_one_class(found):
    assert found["two_classes"] == [0, 1]
    assert found["one_class"] is True
