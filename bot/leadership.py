"""The duties only one gateway replica may run at a time: Telegram's long polling (Telegram
allows one reader), the XMPP connection (one bot account, one session) and the passes over
shared rows (answering kept messages, pruning). Any number of replicas serve webhooks, the
web chat and the outbox; exactly one of them, the leader, also runs these duties.

The leader is whoever holds a PostgreSQL session advisory lock. The lock lives as long as the
leader's connection: when the leader dies or its connection is cut, PostgreSQL releases it and
another replica takes it on its next try, within ``interval_s``. On SQLite (one machine, one
gateway) there is nobody to share with: the process always leads.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# pg_advisory_lock's key: any bigint that no other lock of this database uses.
DUTIES_LOCK_KEY = 0x6465736B626F74  # "deskbot"
CHECK_TIMEOUT_S = 5.0
LEADER = Gauge("deskbot_gateway_leader", "1 while this gateway runs the single-replica duties")

Duties = Callable[[], list[Coroutine[Any, Any, None]]]


class Leadership:
    """Runs ``duties`` while this replica leads; stops them as soon as it no longer does."""

    def __init__(self, database_url: str, interval_s: float = 2.0) -> None:
        self._interval_s = interval_s
        self._shared = make_url(database_url).get_backend_name() == "postgresql"
        # Its own connections, outside any pool: the lock lives exactly as long as one.
        self._engine = create_engine(database_url, poolclass=NullPool) if self._shared else None
        self._asking: Connection | None = None  # kept between tries while another leads

    async def run(self, duties: Duties) -> None:
        if not self._shared:
            LEADER.set(1)
            await asyncio.gather(*duties())
            return
        try:
            await self._lead_whenever_possible(duties)
        finally:
            if self._asking is not None:
                await asyncio.to_thread(_close, self._asking)

    async def _lead_whenever_possible(self, duties: Duties) -> None:
        while True:
            connection = await self._take_lock()
            log.info("leading: this gateway runs polling, XMPP and the shared passes")
            LEADER.set(1)
            try:
                await self._lead(connection, duties)
            finally:
                LEADER.set(0)
                await asyncio.to_thread(_close, connection)
            log.warning("no longer leading; trying again in %.0f s", self._interval_s)
            await asyncio.sleep(self._interval_s)

    async def _take_lock(self) -> Connection:
        """Try every ``interval_s`` until the lock is ours; returns the connection holding it."""
        while True:
            try:
                connection = await asyncio.to_thread(self._try_lock)
            except Exception as error:  # the database is down: keep trying
                log.warning("cannot ask for the leader's lock: %s", type(error).__name__)
                connection = None
            if connection is not None:
                return connection
            await asyncio.sleep(self._interval_s)

    def _try_lock(self) -> Connection | None:
        """One try, on the connection kept from the last one: a replica waiting to lead asks
        every ``interval_s``, and a new connection each time would start a backend each time.
        A kept connection that was cut is replaced at once."""
        kept, self._asking = self._asking, None
        if kept is not None:
            try:
                return self._ask(kept)
            except Exception:
                _close(kept)
        return self._ask(self._connect())

    def _connect(self) -> Connection:
        assert self._engine is not None
        return self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _ask(self, connection: Connection) -> Connection | None:
        """``connection`` if it now holds the lock; else None, and it is kept for the next
        try."""
        if connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": DUTIES_LOCK_KEY}):
            return connection
        self._asking = connection
        return None

    async def _lead(self, connection: Connection, duties: Duties) -> None:
        """Run the duties until one ends or the lock's connection stops answering."""
        tasks = [asyncio.create_task(duty) for duty in duties()]
        try:
            while not any(task.done() for task in tasks):
                await asyncio.sleep(self._interval_s)
                if not await self._still_held(connection):
                    return
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    log.error("a leader's duty failed", exc_info=task.exception())
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _still_held(connection: Connection) -> bool:
        try:
            await asyncio.wait_for(
                asyncio.to_thread(connection.scalar, text("SELECT 1")), CHECK_TIMEOUT_S
            )
        except Exception as error:
            log.warning("the leader's connection is lost: %s", type(error).__name__)
            return False
        return True


def _close(connection: Connection) -> None:
    try:
        connection.close()
    except Exception:  # already broken: PostgreSQL released the lock with it
        log.debug("closing a broken connection", exc_info=True)
