"""The gateway's database goes down while employees write (a TCP relay in front of the local
PostgreSQL, cut and restored): nothing hangs, nothing is lost. A Telegram update is refused so
that the loopback Bot API posts it again, as Telegram does, and it is answered once the
database is back, exactly once; the web chat answers 503 with a clear word and the same message
sent again under its id is answered. Real Rasa, real PostgreSQL."""

import asyncio
import json
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.conversation import Conversation
from bot.settings import GatewaySettings
from bot.telegram.app import create_bot, create_dispatcher, create_webhook_app
from bot.webchat.server import create_app as create_webchat
from servicedesk.db import Database
from servicedesk.db.migrate import upgrade
from tests.conftest import _postgres_database
from tests.support.gateway import webhook_settings
from tests.support.relay import Relay
from tests.support.stack import free_port

SECRET = "database-down-secret"


@pytest.fixture
async def database_behind_a_relay():
    """A migrated PostgreSQL database, reached through a relay the test can cut."""
    with _postgres_database() as url:
        upgrade(url)
        parts = urlsplit(url)
        relay = Relay(parts.port or 5432)
        await relay.restore()
        database = Database(url.replace(f":{parts.port}/", f":{relay.port}/"))
        yield database, relay
        database.dispose()
        await relay.cut()


async def test_a_telegram_update_arriving_while_the_database_is_down_is_answered_once_back(
    telegram, stack, database_behind_a_relay
):
    database, relay = database_behind_a_relay
    settings = webhook_settings(telegram, SECRET)
    bot, rasa = create_bot(settings), stack.rasa_client()
    app = create_webhook_app(bot, create_dispatcher(Conversation(rasa, database)), settings)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    telegram.webhook = (str(server.make_url(settings.webhook_path)), SECRET)
    try:
        await relay.cut()
        delivering = asyncio.create_task(
            telegram.deliver(telegram.message(9301, text="my printer won't print"))
        )
        while telegram.redeliveries < 2:  # refused, posted again, refused again
            await asyncio.sleep(0.1)
        assert telegram.calls_of("sendMessage", 9301) == []
        await relay.restore()
        await asyncio.wait_for(delivering, 30)
        await telegram.wait_for_calls("sendMessage", 1, chat_id=9301)
        await asyncio.sleep(1.0)  # anything more would come now
    finally:
        await server.close()
        await bot.session.close()
        await rasa.close()
    replies = [str(c.params["text"]) for c in telegram.calls_of("sendMessage", 9301)]
    answers = [r for r in replies if "Here is what I found" in r]
    assert len(answers) == 1 and "Printer does not print" in answers[0]  # answered once


async def test_the_web_chat_says_so_while_the_database_is_down(stack, database_behind_a_relay):
    database, relay = database_behind_a_relay
    port = free_port()
    settings = GatewaySettings(webchat_port=port, webchat_enabled=True)
    rasa = stack.rasa_client()
    chat = TestClient(
        TestServer(
            create_webchat(Conversation(rasa, database), database, settings),
            host="127.0.0.1",
            port=port,
        )
    )
    await chat.start_server()
    body = json.dumps({"session": "webtest-dbdown01", "id": "1", "text": "my printer won't print"})
    try:
        await relay.cut()
        refused = await chat.post("/api/messages", data=body)
        refusal = await refused.json()
        await relay.restore()
        answered = await chat.post("/api/messages", data=body)  # the page sends it again
        answer = await answered.json()
    finally:
        await chat.close()
        await rasa.close()
    assert refused.status == 503 and refused.headers["Retry-After"] == "5"
    assert "briefly unavailable" in refusal["error"] and refusal["retry_after"] == 5
    assert answered.status == 200
    assert "Printer does not print" in answer["replies"][0]["text"]
