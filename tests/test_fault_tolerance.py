"""The fault test: make cluster's topology on loopback (HAProxy, two gateways in Telegram webhook
mode, two Rasa servers, two action servers, PostgreSQL, a Redis of the test's own) while 30
employees write through the loopback Bot API, which posts each update to the webhook again
when a call fails, as Telegram does. Meanwhile the test kills with SIGKILL, one after another,
a gateway, a Rasa server, an action server, the load balancer and the gateway delivering
proactive messages, restarting each; restarts Redis; and cuts every PostgreSQL connection of
deskbot's (pg_terminate_backend).

Every question is answered and every proactive message arrives, and nothing stays pending; the
employee filing a ticket when a Rasa server dies files it once. No message, answer or proactive,
goes out twice, except one the Bot API accepted after the gateway sending it was killed, or
answered less than RECORDING_S before: that gateway never learned, or never recorded, that it
went out, so the outbox sends it again (the documented crash window; the loopback Bot API
notes each call's connection and the test each gateway's connections when it kills it, which
tells those apart, and the test counts them). The counts are printed (make test -s shows
them)."""

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from yarl import URL

from launcher.cluster import conversations_database
from launcher.processes import Service
from servicedesk import outbox
from servicedesk.db import Database
from servicedesk.db.models import Delivery, OutboxMessage, Ticket
from tests.support.cluster import free_ports, running_cluster_beside_this_loop, telegram_webhook
from tests.support.fake_telegram import Call
from tests.support.gateway import find_button, first_hit
from tests.support.postgres import terminate_backends
from tests.support.redis_server import RedisServer
from tests.support.sockets import connected_ports
from tests.test_metrics import scrape

EMPLOYEES = 30
FIRST_EMPLOYEE = 9100
FILER = FIRST_EMPLOYEE + EMPLOYEES - 1  # the last one files a ticket instead of asking
QUESTIONS = (
    "my printer won't print",
    "my vpn keeps disconnecting",
    "the wifi does not connect",
    "outlook does not receive emails",
)
NOTICES = 40
SECRET = "fault-test-secret"
ANSWERED_WITHIN_S = 400.0  # a message its gateway died with is answered after two leases
# A gateway records a message as sent with one statement once the Bot API has answered; one
# killed sooner than this after the answer may not have (the documented crash window).
RECORDING_S = 0.25
# A process holding one connection to the port it is given, which it prints.
CONNECT_AND_WAIT = """
import socket, sys, time
connection = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print(connection.getsockname()[1], flush=True)
time.sleep(60)
"""


