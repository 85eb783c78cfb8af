"""deskbot's PostgreSQL pools hand out a connection the server closed only after replacing it,
and check a healthy one without asking the server; a statement whose connection the server
drops while it runs is done again on a new one (ops/pooled_connections.py). On the local
PostgreSQL."""

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from ops.pooled_connections import again_if_dropped
from servicedesk.db import Database
from tests.support.postgres import CutWhileWaiting, terminate_backends
from tests.support.statements import statements_of

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def database():
    database = Database(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
    yield database
    database.dispose()


def backend_of(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_the_server_closed_is_replaced_before_use(database):
    first = backend_of(database)
    assert terminate_backends(POSTGRES, f"SELECT {first} AS pid") == 1  # ended, not asked

    second = backend_of(database)  # without the check: "terminating connection" here

    assert second != first


def test_a_healthy_connection_is_handed_out_without_asking_the_server(database):
    pid = backend_of(database)
    said = statements_of(database)

    assert backend_of(database) == pid
    assert said == ["SELECT pg_backend_pid()"]  # no ping before it


def test_a_connection_with_a_notification_waiting_is_kept(database):
    """Something to read on an idle connection is not always the server's farewell: asked, a
    live connection answers and is kept."""
    with database.unit_of_work() as session:
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        session.execute(text("LISTEN deskbot_pool_test"))
    with psycopg.connect(POSTGRES, autocommit=True) as other:
        other.execute("NOTIFY deskbot_pool_test")
    time.sleep(0.2)  # the notification reaches the pooled connection's socket

    assert backend_of(database) == pid


WAITS_FOR_THE_LOCK = "SELECT pg_backend_pid() FROM (SELECT pg_advisory_xact_lock(4242)) AS held"


def test_a_statement_whose_connection_is_dropped_while_it_runs_is_done_again(database):
    cutter = CutWhileWaiting(POSTGRES, "SELECT pg_advisory_xact_lock(4242)")
    attempts = []

    def work() -> int:
        attempts.append(1)
        with database.without_transaction() as session:
            return session.scalar(text(WAITS_FOR_THE_LOCK))

    cutter.hold()
    backend = again_if_dropped(work)
    cutter.join()

    assert cutter.cut is not None and backend != cutter.cut
    assert len(attempts) == 2


def test_only_a_dropped_connection_is_tried_again_and_not_forever(database):
    attempts = []

    def broken() -> None:
        attempts.append(1)
        with database.without_transaction() as session:
            session.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(ProgrammingError):
        again_if_dropped(broken)
    assert len(attempts) == 1

    def always_dropped() -> None:
        attempts.append(1)
        raise DBAPIError("SELECT 1", {}, OSError("gone"), connection_invalidated=True)

    attempts.clear()
    with pytest.raises(DBAPIError):
        again_if_dropped(always_dropped, attempts=3)
    assert len(attempts) == 3
