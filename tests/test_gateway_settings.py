"""Broken settings stop the gateway with a clear message, never a traceback or a leaked secret."""

import pytest

from tests.support.gateway import run_gateway_process


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
    result = run_gateway_process(**{variable: value})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert variable.split("_", 1)[1].lower() in result.stderr
    assert value not in result.stderr
