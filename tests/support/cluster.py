"""``make cluster``'s topology on free loopback ports, with a throwaway PostgreSQL database and
the local Redis: HAProxy, two action servers, two Rasa servers, two gateways, the console."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import psycopg

from bot.settings import TelegramSettings
from launcher.cluster import (
    Cluster,
    ClusterPorts,
    GatewayPorts,
    build,
    conversations_database,
    ensure_database,
)
from launcher.stack import StackPaths, StackSecrets
from servicedesk.db.migrate import upgrade
from tests.support.fake_telegram import FakeTelegram
from tests.support.stack import free_port

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_ports(replicas: int = 2) -> ClusterPorts:
    """Free loopback ports for the topology, with ``replicas`` of each process (make cluster
    starts two). A port the system hands out twice (it may, once the first is released) is
    asked for again."""
    taken: set[int] = set()

    def port() -> int:
        while (chosen := free_port()) in taken:
            pass
        taken.add(chosen)
        return chosen

    def ports() -> tuple[int, ...]:
        return tuple(port() for _ in range(replicas))

    def gateway() -> GatewayPorts:
        return GatewayPorts(port(), port(), port())

    return ClusterPorts(
        chat=port(),
        webhook=port(),
        rasa=port(),
        actions=port(),
        console=port(),
        stats=port(),
        gateways=tuple(gateway() for _ in range(replicas)),
        rasa_servers=ports(),
        action_servers=ports(),
        consoles=ports(),
    )


@contextlib.contextmanager
def running_cluster(
    work: Path,
    ports: ClusterPorts | None = None,
    redis_url: str = REDIS_URL,
    gateway_settings: dict[str, str] | None = None,
    rasa_endpoints: str = "endpoints-cluster.yml",
) -> Iterator[Cluster]:
    """The topology, started as make cluster starts it; ``gateway_settings`` on top of the
    gateways' own (a Telegram token and webhook, say)."""
    name = f"deskbot_cluster_{uuid.uuid4().hex[:8]}"
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    ensure_database(database_url)
    upgrade(database_url)
    gateway_settings = gateway_settings or {}
    cluster = build(
        ports or free_ports(),
        database_url,
        redis_url,
        StackPaths.from_environment(),
        StackSecrets.from_environment(),
        work,
        TelegramSettings(**_telegram_fields(gateway_settings)),
        rasa_endpoints,
    )
    for gateway in cluster.gateways:
        gateway.env |= gateway_settings
    started = []
    try:
        for stage in cluster.stages():
            for service in stage:
                service.start()
                started.append(service)
            for service in stage:
                service.wait_healthy(timeout_s=300)
        yield cluster
    finally:
        for service in reversed(started):
            service.stop()
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            for database in (name, conversations_database(database_url)):
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def running_cluster_beside_this_loop(work: Path, *args, **kwargs) -> AsyncIterator[Cluster]:
    """``running_cluster``, started and stopped from a thread, so that a server on this event
    loop (the loopback Bot API) can answer the processes while they start."""
    topology = running_cluster(work, *args, **kwargs)
    cluster = await asyncio.to_thread(topology.__enter__)
    try:
        yield cluster
    finally:
        await asyncio.to_thread(topology.__exit__, None, None, None)


def telegram_webhook(telegram: FakeTelegram, secret: str, url: str) -> dict[str, str]:
    """Gateway settings for Telegram in webhook mode against the loopback Bot API, with the
    webhook registered at ``url``."""
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_MODE": "webhook",
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "TELEGRAM_WEBHOOK_URL": url,
    }


def _telegram_fields(settings: dict[str, str]) -> dict[str, str]:
    """TELEGRAM_* settings as TelegramSettings' fields (the load balancer's view of them)."""
    prefix = "TELEGRAM_"
    return {k.removeprefix(prefix).lower(): v for k, v in settings.items() if k.startswith(prefix)}


async def chat(cluster: Cluster, session: str, message_id: str, **body) -> tuple[int, dict]:
    """One web chat message through the load balancer: its status and answer."""
    url = f"http://127.0.0.1:{cluster.ports.chat}/api/messages"
    data = json.dumps({"session": session, "id": message_id, **body})
    async with aiohttp.ClientSession() as http, http.post(url, data=data) as response:
        return response.status, await response.json()


async def collect(cluster: Cluster, session: str) -> list[dict]:
    """What the web chat has for ``session`` on its own (kept messages' answers), acknowledged."""
    url = f"http://127.0.0.1:{cluster.ports.chat}/api/outbox"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"session": session}) as response:
            replies = (await response.json())["replies"]
        if replies:
            last = str(max(r["id"] for r in replies))
            async with http.get(url, params={"session": session, "received": last}):
                pass
    return replies


def texts(answer: dict) -> str:
    return "\n".join(reply["text"] for reply in answer.get("replies", []))


def button(answer: dict, title: str) -> str:
    for reply in answer.get("replies", []):
        for offered in reply["buttons"]:
            if offered["title"] == title:
                return offered["token"]
    raise AssertionError(f"no button {title!r} in {answer}")
