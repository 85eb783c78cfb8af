"""The SQL statements a database sends, for tests that count or read them."""

from sqlalchemy import event

from servicedesk.db import Database


def statements_of(database: Database) -> list[str]:
    """Every statement ``database``'s engine sends from now on, appended as it goes."""
    said: list[str] = []
    event.listen(
        database.engine,
        "before_cursor_execute",
        lambda _connection, _cursor, statement, *_rest: said.append(statement),
    )
    return said
