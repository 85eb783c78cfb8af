"""One gateway replica at a time runs long polling, XMPP and the shared passes, chosen by a
PostgreSQL advisory lock; another takes over within seconds when the leader dies or loses its
connection. Real PostgreSQL, real gateway processes, the loopback Bot API."""

import asyncio
import json
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.leadership import Leadership
from launcher.processes import Service
from launcher.stack import StackSecrets, gateway
from servicedesk.db.migrate import upgrade
from tests.conftest import _postgres_database
from tests.support.fake_telegram import FakeTelegram
from tests.support.postgres import terminate_backends
from tests.support.prosody import CORP, Prosody
from tests.support.stack import free_port
from tests.support.xmpp_gateway import BOT_JID
from tests.support.xmpp_people import XmppPerson

TAKEOVER_S = 20.0


async def _until(condition, timeout: float = TAKEOVER_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.1)


class Replica:
    """A ``Leadership`` whose duty notes that it runs until cancelled."""

    def __init__(self, url: str) -> None:
        self.leadership = Leadership(url, interval_s=0.2)
        self.running = 0
        self.task: asyncio.Task | None = None

    async def _duty(self) -> None:
        self.running += 1
        try:
            await asyncio.Event().wait()
        finally:
            self.running -= 1

    def start(self) -> None:
        self.task = asyncio.create_task(self.leadership.run(lambda: [self._duty()]))

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def test_exactly_one_replica_leads_and_another_takes_over_when_its_connection_is_cut():
    with _postgres_database() as url:
        replicas = [Replica(url), Replica(url), Replica(url)]
        for replica in replicas:
            replica.start()
        try:
            await _until(lambda: sum(r.running for r in replicas) == 1)
            await asyncio.sleep(1.0)  # several more tries by the others
            assert sorted(r.running for r in replicas) == [0, 0, 1]
            sessions = _sessions_so_far(url)
            await asyncio.sleep(1.0)  # five more tries by each waiting replica
            assert _sessions_so_far(url) - sessions <= 1  # the count's own: each asks on one
            leader = next(r for r in replicas if r.running)
            _terminate_lock_holder(url)
            await _until(lambda: sum(r.running for r in replicas) == 1 and not leader.running)
            new_leader = next(r for r in replicas if r.running)
            await new_leader.stop()  # stopping frees the lock for the remaining replica
            await _until(lambda: sum(r.running for r in replicas) == 1)
        finally:
            for replica in replicas:
                await replica.stop()


