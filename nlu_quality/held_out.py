"""deskbot's pipeline trained on all of its training data, then asked phrasings it never saw.

Cross-validation over deskbot's training files overstates how well new phrasings are read: the
files say much the same things in each language, so a held-out Russian example often has a
twin in another language in training. The held-out sets in data/eval/ are written apart from the
training files, in no other language, and nothing is trained on them.
"""

import subprocess
import tempfile
from pathlib import Path

from nlu_quality.cross_validation import rasa_test_nlu, report, summarise

HELD_OUT_FILES = {"ru": "data/eval/intents-ru.yml"}


def evaluate(rasa: Path, languages: list[str], project: Path, config: Path) -> dict[str, dict]:
    """Intent accuracy and F1 per intent on each language's held-out set.

    Args:
        rasa: the rasa executable.
        languages: the held-out sets to ask ("ru").
        project: the Rasa project (nlu/); its data/ is the training data.
        config: the pipeline to train (the project's config.yml by default).
    """
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [str(rasa), "train", "nlu", "--config", str(config), "--nlu", "data"]
            + ["--out", work, "--fixed-model-name", "held-out"],
            check=True,
            cwd=project,
            capture_output=True,
        )
        model = Path(work) / "held-out.tar.gz"
        return {
            language: summarise(
                report(
                    rasa_test_nlu(
                        rasa,
                        project,
                        ["--model", str(model), "--nlu", str(project.parent / path)],
                        Path(work) / language,
                    )
                )
            )
            for language, path in HELD_OUT_FILES.items()
            if language in languages
        }
