"""Whole-turn speed: N simulated employees against the full stack, through the Bot API.

``scripts/bootstrap.sh bench-turns [--employees 1 10 50] [--turns 20]`` starts the action
server, Rasa and the gateway (``python -m bot``, polling) as separate processes on a fresh
SQLite database, as make run does, serves the Bot API on loopback in this process, and prints
turns per second and p50/p95/p99 latency for each N, with the CPU time each process spent per
turn (Linux /proc); the last line is JSON. ``--think 0`` measures capacity:
employees who write again as soon as an answer is over.

``--topology cluster`` measures make cluster's topology instead: HAProxy, two gateways in
webhook mode, two Rasa servers, two action servers, a fresh database on the local PostgreSQL
and the local Redis; the CPU of the whole PostgreSQL and Redis servers is counted too.
``--replicas 1`` runs one of each process there instead of two.

``--topology both --rounds 4`` starts both side by side and loads them in turn, round after
round, then prints the cluster's extra CPU per turn in each round and the median: on a machine
whose speed drifts, runs minutes apart compare better than runs a quarter of an hour apart.
``--together`` loads both at the same moment instead (N employees each; bot_api_and_load then
counts the load of both).
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.cpu import cpu_seconds, server_pids
from benchmarks.load import run_load
from launcher.processes import Service
from launcher.stack import ROOT, StackPaths, StackSecrets, action_server, gateway, rasa_server
from servicedesk.db.migrate import upgrade
from tests.support.cluster import (
    REDIS_URL,
    free_ports,
    running_cluster_beside_this_loop,
    telegram_webhook,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.stack import free_port

# An employee reads the answer and types the next message in far more than a second; one second
# keeps 50 employees asking about 30 times a second, Telegram's own ceiling for a bot.
THINK_S = 1.0
WARM_UP_EMPLOYEES = 8
ENGLISH = [
    "my laptop does not turn on",
    "I forgot my password",
    "outlook is not getting new emails",
    "the printer is not printing",
    "how do I connect to the vpn from home",
    "my account is locked",
    "teams microphone does not work",
    "wifi keeps disconnecting in the meeting room",
    "I need a second monitor",
    "how do I install software",
]


def messages() -> list[tuple[str, str]]:
    """English questions and the Russian chat-style eval questions, interleaved."""
    russian = [
        json.loads(line)["query"]
        for line in (ROOT / "data/eval/ru-chat/queries.jsonl").read_text().splitlines()
    ]
    pairs = [(q, "en") for q in ENGLISH] + [(q, "ru") for q in russian[::5]]
    return pairs[::2] + pairs[1::2]


def start(services: list[Service]) -> None:
    for service in services:
        service.start()
    for service in services:
        service.wait_healthy(timeout_s=300)


@dataclass
class Topology:
    """A started topology, loaded through its own loopback Bot API."""

    name: str
    telegram: FakeTelegram
    groups: dict[str, list[Service]]  # each kind of deskbot process
    servers: dict[str, list[int]] = field(default_factory=dict)  # shared servers it uses
    next_user: int = 500_000  # the next simulated employee's Telegram id

    def employees(self, count: int) -> list[int]:
        """``count`` employees who have not written yet."""
        first, self.next_user = self.next_user, self.next_user + count
        return list(range(first, first + count))


@contextlib.asynccontextmanager
async def embedded(work: Path) -> AsyncIterator[Topology]:
    """make run's topology on a fresh SQLite database."""
    database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    upgrade(database_url)
    paths, secrets = StackPaths.from_environment(), StackSecrets.from_environment()
    action_port, rasa_port = free_port(), free_port()
    telegram = FakeTelegram()
    await telegram.start()
    bot = gateway(rasa_port, database_url, secrets, work, health_url=None)
    bot.env |= {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "DESKBOT_WEBCHAT_ENABLED": "false",
        "DESKBOT_OPS_PORT": str(free_port()),
    }
    actions = action_server(action_port, database_url, paths, secrets, work)
    rasa = rasa_server(rasa_port, action_port, paths, secrets, work)
    services = [actions, rasa]
    groups = {"gateway": [bot], "rasa": [rasa], "action_server": [actions]}
    try:
        await asyncio.to_thread(start, services)
        await asyncio.to_thread(start, [bot])
        yield await _warmed_up(Topology("run", telegram, groups))
    finally:
        for service in [bot, *reversed(services)]:
            service.stop()
        await telegram.stop()


