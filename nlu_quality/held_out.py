"""deskbot's pipeline trained on all of its training data, then asked phrasings it never saw.

Cross-validation over deskbot's training files overstates how well new phrasings are read: the
files say much the same things in each language, so a held-out Russian example often has a
twin in another language in training. The held-out sets in data/eval/ are written apart from the
training files, in no other language, and nothing is trained on them.
"""

import tempfile
from pathlib import Path

from nlu_quality.cross_validation import report, summarise
from nlu_quality.rasa_commands import rasa_test_predictions, train_nlu

HELD_OUT_FILES = {"ru": "data/eval/intents-ru.yml"}


def evaluate(rasa: Path, languages: list[str], project: Path, config: Path) -> dict[str, dict]:
    """Intent accuracy and F1 per intent on each language's held-out set.

    Args:
        rasa: the rasa executable.
        languages: the held-out sets to ask ("ru").
        project: the Rasa project (nlu/); its data/ is the training data.
        config: the pipeline to train (the project's config.yml by default).
    """
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        model = train_nlu(rasa, config, project / "data", work, "held-out")
        results = {}
        for language in languages:
            held_out = project.parent / HELD_OUT_FILES[language]
            arguments = ["--model", str(model), "--nlu", str(held_out)]
            results[language] = summarise(
                report(rasa_test_predictions(rasa, project, arguments, work / language))
            )
        return results
