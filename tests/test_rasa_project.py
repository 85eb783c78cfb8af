"""The Rasa project: training data volume and overlap, `rasa data validate`, conversation
tests."""

import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from nlu_quality.cross_validation import LANGUAGE_FILES
from nlu_quality.held_out import HELD_OUT_FILES
from tests.support.rasa_env import run_in_rasa_env

ROOT = Path(__file__).resolve().parent.parent
NLU = ROOT / "nlu"
CONTRACT = [
    "greet",
    "goodbye",
    "help",
    "affirm",
    "deny",
    "describe_problem",
    "request_ticket",
    "check_status",
    "rate",
    "contest_standings",
    "human_handoff",
    "bot_challenge",
    "out_of_scope",
]


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    executable = Path(os.environ["DESKBOT_RASA_BIN"]) / "rasa"
    return subprocess.run(
        [str(executable), *args],
        cwd=NLU,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )


def texts_by_intent(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        block["intent"]: [
            line.strip()[2:] for line in block["examples"].splitlines() if line.strip()
        ]
        for block in data["nlu"]
    }


def examples(language: str) -> Counter:
    by_intent = texts_by_intent(ROOT / LANGUAGE_FILES[language])
    return Counter({intent: len(texts) for intent, texts in by_intent.items()})


def normalised_texts(path: Path) -> set[str]:
    return {text.lower() for texts in texts_by_intent(path).values() for text in texts}


def test_the_contract_intents_are_in_the_domain():
    domain = yaml.safe_load((NLU / "domain.yml").read_text())
    assert set(CONTRACT) <= set(domain["intents"])


@pytest.mark.parametrize("language", sorted(LANGUAGE_FILES))
def test_every_intent_has_enough_examples(language):
    counts = examples(language)
    assert counts["describe_problem"] >= 40
    assert all(counts[intent] >= 12 for intent in CONTRACT), counts


@pytest.mark.parametrize("language", sorted(LANGUAGE_FILES))
def test_every_language_file_teaches_every_intent_of_the_domain(language):
    domain = yaml.safe_load((NLU / "domain.yml").read_text())
    assert set(examples(language)) == set(domain["intents"])


def test_every_training_file_is_cross_validated():
    assert {f"nlu/data/{p.name}" for p in (NLU / "data").glob("nlu_*.yml")} == set(
        LANGUAGE_FILES.values()
    )


def test_no_example_is_in_two_language_files():
    # A text in two files would be held out in one and trained on in the other, and be
    # scored in whichever language was read last.
    seen: dict[str, str] = {}
    for language, path in sorted(LANGUAGE_FILES.items()):
        for text in normalised_texts(ROOT / path):
            assert text not in seen, f"{text!r} is in {seen[text]} and {language}"
            seen[text] = language


@pytest.mark.parametrize("language", sorted(HELD_OUT_FILES))
def test_held_out_phrasings_are_never_trained_on(language):
    held_out = ROOT / HELD_OUT_FILES[language]
    trained = set().union(*(normalised_texts(ROOT / p) for p in LANGUAGE_FILES.values()))
    assert normalised_texts(held_out).isdisjoint(trained)
    assert len(normalised_texts(held_out)) >= 90
    assert set(texts_by_intent(held_out)) == set(examples("en"))


def test_rasa_data_validate_is_clean():
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversation_tests_pass_in_both_languages(tmp_path):
    result = rasa(
        "test",
        "core",
        "--model",
        os.environ["DESKBOT_RASA_MODEL"],
        "--stories",
        "tests",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = (tmp_path / "failed_test_stories.yml").read_text()
    assert "None of the test stories failed" in report


@pytest.fixture
def bag_of_words(tmp_path) -> Path:
    """A pipeline that trains in seconds, so that a measuring command's own code (train, test,
    summarise) runs as it does with deskbot's pipeline."""
    config = tmp_path / "config.yml"
    config.write_text(
        "recipe: default.v1\nlanguage: en\npipeline:\n  - name: WhitespaceTokenizer\n"
        "  - name: CountVectorsFeaturizer\n  - name: LogisticRegressionClassifier\n"
        "policies: []\n"
    )
    return config


def test_the_held_out_command_trains_on_all_the_data_and_scores_the_set(bag_of_words):
    found = run_in_rasa_env(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from nlu_quality.held_out import evaluate\n"
        "rasa = Path(sys.executable).parent / 'rasa'\n"
        "print(json.dumps(evaluate(rasa, ['ru'], Path('nlu').resolve(), Path(sys.argv[1]))))",
        str(bag_of_words),
        timeout=600,
    )

    held_out = texts_by_intent(ROOT / HELD_OUT_FILES["ru"])
    assert list(found) == ["ru"]
    assert found["ru"]["examples"] == sum(len(texts) for texts in held_out.values())
    assert set(found["ru"]["intents"]) == set(held_out)
    assert 0.0 < found["ru"]["accuracy"] <= 1.0


def test_cross_validation_scores_every_example_once_in_its_own_language(bag_of_words):
    found = run_in_rasa_env(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from nlu_quality.cross_validation import cross_validate\n"
        "rasa = Path(sys.executable).parent / 'rasa'\n"
        "project = Path('nlu').resolve()\n"
        "print(json.dumps(cross_validate(rasa, ['en', 'hu'], 2, project, Path(sys.argv[1]))))",
        str(bag_of_words),
        timeout=900,
    )

    assert list(found) == ["en", "hu"]
    for language in found:
        by_intent = texts_by_intent(ROOT / LANGUAGE_FILES[language])
        assert found[language]["examples"] == sum(len(texts) for texts in by_intent.values())
        assert set(found[language]["intents"]) == set(by_intent)
        assert 0.0 < found[language]["accuracy"] <= 1.0


def test_the_folds_are_seeded_stratified_and_split_every_example_once():
    found = run_in_rasa_env(
        "import json\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "from nlu_quality.cross_validation import seeded_folds\n"
        "examples = [Message(data={'text': f'{i}', 'intent': 'ab'[i % 2]}) for i in range(20)]\n"
        "def texts(seed):\n"
        "    return [[[m.get('text') for m in part] for part in fold]\n"
        "            for fold in seeded_folds(examples, 5, seed)]\n"
        "print(json.dumps({'seven': texts(7), 'again': texts(7), 'eight': texts(8)}))"
    )

    folds = found["seven"]
    assert found["again"] == folds and found["eight"] != folds
    held_out = [text for _, test in folds for text in test]
    assert sorted(held_out, key=int) == [str(i) for i in range(20)]
    for train, test in folds:
        assert set(train).isdisjoint(test) and len(train) + len(test) == 20
        assert sorted(int(t) % 2 for t in test) == [0, 0, 1, 1]  # both intents in each fold