class Employees:
    def __init__(self, telegram) -> None:
        self.telegram = telegram
        self.sent = 0

    def said(self, user: int) -> list[str]:
        return [str(c.params["text"]) for c in self.telegram.calls_of("sendMessage", user)]

    def answers(self, user: int) -> list[str]:
        return [hit for m in self.said(user) if (hit := first_hit(m))]

    async def say(self, user: int, words: str) -> None:
        self.sent += 1
        await self.telegram.deliver(self.telegram.message(user, text=words))

    async def until(self, condition, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + ANSWERED_WITHIN_S
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, f"never came: {what}"
            await asyncio.sleep(0.2)

    async def ask_everything(self, user: int) -> None:
        for number, question in enumerate(QUESTIONS, start=1):
            await asyncio.sleep(random.uniform(0, 3))
            await self.say(user, question)
            await self.until(lambda n=number: len(self.answers(user)) >= n, f"{user}: {question}")


async def _crash(service: Service) -> None:
    """SIGKILL (its workers too), then start it again and wait until it is healthy. Off the
    test's event loop: the loopback Bot API on it stamps each call as it comes."""
    await asyncio.to_thread(service.kill)
    await asyncio.to_thread(service.start)
    await asyncio.to_thread(service.wait_healthy, 300)


@dataclass(frozen=True)
class Kill:
    """A gateway killed: when it was stopped (SIGSTOP, so that it could do nothing more), when
    it was killed, and the local ports of its connections to the Bot API meanwhile."""

    at: float
    ports: frozenset[int]
    ended: float | None = None  # None: at once


class GatewayKills:
    """Kills gateways as ``_crash`` does, noting each kill so that a message the Bot API
    answered to a gateway that died before it could record it is told apart. The gateway is
    stopped first: its connections are then the ones it holds when it dies, and an answer
    that reaches it after that is never recorded."""

    def __init__(self, telegram) -> None:
        self._bot_api_port = URL(telegram.base_url).port
        self.kills: list[Kill] = []

    async def crash(self, gateway: Service) -> None:
        assert gateway.process is not None
        os.killpg(gateway.process.pid, signal.SIGSTOP)
        stopped = time.time()
        ports = await asyncio.to_thread(connected_ports, gateway.process.pid, self._bot_api_port)
        await asyncio.to_thread(gateway.kill)
        self.kills.append(Kill(stopped, frozenset(ports), time.time()))
        await _crash(gateway)


async def _delivered(ops_port: int) -> float:
    try:
        metrics = await scrape(f"http://127.0.0.1:{ops_port}/metrics")
    except Exception:  # a gateway being restarted
        return 0.0
    return metrics.get(("deskbot_outbox_delivered_total", (("channel", "tg"),)), 0.0)


async def _crash_the_sender_of_notices(
    cluster, telegram, database: Database, gateways: GatewayKills
) -> None:
    """Queue the notices, slow Telegram down, and kill the gateway that is sending them."""
    ports = [g.ops for g in cluster.ports.gateways]
    before = [await _delivered(p) for p in ports]
    telegram.send_delay_s = 0.3
    with database.unit_of_work() as session:
        for n in range(NOTICES):
            chat = FIRST_EMPLOYEE + n % EMPLOYEES
            outbox.enqueue(session, "tg", str(chat), {"text": f"notice {n}"}, f"notice-{n}")
    while True:
        sending = [n for n, p in enumerate(ports) if await _delivered(p) >= before[n] + 2]
        if sending:
            break
        await asyncio.sleep(0.1)
    await gateways.crash(cluster.gateways[sending[0]])
    telegram.send_delay_s = 0.0


def _cut_database_connections(database_url: str) -> int:
    """Every connection to deskbot's database and to Rasa's conversations beside it."""
    names = [make_url(database_url).database, conversations_database(database_url)]
    return terminate_backends(
        database_url, "SELECT pid FROM pg_stat_activity WHERE datname = ANY(:names)", names=names
    )


async def _file_a_ticket(people: Employees, telegram, cluster) -> None:
    """Filing, with the Rasa server killed between the proposal and the confirmation."""
    await people.say(FILER, "open a ticket")
    await people.until(lambda: len(people.said(FILER)) >= 1, "the request for details")
    await people.say(FILER, "my second monitor is black")
    await people.until(
        lambda: any("File the ticket" in str(c.params.get("reply_markup"))
                    for c in telegram.calls_of("sendMessage", FILER)),
        "the proposal",
    )  # fmt: skip
    await _crash(cluster.rasa_servers[0])
    message_id, data = find_button(telegram.calls_of("sendMessage", FILER), "File the ticket")
    people.sent += 1
    await telegram.deliver(telegram.callback(FILER, data, message_id))
    await people.until(
        lambda: any("Done: your ticket is SD-" in m for m in people.said(FILER)), "the ticket"
    )


async def test_nothing_is_lost_or_repeated_when_processes_crash_and_connections_drop(
    telegram, tmp_path
):
    redis = RedisServer()
    redis.start()
    ports = free_ports()
    through_the_load_balancer = f"http://127.0.0.1:{ports.webhook}/telegram/webhook"
    gateway_settings = telegram_webhook(telegram, SECRET, through_the_load_balancer) | {
        "DESKBOT_WEBCHAT_ENABLED": "true",
        "DESKBOT_OUTBOX_LEASE_SECONDS": "10",
    }
    try:
        async with running_cluster_beside_this_loop(
            tmp_path, ports, redis.url, gateway_settings
        ) as cluster:
            database = Database(cluster.settings["DESKBOT_DB_URL"])
            people = Employees(telegram)
            chatting = [
                asyncio.create_task(people.ask_everything(FIRST_EMPLOYEE + n))
                for n in range(EMPLOYEES - 1)
            ]
            filing = asyncio.create_task(_file_a_ticket(people, telegram, cluster))
            await asyncio.sleep(3)
            gateways = GatewayKills(telegram)
            await gateways.crash(cluster.gateways[0])
            await _crash(cluster.action_servers[0])
            await _crash(cluster.load_balancer)  # webhook calls fail meanwhile: sent again
            await _crash_the_sender_of_notices(cluster, telegram, database, gateways)
            await asyncio.to_thread(redis.stop)
            await asyncio.sleep(2)
            await asyncio.to_thread(redis.start)
            cut = await asyncio.to_thread(
                _cut_database_connections, cluster.settings["DESKBOT_DB_URL"]
            )
            try:
                await asyncio.gather(*chatting, filing)
            except AssertionError as missing:
                raise AssertionError(f"{missing}; inbox: {_inbox(database)}") from None
            await people.until(lambda: _settled(database), "an empty outbox and inbox")
            counts = _counts(telegram, database, gateways.kills)
            twice = counts["answered_twice"] + counts["notices_repeated_to"]
            repeated = _story(telegram, database, twice, gateways.kills)
            if repeated:
                repeated += "\n" + _troubles(tmp_path)
            database.dispose()
    finally:
        redis.stop()

    print(
        f"\nfault test: {people.sent} messages sent by {EMPLOYEES} employees, "
        f"{telegram.redeliveries} webhook calls made again, {cut} database connections cut; "
        f"deliveries {counts['deliveries']}; {counts['notices']} of {NOTICES} notices "
        f"delivered; {counts['crash_window']} messages sent again after the Bot API accepted "
        f"them from a killed gateway (crash window); tickets {counts['tickets']}"
    )
    if repeated:
        print(repeated)
    assert counts["unanswered"] == [] and counts["answered_twice"] == [], repeated
    assert counts["tickets"] == 1 and counts["done"] == 1
    assert counts["notices"] == NOTICES and counts["notice_repeats"] == 0, repeated


def _story(telegram, database: Database, users: list[int], kills: list[Kill]) -> str:
    """For each of ``users``, in time order: each webhook call with one of their messages, each
    message the Bot API was sent for them (whether after its caller was gone, from which
    connection, how it began), and what deskbot recorded of their messages and replies."""
    lines = []
    with database.unit_of_work() as session:
        for user in users:
            deliveries = session.execute(
                select(Delivery.delivery_key, Delivery.status, Delivery.received_at)
                .where(Delivery.sender_id == f"tg:{user}")
                .order_by(Delivery.id)
            ).all()
            replies = session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.idempotency_key,
                    OutboxMessage.status,
                    OutboxMessage.attempts,
                    OutboxMessage.created_at,
                    OutboxMessage.next_attempt_at,
                    OutboxMessage.sent_at,
                )
                .where(OutboxMessage.recipient == str(user))
                .order_by(OutboxMessage.id)
            ).all()
            updates = {int(key) for key, *_ in deliveries if key.isdigit()}
            events = [
                (post.started_at, f"webhook update {post.update_id}: {post.outcome} "
                                  f"after {post.ended_at - post.started_at:.2f} s")
                for post in telegram.webhook_posts
                if post.update_id in updates
            ] + [
                (call.received_at, _sent_line(call, kills))
                for call in telegram.calls_of("sendMessage", user)
            ]  # fmt: skip
            lines.append(f"employee {user}:")
            lines += [f"  {_clock(at)} {event}" for at, event in sorted(events)]
            lines += [f"  delivery {key} {status}, received {_clock(at)}"
                      for key, status, at in deliveries]  # fmt: skip
            lines += [f"  outbox {row[0]} {row[1]} {row[2]} x{row[3]}, created "
                      f"{_clock(row[4])}, due {_clock(row[5])}, sent {_clock(row[6])}"
                      for row in replies]  # fmt: skip
    return "\n".join(lines)


