"""The fine-tuned intent classifier (nlu_features), run in the Rasa environment: its
TensorFlow training layers compute what the NumPy layers answering messages compute, and the
Rasa component trains, is stored, loads, and answers any text without crashing, with its
character n-gram model averaged in for the languages asked only."""

import json

import pytest

from tests.support.rasa_env import run_in_rasa_env

NO_INTENT = {"name": None, "confidence": 0.0}  # Rasa's "no intent", which falls back
HOSTILE = {
    "empty": "",
    "spaces": "   \n\t ",
    "binary": "\x00\x01\xff\ufffd\x7f",
    "oversized": "printer " * 5000,
    "markup": "<script>alert(1)</script><b>vpn</b> & ${jndi:ldap://x}",
    "emoji": "🔥🔥🔥 🖨️",
    "russian": "не печатает принтер",
}
# Runs in the Rasa environment and prints one JSON object of findings.
SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
import tensorflow as tf
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from nlu_features.fine_tune import TensorFlowLayers
from nlu_features.intent_classifier import FineTunedIntentClassifier
from nlu_features.minilm import MiniLM

work, hostile = sys.argv[1], json.loads(sys.argv[2])
found = {}

model = MiniLM()
tokens, mask = model.tokenize(["my printer is jammed", "reset my password please now", "hi"])
below = model.layers(model.embed(tokens), mask, range(4))
with_numpy = model.layers(below, mask, range(4, 6))
variables = {name: tf.constant(value) for name, value in model.weights.items()}
with_tf = TensorFlowLayers(model, variables, range(4, 6), dropout=0.1)(
    tf.constant(below), tf.constant(mask)).numpy()
real = mask.astype(bool)
found["layers_max_difference"] = float(np.abs(with_numpy - with_tf)[real].max())

EXAMPLES = {
    "printer": ["printer is jammed", "cannot print", "print queue stuck", "printer offline",
                "the printer shows an error", "my document does not print"],
    "password": ["forgot my password", "reset my password", "password expired",
                 "account locked after wrong password", "change my password", "new password"],
    "greet": ["hi", "hello", "good morning", "hey there", "hello bot", "hi team"],
}
data = TrainingData([Message(data={TEXT: text, INTENT: intent})
                     for intent, texts in EXAMPLES.items() for text in texts])
config = {**FineTunedIntentClassifier.get_default_config(), "epochs": 1, "min_steps": 60,
          "batch_size": 8, "ranking_length": 2, "lexical_languages": ["ru"]}

def answers(classifier, texts):
    messages = classifier.process([Message(data={TEXT: t}) for t in texts])
    return [[m.get(INTENT), m.get(INTENT_RANKING_KEY)] for m in messages]

storage = LocalModelStorage(Path(work))
resource = Resource("classifier")
trained = FineTunedIntentClassifier.create(config, storage, resource, None)
trained.train(data)
training_texts = [t for texts in EXAMPLES.values() for t in texts]
before = answers(trained, training_texts)
loaded = FineTunedIntentClassifier.load(config, storage, resource, None)
found["training_intents"] = [a[0]["name"] for a in answers(loaded, training_texts)]
found["stored_without_russian_examples"] = sorted(
    p.name for p in (Path(work) / "classifier").iterdir())
found["same_after_loading"] = before == answers(loaded, training_texts)
found["hostile"] = dict(zip(hostile, answers(loaded, list(hostile.values()))))

english_only = FineTunedIntentClassifier.load(
    {**config, "languages": ["en"]}, storage, resource, None)
earlier = {"name": "from_diet", "confidence": 0.5}
routed = english_only.process([
    Message(data={TEXT: "не печатает принтер", INTENT: earlier}),
    Message(data={TEXT: "ok", INTENT: earlier, "metadata": {"language": "ru"}}),
    Message(data={TEXT: "ok", INTENT: earlier, "metadata": {"language": "en"}}),
    Message(data={TEXT: "printer is jammed", INTENT: earlier}),
])
found["routed"] = [m.get(INTENT)["name"] for m in routed]

