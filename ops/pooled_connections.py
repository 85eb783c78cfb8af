"""PostgreSQL connections checked before a pool hands them out, without a round trip.

A pooled connection PostgreSQL has closed (a restart, a failover, ``pg_terminate_backend``)
must be replaced before a turn uses it. SQLAlchemy's ``pool_pre_ping`` asks the server at every
checkout, several times a turn. An idle connection has nothing to read, and one the server
closed has its farewell or the end of the stream waiting: so the socket is polled instead, and
only a connection with something waiting is asked. One that does not answer is replaced
(SQLAlchemy's pessimistic disconnect handling: ``DisconnectionError`` in a checkout event).
"""

import logging
import select

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

log = logging.getLogger(__name__)


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
