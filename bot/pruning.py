"""The retention period applied while the gateway runs: one pass an hour."""

import asyncio
import logging
from datetime import timedelta

from bot.periodic import Periodic
from servicedesk import retention
from servicedesk.db import Database
from servicedesk.db.models import utcnow

log = logging.getLogger(__name__)
PASS_INTERVAL_S = 3600.0


class Pruning(Periodic):
    def __init__(self, database: Database, days: int) -> None:
        super().__init__(database)
        self._kept_for = timedelta(days=days)

    async def one_pass(self) -> int:
        counts = await asyncio.to_thread(self._prune)
        if any(counts.values()):
            log.info("retention: %s", ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        return sum(counts.values())

    def _prune(self) -> dict[str, int]:
        with self._db.unit_of_work() as session:
            return retention.prune(session, utcnow() - self._kept_for)
