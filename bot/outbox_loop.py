"""The delivery loop every channel's outbox sender shares: pass after pass until stopped."""

import asyncio
from abc import abstractmethod
from collections.abc import Awaitable, Callable

from sqlalchemy.orm import Session

from bot.periodic import Periodic
from ops.metrics import DELIVERED
from servicedesk import outbox
from servicedesk.db import Database
from servicedesk.db.models import OutboxMessage


class OutboxLoop(Periodic):
    """Subclasses send what is due in ``deliver_due``; a restart resends nothing. A pass holds
    what it loaded for ``lease_s``: if its gateway dies, another sends them after that."""

    def __init__(
        self,
        database: Database,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lease_s: float = outbox.LEASE_S,
    ) -> None:
        super().__init__(database, sleep)
        self._lease_s = lease_s

    async def one_pass(self) -> int:
        return await self.deliver_due()

    @abstractmethod
    async def deliver_due(self) -> int:
        """Send every due message once; returns how many went out."""

    def _claim(self, session: Session, channel: str) -> list[OutboxMessage]:
        """The due messages of ``channel``, leased to this pass."""
        return outbox.claim(session, channel, lease_s=self._lease_s)

    def _sent(self, message_id: int, channel: str) -> None:
        with self._db.unit_of_work() as session:
            outbox.mark_sent(session, message_id)
        DELIVERED.labels(channel).inc()

    def _release(self, message_ids: list[int]) -> None:
        """Hand back what this pass leased but did not attempt (it stopped early)."""
        if message_ids:
            with self._db.unit_of_work() as session:
                outbox.release(session, message_ids)
