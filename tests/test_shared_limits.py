"""Rate limits and sign-in throttles shared by replicas through a real Redis, and what each
process does while Redis is down: it limits on its own, never fails or hangs, and shares again
once Redis is back."""

import asyncio
import json
import uuid

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.conversation import Conversation
from bot.ratelimit import SharedRateLimiter
from bot.settings import GatewaySettings
from bot.webchat.guard import SharedSlidingWindow
from bot.webchat.server import create_app as create_webchat
from console.throttle import SharedLoginThrottle
from ops.shared_limits import RETRY_S, RedisSettings, SharedOrLocal
from tests.support.redis_server import RedisServer
from tests.support.stack import free_port

GUARD_S = 5.0  # a call that does not return within this would be a hang


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def _client(url: str):
    client = RedisSettings(url=url).client()
    assert client is not None
    return client


async def test_replicas_share_one_web_chat_window(redis_server):
    replicas = [SharedSlidingWindow(_client(redis_server.url), "session", 3) for _ in range(2)]
    waits = [await replicas[n % 2].take("web:s1") for n in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0 < waits[3] <= 60
    assert await replicas[1].take("web:s2") == 0.0, "another session is not held back"


async def test_replicas_share_telegram_limits(redis_server):
    first, second = (SharedRateLimiter(_client(redis_server.url)) for _ in range(2))
    assert await first.delay("501") == 0.0
    await first.record("501")
    assert 0 < await second.delay("501") <= 1.0, "one message a second into one chat"
    assert await second.delay("502") == 0.0
    for _ in range(20):
        await first.record("-100200", is_group=True)
    assert 50 < await second.delay("-100200", is_group=True) <= 60, "20 a minute into a group"


async def test_replicas_share_sign_in_failures(redis_server):
    first, second = (SharedLoginThrottle(_client(redis_server.url)) for _ in range(2))
    for _ in range(3):
        await first.failed("user:eve")
    assert 1.5 < await second.wait_s("user:eve") <= 2.0
    assert await second.wait_s("user:frank") == 0.0
    await second.succeeded("user:eve")
    assert await first.wait_s("user:eve") == 0.0


async def test_with_redis_down_each_process_limits_on_its_own_without_hanging():
    down = _client(f"redis://127.0.0.1:{free_port()}/0")
    window = SharedSlidingWindow(down, "session", 2)
    throttle = SharedLoginThrottle(down)
    waits = [await asyncio.wait_for(window.take("web:s1"), GUARD_S) for _ in range(3)]
    assert waits[:2] == [0.0, 0.0] and waits[2] > 0
    for _ in range(3):
        await asyncio.wait_for(throttle.failed("user:eve"), GUARD_S)
    assert await asyncio.wait_for(throttle.wait_s("user:eve"), GUARD_S) > 0


async def test_limits_are_shared_again_once_redis_is_back(redis_server):
    now = [0.0]
    calls = SharedOrLocal(_client(redis_server.url), clock=lambda: now[0])

    async def shared(client) -> str:
        await client.ping()
        return "shared"

    async def local() -> str:
        return "local"

    assert await calls.call(shared, local) == "shared"
    redis_server.stop()
    assert await asyncio.wait_for(calls.call(shared, local), GUARD_S) == "local"
    redis_server.start()
    assert await calls.call(shared, local) == "local", "not asked again at once"
    now[0] += RETRY_S
    assert await calls.call(shared, local) == "shared"


async def test_a_flood_spread_over_two_web_chat_replicas_is_slowed_down(
    redis_server, stack, stack_db
):
    replicas = []
    for _ in range(2):
        port = free_port()
        settings = GatewaySettings(
            webchat_port=port, webchat_enabled=True, webchat_messages_per_minute=2
        )
        conversation = Conversation(stack.rasa_client(), stack_db)
        app = create_webchat(conversation, stack_db, settings, _client(redis_server.url))
        replicas.append(TestClient(TestServer(app, host="127.0.0.1", port=port)))
    session = "webtest-" + uuid.uuid4().hex[:12]
    statuses = []
    try:
        for replica in replicas:
            await replica.start_server()
        for n in range(3):
            body = json.dumps({"session": session, "id": str(n), "command": "help"})
            response = await replicas[n % 2].post("/api/messages", data=body)
            statuses.append(response.status)
    finally:
        for replica in replicas:
            await replica.close()
    assert statuses == [200, 200, 429]
