"""Engine and unit-of-work sessions."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from ops.pooled_connections import again_if_dropped, replace_closed_connections

T = TypeVar("T")


class Database:
    """One engine and its session factories: ``unit_of_work()`` commits or rolls back,
    ``without_transaction()`` lets each statement commit on its own."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine = _create_engine(url, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._single_statements = sessionmaker(autocommit, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def without_transaction(self) -> Iterator[Session]:
        """A session whose statements each commit on their own, with no BEGIN and COMMIT sent
        around them: for reads, or one write that stands alone."""
        with self._single_statements() as session:
            yield session

    def single_statement(self, work: Callable[[Session], T]) -> T:
        """``work`` on a ``without_transaction`` session, done again on a new connection when
        the database drops the one it used (``again_if_dropped``): for a statement that may be
        made twice, such as recording that a message went out."""

        def once() -> T:
            with self.without_transaction() as session:
                return work(session)

        return again_if_dropped(once)

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, echo=echo)
        replace_closed_connections(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets the gateway and the action server write the same file without blocking readers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
