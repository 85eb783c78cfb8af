"""``make run``: migrate the database, start the action server, Rasa, the gateway and the
console."""

import logging
import sys

from bot.settings import GatewaySettings, TelegramSettings, XmppSettings
from console.settings import ConsoleSettings
from launcher.processes import busy_ports, supervise
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
    busy = busy_ports(ports)
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
    console_url = f"http://{panel.host}:{panel.port}/"
    stages = [[service] for service in services]  # one after another
    return supervise(stages, lambda: announce(chat_url, console_url, telegram))


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