lonely = Resource("lonely")
single = FineTunedIntentClassifier.create(config, storage, lonely, None)
single.train(TrainingData([Message(data={TEXT: "hi", INTENT: "greet"})]))
found["one_intent"] = answers(
    FineTunedIntentClassifier.load(config, storage, lonely, None), ["hi"])

RUSSIAN = {"printer": ["не печатает принтер", "принтер зажевал бумагу", "ошибка принтера"],
           "password": ["забыл пароль", "сбросить пароль", "пароль истёк"]}
russian_data = TrainingData(data.intent_examples + [
    Message(data={TEXT: text, INTENT: intent})
    for intent, texts in RUSSIAN.items() for text in texts])
multilingual = {**config, "encoder": "multilingual-e5-small", "languages": ["ru"],
                "training_languages": ["en", "ru"], "nearest_weight": 0.4}
e5_resource = Resource("e5")
FineTunedIntentClassifier.create(multilingual, storage, e5_resource, None).train(russian_data)
e5 = FineTunedIntentClassifier.load(multilingual, storage, e5_resource, None)
found["e5_intents"] = e5._intents
russian_texts = [t for texts in RUSSIAN.values() for t in texts]
found["e5_russian"] = [a[0]["name"] for a in answers(e5, russian_texts)]
found["e5_english_left_alone"] = answers(e5, ["printer is jammed"])
found["e5_stored"] = sorted(p.name for p in (Path(work) / "e5").iterdir())
# The same stored classifier answering every language, with and without its lexical model.
everywhere = {**multilingual, "languages": None}
blended = FineTunedIntentClassifier.load(everywhere, storage, e5_resource, None)
encoder_only = FineTunedIntentClassifier.load(
    {**everywhere, "lexical_languages": []}, storage, e5_resource, None)
probes = ["не печатает принтер", "принтером", "printer is jammed", "hello"]
found["lexical_blended"] = answers(blended, probes)
found["lexical_encoder_only"] = answers(encoder_only, probes)
head_only = FineTunedIntentClassifier.load(
    {**everywhere, "lexical_languages": [], "nearest_weight": 0.0}, storage, e5_resource, None)
found["head_only"] = answers(head_only, probes)
found["lexical_hostile"] = answers(blended, ["принтер " * 5000, "<b>пароль</b> ${jndi:x}",
                                             "\\x00\\xff", "", "🔥 пароль"])
english_data = Resource("e5_english_data")
FineTunedIntentClassifier.create(multilingual, storage, english_data, None).train(data)
found["e5_without_russian_examples"] = answers(
    FineTunedIntentClassifier.load(multilingual, storage, english_data, None), ["не печатает"])
# deskbot's pipeline order: English classifier, Russian classifier, FallbackClassifier.
fallback = FallbackClassifier.create(
    {**FallbackClassifier.get_default_config(), "threshold": 0.45}, storage, lonely, None)
chained = [Message(data={TEXT: t}) for t in ["", "не печатает принтер", "printer is jammed"]]
for component in (english_only, e5, fallback):
    chained = component.process(chained)
found["chained"] = [m.get(INTENT)["name"] for m in chained]
try:
    FineTunedIntentClassifier.create({**config, "encoder": "bert-huge"}, storage, lonely, None)
except ValueError as error:
    found["unknown_encoder"] = str(error)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("classifier")
    return run_in_rasa_env(SCRIPT, str(work), json.dumps(HOSTILE), timeout=600)


def test_tensorflow_training_layers_compute_what_numpy_answers_with(found):
    assert found["layers_max_difference"] < 1e-3


def test_trained_classifier_knows_its_examples_and_survives_loading(found):
    expected = ["printer"] * 6 + ["password"] * 6 + ["greet"] * 6
    assert found["training_intents"] == expected
    assert found["same_after_loading"] is True


