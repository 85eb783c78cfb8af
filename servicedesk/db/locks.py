"""Locks the database holds for a transaction, so that processes on every machine sharing it
take turns."""

from sqlalchemy import text
from sqlalchemy.orm import Session


def hold_for_transaction(session: Session, key: int) -> None:
    """Wait for, then hold until ``session``'s transaction ends, the lock named ``key`` (a
    bigint no other lock of deskbot uses): ``pg_advisory_xact_lock`` on PostgreSQL. SQLite
    lets one writer at a time anyway, and runs on one machine: nothing to take there."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
