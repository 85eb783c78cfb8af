"""Outbox delivery into the loopback Bot API: once each, 429 honoured, a restart resumes."""

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from bot.conversation import Conversation
from bot.messages import Reply
from bot.rasa_client import RasaClient
from bot.settings import TelegramSettings
from bot.telegram.app import create_bot
from bot.telegram.delivery import TelegramDelivery
from bot.telegram.replies import send_replies
from servicedesk import outbox
from servicedesk.db import Database
from servicedesk.db.migrate import upgrade
from servicedesk.db.models import OutboxMessage, utcnow
from tests.support.postgres import CutWhileWaiting
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parent.parent

RATING = {
    "text": "SD-1001 'printer' was resolved: spooler restarted. How would you rate the help?",
    "buttons": [
        {"title": f"{n}★", "payload": f'/rate{{"ticket":"1001","stars":"{n}"}}'}
        for n in range(1, 6)
    ],
}


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def bot(telegram):
    bot = create_bot(
        TelegramSettings(bot_token=SecretStr(telegram.token), api_base_url=telegram.base_url)
    )
    yield bot
    await bot.session.close()


def queue(database, key: str, chat: int, payload=RATING) -> int:
    with database.unit_of_work() as session:
        return outbox.enqueue(session, "tg", str(chat), payload, key).id


def turns_of(database) -> Conversation:
    """The gateway's conversation, for recording what was sent (it never asks Rasa here)."""
    return Conversation(RasaClient("http://127.0.0.1:9", 1.0, None), database)


def status_of(database, message_id: int) -> OutboxMessage:
    with database.unit_of_work() as session:
        return session.get(OutboxMessage, message_id)


async def test_each_queued_message_is_delivered_once_with_its_buttons(database, telegram, bot):
    ids = [queue(database, "a", 501), queue(database, "b", 502), queue(database, "c", 501)]
    delivery = TelegramDelivery(bot, database, sleep=no_sleep)

    assert await delivery.deliver_due() == 3
    assert await delivery.deliver_due() == 0

    sent = telegram.calls_of("sendMessage")
    assert [int(c.params["chat_id"]) for c in sent] == [501, 502, 501]
    keyboard = sent[0].params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["1★", "2★", "3★", "4★", "5★"]
    assert all(len(row[0]["callback_data"]) <= 64 for row in keyboard)
    assert {status_of(database, i).status for i in ids} == {"sent"}


async def test_a_429_is_retried_after_the_time_telegram_names(database, telegram, bot):
    message_id = queue(database, "flood", 501)
    telegram.flood_waits.append(7)
    delivery = TelegramDelivery(bot, database, sleep=no_sleep)

    assert await delivery.deliver_due() == 0

    message = status_of(database, message_id)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "retry after 7" in message.last_error
    with database.unit_of_work() as session:
        assert outbox.due(session, "tg", now=utcnow() + timedelta(seconds=5)) == []
        assert outbox.due(session, "tg", now=utcnow() + timedelta(seconds=8))


async def test_a_restarted_gateway_delivers_what_was_pending_and_nothing_twice(
    database, telegram, bot
):
    first = queue(database, "before-restart", 501)
    await TelegramDelivery(bot, database, sleep=no_sleep).deliver_due()
    second = queue(database, "after-restart", 502)

    restarted = TelegramDelivery(bot, database, sleep=no_sleep)
    assert await restarted.deliver_due() == 1

    assert [int(c.params["chat_id"]) for c in telegram.calls_of("sendMessage")] == [501, 502]
    assert status_of(database, first).status == status_of(database, second).status == "sent"


