"""The Rasa command lines the NLU measurements run: ``rasa train nlu`` and ``rasa test nlu``."""

import json
import subprocess
from pathlib import Path


def train_nlu(rasa: Path, config: Path, data: Path, out: Path, name: str) -> Path:
    """Train the NLU part of ``config`` on ``data`` (a file or a folder); the model's path."""
    subprocess.run(
        [str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(data)]
        + ["--out", str(out), "--fixed-model-name", name],
        check=True,
        cwd=out,
        capture_output=True,
    )
    return out / f"{name}.tar.gz"


def rasa_test_predictions(
    rasa: Path, project: Path, arguments: list[str], out: Path
) -> list[dict]:
    """Every prediction ``rasa test nlu`` makes with ``arguments``, right and wrong alike."""
    subprocess.run(
        [str(rasa), "test", "nlu", *arguments, "--successes", "--out", str(out)],
        check=True,
        cwd=project,
        capture_output=True,
    )
    return [
        row
        for name in ("intent_successes.json", "intent_errors.json")
        if (out / name).is_file()
        for row in json.loads((out / name).read_text(encoding="utf-8"))
    ]
