"""Webhook mode: updates are accepted only with Telegram's secret-token header."""

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import TelegramSettings
from bot.telegram.app import create_bot, create_dispatcher, create_webhook_app
from tests.support.gateway import webhook_settings

SECRET = "s3cret-token_for-webhook"


@pytest.fixture
async def webhook(telegram, stack_db):
    settings = webhook_settings(telegram, SECRET)
    bot = create_bot(settings)
    rasa = RasaClient("http://127.0.0.1:9", 5, None)
    conversation = Conversation(rasa, stack_db)
    app = create_webhook_app(bot, create_dispatcher(conversation), settings)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client, settings
    await client.close()
    await bot.session.close()
    await rasa.close()


@pytest.mark.parametrize("header", [None, "wrong-secret"])
async def test_updates_without_the_secret_are_refused(webhook, telegram, header):
    client, settings = webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    update = telegram.message(9001, text="hello")

    response = await client.post(settings.webhook_path, json=update, headers=headers)

    assert response.status == 401
    assert telegram.calls_of("sendMessage", 9001) == []


async def test_updates_with_the_secret_are_handled(webhook, telegram):
    client, settings = webhook
    update = telegram.message(9002, text="hello")

    response = await client.post(
        settings.webhook_path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )

    assert response.status == 200
    [reply] = await telegram.wait_for_calls("sendMessage", 1, chat_id=9002)
    assert "temporarily unavailable" in reply.params["text"]


def test_webhook_mode_needs_a_secret(telegram):
    settings = TelegramSettings(bot_token=SecretStr(telegram.token), mode="webhook")
    bot = create_bot(settings)
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        create_webhook_app(bot, create_dispatcher(None), settings)
