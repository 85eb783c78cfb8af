"""Photos, documents and voice notes (kept for the ticket), stickers and everything else."""

from aiogram import Bot, Router
from aiogram.types import Message, Update

from bot.conversation import Conversation
from bot.telegram.handlers.common import answer, incoming_from


async def on_other(message: Message, event_update: Update, bot: Bot, conversation: Conversation):
    """Keep a file for the ticket; politely say that deskbot reads text otherwise."""
    incoming = incoming_from(
        message,
        event_update,
        text=message.caption or "",
        is_text=False,
        attachments=file_ids(message),
    )
    await answer(bot, message.chat.id, conversation, incoming)


def file_ids(message: Message) -> tuple[str, ...]:
    """The Telegram file id of what was sent: the largest photo size, or the file itself."""
    if message.photo:
        return (message.photo[-1].file_id,)
    sent = message.document or message.video or message.voice or message.audio
    return (sent.file_id,) if sent else ()


def build() -> Router:
    router = Router(name="other")
    router.message.register(on_other)
    return router
