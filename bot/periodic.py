"""Work the gateway does pass after pass until stopped: delivering the outbox, answering what
arrived while Rasa was down, pruning old message bodies."""

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from servicedesk.db import Database

log = logging.getLogger(__name__)


class Periodic(ABC):
    """Subclasses do one pass in ``one_pass``, checking ``stopping`` between items."""

    def __init__(
        self, database: Database, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self._db, self._sleep = database, sleep
        self._stopping = asyncio.Event()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        """Finish the item at hand, then stop."""
        self._stopping.set()

    async def run(self, interval_s: float = 1.0) -> None:
        while not self.stopping:
            try:
                await self.one_pass()
            except Exception:  # the loop must survive a database hiccup
                log.exception("%s pass failed", type(self).__name__)
            if not self.stopping:
                await self._sleep(interval_s)

    @abstractmethod
    async def one_pass(self) -> int:
        """Do what is due once; returns how many items were done."""
