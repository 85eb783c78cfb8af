"""Send core replies into a Telegram chat."""

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.messages import Reply
from bot.telegram.render import render

log = logging.getLogger(__name__)


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply]) -> list[Reply]:
    """Send the replies; returns those that went out whole. One that did not, if kept in the
    outbox, is sent again by the delivery worker once its lease ends."""
    sent = []
    for reply in replies:
        try:
            for message in render(reply):
                await bot.send_message(chat_id, message.html, reply_markup=message.keyboard)
        except TelegramAPIError as error:
            log.error("reply to chat could not be sent: %s", error)
        else:
            sent.append(reply)
    return sent
