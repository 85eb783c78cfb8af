"""Every process has a health endpoint and Prometheus metrics: the gateway (whether or not the
web chat is on), the action server (open to a scraper, unlike its actions) and the console.
Real Rasa and action server, real HTTP; a ticket filed, closed and rated through the loopback
Bot API counts where the issue's dashboards read it."""

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.conversation import Conversation, Incoming
from bot.ops import create_app as create_ops
from servicedesk import outbox
from servicedesk.references import parse_reference
from tests.support.gateway import Agent, Employee, texts


def samples(exposition: str) -> dict[tuple[str, tuple], float]:
    """Each sample by name and labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }


async def scrape(url: str) -> dict[tuple[str, tuple], float]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return samples(await response.text())


async def test_the_gateway_counts_turns_and_reports_the_outbox(stack, stack_db):
    conversation = Conversation(stack.rasa_client(), stack_db)
    async with TestClient(TestServer(create_ops(stack_db))) as ops:
        before = samples(await (await ops.get("/metrics")).text())
        await conversation.handle(Incoming("web", "web:metrics-01", "metrics-01:1", "hello"))
        await conversation.handle(Incoming("web", "web:metrics-01", "metrics-01:1", "hello"))
        with stack_db.unit_of_work() as session:
            outbox.enqueue(session, "tg", "7007", {"text": "waiting"}, "metrics-waiting")
        health = await ops.get("/healthz")
        after = samples(await (await ops.get("/metrics")).text())

    def count(outcome: str) -> float:
        key = ("deskbot_turns_total", (("channel", "web"), ("outcome", outcome)))
        return after.get(key, 0) - before.get(key, 0)

    assert health.status == 200
    assert count("replied") == 1 and count("duplicate") == 1
    turns = ("deskbot_turn_seconds_count", (("channel", "web"),))
    assert after[turns] - before.get(turns, 0) == 2
    assert after[("deskbot_outbox_backlog", (("channel", "tg"),))] >= 1
    assert after[("deskbot_outbox_oldest_seconds", (("channel", "tg"),))] >= 0


def grown(after: dict, before: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0) - before.get(key, 0)


async def test_a_ticket_filed_closed_and_rated_is_counted_with_the_deliveries(
    gateway, telegram, stack, stack_db
):
    actions_url = stack.action.health_url.removesuffix("/health") + "/metrics"
    before_actions = await scrape(actions_url)
    async with TestClient(TestServer(create_ops(stack_db))) as ops:
        before = samples(await (await ops.get("/metrics")).text())
        with stack_db.unit_of_work() as session:  # no Telegram chat: fails at once
            outbox.enqueue(session, "tg", "not-a-chat", {"text": "lost"}, "metrics-lost")
        employee, agent = Employee(telegram, 9101, "ru"), Agent(telegram, 143)
        suggestions = await employee.say("не печатает принтер")
        await employee.press("Мне всё ещё нужна помощь", suggestions)
        number = parse_reference(texts(await employee.say("нет"))[0])
        await agent.wait_for_post(f"🆕 SD-{number}")
        await agent.say(f"/close SD-{number} Заменили картридж")
        rate_request = await employee.wait_for(f"SD-{number} «не печатает принтер» решена")
        await employee.press("★★★★", [rate_request])
        after = samples(await (await ops.get("/metrics")).text())
    after_actions = await scrape(actions_url)

    assert grown(after_actions, before_actions, "deskbot_tickets_filed_total") == 1
    assert grown(after_actions, before_actions, "deskbot_ratings_total", stars="4") == 1
    # The agents' card of the new ticket and the rating request, through the outbox.
    assert grown(after, before, "deskbot_outbox_delivered_total", channel="tg") >= 2
    failed = {"channel": "tg", "cause": "not_a_chat_id"}
    assert grown(after, before, "deskbot_delivery_failures_total", **failed) == 1


async def test_the_action_server_counts_searches_without_rasas_secret(stack):
    url = stack.action.health_url.removesuffix("/health") + "/metrics"
    before = await scrape(url)
    rasa = stack.rasa_client()
    try:
        await rasa.send("tg:7008", "my printer won't print", {"language": "en"})
        await rasa.send("tg:7009", "the badge reader at the parking gate beeps red", {})
    finally:
        await rasa.close()
    after = await scrape(url)

    def grew(name: str) -> float:
        return after.get((name, ()), 0) - before.get((name, ()), 0)

    assert grew("deskbot_search_seconds_count") >= 1
    assert grew("deskbot_no_good_match_total") >= 1


async def test_the_console_serves_health_and_metrics(console, stack_db):
    with stack_db.unit_of_work() as session:
        outbox.enqueue(session, "xmpp", "ann@corp.example.com", {"text": "hi"}, "metrics-xmpp")
    found = await scrape(f"{console.url}/metrics")
    assert found[("deskbot_outbox_backlog", (("channel", "xmpp"),))] >= 1
    async with aiohttp.ClientSession() as http, http.get(f"{console.url}/healthz") as health:
        assert health.status == 200
