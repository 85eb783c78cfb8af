"""Plain text: the employee's own words."""

from aiogram import Bot, F, Router
from aiogram.types import Message, Update

from bot.conversation import Conversation
from bot.telegram.handlers.common import answer, incoming_from


async def on_text(message: Message, event_update: Update, bot: Bot, conversation: Conversation):
    """Pass the text to the conversation core and send its replies."""
    incoming = incoming_from(message, event_update, text=message.text or "")
    await answer(bot, message.chat.id, conversation, incoming)


def build() -> Router:
    router = Router(name="text")
    router.message.register(on_text, F.text.is_not(None))
    return router
