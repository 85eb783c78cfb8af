"""Alembic environment: the URL comes from the caller or from DatabaseSettings."""

from alembic import context
from sqlalchemy import create_engine

from servicedesk.db.models import Base
from servicedesk.settings import DatabaseSettings

url = context.config.get_main_option("sqlalchemy.url") or DatabaseSettings().url

with create_engine(url).connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
