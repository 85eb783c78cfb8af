"""Deliver the outbox's Telegram messages: within the rate limits, honouring 429 retry_after."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter

from bot.messages import Reply
from bot.outbox_loop import OutboxLoop
from bot.proactive import as_reply
from bot.ratelimit import RateLimiter
from bot.telegram.replies import send_reply
from ops.metrics import DELIVERY_FAILURES
from servicedesk import outbox
from servicedesk.db import Database

log = logging.getLogger(__name__)
CHANNEL = "tg"


def chat_id_of(recipient: str) -> int | None:
    """A Telegram chat id (a whole number, negative for groups) from an outbox recipient."""
    text = recipient.strip()
    digits = text[1:] if text.startswith("-") else text
    return int(text) if digits.isascii() and digits.isdigit() else None


@dataclass(frozen=True)
class Pending:
    id: int
    chat_id: int
    payload: dict
    parts_sent: int = 0  # of a message sent in several parts


class TelegramDelivery(OutboxLoop):
    """One ``deliver_due`` pass sends what is due; ``run`` repeats it until cancelled."""

    def __init__(
        self,
        bot: Bot,
        database: Database,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lease_s: float = outbox.LEASE_S,
    ) -> None:
        super().__init__(database, sleep, lease_s)
        self._bot, self._limiter = bot, limiter or RateLimiter()

    async def deliver_due(self) -> int:
        """Send every due message once; returns how many went out."""
        sent, leased = 0, await asyncio.to_thread(self._load_due)
        for done, pending in enumerate(leased):
            if self.stopping:
                await asyncio.to_thread(self._release, [p.id for p in leased[done:]])
                break
            chat, is_group = str(pending.chat_id), pending.chat_id < 0
            wait = await self._limiter.delay(chat, is_group)
            if wait > 0:
                await self._sleep(wait)
            if not await self._still_held(pending.id):
                continue  # its lease ran out and another worker has it
            reply = await asyncio.to_thread(self._reply_for, pending)
            record_parts = partial(self._record_parts, pending.id)
            try:
                await send_reply(
                    self._bot, pending.chat_id, reply, record_parts, pending.parts_sent
                )
            except TelegramRetryAfter as flood:
                await asyncio.to_thread(self._failed, pending.id, flood, flood.retry_after)
                await asyncio.to_thread(self._release, [p.id for p in leased[done + 1 :]])
                break  # Telegram asked everyone to wait: stop this pass
            except TelegramAPIError as error:
                await asyncio.to_thread(self._failed, pending.id, error, None)
                continue
            await asyncio.to_thread(self._sent, pending.id, CHANNEL)  # first: it went out
            await self._limiter.record(chat, is_group)
            sent += 1
        return sent

    def _load_due(self) -> list[Pending]:
        """The due messages, leased to this worker; one whose recipient is no Telegram chat id
        fails alone. The claim is one statement, each failure another: no transaction."""
        due = []
        with self._db.without_transaction() as session:
            for message in self._claim(session, CHANNEL):
                chat_id = chat_id_of(message.recipient)
                if chat_id is None:
                    error = f"{message.recipient[:100]!r} is not a Telegram chat id"
                    log.warning("outbox message %d not deliverable: %s", message.id, error)
                    outbox.mark_undeliverable(session, message.id, error)
                    DELIVERY_FAILURES.labels(CHANNEL, "not_a_chat_id").inc()
                else:
                    due.append(Pending(message.id, chat_id, message.payload, message.parts_sent))
        return due

    def _reply_for(self, pending: Pending) -> Reply:
        with self._db.unit_of_work() as session:
            return as_reply(session, f"{CHANNEL}:{pending.chat_id}", pending.payload)

    async def _record_parts(self, message_id: int, parts: int) -> None:
        mark = partial(outbox.mark_parts_sent, message_id=message_id, parts=parts)
        await asyncio.to_thread(self._db.single_statement, mark)

    def _failed(self, message_id: int, error: Exception, retry_after: float | None) -> None:
        DELIVERY_FAILURES.labels(CHANNEL, type(error).__name__).inc()
        log.warning("outbox message %d not delivered: %s", message_id, error)
        with self._db.unit_of_work() as session:
            outbox.mark_failed(session, message_id, str(error), retry_after)
