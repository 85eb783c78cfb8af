"""The delivery loop every channel's outbox sender shares: pass after pass until stopped."""

from abc import abstractmethod

from bot.periodic import Periodic
from ops.metrics import DELIVERED
from servicedesk import outbox


class OutboxLoop(Periodic):
    """Subclasses send what is due in ``deliver_due``; a restart resends nothing."""

    async def one_pass(self) -> int:
        return await self.deliver_due()

    @abstractmethod
    async def deliver_due(self) -> int:
        """Send every due message once; returns how many went out."""

    def _sent(self, message_id: int, channel: str) -> None:
        with self._db.unit_of_work() as session:
            outbox.mark_sent(session, message_id)
        DELIVERED.labels(channel).inc()

    def _release(self, message_ids: list[int]) -> None:
        """Hand back what this pass leased but did not attempt (it stopped early)."""
        if message_ids:
            with self._db.unit_of_work() as session:
                outbox.release(session, message_ids)
