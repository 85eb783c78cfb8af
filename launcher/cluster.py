"""``make cluster``: the scale-out topology on one machine's loopback. PostgreSQL keeps
everything durable (deskbot's data and Rasa's conversations), Redis the short-lived shared
state (Rasa's conversation locks, rate limits, sign-in throttles), and HAProxy spreads the work
over two gateways, two Rasa servers, two action servers and two consoles. The same processes
and settings run on several machines (docker-compose.yml).
"""

import json
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bot.rasa_client import CONVERSATION_HEADER
from bot.settings import TelegramSettings
from launcher.haproxy import Backend, LoadBalancer, Replica, load_balancer
from launcher.processes import Service, busy_ports, supervise
from launcher.stack import (
    ROOT,
    StackPaths,
    StackSecrets,
    action_server,
    console,
    gateway,
    rasa_server,
)
from servicedesk.db.migrate import upgrade

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/deskbot"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOG_DIR = ROOT / "var" / "cluster"


@dataclass(frozen=True)
class GatewayPorts:
    webchat: int
    ops: int
    webhook: int


@dataclass(frozen=True)
class ClusterPorts:
    """The load balancer's ports (what people and messengers use), then each replica's."""

    chat: int = 8080
    webhook: int = 8443
    rasa: int = 5005
    actions: int = 5055
    console: int = 8090
    stats: int = 8404
    gateways: tuple[GatewayPorts, ...] = (
        GatewayPorts(8180, 8181, 8182),
        GatewayPorts(8280, 8281, 8282),
    )
    rasa_servers: tuple[int, ...] = (5105, 5205)
    action_servers: tuple[int, ...] = (5155, 5255)
    consoles: tuple[int, ...] = (8190, 8290)

    def all(self) -> list[int]:
        own = [self.chat, self.webhook, self.rasa, self.actions, self.console, self.stats]
        replicas = [p for g in self.gateways for p in (g.webchat, g.ops, g.webhook)]
        return own + replicas + [*self.rasa_servers, *self.action_servers, *self.consoles]


@dataclass
class Cluster:
    """Every process of the topology, in the stages they start in."""

    ports: ClusterPorts
    load_balancer: LoadBalancer
    action_servers: list[Service]
    rasa_servers: list[Service]
    gateways: list[Service]
    consoles: list[Service]
    settings: dict[str, str] = field(default_factory=dict)  # what every process was given

    def stages(self) -> list[list[Service]]:
        return [
            self.action_servers,
            self.rasa_servers,
            [*self.gateways, *self.consoles],
            [self.load_balancer],  # ready once it has seen every replica up
        ]


def build(
    ports: ClusterPorts,
    database_url: str,
    redis_url: str,
    paths: StackPaths,
    secrets: StackSecrets,
    log_dir: Path,
    telegram: TelegramSettings,
    rasa_endpoints: str = "endpoints-cluster.yml",
) -> Cluster:
    """Every process of the topology; Rasa with ``rasa_endpoints`` from nlu/."""
    shared = {"DESKBOT_DB_URL": database_url, "DESKBOT_REDIS_URL": redis_url}
    actions = [
        action_server(port, database_url, paths, secrets, log_dir, f"action server {n}")
        for n, port in enumerate(ports.action_servers, start=1)
    ]
    rasas = [
        rasa_server(port, ports.actions, paths, secrets, log_dir, rasa_endpoints, f"Rasa {n}")
        for n, port in enumerate(ports.rasa_servers, start=1)
    ]
    for rasa in rasas:
        rasa.env |= conversation_stores(database_url, redis_url)
    gateways = [
        _gateway(ports, own, database_url, secrets, log_dir, n)
        for n, own in enumerate(ports.gateways, start=1)
    ]
    consoles = [
        console(database_url, "127.0.0.1", port, log_dir, f"console {n}")
        for n, port in enumerate(ports.consoles, start=1)
    ]
    for service in [*actions, *gateways, *consoles]:
        service.env |= shared
    balancer = load_balancer(_backends(ports, telegram), ports.stats, log_dir)
    return Cluster(ports, balancer, actions, rasas, gateways, consoles, shared)


def conversations_database(database_url: str) -> str:
    """Rasa's conversations' database beside deskbot's (its tracker store creates it)."""
    return f"{make_url(database_url).database}_conversations"


def conversation_stores(database_url: str, redis_url: str) -> dict[str, str]:
    """nlu/endpoints-cluster.yml's settings: Rasa's tracker store in deskbot's PostgreSQL
    server, its lock store in deskbot's Redis."""
    database, redis = make_url(database_url), make_url(redis_url)
    return {
        "DESKBOT_TRACKER_DB_HOST": database.host or "127.0.0.1",
        "DESKBOT_TRACKER_DB_PORT": str(database.port or 5432),
        "DESKBOT_TRACKER_DB_NAME": conversations_database(database_url),
        "DESKBOT_TRACKER_DB_USER": database.username or "postgres",
        "DESKBOT_TRACKER_DB_PASSWORD": database.password or "",
        "DESKBOT_REDIS_HOST": redis.host or "127.0.0.1",
        "DESKBOT_REDIS_PORT": str(redis.port or 6379),
        "DESKBOT_REDIS_DB": str(redis.database or 0),
    }


