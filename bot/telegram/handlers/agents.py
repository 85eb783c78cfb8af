"""The agents' Telegram group: commands, replies to ticket cards, and the cards' buttons."""

import logging
from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ForceReply, Message, Update, User

from bot.agents import AgentDesk
from bot.messages import Reply
from bot.telegram.render import render
from servicedesk.agent_commands import NOTE_PROMPT, AgentAnswer
from servicedesk.references import parse_reference

log = logging.getLogger(__name__)
MEMBER_STATUSES = {"creator", "administrator", "member"}
CALLBACK_ANSWER_LIMIT = 200


def build(chat_id: int) -> Router:
    router = Router(name="agents")
    router.message.filter(F.chat.id == chat_id)
    router.callback_query.filter(F.message.chat.id == chat_id)
    router.message.register(on_command, F.text.startswith("/"))
    router.message.register(on_reply_to_bot, F.text, F.reply_to_message)
    router.message.register(ignore)  # agents talking among themselves
    router.callback_query.register(on_card_button)
    return router


async def on_command(message: Message, event_update: Update, bot: Bot, agent_desk: AgentDesk):
    """/queue, /ticket SD-1042, /close SD-1042 <note>, ..."""
    await _act(message, event_update, bot, agent_desk, message.text or "")


async def on_reply_to_bot(message: Message, event_update: Update, bot: Bot, agent_desk: AgentDesk):
    """A reply to a card writes to the employee; a reply to a note prompt resolves."""
    replied = message.reply_to_message
    if replied.from_user is None or replied.from_user.id != bot.id:
        return
    number = parse_reference(replied.text or "")
    if number is None:
        return
    reference = f"SD-{number}"
    verb = "resolve" if (replied.text or "").startswith(_prompt(reference)) else "reply"
    await _act(message, event_update, bot, agent_desk, f"{verb} {reference} {message.text}")


async def on_card_button(
    query: CallbackQuery, event_update: Update, bot: Bot, agent_desk: AgentDesk
):
    """[Take] [Resolve] [Junk] on a ticket card."""
    chat_id = query.message.chat.id
    command = await agent_desk.card_command(f"tg:{chat_id}", query.data or "")
    if command is None:
        with suppress(TelegramAPIError):
            await query.answer("This button is no longer active.")
        return
    answer = await _answer_for(bot, chat_id, query.from_user, event_update, agent_desk, command)
    if answer is None:
        return
    with suppress(TelegramAPIError):
        await query.answer(answer.text[:CALLBACK_ANSWER_LIMIT])
    await _send(bot, chat_id, answer, reply_to=query.message.message_id)


async def ignore(message: Message) -> None:
    """Not for deskbot."""


async def _act(
    message: Message, update: Update, bot: Bot, agent_desk: AgentDesk, command: str
) -> None:
    answer = await _answer_for(
        bot, message.chat.id, message.from_user, update, agent_desk, command
    )
    if answer is not None:
        await _send(bot, message.chat.id, answer, reply_to=message.message_id)


async def _answer_for(
    bot: Bot, chat_id: int, user: User | None, update: Update, agent_desk: AgentDesk, command: str
) -> AgentAnswer | None:
    actor = _actor(user)
    if user is None or not await _is_member(bot, chat_id, user.id):
        return agent_desk.refuse("tg", actor, command)
    return await agent_desk.run("tg", str(update.update_id), actor, command)


async def _is_member(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Ask Telegram whether the user belongs to the agents' group right now."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError as error:
        log.warning("membership of %s not checked: %s", user_id, error)
        return False
    return member.status in MEMBER_STATUSES


async def _send(bot: Bot, chat_id: int, answer: AgentAnswer, reply_to: int) -> None:
    markup = ForceReply(selective=True) if answer.note_wanted_for else None
    for message in render(Reply(answer.text)):
        try:
            await bot.send_message(
                chat_id, message.html, reply_markup=markup, reply_to_message_id=reply_to
            )
        except TelegramAPIError as error:
            log.error("answer to the agents' group not sent: %s", error)


def _actor(user: User | None) -> str:
    if user is None:
        return "tg:unknown"
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    return f"{name} (tg:{user.id})"[:200]


def _prompt(reference: str) -> str:
    return NOTE_PROMPT.format(reference=reference)
