"""``rasa test nlu --cross-validation`` on one language's training data, summarised."""

import json
import subprocess
import tempfile
from pathlib import Path

LANGUAGE_FILES = {"en": "nlu/data/nlu_en.yml", "ru": "nlu/data/nlu_ru.yml"}
SUMMARY_ROWS = ("accuracy", "micro avg", "macro avg", "weighted avg")


def cross_validate(rasa: Path, language: str, folds: int, project: Path, config: Path) -> dict:
    """Intent accuracy and F1 per intent over ``folds`` folds of one language's examples.

    Args:
        rasa: the rasa executable.
        language: "en" or "ru".
        folds: how many folds.
        project: the Rasa project (nlu/).
        config: the pipeline to cross-validate (the project's config.yml by default).
    """
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                str(rasa),
                "test",
                "nlu",
                "--nlu",
                str(project.parent / LANGUAGE_FILES[language]),
                "--config",
                str(config),
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                out,
            ],
            check=True,
            cwd=project,
            capture_output=True,
        )
        report = json.loads((Path(out) / "intent_report.json").read_text())
    return summarise(report)


def summarise(report: dict) -> dict:
    """Accuracy, macro F1 and each intent's F1 and support from Rasa's intent report."""
    intents = {
        name: {"f1": round(row["f1-score"], 3), "support": row["support"]}
        for name, row in sorted(report.items())
        if name not in SUMMARY_ROWS
    }
    return {
        # sklearn names accuracy "micro avg" when predictions hold a label the data lacks
        # (nlu_fallback).
        "accuracy": round(
            report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0)), 4
        ),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "examples": sum(row["support"] for row in intents.values()),
        "intents": intents,
    }
