"""HAProxy in front of the replicas of the scale-out topology: one frontend per kind of
process, round robin over the replicas that are up. A replica is taken out at the first
connection the live traffic cannot make to it (that request goes to another replica), or when
it fails two health checks in a row; it is checked every 2 s, every 0.5 s while it changes
state, and back in at its first passed check. A backend may balance on a request header
instead: each value goes to one replica while it is up (consistent hashing: when a replica
goes, only its share moves). A backend whose replicas share another backend's health checks
(the gateway's webhook and web chat answer on one port) follows that backend's verdict rather
than checking them again."""

import csv
import shutil
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from launcher.processes import Service, ServiceFailed


@dataclass(frozen=True)
class Replica:
    port: int  # where it serves
    health_port: int  # where its health check answers (the gateway's ops port)


@dataclass(frozen=True)
class Backend:
    name: str
    port: int  # the load balancer's port for this kind of process
    health_path: str
    replicas: tuple[Replica, ...]
    by_header: str | None = None  # balance on this header's value instead of round robin
    tracks: str | None = None  # the backend whose checks of the same replicas are taken


def configuration(backends: list[Backend], stats_port: int) -> str:
    parts = [
        "global\n    maxconn 4096\n",
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 120s\n"
        "    timeout server 120s\n    retries 2\n    option redispatch\n"
        "    default-server inter 2s fastinter 500ms fall 2 rise 1"
        " observe layer4 error-limit 1 on-error mark-down\n",
        # /healthz answers while HAProxy runs; /stats shows every replica's state.
        f"frontend stats\n    bind 127.0.0.1:{stats_port}\n    monitor-uri /healthz\n"
        "    stats enable\n    stats uri /stats\n    stats refresh 5s\n",
    ]
    for backend in backends:
        parts.append(
            f"frontend {backend.name}\n    bind 127.0.0.1:{backend.port}\n"
            f"    default_backend {backend.name}\n"
        )
        servers = "".join(
            f"    server {backend.name}{n} 127.0.0.1:{r.port} {_checked(backend, n, r)}\n"
            for n, r in enumerate(backend.replicas, start=1)
        )
        balance = "roundrobin"
        if backend.by_header:
            balance = f"hdr({backend.by_header})\n    hash-type consistent"
        parts.append(
            f"backend {backend.name}\n    balance {balance}\n"
            f"    option httpchk GET {backend.health_path}\n{servers}"
        )
    return "\n".join(parts)


def _checked(backend: Backend, number: int, replica: Replica) -> str:
    """How the ``number``th replica's health is known: its own check, or the tracked one's."""
    if backend.tracks:
        return f"track {backend.tracks}/{backend.tracks}{number}"
    return f"check port {replica.health_port}"


class LoadBalancer(Service):
    """HAProxy is ready once every replica behind it has passed its health check."""

    def wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        super().wait_healthy(timeout_s)
        while (down := self.replicas_down()) and time.monotonic() < deadline:
            time.sleep(0.2)
        if down:
            raise ServiceFailed(f"replicas not up behind the load balancer: {', '.join(down)}")

    def replicas_down(self) -> list[str]:
        """The replicas HAProxy does not send requests to now."""
        return [row["svname"] for row in self.replicas() if not row["status"].startswith("UP")]

    def replicas(self) -> list[dict[str, str]]:
        """Each replica's row of HAProxy's statistics (``replica_statistics``)."""
        assert self.health_url is not None
        return replica_statistics(self.health_url.removesuffix("/healthz"))


def replica_statistics(stats_base_url: str) -> list[dict[str, str]]:
    """Each replica's row of the statistics HAProxy serves at ``stats_base_url`` (its CSV
    columns: ``pxname``, ``svname``, ``status``, ``hrsp_2xx``…)."""
    with urllib.request.urlopen(stats_base_url + "/stats;csv", timeout=5) as response:
        lines = response.read().decode().lstrip("# ").splitlines()
    return [row for row in csv.DictReader(lines) if row["svname"] not in ("FRONTEND", "BACKEND")]


def load_balancer(backends: list[Backend], stats_port: int, work_dir: Path) -> LoadBalancer:
    binary = shutil.which("haproxy")
    if binary is None:
        raise SystemExit("haproxy is not installed: start the cluster with `make cluster`")
    work_dir.mkdir(parents=True, exist_ok=True)
    config = work_dir / "haproxy.cfg"
    config.write_text(configuration(backends, stats_port))
    return LoadBalancer(
        name="load balancer (HAProxy)",
        argv=[binary, "-db", "-f", str(config)],  # -db: in the foreground, logging to stderr
        health_url=f"http://127.0.0.1:{stats_port}/healthz",
        log_path=work_dir / "haproxy.log",
    )
