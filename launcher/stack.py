"""deskbot's processes and how they are wired on loopback."""

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from secrets import token_urlsafe

from launcher.processes import Service

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StackPaths:
    """What the bootstrap prepared: the Rasa env, the trained model, the KB index."""

    rasa_bin: Path
    rasa_model: Path
    kb_index: Path

    @classmethod
    def from_environment(cls) -> "StackPaths":
        missing = [
            n
            for n in ("DESKBOT_RASA_BIN", "DESKBOT_RASA_MODEL", "DESKBOT_SEARCH_INDEX_DIR")
            if not os.environ.get(n)
        ]
        if missing:
            raise SystemExit(f"{', '.join(missing)} not set: start deskbot with `make run`")
        return cls(
            Path(os.environ["DESKBOT_RASA_BIN"]),
            Path(os.environ["DESKBOT_RASA_MODEL"]),
            Path(os.environ["DESKBOT_SEARCH_INDEX_DIR"]),
        )


@dataclass(frozen=True)
class StackSecrets:
    """The shared secrets on the wires between deskbot's processes: the gateway's to Rasa (its
    channel and HTTP API), Rasa's to the action server. A deployment over several machines sets
    DESKBOT_RASA_TOKEN and DESKBOT_ACTION_TOKEN; otherwise each start draws new ones."""

    rasa_token: str
    action_token: str

    @classmethod
    def from_environment(cls) -> "StackSecrets":
        return cls(
            os.environ.get("DESKBOT_RASA_TOKEN") or token_urlsafe(32),
            os.environ.get("DESKBOT_ACTION_TOKEN") or token_urlsafe(32),
        )


def action_server(
    port: int,
    database_url: str,
    paths: StackPaths,
    secrets: StackSecrets,
    log_dir: Path,
    name: str = "action server",
) -> Service:
    return Service(
        name=name,
        argv=[
            sys.executable,
            "-m",
            "launcher.action_server",
            "--actions",
            "actions",
            "--port",
            str(port),
        ],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=log_dir / f"{_file_name(name)}.log",
        env={
            "SANIC_HOST": "127.0.0.1",
            "DESKBOT_DB_URL": database_url,
            "DESKBOT_SEARCH_INDEX_DIR": str(paths.kb_index),
            "DESKBOT_ACTION_TOKEN": secrets.action_token,
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
    )


def rasa_server(
    port: int,
    action_port: int,
    paths: StackPaths,
    secrets: StackSecrets,
    log_dir: Path,
    endpoints: str = "endpoints.yml",
    name: str = "Rasa server",
) -> Service:
    """Rasa with ``endpoints`` from nlu/: endpoints.yml keeps conversations in memory (one
    Rasa server); endpoints-cluster.yml in PostgreSQL, locked in Redis (several)."""
    return Service(
        name=name,
        argv=[
            str(paths.rasa_bin / "python"),
            "-m",
            "launcher.rasa_server",
            "run",
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--model",
            str(paths.rasa_model),
            "--endpoints",
            endpoints,
            "--credentials",
            "credentials.yml",
        ],
        health_url=f"http://127.0.0.1:{port}/status?token={secrets.rasa_token}",
        log_path=log_dir / f"{_file_name(name)}.log",
        env={
            "DESKBOT_ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "DESKBOT_ACTION_TOKEN": secrets.action_token,
            "DESKBOT_RASA_TOKEN": secrets.rasa_token,
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT / "nlu",
    )


def gateway(
    rasa_port: int,
    database_url: str,
    secrets: StackSecrets,
    log_dir: Path,
    health_url: str | None,
    name: str = "gateway",
) -> Service:
    """The messenger gateway; ``health_url`` is its /healthz (None: not waited for)."""
    return Service(
        name=name,
        argv=[sys.executable, "-m", "bot"],
        health_url=health_url,
        log_path=log_dir / f"{_file_name(name)}.log",
        env={
            "DESKBOT_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "DESKBOT_RASA_TOKEN": secrets.rasa_token,
            "DESKBOT_DB_URL": database_url,
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
    )


def console(
    database_url: str, host: str, port: int, log_dir: Path, name: str = "console"
) -> Service:
    """The web console for agents, KB editors and managers."""
    return Service(
        name=name,
        argv=[sys.executable, "-m", "console", "serve"],
        health_url=f"http://{host}:{port}/healthz",
        log_path=log_dir / f"{_file_name(name)}.log",
        env={
            "DESKBOT_DB_URL": database_url,
            "DESKBOT_CONSOLE_HOST": host,
            "DESKBOT_CONSOLE_PORT": str(port),
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
    )


def _file_name(name: str) -> str:
    return name.lower().replace(" ", "-")
