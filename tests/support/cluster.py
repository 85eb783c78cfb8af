"""``make cluster``'s topology on free loopback ports, with a throwaway PostgreSQL database and
the local Redis: HAProxy, two action servers, two Rasa servers, two gateways, the console."""

import contextlib
import json
import uuid
from collections.abc import Iterator
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
from tests.support.stack import free_port

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_ports() -> ClusterPorts:
    def gateway() -> GatewayPorts:
        return GatewayPorts(free_port(), free_port(), free_port())

    return ClusterPorts(
        chat=free_port(),
        webhook=free_port(),
        rasa=free_port(),
        actions=free_port(),
        console=free_port(),
        stats=free_port(),
        gateways=(gateway(), gateway()),
        rasa_servers=(free_port(), free_port()),
        action_servers=(free_port(), free_port()),
        consoles=(free_port(),),
    )


@contextlib.contextmanager
def running_cluster(work: Path, telegram: TelegramSettings | None = None) -> Iterator[Cluster]:
    name = f"deskbot_cluster_{uuid.uuid4().hex[:8]}"
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    ensure_database(database_url)
    upgrade(database_url)
    cluster = build(
        free_ports(),
        database_url,
        REDIS_URL,
        StackPaths.from_environment(),
        StackSecrets.from_environment(),
        work,
        telegram or TelegramSettings(),
    )
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


async def chat(cluster: Cluster, session: str, message_id: str, **body) -> tuple[int, dict]:
    """One web chat message through the load balancer: its status and answer."""
    url = f"http://127.0.0.1:{cluster.ports.chat}/api/messages"
    data = json.dumps({"session": session, "id": message_id, **body})
    async with aiohttp.ClientSession() as http, http.post(url, data=data) as response:
        return response.status, await response.json()


def texts(answer: dict) -> str:
    return "\n".join(reply["text"] for reply in answer.get("replies", []))


def button(answer: dict, title: str) -> str:
    for reply in answer.get("replies", []):
        for offered in reply["buttons"]:
            if offered["title"] == title:
                return offered["token"]
    raise AssertionError(f"no button {title!r} in {answer}")
