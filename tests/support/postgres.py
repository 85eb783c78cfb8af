"""What an operator (or a dropped network) does to PostgreSQL connections, for the tests."""

import threading
import time

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

WAIT_MS = 5000  # how long pg_terminate_backend waits for a backend to end


def terminate_backends(url: str, pids_query: str, **params) -> int:
    """``pg_terminate_backend`` every connection ``pids_query`` selects (never this one's own),
    waiting until each has ended, as after a restart or a failover; returns how many ended."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            # The pids first (MATERIALIZED): the planner may otherwise test a condition of
            # ``pids_query`` only after ending a backend.
            return connection.scalar(
                text(
                    f"WITH chosen AS MATERIALIZED ({pids_query}) "
                    f"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, {WAIT_MS})) "
                    "FROM chosen WHERE pid <> pg_backend_pid()"
                ),
                params,
            )
    finally:
        engine.dispose()


def libpq_url(url: str) -> str:
    """An SQLAlchemy URL (``postgresql+psycopg://…``) as psycopg itself takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(False)


class CutWhileWaiting:
    """Holds a lock (``lock_sql``, in a transaction left open), ends the first connection
    that waits for it (``pg_terminate_backend``) and then lets the lock go: the statement
    that connection was running loses its connection while it runs. ``cut`` is that
    connection's backend, once ended."""

    def __init__(self, url: str, lock_sql: str, timeout_s: float = 60.0) -> None:
        self._url = libpq_url(url)
        self._lock_sql, self._timeout_s = lock_sql, timeout_s
        self.cut: int | None = None
        self._watcher: threading.Thread | None = None

    def hold(self) -> None:
        """Take the lock (once: again, nothing happens) and watch for a connection waiting."""
        if self._watcher is not None:
            return
        holder = psycopg.connect(self._url)
        holder.execute(self._lock_sql)
        self._watcher = threading.Thread(target=self._cut_the_waiting, args=(holder,))
        self._watcher.start()

    def join(self) -> None:
        assert self._watcher is not None, "the lock was never held"
        self._watcher.join()

    def _cut_the_waiting(self, holder: psycopg.Connection) -> None:
        try:
            waiting = waiting_for_a_lock(self._url, holder.info.backend_pid, self._timeout_s)
            if waiting is not None:
                with psycopg.connect(self._url, autocommit=True) as admin:
                    ended = admin.execute(
                        "SELECT pg_terminate_backend(%s, %s)", (waiting, WAIT_MS)
                    ).fetchone()
                assert ended is not None and ended[0], f"backend {waiting} did not end"
                self.cut = waiting
        finally:
            holder.commit()  # the lock goes: what was done again on a new connection goes on
            holder.close()


def waiting_for_a_lock(url: str, holder_pid: int, timeout_s: float = 60.0) -> int | None:
    """The first connection of ``url``'s database, other than ``holder_pid``'s, that waits
    for a lock within ``timeout_s`` (its backend's pid), or None. Asked on a connection of its
    own, outside any transaction, which would see one snapshot of the activity."""
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(url, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> %s",
                (holder_pid,),
            ).fetchone()
            if waiting is not None:
                return waiting[0]
            time.sleep(0.02)
    return None
