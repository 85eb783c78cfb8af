"""``make run``: migrate the database, start the action server, Rasa, the gateway and the
console."""

import logging
import signal
import socket
import sys
import time

from bot.settings import GatewaySettings, TelegramSettings, XmppSettings
from console.settings import ConsoleSettings
from launcher.processes import ServiceFailed
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
from servicedesk.settings import DatabaseSettings

RASA_PORT, ACTION_PORT = 5005, 5055
LOG_DIR = ROOT / "var" / "log"


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths, secrets = StackPaths.from_environment(), StackSecrets.from_environment()
    database_url = DatabaseSettings().url
    upgrade(database_url)
    chat, panel, telegram = GatewaySettings(), ConsoleSettings(), TelegramSettings()
    ports = (RASA_PORT, ACTION_PORT, chat.webchat_port, chat.ops_port, panel.port)
    busy = [port for port in ports if port_in_use(port)]
    if busy:
        print(
            f"port {', '.join(map(str, busy))} already in use: is deskbot running already?",
            file=sys.stderr,
        )
        return 1
    chat_url: str | None = f"http://{chat.webchat_host}:{chat.webchat_port}/"
    if not chat.webchat_on(telegram, XmppSettings()):
        chat_url = None
    services = [
        action_server(ACTION_PORT, database_url, paths, secrets, LOG_DIR),
        rasa_server(RASA_PORT, ACTION_PORT, paths, secrets, LOG_DIR),
        gateway(
            RASA_PORT,
            database_url,
            secrets,
            LOG_DIR,
            health_url=f"http://{chat.ops_host}:{chat.ops_port}/healthz",
        ),
        console(database_url, panel.host, panel.port, LOG_DIR),
    ]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for service in services:
            print(f"starting {service.name} (log: {service.log_path.relative_to(ROOT)})")
            service.start()
            service.wait_healthy(timeout_s=180)
        announce(chat_url, f"http://{panel.host}:{panel.port}/", telegram)
        while all(s.process and s.process.poll() is None for s in services):
            time.sleep(1)
        print("a process stopped; see the logs in var/log/", file=sys.stderr)
        return 1
    except ServiceFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for service in reversed(services):
            service.stop()


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def announce(chat_url: str | None, console_url: str, telegram: TelegramSettings) -> None:
    print(f"deskbot is up: Rasa on :{RASA_PORT}, action server on :{ACTION_PORT}")
    if chat_url:
        print(f"chat with it at {chat_url}")
    print(f"console for agents, KB editors and managers at {console_url}")
    print("  (first account: make admin)")
    if telegram.bot_token is not None:
        print(f"Telegram adapter running ({telegram.mode})")
    else:
        print("no TELEGRAM_BOT_TOKEN: Telegram is off (see README to turn it on)")
    print("press Ctrl+C to stop")


if __name__ == "__main__":
    sys.exit(main())
