"""Broken settings stop the gateway with a clear message, never a traceback or a leaked secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces and ünïcode"),
        ("TELEGRAM_MODE", "carrier-pigeon"),
        ("DESKBOT_WEBCHAT_PORT", "eighty"),
    ],
)
def test_a_bad_setting_is_named_and_its_value_not_echoed(variable, value):
    env = {**os.environ, "PYTHONPATH": str(ROOT), variable: value}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert variable.split("_", 1)[1].lower() in result.stderr
    assert value not in result.stderr