@contextlib.asynccontextmanager
async def clustered(
    work: Path, rasa_endpoints: str = "endpoints-cluster.yml", replicas: int = 2
) -> AsyncIterator[Topology]:
    """make cluster's topology, Telegram in webhook mode through HAProxy, with ``replicas``
    of each process (make cluster starts two)."""
    telegram = FakeTelegram()
    await telegram.start()
    ports = free_ports(replicas)
    settings = telegram_webhook(telegram, ports, "bench-turns")
    settings["DESKBOT_WEBCHAT_ENABLED"] = "false"
    servers = {"postgresql": server_pids("postgres"), "redis": server_pids("redis-server")}
    try:
        async with running_cluster_beside_this_loop(
            work, ports, REDIS_URL, settings, rasa_endpoints
        ) as cluster:
            groups = {
                "gateway": cluster.gateways,
                "rasa": cluster.rasa_servers,
                "action_server": cluster.action_servers,
                "load_balancer": [cluster.load_balancer],
            }
            yield await _warmed_up(Topology("cluster", telegram, groups, servers))
    finally:
        await telegram.stop()


async def _warmed_up(topology: Topology) -> Topology:
    """A few answered turns first, so that every replica has served before anything is
    counted (eight conversations: Rasa's go to the servers by a hash of each)."""
    await run_load(topology.telegram, topology.employees(WARM_UP_EMPLOYEES), messages(), 1)
    return topology


async def measure(
    employee_counts: list[int], turns: int, think_s: float, work: Path
) -> list[dict]:
    async with embedded(work) as topology:
        return await _load_steps(topology, employee_counts, turns, think_s)


async def measure_cluster(
    employee_counts: list[int],
    turns: int,
    think_s: float,
    work: Path,
    rasa_endpoints: str = "endpoints-cluster.yml",
    replicas: int = 2,
) -> list[dict]:
    async with clustered(work, rasa_endpoints, replicas) as topology:
        return await _load_steps(topology, employee_counts, turns, think_s)


async def measure_both(
    employee_counts: list[int],
    turns: int,
    think_s: float,
    work: Path,
    rounds: int,
    replicas: int = 2,
    together: bool = False,
) -> list[dict]:
    """Both topologies started side by side and loaded in turn, ``rounds`` times (the order
    swapped every round): each round's two rows are measured minutes apart, so a machine
    whose speed drifts over a session shifts both alike. ``together``: each step loads both
    at the same moment, N employees each, so that both see the machine in the same state."""
    (work / "run").mkdir()
    (work / "cluster").mkdir()
    async with (
        embedded(work / "run") as run,
        clustered(work / "cluster", replicas=replicas) as cluster,
    ):
        results = []
        for round_ in range(1, rounds + 1):
            order = (run, cluster) if round_ % 2 else (cluster, run)
            measured = await _one_round(order, employee_counts, turns, think_s, together)
            for topology, steps in measured:
                results += [step | {"topology": topology.name, "round": round_} for step in steps]
    print(_ratios(results), flush=True)
    return results


async def _one_round(
    order: tuple[Topology, ...],
    employee_counts: list[int],
    turns: int,
    think_s: float,
    together: bool,
) -> list[tuple[Topology, list[dict]]]:
    """Each topology's steps: one topology after the other, or both at once for each N."""
    if not together:
        return [(t, await _load_steps(t, employee_counts, turns, think_s)) for t in order]
    measured = []
    for count in employee_counts:
        steps = await asyncio.gather(*(_load_steps(t, [count], turns, think_s) for t in order))
        measured += list(zip(order, steps, strict=True))
    return measured