async def test_on_sqlite_the_only_gateway_leads(tmp_path):
    replica = Replica(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    replica.start()
    try:
        await _until(lambda: replica.running == 1, timeout=5)
    finally:
        await replica.stop()


def _sessions_so_far(url: str) -> int:
    """Sessions PostgreSQL has started on the database (this one included)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            )
    finally:
        engine.dispose()


def _terminate_lock_holder(url: str) -> None:
    """What an operator's pg_terminate_backend, or a dropped connection, does to the leader."""
    holders = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    assert terminate_backends(url, holders) == 1


# -- two real gateway processes --------------------------------------------------------------


def _start_gateway(url: str, ops_port: int, log_dir: Path, env: dict[str, str]) -> Service:
    """``python -m bot`` with ``env`` naming its channels; Rasa is down (answers say so)."""
    service = gateway(
        free_port(), url, StackSecrets.from_environment(), log_dir, None, f"gateway {ops_port}"
    )
    service.env |= {"DESKBOT_OPS_PORT": str(ops_port), "DESKBOT_WEBCHAT_ENABLED": "false", **env}
    service.start()
    return service


def _polling(telegram: FakeTelegram) -> dict[str, str]:
    """Long polling the loopback Bot API."""
    return {"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.base_url}


def _xmpp(prosody: Prosody) -> dict[str, str]:
    """deskbot's account on the loopback Prosody."""
    return {
        "DESKBOT_XMPP_JID": BOT_JID,
        "DESKBOT_XMPP_PASSWORD": "bot-secret",
        "DESKBOT_XMPP_HOST": "127.0.0.1",
        "DESKBOT_XMPP_PORT": str(prosody.port),
        "DESKBOT_XMPP_DOMAINS": json.dumps([CORP]),
        "DESKBOT_XMPP_ALLOW_PLAINTEXT": "true",
    }


async def _leads(ops_port: int) -> bool | None:
    """The replica's own word (its leader gauge); None while it does not answer."""
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{ops_port}/metrics") as response:
                body = await response.text()
    except aiohttp.ClientError:
        return None
    return "deskbot_gateway_leader 1.0" in body


async def _leaders(ports: list[int]) -> list[bool | None]:
    return [await _leads(port) for port in ports]


async def _one_leader(ports: list[int]) -> int:
    """The index of the replica that leads, once both answer and one does."""
    deadline = time.monotonic() + 60
    while sorted(await _leaders(ports), key=str) != [False, True]:
        assert time.monotonic() < deadline, await _leaders(ports)
        await asyncio.sleep(0.3)
    return (await _leaders(ports)).index(True)


async def _kill_and_await_takeover(gateways: list[Service], ports: list[int], leader: int) -> None:
    """SIGKILL the leading replica; the other says it leads within ``TAKEOVER_S``."""
    gateways[leader].kill()
    killed_at = time.monotonic()
    while not await _leads(ports[1 - leader]):
        assert time.monotonic() - killed_at < TAKEOVER_S
        await asyncio.sleep(0.2)


async def test_only_the_leading_gateway_polls_and_a_killed_leader_is_replaced(telegram, tmp_path):
    with _postgres_database() as url:
        upgrade(url)
        ports = [free_port(), free_port()]
        gateways = [_start_gateway(url, port, tmp_path, _polling(telegram)) for port in ports]
        try:
            first = await _one_leader(ports)
            await asyncio.sleep(3.0)  # the other replica has asked for the lock again since
            await telegram.push(telegram.message(4101, text="is anyone there?"))
            await telegram.wait_for_calls("sendMessage", 1, 4101)
            assert telegram.most_polls_at_once == 1  # the other replica never polled
            await _kill_and_await_takeover(gateways, ports, first)
            await telegram.push(telegram.message(4102, text="still there?"))
            await telegram.wait_for_calls("sendMessage", 1, 4102)
            assert len(telegram.calls_of("sendMessage", 4101)) == 1  # answered once
        finally:
            for service in gateways:
                service.stop()


async def test_only_the_leading_gateway_is_on_xmpp_and_a_killed_leader_is_replaced(
    prosody, tmp_path
):
    employee = prosody.register("leader-test", CORP, "pw-leader")
    with _postgres_database() as url:
        upgrade(url)
        ports = [free_port(), free_port()]
        gateways = [_start_gateway(url, port, tmp_path, _xmpp(prosody)) for port in ports]
        person = None
        try:
            first = await _one_leader(ports)
            person = await XmppPerson(employee, "pw-leader", prosody.port, BOT_JID).connect()
            person.client.send_presence_subscription(pto=BOT_JID)  # to see its sessions
            await asyncio.sleep(3.0)  # the other replica has asked for the lock again since
            sessions = _bot_sessions(person)
            assert len(sessions) == 1, sessions  # only the leader is connected
            assert len(await person.say("is anyone there?")) == 1
            await _kill_and_await_takeover(gateways, ports, first)
            await _until(lambda: len(_bot_sessions(person) - sessions) == 1)
            assert len(_bot_sessions(person)) == 1, _bot_sessions(person)
            deadline = time.monotonic() + TAKEOVER_S
            while not (replies := await person.say("still there?")):
                assert time.monotonic() < deadline, "the new leader never answered on XMPP"
            assert len(replies) == 1
        finally:
            if person is not None:
                await person.disconnect()
            for service in gateways:
                service.stop()


def _bot_sessions(person: XmppPerson) -> set[str]:
    """The resources deskbot's account is online with, as its presence shows them."""
    return set(person.client.client_roster.presence(BOT_JID))
