"""Shared steps of the message handlers: build the core event, wait with "typing", reply."""

from aiogram import Bot
from aiogram.types import Message, Update, User
from aiogram.utils.chat_action import ChatActionSender

from bot.conversation import Conversation, Incoming, Outcome, Result
from bot.telegram.replies import send_replies

# Telegram asks bots to show "typing" only when an answer takes noticeable time; most answers
# take a fraction of a second, and each chat action is one more Bot API call.
TYPING_AFTER_S = 0.5


def incoming_from(message: Message, update: Update, **fields) -> Incoming:
    user = message.from_user
    return Incoming(
        channel="tg",
        sender_id=f"tg:{user.id if user else message.chat.id}",
        delivery_key=str(update.update_id),
        language_hint=user.language_code if user else None,
        display_name=display_name(user),
        **fields,
    )


def display_name(user: User | None) -> str | None:
    """ "First Last (@username)", as agents will see the employee."""
    if user is None:
        return None
    full = " ".join(p for p in (user.first_name, user.last_name) if p)
    return f"{full} (@{user.username})" if user.username else full or None


async def handle_typing(
    bot: Bot, chat_id: int, conversation: Conversation, incoming: Incoming
) -> Result:
    """Hand ``incoming`` to the core; the chat shows "typing" if that takes a while."""
    async with ChatActionSender.typing(bot=bot, chat_id=chat_id, initial_sleep=TYPING_AFTER_S):
        return await conversation.handle(incoming)


async def answer(bot: Bot, chat_id: int, conversation: Conversation, incoming: Incoming) -> None:
    result = await handle_typing(bot, chat_id, conversation, incoming)
    if result.outcome is Outcome.REPLIED:
        await send_replies(bot, chat_id, result.replies, conversation)