@pytest.mark.parametrize("name", [n for n in HOSTILE if HOSTILE[n]])
def test_any_text_gets_a_ranked_intent(found, name):
    intent, ranking = found["hostile"][name]
    assert intent["name"] in {"printer", "password", "greet"}
    assert 0.0 <= intent["confidence"] <= 1.0
    assert [r["name"] for r in ranking][0] == intent["name"]
    assert len(ranking) == 2  # ranking_length
    assert ranking[0]["confidence"] >= ranking[1]["confidence"]


def test_a_message_without_text_gets_no_intent(found):
    assert found["hostile"]["empty"] == [NO_INTENT, None]


def test_a_single_intent_trains_nothing_and_classifies_nothing(found):
    assert found["one_intent"] == [[NO_INTENT, None]]


def test_in_the_pipeline_each_language_is_answered_and_no_text_falls_back(found):
    assert found["chained"] == ["nlu_fallback", "printer", "printer"]


def test_a_message_in_another_language_keeps_the_earlier_classifiers_intent(found):
    # Russian text, and a short text from a Russian speaker, stay with the earlier classifier.
    assert found["routed"][:2] == ["from_diet", "from_diet"]
    assert found["routed"][2] in {"printer", "password", "greet"}
    assert found["routed"][3] == "printer"


def test_the_multilingual_encoder_learns_russian_from_english_examples_too(found):
    # "greet" has English examples only: it is learnt because training_languages has "en".
    assert found["e5_intents"] == ["greet", "password", "printer"]
    assert found["e5_russian"] == ["printer"] * 3 + ["password"] * 3
    assert found["e5_english_left_alone"] == [[NO_INTENT, None]]  # it answers Russian only


def test_the_lexical_and_nearest_example_models_are_stored_beside_the_encoder(found):
    stored = set(found["e5_stored"])
    assert {"lexical.npz", "lexical_vocabulary.json", "nearest.npz", "classifier.npz"} <= stored


def test_no_example_in_the_lexical_languages_stores_no_lexical_model(found):
    # CLINC150's case: English examples only, "lexical_languages: [ru]".
    assert found["stored_without_russian_examples"] == ["classifier.npz", "intents.json"]


def test_the_lexical_model_changes_russian_answers_only(found):
    blended, encoder_only = found["lexical_blended"], found["lexical_encoder_only"]
    for russian in (0, 1):
        assert blended[russian][0]["name"] == "printer"
        assert blended[russian][1] != encoder_only[russian][1]  # other confidences
    assert blended[2:] == encoder_only[2:]  # English: the encoder's answer, untouched


def test_the_nearest_example_model_changes_every_language_s_confidences(found):
    with_nearest, head_only = found["lexical_encoder_only"], found["head_only"]
    assert [a[0]["name"] for a in with_nearest[:3]] == ["printer", "printer", "printer"]
    assert [a[0]["name"] for a in head_only[:3]] == ["printer", "printer", "printer"]
    for answer, head in zip(with_nearest, head_only, strict=True):
        assert answer[1] != head[1]  # Russian and English alike
        assert sum(r["confidence"] for r in answer[1]) <= 1.0 + 1e-6


def test_hostile_russian_text_gets_a_ranked_intent_through_the_lexical_model(found):
    oversized, markup, binary, empty, emoji = found["lexical_hostile"]
    assert oversized[0]["name"] == "printer"
    for answer in (markup, binary, emoji):
        assert answer[0]["name"] in {"greet", "password", "printer"}
    assert empty == [NO_INTENT, None]
    for intent, ranking in (oversized, markup, binary, emoji):
        assert sum(r["confidence"] for r in ranking) <= 1.0 + 1e-6
        assert ranking[0] == intent


def test_a_classifier_with_no_example_in_its_languages_trains_nothing(found):
    assert found["e5_without_russian_examples"] == [[NO_INTENT, None]]


def test_an_unknown_encoder_is_refused_by_name(found):
    assert "bert-huge" in found["unknown_encoder"]
