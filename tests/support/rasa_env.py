"""Running a piece of code in the Rasa environment, which has Rasa and TensorFlow; the tests'
own environment has neither."""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run_in_rasa_env(code: str, *args: str, timeout: int = 300) -> dict:
    """Runs ``code`` with ``args`` in the Rasa env from the project root; the last line it
    prints is read as JSON."""
    python = Path(os.environ["DESKBOT_RASA_BIN"]) / "python"
    done = subprocess.run(
        [str(python), "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if done.returncode != 0:
        raise AssertionError(f"the Rasa env exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
