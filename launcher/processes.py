"""A child process with a health check, started and stopped cleanly."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


class ServiceFailed(RuntimeError):
    """A process exited or did not become healthy in time."""


@dataclass
class Service:
    """One process of the stack: how to start it and how to tell it is ready."""

    name: str
    argv: list[str]
    health_url: str | None
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()

    def wait_healthy(self, timeout_s: float) -> None:
        """Block until the health URL answers 200.

        Raises:
            ServiceFailed: the process died or stayed unhealthy; the log's tail is in the message.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise ServiceFailed(f"{self.name} exited early:\n{self.log_tail()}")
            if self.health_url is None or _answers(self.health_url):
                return
            time.sleep(0.3)
        raise ServiceFailed(f"{self.name} not healthy after {timeout_s:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the process and all it started (a server's workers), as when its
        machine or container dies."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def supervise(stages: Sequence[Sequence[Service]], announce: Callable[[], None]) -> int:
    """Start the services stage by stage (a stage's services together, the next stage once
    they are all healthy); ``announce`` when all are; stop them all (in reverse order) when one
    exits, on Ctrl+C or on SIGTERM."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop)
    services = [service for stage in stages for service in stage]
    try:
        for stage in stages:
            for service in stage:
                print(f"starting {service.name} (log: {service.log_path})")
                service.start()
            for service in stage:
                service.wait_healthy(timeout_s=300)
        announce()
        while all(s.process and s.process.poll() is None for s in services):
            time.sleep(1)
        print("a process stopped; see its log", file=sys.stderr)
        return 1
    except ServiceFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    finally:
        stop_all(services)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop(*_) -> None:
    """Ctrl+C or SIGTERM: stop everything, once. make passes a SIGTERM it gets on to this
    process, so two arrive together; the second, and any later, are ignored."""
    _ignore_stop_signals()
    sys.exit(0)


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def stop_all(services: Sequence[Service]) -> None:
    """Stop ``services`` in reverse order, every one of them: another Ctrl+C or SIGTERM does
    not interrupt the stopping, and one that fails to stop does not keep the others running."""
    _ignore_stop_signals()
    for service in reversed(services):
        try:
            service.stop()
        except OSError as error:
            print(f"could not stop {service.name}: {error}", file=sys.stderr)


def busy_ports(ports: Sequence[int]) -> list[int]:
    """Which of ``ports`` something on loopback already listens on."""
    busy = []
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(port)
    return busy
