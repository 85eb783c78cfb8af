"""The real gateway (aiogram polling) against the loopback Bot API, and an employee driving it."""

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from pydantic import SecretStr

from bot.agents import AgentDesk
from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import TelegramSettings
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.delivery import TelegramDelivery
from launcher.stack import ROOT
from servicedesk import outbox
from servicedesk.db import Database
from servicedesk.notices import Desk
from tests.support.fake_telegram import Call, FakeTelegram
from tests.support.stack import AGENTS_CHAT


@dataclass
class Gateway:
    telegram: FakeTelegram
    bot: Bot
    dispatcher: Dispatcher
    task: asyncio.Task
    rasa: RasaClient
    delivery: asyncio.Task

    async def stop(self) -> None:
        self.delivery.cancel()
        with contextlib.suppress(RuntimeError):
            await self.dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)
            await self.delivery
        await self.bot.session.close()
        await self.rasa.close()


def run_gateway_process(**settings: str) -> subprocess.CompletedProcess:
    """``python -m bot`` with these settings on top of the environment, until it exits."""
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )


def webhook_settings(telegram: FakeTelegram, secret: str) -> TelegramSettings:
    """Webhook mode against the loopback Bot API, with ``secret`` as the webhook's secret."""
    return TelegramSettings(
        bot_token=SecretStr(telegram.token),
        api_base_url=telegram.base_url,
        mode="webhook",
        webhook_secret=SecretStr(secret),
        webhook_url="https://deskbot.example.com/hook",
    )


async def start_gateway(
    telegram: FakeTelegram,
    rasa: RasaClient,
    database: Database,
    agents_chat: int | None = AGENTS_CHAT,
    reply_lease_s: float = outbox.LEASE_S,
) -> Gateway:
    """Polling for updates and delivering the outbox, as ``python -m bot`` does."""
    settings = TelegramSettings(
        bot_token=SecretStr(telegram.token), api_base_url=telegram.base_url
    )
    bot = create_bot(settings)
    desks = (Desk("tg", str(agents_chat)),) if agents_chat is not None else ()
    dispatcher = create_dispatcher(
        Conversation(rasa, database, reply_lease_s), AgentDesk(database, desks), agents_chat
    )
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    delivery = asyncio.create_task(TelegramDelivery(bot, database).run(interval_s=0.2))
    return Gateway(telegram, bot, dispatcher, task, rasa, delivery)


class Employee:
    """One employee in a private chat with the bot: says things, presses buttons, reads replies."""

    def __init__(self, telegram: FakeTelegram, user_id: int, language: str = "en") -> None:
        self.telegram, self.user_id, self.language = telegram, user_id, language

    @property
    def sender_id(self) -> str:
        return f"tg:{self.user_id}"

    async def say(self, text: str | None = None, **content) -> list[Call]:
        body = {"text": text} if text is not None else content
        return await self._deliver(self.telegram.message(self.user_id, self.language, **body))

    async def wait_for(self, contains: str, timeout: float = 30) -> Call:
        """The first message the bot sent this employee that contains ``contains``."""
        return await wait_for_message(self.telegram, self.user_id, contains, timeout)

    async def send_update(self, update: dict) -> list[Call]:
        return await self._deliver(update)

    async def press(self, title: str, replies: list[Call]) -> list[Call]:
        """Press the button titled ``title`` (exactly or by prefix) among ``replies``."""
        message_id, data = find_button(replies, title)
        return await self._deliver(
            self.telegram.callback(self.user_id, data, message_id, self.language)
        )

    async def _deliver(self, update: dict) -> list[Call]:
        start = len(self.telegram.calls_of("sendMessage", self.user_id))
        await self.telegram.push(update)
        return await self.telegram.settle("sendMessage", self.user_id, start)


async def wait_for_message(
    telegram: FakeTelegram, chat_id: int, contains: str, timeout: float = 30
) -> Call:
    """The first message the bot sent into ``chat_id`` containing ``contains``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for call in telegram.calls_of("sendMessage", chat_id):
            if contains in str(call.result["text"]):
                return call
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"nothing with {contains!r} in {texts(telegram.calls_of('sendMessage', chat_id))}"
    )


FOUND = "Here is what I found"  # how an English search answer begins


def first_hit(message: str) -> str | None:
    """The first article of an English search answer (None for any other message)."""
    if FOUND not in message:
        return None
    match = re.search(r"^1\.\s*(.+)$", re.sub(r"<[^>]+>", "", message), re.MULTILINE)
    return match.group(1).strip() if match else None


def texts(replies: list[Call]) -> list[str]:
    return [str(c.params["text"]) for c in replies]


def buttons(replies: list[Call]) -> list[str]:
    return [b["text"] for c in replies for row in keyboard(c) for b in row]


def keyboard(call: Call) -> list[list[dict]]:
    markup = call.params.get("reply_markup") or {}
    return markup.get("inline_keyboard", []) if isinstance(markup, dict) else []


def find_button(replies: list[Call], title: str) -> tuple[int, str]:
    """The id of the message carrying the button, and the button's callback data: the button
    titled exactly ``title``, or else the first whose title starts with it."""
    offered = [
        (call.result["message_id"], button)
        for call in replies
        for row in keyboard(call)
        for button in row
    ]
    for matches in (lambda t: t == title, lambda t: t.startswith(title)):
        for message_id, button in offered:
            if matches(button["text"]):
                return message_id, button["callback_data"]
    raise AssertionError(f"no button {title!r} in {buttons(replies)}")


class Agent:
    """A member of the agents' group: reads cards, presses their buttons, replies, commands."""

    def __init__(self, telegram: FakeTelegram, user_id: int, chat_id: int = AGENTS_CHAT) -> None:
        self.telegram, self.user_id, self.chat_id = telegram, user_id, chat_id
        telegram.members.setdefault(chat_id, set()).add(user_id)

    def posts(self) -> list[Call]:
        """Everything the bot posted in the agents' group so far."""
        return self.telegram.calls_of("sendMessage", self.chat_id)

    async def wait_for_post(self, contains: str, timeout: float = 30) -> Call:
        """The bot's first post in the group that contains ``contains``."""
        return await wait_for_message(self.telegram, self.chat_id, contains, timeout)

    async def say(self, text: str, reply_to: Call | None = None) -> list[Call]:
        update = self.telegram.group_message(self.chat_id, self.user_id, text, reply_to)
        return await self._deliver(update)

    async def press(self, title: str, card: Call) -> list[Call]:
        _, data = find_button([card], title)
        update = self.telegram.callback(
            self.user_id, data, card.result["message_id"], chat_id=self.chat_id
        )
        return await self._deliver(update)

    async def _deliver(self, update: dict) -> list[Call]:
        start = len(self.posts())
        await self.telegram.push(update)
        return await self.telegram.settle("sendMessage", self.chat_id, start)
