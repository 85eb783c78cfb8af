"""Inline-keyboard presses: remove the keyboard and send the button's payload to the core."""

import logging
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Update

from bot.conversation import Conversation, Incoming, Outcome
from bot.telegram.handlers.common import display_name, handle_typing
from bot.telegram.replies import send_replies
from servicedesk.i18n import text
from servicedesk.language import normalise

log = logging.getLogger(__name__)


async def on_button(
    query: CallbackQuery, event_update: Update, bot: Bot, conversation: Conversation
):
    """Handle a pressed button once; refuse data the bot never issued to this person."""
    chat_id = query.message.chat.id if query.message else query.from_user.id
    incoming = Incoming(
        channel="tg",
        sender_id=f"tg:{query.from_user.id}",
        delivery_key=str(event_update.update_id),
        button_token=query.data or "",
        language_hint=query.from_user.language_code,
        display_name=display_name(query.from_user),
    )
    result = await handle_typing(bot, chat_id, conversation, incoming)
    if result.outcome is Outcome.DUPLICATE:
        return
    with suppress(TelegramAPIError):
        if result.outcome is Outcome.REJECTED:
            await query.answer(text("stale_button", normalise(query.from_user.language_code)))
            return
        await query.answer()
        if query.message:
            await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=query.message.message_id, reply_markup=None
            )
    await send_replies(bot, chat_id, result.replies, conversation)


def build() -> Router:
    router = Router(name="buttons")
    router.callback_query.register(on_button)
    return router
