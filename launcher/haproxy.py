"""HAProxy in front of the replicas of the scale-out topology: one frontend per kind of
process, round robin over the replicas that pass their health check (checked every second; a
replica that fails two checks in a row gets no more requests, and a request whose connection
is refused goes to another replica). A backend may balance on a request header instead: each
value goes to one replica while it is up (consistent hashing: when a replica goes, only its
share moves)."""

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


def configuration(backends: list[Backend], stats_port: int) -> str:
    parts = [
        "global\n    maxconn 4096\n",
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 120s\n"
        "    timeout server 120s\n    retries 2\n    option redispatch\n"
        "    default-server inter 1s fall 2 rise 1\n",
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
            f"    server {backend.name}{n} 127.0.0.1:{r.port} check port {r.health_port}\n"
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
        """Each replica's row of HAProxy's statistics (its CSV columns: ``svname``, ``status``,
        ``hrsp_2xx``…)."""
        assert self.health_url is not None
        url = self.health_url.removesuffix("/healthz") + "/stats;csv"
        with urllib.request.urlopen(url, timeout=5) as response:
            lines = response.read().decode().lstrip("# ").splitlines()
        return [
            row for row in csv.DictReader(lines) if row["svname"] not in ("FRONTEND", "BACKEND")
        ]


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
