"""The real Rasa server and action server, started once for the test session."""

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from bot.rasa_client import RasaClient
from launcher.processes import Service
from launcher.stack import StackPaths, StackSecrets, action_server, rasa_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningStack:
    database_url: str
    rasa_port: int
    secrets: StackSecrets
    action: Service
    rasa: Service

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def rasa_client(self) -> RasaClient:
        """A client of Rasa's gateway channel, as the gateway holds it."""
        return RasaClient(self.rasa_url, 30, self.secrets.rasa_token)

    def restart_action_server(self) -> None:
        self.action.stop()
        self.action.start()
        self.action.wait_healthy(timeout_s=120)


AGENTS_CHAT = -1001234567890  # the agents' Telegram group of the test session
AGENTS_ROOM = "helpdesk@conference.corp.example.com"  # and their XMPP room


def start_stack(database_url: str, log_dir: Path) -> RunningStack:
    paths, secrets = StackPaths.from_environment(), StackSecrets.from_environment()
    action_port, rasa_port = free_port(), free_port()
    action = action_server(action_port, database_url, paths, secrets, log_dir)
    action.env["DESKBOT_AGENTS_TELEGRAM_CHAT_ID"] = str(AGENTS_CHAT)
    action.env["DESKBOT_AGENTS_XMPP_ROOM"] = AGENTS_ROOM
    # The bot and the console of the test session share one live index, as in a deployment.
    os.environ["DESKBOT_SEARCH_LIVE_INDEX_DIR"] = str(log_dir.parent / "kb-live-index")
    rasa = rasa_server(rasa_port, action_port, paths, secrets, log_dir)
    stack = RunningStack(database_url, rasa_port, secrets, action, rasa)
    try:
        action.start()
        rasa.start()
        action.wait_healthy(timeout_s=180)
        rasa.wait_healthy(timeout_s=240)
    except Exception:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: RunningStack) -> None:
    stack.rasa.stop()
    stack.action.stop()