def _gateway(
    ports: ClusterPorts,
    own: GatewayPorts,
    database_url: str,
    secrets: StackSecrets,
    log_dir: Path,
    number: int,
) -> Service:
    health = f"http://127.0.0.1:{own.ops}/healthz"
    service = gateway(ports.rasa, database_url, secrets, log_dir, health, f"gateway {number}")
    public = [f"http://127.0.0.1:{ports.chat}", f"http://localhost:{ports.chat}"]
    service.env |= {
        "DESKBOT_OPS_PORT": str(own.ops),
        "DESKBOT_WEBCHAT_PORT": str(own.webchat),
        "DESKBOT_WEBCHAT_ORIGINS": json.dumps(public),
        "TELEGRAM_WEBHOOK_PORT": str(own.webhook),
    }
    return service


def _backends(ports: ClusterPorts, telegram: TelegramSettings) -> list[Backend]:
    backends = [
        Backend(
            "rasa",
            ports.rasa,
            "/",
            tuple(Replica(p, p) for p in ports.rasa_servers),
            by_header=CONVERSATION_HEADER,
        ),
        Backend(
            "actions",
            ports.actions,
            "/health",
            tuple(Replica(p, p) for p in ports.action_servers),
        ),
        Backend(
            "chat",
            ports.chat,
            "/healthz",
            tuple(Replica(g.webchat, g.ops) for g in ports.gateways),
        ),
        Backend(
            "console", ports.console, "/healthz", tuple(Replica(p, p) for p in ports.consoles)
        ),
    ]
    if telegram.bot_token is not None and telegram.mode == "webhook":
        replicas = tuple(Replica(g.webhook, g.ops) for g in ports.gateways)
        backends.append(Backend("telegram", ports.webhook, "/healthz", replicas, tracks="chat"))
    return backends


def ensure_database(url: str) -> None:
    """Create deskbot's PostgreSQL database when it does not exist yet."""
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as db:
        exists = db.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if not exists:
            db.execute(f'CREATE DATABASE "{target.database}"')


def settings_from_environment() -> tuple[str, str]:
    """deskbot's PostgreSQL database (DESKBOT_DB_URL when it names one) and Redis."""
    database_url = os.environ.get("DESKBOT_DB_URL", "")
    if make_url(database_url or "sqlite://").get_backend_name() != "postgresql":
        database_url = DEFAULT_DATABASE_URL
    return database_url, os.environ.get("DESKBOT_REDIS_URL") or DEFAULT_REDIS_URL


def announce(cluster: Cluster) -> None:
    ports = cluster.ports
    print("deskbot's cluster is up, behind HAProxy on loopback:")
    print(f"  web chat         http://127.0.0.1:{ports.chat}/")
    print(f"  console          http://127.0.0.1:{ports.console}/  (first account: make admin)"
          f"  ->  {_listed(ports.consoles)}")  # fmt: skip
    print(f"  Rasa             :{ports.rasa}  ->  {_listed(ports.rasa_servers)}")
    print(f"  action servers   :{ports.actions}  ->  {_listed(ports.action_servers)}")
    print(f"  gateways         web chat {_listed(g.webchat for g in ports.gateways)}, "
          f"metrics {_listed(g.ops for g in ports.gateways)}")  # fmt: skip
    print(f"  load balancer    http://127.0.0.1:{ports.stats}/stats")
    database = cluster.settings["DESKBOT_DB_URL"]
    print(f"  data             {database} (+ {conversations_database(database)})")
    print(f"  shared state     {cluster.settings['DESKBOT_REDIS_URL']}")
    print(f"  logs             {LOG_DIR.relative_to(ROOT)}/")
    print("press Ctrl+C to stop")


def _listed(ports) -> str:
    return ", ".join(f":{p}" for p in ports)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ports = ClusterPorts()
    busy = busy_ports(ports.all())
    if busy:
        print(f"port {', '.join(map(str, busy))} already in use", file=sys.stderr)
        return 1
    database_url, redis_url = settings_from_environment()
    ensure_database(database_url)
    upgrade(database_url)  # once, before any replica starts
    cluster = build(
        ports,
        database_url,
        redis_url,
        StackPaths.from_environment(),
        StackSecrets.from_environment(),
        LOG_DIR,
        TelegramSettings(),
    )
    return supervise(cluster.stages(), lambda: announce(cluster))


if __name__ == "__main__":
    sys.exit(main())