def _sent_line(call: Call, kills: list[Kill]) -> str:
    lost = " (caller gone)" if call.caller_gone else ""
    if _killed_before_recording(call, kills):
        lost += " (killed before recording)"
    return f"sendMessage from :{call.caller_port}{lost}: {str(call.params['text'])[:60]!r}"


def _troubles(work) -> str:
    """The processes' log lines that tell of an error (up to 40), each after its log's name."""
    lines = [
        f"{log.name}: {line[:300]}"
        for log in sorted(work.rglob("*.log"))
        for line in log.read_text(errors="replace").splitlines()
        if re.search(r"Error|Traceback|exception", line)
    ]
    return "\n".join(lines[:40])


def _clock(at) -> str:
    """A time of day to the millisecond, from a timestamp or a datetime."""
    if at is None:
        return "-"
    moment = at if isinstance(at, datetime) else datetime.fromtimestamp(at, UTC)
    return moment.strftime("%H:%M:%S.%f")[:-3]


def _inbox(database: Database) -> list[tuple]:
    """What deskbot recorded of each message, to tell where one was lost."""
    with database.unit_of_work() as session:
        rows = session.execute(
            select(Delivery.sender_id, Delivery.delivery_key, Delivery.text, Delivery.status)
        )
        return [tuple(row) for row in rows]


