"""deskbot's PostgreSQL pools hand out a connection the server closed only after replacing it,
and check a healthy one without asking the server (ops/pooled_connections.py), on the local
PostgreSQL."""

import time

import psycopg
import pytest
from sqlalchemy import text

from servicedesk.db import Database
from tests.support.postgres import terminate_backends
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


def wait_until_gone(pid: int) -> None:
    """pg_terminate_backend only asks: wait until the backend has ended."""
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        for _ in range(100):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).rowcount:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} still runs")


def test_a_connection_the_server_closed_is_replaced_before_use(database):
    first = backend_of(database)
    assert terminate_backends(POSTGRES, f"SELECT {first} AS pid") == 1
    wait_until_gone(first)

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
