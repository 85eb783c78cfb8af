"""``rasa test nlu --cross-validation`` on deskbot's training data, summarised per language.

The languages are cross-validated together, as the pipeline is trained: a classifier that
learns Russian intents from the English, French and Hungarian examples too (nlu/config.yml)
meets them in every fold.
Each held-out example is scored in the language of the file it came from.
"""

import shutil
import tempfile
from pathlib import Path

from nlu_quality.rasa_commands import rasa_test_predictions

LANGUAGE_FILES = {
    language: f"nlu/data/nlu_{language}.yml" for language in ("en", "fr", "hu", "ru")
}
SUMMARY_ROWS = ("accuracy", "micro avg", "macro avg", "weighted avg")


def cross_validate(
    rasa: Path, languages: list[str], folds: int, project: Path, config: Path
) -> dict[str, dict]:
    """Intent accuracy and F1 per intent, per language, over ``folds`` folds of the examples.

    Args:
        rasa: the rasa executable.
        languages: the languages whose examples are cross-validated together ("en", "ru", …).
        folds: how many folds.
        project: the Rasa project (nlu/).
        config: the pipeline to cross-validate (the project's config.yml by default).
    """
    files = {language: project.parent / LANGUAGE_FILES[language] for language in languages}
    with tempfile.TemporaryDirectory() as work:
        data, out = Path(work) / "data", Path(work) / "out"
        data.mkdir()
        for path in files.values():
            shutil.copy(path, data / path.name)
        predictions = rasa_test_predictions(
            rasa,
            project,
            ["--nlu", str(data), "--config", str(config)]
            + ["--cross-validation", "--folds", str(folds)],
            out,
        )
    language_of = {text: language for language, path in files.items() for text in texts(path)}
    return {
        language: summarise(report([p for p in predictions if language_of[p["text"]] == language]))
        for language in languages
    }


def texts(path: Path) -> list[str]:
    """The example texts of a Rasa NLU file, as Rasa reports them (entity markup removed)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [message.get("text") for message in load_data(str(path)).intent_examples]


def report(predictions: list[dict]) -> dict:
    """scikit-learn's classification report over the intents the examples carry, with the
    share of examples given their own intent (a guess of nlu_fallback is wrong)."""
    from sklearn.metrics import classification_report

    targets = [p["intent"] for p in predictions]
    guesses = [p["intent_prediction"]["name"] for p in predictions]
    rows = classification_report(
        targets, guesses, labels=sorted(set(targets)), output_dict=True, zero_division=0
    )
    right = sum(target == guess for target, guess in zip(targets, guesses, strict=True))
    return {**rows, "accuracy": right / len(targets)}


def summarise(report: dict) -> dict:
    """Accuracy, macro F1 and each intent's F1 and support from a classification report."""
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
