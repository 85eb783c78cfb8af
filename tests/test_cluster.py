"""``make cluster``'s topology for real: HAProxy in front of two gateways, two Rasa servers and
two action servers on PostgreSQL and Redis. Every replica takes its share of the work; a
conversation in the middle of filing a ticket goes on after its gateway and its Rasa server
were killed; with Redis down a message is kept, not hung, and answered once Redis is back."""

import asyncio
import uuid

import pytest

from servicedesk.db import Database
from tests.support.cluster import button, chat, collect, running_cluster, texts
from tests.support.console import account, csrf_token, signed_in_http
from tests.support.redis_server import RedisServer
from tests.test_metrics import scrape

NO_HANG_S = 30.0  # the gateway's own limit to Rasa is 15 s


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_server):
    work = tmp_path_factory.mktemp("cluster")
    with running_cluster(work, redis_url=redis_server.url) as running:
        yield running


async def _turns(ops_port: int) -> float:
    metrics = await scrape(f"http://127.0.0.1:{ops_port}/metrics")
    return sum(v for (name, _), v in metrics.items() if name == "deskbot_turns_total")


async def test_every_gateway_takes_its_share_through_the_load_balancer(cluster):
    before = [await _turns(g.ops) for g in cluster.ports.gateways]
    session = f"webtest-{uuid.uuid4().hex[:12]}"
    answers = [
        await chat(cluster, session, str(n), text="my printer won't print") for n in range(4)
    ]
    after = [await _turns(g.ops) for g in cluster.ports.gateways]
    assert all(status == 200 for status, _ in answers)
    assert all("Printer does not print" in texts(answer) for _, answer in answers)
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 2]


def rasa_answers(cluster) -> list[int]:
    """How many requests each Rasa server has answered, by HAProxy's count (health checks
    apart)."""
    rows = [r for r in cluster.load_balancer.replicas() if r["pxname"] == "rasa"]
    return [int(r["hrsp_2xx"]) for r in sorted(rows, key=lambda r: r["svname"])]


def grown(before: list[int], after: list[int]) -> list[int]:
    return [a - b for a, b in zip(after, before, strict=True)]


async def test_a_conversation_stays_with_one_rasa_server(cluster):
    """The server that remembers it answers it (the gateway's conversation header)."""
    before = rasa_answers(cluster)
    session = f"webtest-{uuid.uuid4().hex[:12]}"
    for n in range(4):
        status, _ = await chat(cluster, session, str(n), text="my printer won't print")
        assert status == 200
    assert sorted(grown(before, rasa_answers(cluster))) == [0, 4]


async def test_filing_goes_on_after_its_gateway_and_rasa_server_are_killed(cluster):
    session = f"webtest-{uuid.uuid4().hex[:12]}"
    before = rasa_answers(cluster)
    await chat(cluster, session, "1", text="open a ticket")
    status, proposal = await chat(cluster, session, "2", text="my second monitor is black")
    assert status == 200, proposal
    its_rasa = cluster.rasa_servers[grown(before, rasa_answers(cluster)).index(2)]
    for killed in (cluster.gateways[0], its_rasa):
        killed.kill()
    status, filed = await chat(cluster, session, "3", button=button(proposal, "File the ticket"))
    assert status == 200, filed
    assert texts(filed).startswith("Done: your ticket is SD-"), filed
    for killed in (cluster.gateways[0], its_rasa):
        killed.start()
        killed.wait_healthy(timeout_s=300)
    status, again = await chat(cluster, session, "4", text="my printer won't print")
    assert status == 200 and "Printer does not print" in texts(again)


async def test_with_redis_down_a_message_is_kept_and_answered_once_redis_is_back(
    cluster, redis_server
):
    session = f"webtest-{uuid.uuid4().hex[:12]}"
    redis_server.stop()
    try:
        status, kept = await asyncio.wait_for(
            chat(cluster, session, "1", text="my vpn keeps disconnecting"), NO_HANG_S
        )
    finally:
        redis_server.start()
    assert status == 200 and "temporarily unavailable" in texts(kept), kept
    deadline = asyncio.get_running_loop().time() + 60
    answered: list[dict] = []
    while not any("Here is what I found" in r["text"] for r in answered):
        assert asyncio.get_running_loop().time() < deadline, answered
        answered += await collect(cluster, session)
        await asyncio.sleep(1)


def _console_answers(cluster) -> dict[str, int]:
    """How many requests each console replica has answered, by HAProxy's count."""
    return {
        row["svname"]: sum(int(row[f"hrsp_{n}xx"] or 0) for n in range(1, 6))
        for row in cluster.load_balancer.replicas()
        if row["pxname"] == "console"
    }


async def test_a_console_sign_in_holds_on_both_consoles_and_so_does_signing_out(cluster):
    account(Database(cluster.settings["DESKBOT_DB_URL"]), "cluster-admin", "admin")
    url = f"http://127.0.0.1:{cluster.ports.console}"
    before = _console_answers(cluster)
    http = await signed_in_http(url, "cluster-admin")
    try:
        homes = [await http.get(f"{url}/", allow_redirects=False) for _ in range(6)]
        assert [r.status for r in homes] == [200] * 6
        token = await csrf_token(http, f"{url}/")
        out = await http.post(f"{url}/logout", data={"csrf_token": token}, allow_redirects=False)
        assert (out.status, out.headers["Location"]) == (303, "/login")
        after_out = [await http.get(f"{url}/", allow_redirects=False) for _ in range(4)]
        assert [r.status for r in after_out] == [303] * 4
    finally:
        await http.close()
    served = _console_answers(cluster)
    assert len(served) == 2
    assert all(served[name] - before[name] >= 4 for name in served), (before, served)
