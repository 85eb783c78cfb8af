"""Two gateway processes receive two messages of one chat at nearly the same moment, each on its
own Telegram webhook (as the load balancer may send them); the one with the slower path to
Rasa got the earlier message. The chat is still answered in order: the later message waits
until the earlier one is handled. Real gateway processes, real Rasa, the loopback Bot API, a
slow TCP path to Rasa."""

import asyncio

import aiohttp

from launcher.stack import gateway
from tests.support.cluster import telegram_webhook
from tests.support.gateway import first_hit
from tests.support.relay import Relay
from tests.support.stack import free_port

CHAT = 8101
SENDER = f"tg:{CHAT}"
SECRET = "turn-order-secret"
EARLIER, LATER = "my printer won't print", "my vpn does not connect"


async def _user_texts(stack) -> list[str]:
    url = f"{stack.rasa_url}/conversations/{SENDER}/tracker"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"token": stack.secrets.rasa_token}) as response:
            tracker = await response.json()
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def _gateway_process(stack, telegram, rasa_port: int, log_dir, name: str):
    """``python -m bot`` in webhook mode on a webhook port of its own; its health URL."""
    ops, webhook = free_port(), free_port()
    service = gateway(
        rasa_port,
        stack.database_url,
        stack.secrets,
        log_dir,
        f"http://127.0.0.1:{ops}/healthz",
        name,
    )
    service.env |= telegram_webhook(telegram, SECRET, "https://deskbot.example.com/hook") | {
        "DESKBOT_OPS_PORT": str(ops),
        "DESKBOT_WEBCHAT_ENABLED": "false",
        "TELEGRAM_WEBHOOK_PORT": str(webhook),
    }
    return service, f"http://127.0.0.1:{webhook}/telegram/webhook"


async def _post(http: aiohttp.ClientSession, webhook: str, update: dict) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with http.post(webhook, json=update, headers=headers) as response:
        return response.status


async def test_two_gateway_processes_answer_one_chat_in_the_order_it_was_written(
    stack, telegram, tmp_path
):
    slow_path = Relay(stack.rasa_port, delay_s=1.5)
    await slow_path.restore()
    slow, slow_hook = _gateway_process(stack, telegram, slow_path.port, tmp_path, "gateway 1")
    fast, fast_hook = _gateway_process(stack, telegram, stack.rasa_port, tmp_path, "gateway 2")
    try:
        for service in (slow, fast):
            service.start()
        for service in (slow, fast):
            await asyncio.to_thread(service.wait_healthy, 120)
        async with aiohttp.ClientSession() as http:
            earlier = asyncio.create_task(
                _post(http, slow_hook, telegram.message(CHAT, text=EARLIER))
            )
            await asyncio.sleep(0.3)  # the earlier message is in hand, on its slow way to Rasa
            statuses = await asyncio.gather(
                earlier, _post(http, fast_hook, telegram.message(CHAT, text=LATER))
            )
        answers = await _search_answers(telegram, 2)
    finally:
        for service in (slow, fast):
            await asyncio.to_thread(service.stop)
        await slow_path.cut()
    assert statuses == [200, 200]
    texts = await _user_texts(stack)
    assert texts.index(EARLIER) < texts.index(LATER)
    # The earlier message's answer went out first: the later one waited for it.
    assert "print" in answers[0].lower() and "vpn" in answers[1].lower(), answers


async def _search_answers(telegram, count: int, timeout_s: float = 60) -> list[str]:
    """The first article of each search answer the chat got, once there are ``count``."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        calls = telegram.calls_of("sendMessage", CHAT)
        answers = [hit for call in calls if (hit := first_hit(str(call.params["text"])))]
        if len(answers) >= count:
            return answers
        assert asyncio.get_running_loop().time() < deadline, f"answers so far: {answers}"
        await asyncio.sleep(0.1)
