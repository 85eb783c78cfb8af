"""The database's two kinds of session, on SQLite and PostgreSQL: a unit of work's writes are
seen by others once it ends; without a transaction, each statement is committed at once; and a
pooled connection used without a transaction is transactional again for the next unit."""

from sqlalchemy import create_engine, func, select

from servicedesk.db import Database, User


def users_seen_elsewhere(database: Database) -> int:
    """How many users another connection sees."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(User))
    finally:
        engine.dispose()


def test_a_unit_of_work_is_seen_by_others_once_it_ends(database):
    with database.unit_of_work() as session:
        session.add(User(channel="tg", external_id="1"))
        session.flush()
        assert users_seen_elsewhere(database) == 0
    assert users_seen_elsewhere(database) == 1


def test_without_a_transaction_a_write_is_seen_by_others_at_once(database):
    with database.without_transaction() as session:
        session.add(User(channel="tg", external_id="1"))
        session.flush()
        assert users_seen_elsewhere(database) == 1


def test_a_connection_used_without_a_transaction_is_transactional_again(database):
    with database.without_transaction() as session:
        session.add(User(channel="tg", external_id="1"))
        session.flush()
    with database.unit_of_work() as session:
        session.add(User(channel="tg", external_id="2"))
        session.flush()
        assert users_seen_elsewhere(database) == 1
    assert users_seen_elsewhere(database) == 2
