"""What an operator (or a dropped network) does to PostgreSQL connections, for the tests."""

from sqlalchemy import create_engine, text


def terminate_backends(url: str, pids_query: str, **params) -> int:
    """``pg_terminate_backend`` every connection ``pids_query`` selects (never this one's own);
    returns how many were ended."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text(
                    f"SELECT count(pg_terminate_backend(pid)) FROM ({pids_query}) AS chosen "
                    "WHERE pid <> pg_backend_pid()"
                ),
                params,
            )
    finally:
        engine.dispose()
