"""Two Rasa servers with nlu/endpoints-cluster.yml share conversations through PostgreSQL
(Rasa's SQL tracker store) and locks through Redis: a conversation begun on one goes on on the
other, also after the first was killed. Real Rasa servers and action server, the local
PostgreSQL and Redis."""

import asyncio
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp
import psycopg
import pytest

from bot.rasa_client import RasaClient
from launcher.stack import StackPaths, rasa_server
from tests.support.postgres import CutWhileWaiting, terminate_backends
from tests.support.stack import free_port

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_ENGINE = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def cluster(stack, tmp_path_factory):
    """Two Rasa servers on one PostgreSQL tracker store and one Redis lock store."""
    database = f"deskbot_rasa_{uuid.uuid4().hex[:8]}"
    stores = {
        "DESKBOT_TRACKER_DB_HOST": "127.0.0.1",
        "DESKBOT_TRACKER_DB_PORT": "5432",
        "DESKBOT_TRACKER_DB_NAME": database,
        "DESKBOT_TRACKER_DB_USER": "postgres",
        "DESKBOT_TRACKER_DB_PASSWORD": "",
        "DESKBOT_REDIS_HOST": "127.0.0.1",
        "DESKBOT_REDIS_PORT": "6379",
        "DESKBOT_REDIS_DB": "0",
    }
    action_port = urlsplit(stack.action.health_url).port
    log_dir, paths = tmp_path_factory.mktemp("cluster"), StackPaths.from_environment()
    servers = [
        rasa_server(
            free_port(),
            action_port,
            paths,
            stack.secrets,
            log_dir,
            "endpoints-cluster.yml",
            f"Rasa server {n}",
        )
        for n in (1, 2)
    ]
    try:
        for server in servers:
            server.env |= stores
            server.start()
        for server in servers:
            server.wait_healthy(timeout_s=300)
        yield servers
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def client_of(server, stack) -> RasaClient:
    base = server.health_url.split("/status")[0]
    return RasaClient(base, 120, stack.secrets.rasa_token)


def shown(answer: dict) -> dict:
    """A domain response, or an action's custom {text, buttons}."""
    return answer["custom"] if isinstance(answer.get("custom"), dict) else answer


def button(answers: list[dict], title: str) -> str:
    for answer in answers:
        for offered in shown(answer).get("buttons") or []:
            if offered.get("title") == title:
                return offered["payload"]
    raise AssertionError(f"no button {title!r} in {answers}")


async def tracker_texts(server, stack, sender: str) -> list[str]:
    base = server.health_url.split("/status")[0]
    url = f"{base}/conversations/{sender}/tracker"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"token": stack.secrets.rasa_token}) as response:
            assert response.status == 200
            events = (await response.json())["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


async def test_a_conversation_goes_on_on_another_rasa_server_after_a_crash(cluster, stack):
    first, second = cluster
    sender = f"tg:{uuid.uuid4().int % 10**9}"
    one, two = client_of(first, stack), client_of(second, stack)
    try:
        await one.send(sender, "open a ticket", {"language": "en"})
        proposal = await one.send(sender, "my second monitor is black", {"language": "en"})
        first.process.kill()  # SIGKILL: no chance to save anything more
        first.process.wait()
        seen_by_the_other = await tracker_texts(second, stack, sender)
        filed = await two.send(sender, button(proposal, "File the ticket"), {"language": "en"})
    finally:
        await one.close()
        await two.close()

    assert seen_by_the_other == ["open a ticket", "my second monitor is black"]
    assert shown(filed[0])["text"].startswith("Done: your ticket is SD-"), filed


# What Rasa's fail-safe tracker store logs when it answers from memory instead of the database.
IN_MEMORY_FALLBACK = "Falling back to use the 'InMemoryTrackerStore'"


async def test_a_conversation_goes_on_after_postgresql_dropped_rasas_connections(cluster, stack):
    """A connection the database dropped is replaced before use: the next turn sees the whole
    conversation (Rasa would otherwise answer it from an empty in-memory one)."""
    server = cluster[1]
    sender = f"tg:{uuid.uuid4().int % 10**9}"
    rasa = client_of(server, stack)
    try:
        await rasa.send(sender, "open a ticket", {"language": "en"})
        proposal = await rasa.send(sender, "my second monitor is black", {"language": "en"})
        fallbacks_before = server.log_path.read_text().count(IN_MEMORY_FALLBACK)
        database = server.env["DESKBOT_TRACKER_DB_NAME"]
        cut = terminate_backends(
            POSTGRES_ENGINE,
            "SELECT pid FROM pg_stat_activity WHERE datname = :name",
            name=database,
        )
        filed = await rasa.send(sender, button(proposal, "File the ticket"), {"language": "en"})
    finally:
        await rasa.close()
    assert cut >= 1
    assert shown(filed[0])["text"].startswith("Done: your ticket is SD-"), filed
    # The turn after the cut read and saved the conversation in PostgreSQL, not in memory.
    assert server.log_path.read_text().count(IN_MEMORY_FALLBACK) == fallbacks_before
    texts = await tracker_texts(server, stack, sender)
    assert texts[:2] == ["open a ticket", "my second monitor is black"]


async def test_a_conversation_goes_on_when_postgresql_drops_a_connection_in_mid_turn(
    cluster, stack
):
    """The connection a turn is reading the conversation on is dropped while the read runs:
    the read is done again on a new connection, and the turn goes on from the whole
    conversation, not from an empty in-memory one."""
    server = cluster[1]
    sender = f"tg:{uuid.uuid4().int % 10**9}"
    rasa = client_of(server, stack)
    database = server.env["DESKBOT_TRACKER_DB_NAME"]
    cutter = CutWhileWaiting(
        POSTGRES_ENGINE.rsplit("/", 1)[0] + f"/{database}",
        "LOCK TABLE events IN ACCESS EXCLUSIVE MODE",
    )  # the turn's first statement waits for this lock, then loses its connection
    try:
        await rasa.send(sender, "open a ticket", {"language": "en"})
        proposal = await rasa.send(sender, "my second monitor is black", {"language": "en"})
        fallbacks_before = server.log_path.read_text().count(IN_MEMORY_FALLBACK)
        cutter.hold()
        filed = await rasa.send(sender, button(proposal, "File the ticket"), {"language": "en"})
        await asyncio.to_thread(cutter.join)
    finally:
        await rasa.close()
    assert cutter.cut is not None
    assert shown(filed[0])["text"].startswith("Done: your ticket is SD-"), filed
    assert server.log_path.read_text().count(IN_MEMORY_FALLBACK) == fallbacks_before
    assert "doing it again" in server.log_path.read_text()


def test_a_rasa_server_with_another_model_is_refused(cluster, stack, tmp_path):
    """The deployment's servers run one model; a third started with another one exits at
    once, saying why, and leaves the running ones alone."""
    running = cluster[1]
    paths = StackPaths.from_environment()
    other_model = tmp_path / "another-model.tar.gz"
    other_model.write_bytes(paths.rasa_model.read_bytes() + b"another build")
    third = rasa_server(
        free_port(),
        urlsplit(stack.action.health_url).port,
        replace(paths, rasa_model=other_model),
        stack.secrets,
        tmp_path,
        "endpoints-cluster.yml",
        "Rasa server 3",
    )
    third.env |= {k: v for k, v in running.env.items() if k.startswith("DESKBOT_")}
    third.start()
    try:
        assert third.process.wait(timeout=120) == 3
    finally:
        third.stop()
    log = third.log_path.read_text()
    assert "refusing to start: model another-model.tar.gz" in log
    assert "differs from model" in log
    assert running.process.poll() is None
