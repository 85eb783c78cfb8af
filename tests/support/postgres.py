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


class CutWhileWaiting:
    """Holds a lock (``lock_sql``, in a transaction left open), ends the first connection
    that waits for it (``pg_terminate_backend``) and then lets the lock go: the statement
    that connection was running loses its connection while it runs. ``cut`` is that
    connection's backend, once ended."""

    def __init__(self, url: str, lock_sql: str, timeout_s: float = 60.0) -> None:
        self._url = make_url(url).set(drivername="postgresql").render_as_string(False)
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
        # Asked outside the holder's transaction, which would see one snapshot of the activity.
        deadline = time.monotonic() + self._timeout_s
        try:
            with psycopg.connect(self._url, autocommit=True) as watcher:
                while self.cut is None and time.monotonic() < deadline:
                    waiting = watcher.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> %s",
                        (holder.info.backend_pid,),
                    ).fetchone()
                    if waiting is None:
                        time.sleep(0.02)
                        continue
                    ended = watcher.execute(
                        "SELECT pg_terminate_backend(%s, %s)", (waiting[0], WAIT_MS)
                    ).fetchone()
                    assert ended is not None and ended[0], f"backend {waiting[0]} did not end"
                    self.cut = waiting[0]
        finally:
            holder.commit()  # the lock goes: what was done again on a new connection goes on
            holder.close()
