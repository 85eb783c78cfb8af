"""Send core replies into a Telegram chat."""

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.messages import Reply
from bot.telegram.render import render

log = logging.getLogger(__name__)


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply]) -> None:
    for reply in replies:
        for message in render(reply):
            try:
                await bot.send_message(chat_id, message.html, reply_markup=message.keyboard)
            except TelegramAPIError as error:
                log.error("reply to chat could not be sent: %s", error)
