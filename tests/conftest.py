"""Shared fixtures: databases on SQLite and PostgreSQL, the real Rasa stack, the gateway."""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from servicedesk.db import Database
from servicedesk.db.migrate import upgrade
from tests.support.console import chromium, start_console
from tests.support.fake_telegram import FakeTelegram
from tests.support.gateway import start_gateway
from tests.support.prosody import CORP, Prosody, start_prosody
from tests.support.stack import RunningStack, start_stack, stop_stack
from tests.support.xmpp_gateway import start_xmpp_gateway

POSTGRES_ADMIN_URL = os.environ.get(
    "DESKBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'deskbot.sqlite3'}"
        upgrade(url)
        db = Database(url)
        yield db
        db.dispose()
        return
    with _postgres_database() as url:
        upgrade(url)
        db = Database(url)
        yield db
        db.dispose()


class _postgres_database:
    """A throwaway PostgreSQL database, created from the admin URL and dropped afterwards."""

    def __enter__(self) -> str:
        self.name = f"deskbot_test_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.name}"

    def __exit__(self, *_exc) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[RunningStack]:
    """The real action server and Rasa server on free loopback ports, sharing a SQLite file."""
    work = tmp_path_factory.mktemp("stack")
    url = f"sqlite:///{work / 'deskbot.sqlite3'}"
    upgrade(url)
    running = start_stack(url, work / "logs")
    yield running
    stop_stack(running)


@pytest.fixture
def stack_db(stack) -> Iterator[Database]:
    db = Database(stack.database_url)
    yield db
    db.dispose()


@pytest.fixture
async def telegram() -> FakeTelegram:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def gateway(telegram, stack, stack_db):
    """The gateway polling the loopback Bot API, talking to the real Rasa."""
    running = await start_gateway(telegram, stack.rasa_client(), stack_db)
    yield running
    await running.stop()


@pytest.fixture(scope="session")
def prosody() -> Iterator[Prosody]:
    """A real Prosody on loopback, with deskbot's account, for the whole session. Its folder
    lives outside pytest's private temporary tree, which the prosody user cannot enter."""
    work = Path(tempfile.mkdtemp(prefix="deskbot-prosody-"))
    os.chmod(work, 0o755)
    server = start_prosody(work / "server")
    try:
        server.register("deskbot", CORP, "bot-secret")
        yield server
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
async def xmpp_gateway(prosody, stack, stack_db):
    """The gateway's XMPP adapter and its outbox delivery, talking to the real Rasa."""
    running = await start_xmpp_gateway(prosody, stack.rasa_client(), stack_db)
    yield running
    await running.stop()


@pytest.fixture
async def console(stack_db):
    """The console served on loopback, on the same database as the running stack."""
    running = await start_console(stack_db)
    yield running
    await running.stop()


@pytest.fixture
async def browser():
    async with chromium() as launched:
        yield launched
