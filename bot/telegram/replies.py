"""Send core replies into a Telegram chat."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.conversation import Conversation
from bot.messages import Reply
from bot.telegram.render import render

log = logging.getLogger(__name__)


async def send_replies(
    bot: Bot, chat_id: int, replies: list[Reply], conversation: Conversation
) -> None:
    """Send the replies, each recorded as sent as soon as it has gone out, while the next one
    goes (the employee does not wait for the record): a gateway dying while sending the next
    leaves only that one to the outbox, which sends it again once its lease ends (as it does
    one that could not be sent). Returns once every record is made."""
    records = []
    for reply in replies:
        try:
            await send_reply(bot, chat_id, reply, partial(conversation.parts_sent, reply))
        except TelegramAPIError as error:
            log.error("reply to chat could not be sent: %s", error)
        else:
            records.append(asyncio.create_task(conversation.sent([reply])))
    await asyncio.gather(*records)


async def send_reply(
    bot: Bot,
    chat_id: int,
    reply: Reply,
    record_parts: Callable[[int], Awaitable[None]],
    parts_sent: int = 0,
) -> None:
    """Send ``reply``'s messages after its first ``parts_sent``. One too long for a single
    message goes in parts, and ``record_parts(n)`` follows each but the last: sent again
    after a failure between them, it starts after the parts that went out."""
    messages = render(reply)
    for number, message in enumerate(messages[parts_sent:], start=parts_sent + 1):
        await bot.send_message(chat_id, message.html, reply_markup=message.keyboard)
        if number < len(messages):
            await record_parts(number)