async def test_each_reply_of_a_turn_is_recorded_sent_as_it_goes_out_not_after_the_last(
    database, telegram, bot
):
    """A gateway dying while it sends a turn's later replies leaves its first recorded as sent:
    the outbox sends again only what had not gone out. One Telegram refuses stays held."""
    rows = [({"text": f"reply {n}"}, f"reply:tg:77:{n}") for n in range(3)]
    with database.unit_of_work() as session:
        ids = [m.id for m in outbox.enqueue_all(session, "tg", "601", rows, held_s=60)]
    replies = [Reply(f"reply {n}", kept_as=kept) for n, kept in enumerate(ids)]
    statuses_as_sent = []

    def on_call(call) -> None:
        statuses_as_sent.append([status_of(database, kept).status for kept in ids])
        if len(statuses_as_sent) == 1:
            telegram.flood_waits.append(30)  # the next one is refused
            telegram.send_delay_s = 1.0  # and the last one is slow to answer

    telegram.listeners.append(on_call)
    await send_replies(bot, 601, replies, turns_of(database))

    assert [c.params["text"] for c in telegram.calls_of("sendMessage")] == ["reply 0", "reply 2"]
    assert statuses_as_sent == [["pending"] * 3, ["sent", "pending", "pending"]]
    assert [status_of(database, kept).status for kept in ids] == ["sent", "pending", "sent"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_a_message_recorded_on_a_connection_the_database_drops_is_recorded_once(
    database, telegram, bot
):
    """The database ends the connection that records a message Telegram has just accepted,
    while the record runs: it is recorded on a new one, not sent again after the lease."""
    message = queue(database, "dropped-while-recorded", 504)
    cutter = CutWhileWaiting(
        database.url, f"SELECT id FROM outbox WHERE id = {message} FOR UPDATE"
    )  # the record waits for this lock, then loses its connection
    telegram.listeners.append(lambda _call: cutter.hold())
    delivery = TelegramDelivery(bot, database, sleep=no_sleep, lease_s=0.5)

    assert await delivery.deliver_due() == 1
    await asyncio.to_thread(cutter.join)
    await asyncio.sleep(0.6)  # the lease is over: a message still pending would be due
    assert await delivery.deliver_due() == 0

    assert cutter.cut is not None
    assert status_of(database, message).status == "sent"
    assert len(telegram.calls_of("sendMessage", 504)) == 1


async def test_a_reply_in_several_parts_is_sent_again_from_the_part_that_did_not_go(
    database, telegram, bot
):
    """A reply too long for one Telegram message goes in parts. The second is refused: the
    outbox later sends the second and the third, not the first again."""
    words = [f"line {n:04d} of a long answer" for n in range(600)]
    long_text = "\n".join(words)  # about 16,000 characters: four messages
    with database.unit_of_work() as session:
        [kept] = outbox.enqueue_all(session, "tg", "602", [({"text": long_text}, "reply:long")])
    reply = Reply(long_text, kept_as=kept.id)

    def refuse_the_second(_call) -> None:
        if len(telegram.calls_of("sendMessage", 602)) == 1:
            telegram.flood_waits.append(0)

    telegram.listeners.append(refuse_the_second)
    await send_replies(bot, 602, [reply], turns_of(database))
    telegram.listeners.remove(refuse_the_second)
    after_the_turn = status_of(database, kept.id)
    delivered = await TelegramDelivery(bot, database, sleep=no_sleep).deliver_due()

    parts = [str(call.params["text"]) for call in telegram.calls_of("sendMessage", 602)]
    assert (after_the_turn.status, after_the_turn.parts_sent) == ("pending", 1)
    assert delivered == 1 and status_of(database, kept.id).status == "sent"
    assert len(parts) == len(set(parts)) == 4, [p[:20] for p in parts]
    assert "\n".join(parts) == long_text


async def test_a_message_telegram_refuses_is_kept_for_retry_and_others_still_go(
    database, telegram, bot
):
    telegram.blocked_by.add(501)
    broken = queue(database, "blocked", 501)
    fine = queue(database, "fine", 502)

    assert await TelegramDelivery(bot, database, sleep=no_sleep).deliver_due() == 1

    assert status_of(database, fine).status == "sent"
    refused = status_of(database, broken)
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert "blocked" in refused.last_error


async def test_the_gateway_process_delivers_the_outbox(telegram, tmp_path):
    """`python -m bot` with a token polls Telegram and delivers what the outbox holds."""
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    upgrade(url)
    database = Database(url)
    queue(database, "from-an-agent", 777, {"text": "An agent replied on SD-1001", "buttons": []})
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DESKBOT_DB_URL": url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "DESKBOT_WEBCHAT_ENABLED": "false",
        "DESKBOT_RASA_URL": "http://127.0.0.1:9",
        "DESKBOT_OPS_PORT": str(free_port()),
    }
    gateway = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=ROOT, env=env)
    try:
        [delivered] = await telegram.wait_for_calls("sendMessage", 1, chat_id=777, timeout=60)
    finally:
        gateway.terminate()
        await gateway.wait()
        database.dispose()
    assert delivered.params["text"] == "An agent replied on SD-1001"


