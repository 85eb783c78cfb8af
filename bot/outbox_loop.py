"""The delivery loop every channel's outbox sender shares: pass after pass until stopped."""

import asyncio
import time
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from bot.periodic import Periodic
from ops.metrics import DELIVERED
from servicedesk import outbox
from servicedesk.db import Database
from servicedesk.db.models import OutboxMessage


class OutboxLoop(Periodic):
    """Subclasses send what is due in ``deliver_due``; a restart resends nothing. A pass holds
    what it loaded for ``lease_s``: if its gateway dies, another sends them after that. A pass
    that may outlive its lease while its gateway is alive (Telegram's, which rate limits slow
    down) asks ``_still_held`` before each message: past half the lease, it is renewed."""

    def __init__(
        self,
        database: Database,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lease_s: float = outbox.LEASE_S,
    ) -> None:
        super().__init__(database, sleep)
        self._lease_s = lease_s
        self._held: set[int] = set()  # what this pass holds, until _held_until
        self._held_until: datetime | None = None
        self._renew_at = 0.0  # time.monotonic() past which the lease is renewed

    async def one_pass(self) -> int:
        return await self.deliver_due()

    @abstractmethod
    async def deliver_due(self) -> int:
        """Send every due message once; returns how many went out."""

    def _claim(self, session: Session, channel: str) -> list[OutboxMessage]:
        """The due messages of ``channel``, leased to this pass."""
        messages = outbox.claim(session, channel, lease_s=self._lease_s)
        self._held = {message.id for message in messages}
        self._held_until = messages[0].next_attempt_at if messages else None
        self._renew_at = time.monotonic() + self._lease_s / 2
        return messages

    async def _still_held(self, message_id: int) -> bool:
        """Whether this pass still holds ``message_id``, about to be sent; past half the
        lease, the lease is renewed first (for what is still pending under it: a message
        sent, failed or released meanwhile has left it)."""
        if time.monotonic() >= self._renew_at and self._held_until is not None:
            await asyncio.to_thread(self._renew)
        return message_id in self._held

    def _renew(self) -> None:
        assert self._held_until is not None
        with self._db.without_transaction() as session:
            self._held, self._held_until = outbox.renew(
                session, self._held, self._held_until, lease_s=self._lease_s
            )
        self._renew_at = time.monotonic() + self._lease_s / 2

    def _sent(self, message_id: int, channel: str) -> None:
        """Record a message that went out, on a new connection if the database dropped the
        one in use: otherwise it would be sent again once the lease ends."""
        self._db.single_statement(partial(outbox.mark_sent, message_id=message_id))
        DELIVERED.labels(channel).inc()

    def _release(self, message_ids: list[int]) -> None:
        """Hand back what this pass leased but did not attempt (it stopped early)."""
        if message_ids:
            with self._db.unit_of_work() as session:
                outbox.release(session, message_ids)
