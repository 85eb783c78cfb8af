"""The real gateway (aiogram polling) against the loopback Bot API, and an employee driving it."""

import asyncio
import contextlib
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from pydantic import SecretStr

from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import TelegramSettings
from bot.telegram.app import create_bot, create_dispatcher
from servicedesk.db import Database
from tests.support.fake_telegram import Call, FakeTelegram


@dataclass
class Gateway:
    telegram: FakeTelegram
    bot: Bot
    dispatcher: Dispatcher
    task: asyncio.Task
    rasa: RasaClient

    async def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            await self.dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)
        await self.bot.session.close()
        await self.rasa.close()


async def start_gateway(telegram: FakeTelegram, rasa_url: str, database: Database) -> Gateway:
    settings = TelegramSettings(
        bot_token=SecretStr(telegram.token), api_base_url=telegram.base_url
    )
    bot = create_bot(settings)
    rasa = RasaClient(rasa_url, 30)
    dispatcher = create_dispatcher(Conversation(rasa, database))
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    return Gateway(telegram, bot, dispatcher, task, rasa)


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


def texts(replies: list[Call]) -> list[str]:
    return [str(c.params["text"]) for c in replies]


def buttons(replies: list[Call]) -> list[str]:
    return [b["text"] for c in replies for row in keyboard(c) for b in row]


def keyboard(call: Call) -> list[list[dict]]:
    markup = call.params.get("reply_markup") or {}
    return markup.get("inline_keyboard", []) if isinstance(markup, dict) else []


def find_button(replies: list[Call], title: str) -> tuple[int, str]:
    """The id of the message carrying the button, and the button's callback data."""
    for call in replies:
        for row in keyboard(call):
            for button in row:
                if button["text"] == title or button["text"].startswith(title):
                    return call.result["message_id"], button["callback_data"]
    raise AssertionError(f"no button {title!r} in {buttons(replies)}")
