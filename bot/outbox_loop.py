"""The delivery loop every channel's outbox sender shares: pass after pass until stopped."""

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from servicedesk import outbox
from servicedesk.db import Database

log = logging.getLogger(__name__)


class OutboxLoop(ABC):
    """Subclasses send what is due in ``deliver_due``, checking ``stopping`` between messages."""

    def __init__(
        self, database: Database, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self._db, self._sleep = database, sleep
        self._stopping = asyncio.Event()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        """Finish the message being sent, then stop (a restart resends nothing)."""
        self._stopping.set()

    async def run(self, interval_s: float = 1.0) -> None:
        while not self.stopping:
            try:
                await self.deliver_due()
            except Exception:  # the loop must survive a database hiccup
                log.exception("%s pass failed", type(self).__name__)
            if not self.stopping:
                await self._sleep(interval_s)

    @abstractmethod
    async def deliver_due(self) -> int:
        """Send every due message once; returns how many went out."""

    def _sent(self, message_id: int) -> None:
        with self._db.unit_of_work() as session:
            outbox.mark_sent(session, message_id)
