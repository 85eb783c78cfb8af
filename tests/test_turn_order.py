"""Two gateway replicas receive two messages of one chat at nearly the same moment; the one
with the slower path to Rasa got the earlier message. The chat is still answered in order:
the later message waits until the earlier one is handled. Real Rasa, a slow TCP path to it."""

import asyncio

import aiohttp

from bot.conversation import Conversation, Incoming, Outcome
from bot.rasa_client import RasaClient
from tests.support.relay import Relay

SENDER = "tg:8101"


async def _user_texts(stack) -> list[str]:
    url = f"{stack.rasa_url}/conversations/{SENDER}/tracker"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"token": stack.secrets.rasa_token}) as response:
            tracker = await response.json()
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


async def test_two_replicas_answer_one_chat_in_the_order_it_was_written(stack, stack_db):
    slow_path = Relay(stack.rasa_port, delay_s=1.5)
    await slow_path.restore()
    slow_rasa = RasaClient(slow_path.url, 30, stack.secrets.rasa_token)
    fast_rasa = stack.rasa_client()
    replicas = [Conversation(slow_rasa, stack_db), Conversation(fast_rasa, stack_db)]
    finished: list[str] = []

    async def receive(replica: Conversation, update_id: str, text: str) -> Outcome:
        result = await replica.handle(Incoming("tg", SENDER, update_id, text))
        finished.append(text)
        return result.outcome

    try:
        earlier = asyncio.create_task(receive(replicas[0], "810001", "my printer won't print"))
        await asyncio.sleep(0.3)  # the earlier message is in hand, on its slow way to Rasa
        later = receive(replicas[1], "810002", "my vpn does not connect")
        outcomes = await asyncio.gather(earlier, later)
    finally:
        await slow_path.cut()
        await slow_rasa.close()
        await fast_rasa.close()
    assert outcomes == [Outcome.REPLIED, Outcome.REPLIED]
    assert finished == ["my printer won't print", "my vpn does not connect"]
    texts = await _user_texts(stack)
    assert texts.index("my printer won't print") < texts.index("my vpn does not connect")
