"""Broken settings stop the gateway with a clear message, never a traceback or a leaked secret."""

import pytest

from bot.settings import GatewaySettings, TelegramSettings, XmppSettings
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


def test_an_empty_setting_counts_as_unset(monkeypatch):
    """An .env or compose file lists every setting; the empty ones are simply not in use."""
    for variable in ("TELEGRAM_BOT_TOKEN", "DESKBOT_XMPP_JID", "DESKBOT_WEBCHAT_ENABLED"):
        monkeypatch.setenv(variable, "")
    telegram, xmpp = TelegramSettings(), XmppSettings()
    assert telegram.bot_token is None and xmpp.jid is None
    assert GatewaySettings().webchat_on(telegram, xmpp) is True
