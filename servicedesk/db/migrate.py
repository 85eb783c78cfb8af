"""Bring a database to the newest schema: ``python -m servicedesk.db.migrate [URL]``."""

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from servicedesk.db.session import Database
from servicedesk.settings import DatabaseSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str) -> None:
    """Apply every pending migration to the database at ``url``."""
    Database(url).dispose()  # creates the SQLite file's folder
    command.upgrade(alembic_config(url), "head")


if __name__ == "__main__":
    upgrade(sys.argv[1] if len(sys.argv) > 1 else DatabaseSettings().url)
