"""PostgreSQL connections checked before a pool hands them out, without a round trip.

A pooled connection PostgreSQL has closed (a restart, a failover, ``pg_terminate_backend``)
must be replaced before a turn uses it. SQLAlchemy's ``pool_pre_ping`` asks the server at every
checkout, several times a turn. An idle connection has nothing to read, and one the server
closed has its farewell or the end of the stream waiting: so the socket is polled instead, and
only a connection with something waiting is asked. One that does not answer is replaced
(SQLAlchemy's pessimistic disconnect handling: ``DisconnectionError`` in a checkout event).

A connection can still be closed after that check, while its statement runs (the server ends
it a moment later, or its farewell has not arrived yet): ``again_if_dropped`` runs such a
statement once more, on a new connection, where doing it twice does no harm.
"""

import logging
import select
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 3  # connections dropped three times in a row: the database is going away


def replace_closed_connections(engine: Engine) -> None:
    """Check every connection ``engine``'s pool hands out; replace the closed ones."""
    event.listen(engine, "checkout", _refuse_closed)


def _refuse_closed(dbapi_connection, _record, _proxy) -> None:
    if has_something_to_read(dbapi_connection) and not answers(dbapi_connection):
        raise DisconnectionError("the database closed this pooled connection")


def has_something_to_read(dbapi_connection) -> bool:
    """Whether the server sent anything to this idle connection (or closed it)."""
    try:
        socket = dbapi_connection.fileno()
    except Exception:  # closed on this side already
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def answers(dbapi_connection) -> bool:
    """A round trip, as ``pool_pre_ping`` makes; False when the connection is dead."""
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as error:
        log.info("replacing a pooled connection the database closed: %s", type(error).__name__)
        return False
    return True


def again_if_dropped(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``work()``, done again on a new connection when the database dropped the one it was
    using (up to ``attempts`` in all, one right after another); any other error is raised as
    it came. Only for work that may safely be done twice: a read, or a write that checks
    what it changes (marking a message sent, storing events not stored yet)."""
    for _ in range(attempts - 1):
        try:
            return work()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.info("the database dropped a connection during a statement; doing it again")
    return work()