@pytest.mark.parametrize("recipient", ["@ivan", "", "²", "12 34", "tg:55"])
async def test_a_row_for_no_telegram_chat_fails_alone_and_the_rest_go(
    database, telegram, bot, recipient
):
    with database.unit_of_work() as session:
        bad = outbox.enqueue(session, "tg", recipient, RATING, "csv-typo").id
    fine = queue(database, "fine", 503)
    delivery = TelegramDelivery(bot, database, sleep=no_sleep)

    assert await delivery.deliver_due() == 1
    assert await delivery.deliver_due() == 0  # the bad row is not tried again

    assert status_of(database, fine).status == "sent"
    failed = status_of(database, bad)
    assert failed.status == "failed"
    assert "not a Telegram chat id" in failed.last_error
    assert [c.params["chat_id"] for c in telegram.calls_of("sendMessage")] == ["503"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_two_gateways_deliver_each_message_once(database, telegram, bot):
    chats = range(6001, 6031)
    for chat in chats:
        queue(database, f"two-gateways-{chat}", chat)
    workers = [TelegramDelivery(bot, database, sleep=no_sleep) for _ in range(2)]

    sent = await asyncio.gather(*(worker.deliver_due() for worker in workers))

    assert sum(sent) == len(chats)
    assert all(len(telegram.calls_of("sendMessage", chat)) == 1 for chat in chats)


async def test_a_pass_slower_than_its_lease_renews_it_and_nothing_goes_twice(
    database, telegram, bot
):
    """Rate limits or a slow Bot API can make a pass outlive its lease while its gateway is
    alive; it renews the lease, so another gateway sends none of its messages again."""
    chats = range(7001, 7013)
    for chat in chats:
        queue(database, f"slow-pass-{chat}", chat)
    telegram.send_delay_s = 0.5  # twelve messages: six seconds, twice the lease
    slow, other = (TelegramDelivery(bot, database, lease_s=3.0) for _ in range(2))
    slow_pass = asyncio.create_task(slow.deliver_due())
    sent_by_other = 0
    while not slow_pass.done():
        await asyncio.sleep(0.3)
        sent_by_other += await other.deliver_due()

    assert await slow_pass == len(chats) and sent_by_other == 0
    assert all(len(telegram.calls_of("sendMessage", chat)) == 1 for chat in chats)


async def test_delivery_failures_are_counted_by_cause(database, telegram, bot):
    def failures(cause: str) -> float:
        labels = {"channel": "tg", "cause": cause}
        return REGISTRY.get_sample_value("deskbot_delivery_failures_total", labels) or 0.0

    causes = ("not_a_chat_id", "TelegramForbiddenError")
    before = {cause: failures(cause) for cause in causes}
    telegram.blocked_by.add(504)
    queue(database, "blocked", 504)
    with database.unit_of_work() as session:
        outbox.enqueue(session, "tg", "@ivan", RATING, "csv-typo")

    assert await TelegramDelivery(bot, database, sleep=no_sleep).deliver_due() == 0

    assert {cause: failures(cause) - before[cause] for cause in causes} == dict.fromkeys(causes, 1)
