"""Stickers, photos, voice and everything else that is not text."""

from aiogram import Bot, Router
from aiogram.types import Message, Update

from bot.conversation import Conversation
from bot.telegram.handlers.common import answer, incoming_from


async def on_other(message: Message, event_update: Update, bot: Bot, conversation: Conversation):
    """Politely say that deskbot reads text."""
    incoming = incoming_from(message, event_update, text=message.caption or "", is_text=False)
    await answer(bot, message.chat.id, conversation, incoming)


def build() -> Router:
    router = Router(name="other")
    router.message.register(on_other)
    return router