def _settled(database: Database) -> bool:
    with database.unit_of_work() as session:
        pending = session.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        in_hand = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status.in_(("received", "core_unavailable")))
        )
    return pending == 0 and in_hand == 0


def _counts(telegram, database: Database, kills: list[Kill]) -> dict:
    """What the employees received, not counting a message sent again after the Bot API had
    accepted it from a gateway that was killed before it learned so."""
    sends, crash_window = _without_crash_window_repeats(telegram.calls_of("sendMessage"), kills)
    said = defaultdict(list)
    for call in sends:
        said[int(call.params["chat_id"])].append(str(call.params["text"]))
    answers = {
        user: [hit for m in said[user] if (hit := first_hit(m))]
        for user in range(FIRST_EMPLOYEE, FILER)
    }
    notices = Counter(
        (user, m) for user, texts in said.items() for m in texts if m.startswith("notice ")
    )
    with database.unit_of_work() as session:
        statuses = dict(
            session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
        tickets = session.scalar(select(func.count()).select_from(Ticket))
    return {
        "unanswered": [u for u, hits in answers.items() if len(hits) < len(QUESTIONS)],
        "answered_twice": [u for u, hits in answers.items() if len(hits) != len(set(hits))
                           or len(hits) > len(QUESTIONS)],
        "deliveries": statuses,
        "notices": len(notices),
        "notice_repeats": sum(n - 1 for n in notices.values()),
        "notices_repeated_to": sorted({user for (user, _), n in notices.items() if n > 1}),
        "crash_window": crash_window,
        "tickets": tickets,
        "done": sum("Done: your ticket is SD-" in m for m in said[FILER]),
    }  # fmt: skip


def _without_crash_window_repeats(
    calls: list[Call], kills: Sequence[Kill] = ()
) -> tuple[list[Call], int]:
    """``calls`` less each one that repeats, word for word and button title for button title,
    an earlier call the Bot API accepted from a gateway that never learned or never recorded
    so: its caller was gone, or it was killed within ``RECORDING_S`` of the answer. Also how
    many those were. (A message sent again carries buttons issued again: the same titles, new
    data.)"""
    lost: Counter = Counter()
    kept = []
    for call in calls:
        message = (call.params.get("chat_id"), call.params.get("text"),
                   _button_titles(call.params.get("reply_markup")))  # fmt: skip
        if lost[message]:
            lost[message] -= 1
        else:
            kept.append(call)
        if call.caller_gone or _killed_before_recording(call, kills):
            lost[message] += 1
    return kept, len(calls) - len(kept)


def _killed_before_recording(call: Call, kills: Sequence[Kill]) -> bool:
    """Whether the gateway that made ``call`` was stopped so soon after the Bot API answered
    that it may not have recorded the message as sent (one statement, right after), or was
    answered while stopped."""
    return call.answered_at is not None and any(
        call.caller_port in kill.ports
        and kill.at - RECORDING_S <= call.answered_at <= (kill.ended or kill.at)
        for kill in kills
    )


def _button_titles(markup) -> tuple[tuple[str, ...], ...]:
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return tuple(tuple(str(button.get("text")) for button in row) for row in rows)


async def test_the_bot_api_marks_a_message_it_accepted_after_its_sender_was_gone(telegram):
    url = f"{telegram.base_url}/bot{telegram.token}/sendMessage"
    telegram.send_delay_s = 0.5
    async with aiohttp.ClientSession() as session:
        waited = await session.post(url, data={"chat_id": "7", "text": "answer"})
        assert (await waited.json())["ok"]
        gone = asyncio.create_task(session.post(url, data={"chat_id": "7", "text": "answer"}))
        await asyncio.sleep(0.2)
        gone.cancel()  # the connection closes, as when its gateway is killed
    await telegram.wait_for_calls("sendMessage", 2, chat_id=7)
    assert [call.caller_gone for call in telegram.calls_of("sendMessage", 7)] == [False, True]


def test_only_a_repeat_of_a_message_accepted_after_its_sender_was_gone_is_not_counted():
    def sent(text: str, caller_gone: bool = False) -> Call:
        return Call("sendMessage", {"chat_id": 7, "text": text}, caller_gone=caller_gone)

    lost, again, twice, other = sent("a", True), sent("a"), sent("b"), sent("c")
    calls = [lost, twice, again, twice, other, sent("a")]
    assert _without_crash_window_repeats(calls) == ([lost, twice, twice, other, calls[-1]], 1)


def test_a_repeat_with_its_buttons_issued_again_is_the_same_message():
    def asked(data: list[str], titles=("Yes", "No"), caller_gone: bool = False) -> Call:
        buttons = [{"text": t, "callback_data": d} for t, d in zip(titles, data, strict=True)]
        params = {
            "chat_id": 7,
            "text": "Did that help?",
            "reply_markup": {"inline_keyboard": [buttons]},
        }
        return Call("sendMessage", params, caller_gone=caller_gone)

    lost, again, other = (
        asked(["t1", "t2"], caller_gone=True),
        asked(["t3", "t4"]),
        asked(["t5", "t6"], titles=("Oui", "Non")),
    )
    assert _without_crash_window_repeats([lost, other, again]) == ([lost, other], 1)


def test_a_repeat_of_a_message_answered_just_before_its_gateway_was_killed_is_not_counted():
    def sent(text: str, port: int, answered_at: float) -> Call:
        params = {"chat_id": 7, "text": text}
        return Call("sendMessage", params, caller_port=port, answered_at=answered_at)

    killed = Kill(at=100.0, ports=frozenset({5001}), ended=100.5)
    unrecorded, while_stopped, earlier, elsewhere, port_used_again = (
        sent("a", 5001, 99.9),
        sent("d", 5001, 100.3),
        sent("b", 5001, 98.0),
        sent("c", 5002, 99.9),
        sent("e", 5001, 101.0),
    )
    first = [earlier, unrecorded, while_stopped, elsewhere, port_used_again]
    again = [sent(text, 6000, 110.0) for text in "abcde"]
    counted = first + [again[1], again[2], again[4]]  # "a" and "d" were in the crash window
    assert _without_crash_window_repeats(first + again, [killed]) == (counted, 2)


def test_the_connections_a_killed_gateway_held_are_found_by_its_process_group():
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    holder = subprocess.Popen(
        [sys.executable, "-c", CONNECT_AND_WAIT, str(port)],
        stdout=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    try:
        own_port = int(holder.stdout.readline())
        assert connected_ports(holder.pid, port) == {own_port}
        assert connected_ports(holder.pid, port + 1 if port < 65535 else port - 1) == set()
    finally:
        holder.kill()
        holder.wait()
        listening.close()
