"""/start and /help."""

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message, Update

from bot.conversation import Conversation
from bot.telegram.handlers.common import answer, incoming_from


async def on_start(message: Message, event_update: Update, bot: Bot, conversation: Conversation):
    """Greet and explain what deskbot does."""
    incoming = incoming_from(message, event_update, text=message.text or "", command="start")
    await answer(bot, message.chat.id, conversation, incoming)


async def on_help(message: Message, event_update: Update, bot: Bot, conversation: Conversation):
    """List what deskbot can do."""
    incoming = incoming_from(message, event_update, text=message.text or "", command="help")
    await answer(bot, message.chat.id, conversation, incoming)


def build() -> Router:
    router = Router(name="commands")
    router.message.register(on_start, CommandStart())
    router.message.register(on_help, Command("help"))
    return router
