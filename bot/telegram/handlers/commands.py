"""The bot's commands: /start, /help, /me, /mute, /unmute."""

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message, Update

from bot.conversation import COMMAND_INTENTS, Conversation
from bot.telegram.handlers.common import answer, incoming_from


async def on_command(
    message: Message,
    event_update: Update,
    bot: Bot,
    conversation: Conversation,
    command: CommandObject,
):
    """Hand the command to the conversation core."""
    name = command.command.lower()
    incoming = incoming_from(message, event_update, text=message.text or "", command=name)
    await answer(bot, message.chat.id, conversation, incoming)


def build() -> Router:
    router = Router(name="commands")
    router.message.register(on_command, CommandStart())
    router.message.register(on_command, Command(*[c for c in COMMAND_INTENTS if c != "start"]))
    return router
