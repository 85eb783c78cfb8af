"""Cross-validation of deskbot's training data with ``rasa train nlu`` and ``rasa test nlu``,
summarised per language.

The languages are cross-validated together, as the pipeline is trained: a classifier that
learns Russian intents from the English, French and Hungarian examples too (nlu/config.yml)
meets them in every fold. Each held-out example is scored in the language of the file it came
from.

The folds are stratified by intent and seeded (``rasa test nlu --cross-validation`` draws new
ones on every run), so two pipelines run with the same seed are scored on the same folds and
their difference is theirs, not the folds'.
"""

import tempfile
from pathlib import Path

from nlu_quality.rasa_commands import rasa_test_predictions, train_nlu

LANGUAGE_FILES = {
    language: f"nlu/data/nlu_{language}.yml" for language in ("en", "fr", "hu", "ru")
}
SUMMARY_ROWS = ("accuracy", "micro avg", "macro avg", "weighted avg")


def cross_validate(
    rasa: Path, languages: list[str], folds: int, project: Path, config: Path, seed: int = 7
) -> dict[str, dict]:
    """Intent accuracy and F1 per intent, per language, over ``folds`` folds of the examples.

    Args:
        rasa: the rasa executable.
        languages: the languages whose examples are cross-validated together ("en", "ru", …).
        folds: how many folds.
        project: the Rasa project (nlu/).
        config: the pipeline to cross-validate (the project's config.yml by default).
        seed: draws the folds.
    """
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = {language: project.parent / LANGUAGE_FILES[language] for language in languages}
    examples = TrainingData().merge(*(_load(path) for path in files.values())).intent_examples
    predictions = []
    with tempfile.TemporaryDirectory() as folder:
        for number, (train, test) in enumerate(seeded_folds(examples, folds, seed)):
            work = Path(folder) / f"fold-{number}"
            work.mkdir()
            for name, part in (("train.yml", train), ("test.yml", test)):
                (work / name).write_text(TrainingData(part).nlu_as_yaml(), encoding="utf-8")
            model = train_nlu(rasa, config, work / "train.yml", work, "fold")
            arguments = ["--model", str(model), "--nlu", str(work / "test.yml")]
            predictions += rasa_test_predictions(rasa, project, arguments, work / "out")
    language_of = {text: language for language, path in files.items() for text in texts(path)}
    return {
        language: summarise(report([p for p in predictions if language_of[p["text"]] == language]))
        for language in languages
    }


def seeded_folds(examples: list, folds: int, seed: int) -> list[tuple[list, list]]:
    """``folds`` (training, held-out) splits of ``examples``, stratified by intent."""
    from sklearn.model_selection import StratifiedKFold

    intents = [example.get("intent") for example in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [
        ([examples[i] for i in train], [examples[i] for i in test])
        for train, test in splitter.split(examples, intents)
    ]


def texts(path: Path) -> list[str]:
    """The example texts of a Rasa NLU file, as Rasa reports them (entity markup removed)."""
    return [message.get("text") for message in _load(path).intent_examples]


def _load(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


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
