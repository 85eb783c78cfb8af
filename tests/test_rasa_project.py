"""The Rasa project: training data volume, `rasa data validate`, conversation tests."""

import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

NLU = Path(__file__).resolve().parent.parent / "nlu"
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


def examples(language: str) -> Counter:
    data = yaml.safe_load((NLU / "data" / f"nlu_{language}.yml").read_text())
    return Counter(
        {
            block["intent"]: len(
                [line for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            )
            for block in data["nlu"]
        }
    )


def test_the_contract_intents_are_in_the_domain():
    domain = yaml.safe_load((NLU / "domain.yml").read_text())
    assert set(CONTRACT) <= set(domain["intents"])


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_intent_has_enough_examples(language):
    counts = examples(language)
    assert counts["describe_problem"] >= 40
    assert all(counts[intent] >= 12 for intent in CONTRACT), counts


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