def _ratios(results: list[dict]) -> str:
    """Each round's extra CPU per turn of the cluster over the embedded topology, per N."""
    lines = []
    for count in sorted({r["employees"] for r in results}):
        extra = []
        for round_ in sorted({r["round"] for r in results}):
            total = {
                r["topology"]: r["cpu_ms_per_turn"]["deskbot_total"]
                for r in results
                if r["employees"] == count and r["round"] == round_
            }
            extra.append(total["cluster"] / total["run"] - 1)
        shown = ", ".join(f"{e:+.0%}" for e in extra)
        lines.append(f"N={count:>3}: cluster's extra CPU per turn by round {shown}; "
                     f"median {statistics.median(extra):+.0%}")  # fmt: skip
    return "\n".join(lines)


async def _load_steps(
    topology: Topology, employee_counts: list[int], turns: int, think_s: float
) -> list[dict]:
    results = []
    for count in employee_counts:
        users = topology.employees(count)
        before = cpu_per_process(topology.groups, topology.servers)
        result = await run_load(topology.telegram, users, messages(), turns, think_s=think_s)
        served = result.turns + count  # the warm-up turn of each employee included
        spent = {
            name: round((seconds - before[name]) / served * 1000, 1)
            for name, seconds in cpu_per_process(topology.groups, topology.servers).items()
        }
        deskbot = sum(ms for name, ms in spent.items() if name != "bot_api_and_load")
        spent["deskbot_total"] = round(deskbot, 1)
        results.append(result.summary() | {"cpu_ms_per_turn": spent})
        print(f"{topology.name}: {_row(results[-1])}", flush=True)
    return results


def cpu_per_process(
    groups: dict[str, list[Service]], servers: dict[str, list[int]]
) -> dict[str, float]:
    """CPU seconds so far: each kind of deskbot process (its replicas and their children),
    each shared server (PostgreSQL, Redis: everything they did), and this process alone (the
    loopback Bot API and the simulated employees)."""
    spent = {
        name: sum(cpu_seconds(s.process.pid) for s in services if s.process)
        for name, services in groups.items()
    }
    spent |= {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in servers.items()}
    spent["bot_api_and_load"] = cpu_seconds(os.getpid(), descendants=False)
    return spent


def _row(r: dict) -> str:
    return (
        f"N={r['employees']:>3}, think {r['think_s']} s: {r['turns']} turns, "
        f"{r['turns_per_s']} turns/s, "
        f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, "
        f"{r['timeouts']} timeouts; CPU ms per turn: "
        + ", ".join(f"{name} {ms}" for name, ms in r["cpu_ms_per_turn"].items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.turns", description=__doc__)
    parser.add_argument("--employees", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--turns", type=int, default=20, help="timed turns per employee")
    parser.add_argument(
        "--think",
        type=float,
        default=THINK_S,
        help="mean seconds an employee pauses after an answer (0: as fast as the bot answers)",
    )
    parser.add_argument("--topology", choices=("run", "cluster", "both"), default="run")
    parser.add_argument(
        "--rounds", type=int, default=4, help="with --topology both: rounds of both topologies"
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="with --topology both: load both at the same moment instead of in turn",
    )
    parser.add_argument(
        "--rasa-endpoints",
        default="endpoints-cluster.yml",
        help="with --topology cluster: Rasa's stores (endpoints-cluster-redis.yml: Redis)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="with --topology cluster or both: how many of each process (make cluster: two)",
    )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas: at least one of each process")
    if args.rounds < 1:
        parser.error("--rounds: at least one")
    with tempfile.TemporaryDirectory() as work:
        if args.topology == "both":
            load = measure_both(
                args.employees,
                args.turns,
                args.think,
                Path(work),
                args.rounds,
                args.replicas,
                args.together,
            )
        elif args.topology == "cluster":
            load = measure_cluster(
                args.employees,
                args.turns,
                args.think,
                Path(work),
                args.rasa_endpoints,
                args.replicas,
            )
        else:
            load = measure(args.employees, args.turns, args.think, Path(work))
        results = asyncio.run(load)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
