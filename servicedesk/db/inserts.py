"""An INSERT that a unique key turns into no row, on PostgreSQL and SQLite alike."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_unless_present(session: Session, model: Any, rows: dict | list[dict]):
    """``INSERT ... ON CONFLICT DO NOTHING`` of ``rows`` into ``model``'s table, in the
    dialect of the session's database; add ``.returning(...)`` to learn what went in."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(rows).on_conflict_do_nothing()
