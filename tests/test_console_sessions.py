"""Console sign-ins are server-side: a cookie stops working on sign-out, deactivation, a role
change and at the end of its lifetime; sign-in attempts made in parallel cannot pass the
throttle. Real uvicorn, real HTTP."""

import asyncio
import os
import stat
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import update

from console.settings import ConsoleSettings
from console.throttle import FREE_FAILURES
from servicedesk import staff
from servicedesk.db.models import ConsoleSession, StaffUser, utcnow
from tests.support.console import account, csrf_token, signed_in_http


async def home_status(console_url: str, cookies) -> int:
    """What the home page answers to a client holding ``cookies`` (303: off to sign in)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        http.cookie_jar.update_cookies(cookies)
        async with http.get(f"{console_url}/", allow_redirects=False) as response:
            return response.status


def cookies_of(http: aiohttp.ClientSession) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in http.cookie_jar}


async def test_a_cookie_replayed_after_sign_out_no_longer_works(console, stack_db):
    http = await signed_in_http(console.url, account(stack_db, "sessions-rita", "agent"))
    try:
        stolen = cookies_of(http)
        assert await home_status(console.url, stolen) == 200
        token = await csrf_token(http, f"{console.url}/")
        await http.post(f"{console.url}/logout", data={"csrf_token": token})
    finally:
        await http.close()
    assert await home_status(console.url, stolen) == 303


@pytest.mark.parametrize(
    ("name", "withdraw"),
    [
        ("sessions-dora", lambda session, name: staff.deactivate(session, name)),
        ("sessions-emil", lambda session, name: staff.set_role(session, name, "editor")),
    ],
    ids=["deactivated", "role changed"],
)
async def test_a_session_ends_when_its_account_changes(console, stack_db, name, withdraw):
    http = await signed_in_http(console.url, account(stack_db, name, "agent"))
    try:
        assert await home_status(console.url, cookies_of(http)) == 200
        with stack_db.unit_of_work() as session:
            withdraw(session, name)
        assert await home_status(console.url, cookies_of(http)) == 303
    finally:
        await http.close()


async def test_a_session_ends_after_its_lifetime(console, stack_db):
    name = account(stack_db, "sessions-oleg", "agent")
    http = await signed_in_http(console.url, name)
    try:
        with stack_db.unit_of_work() as session:
            staff_id = session.query(StaffUser.id).filter_by(username=name).scalar()
            session.execute(
                update(ConsoleSession)
                .where(ConsoleSession.staff_id == staff_id)
                .values(created_at=utcnow() - timedelta(hours=8, minutes=1))
            )
        assert await home_status(console.url, cookies_of(http)) == 303
    finally:
        await http.close()


async def test_parallel_wrong_passwords_cannot_pass_the_throttle(console, stack_db):
    name = account(stack_db, "sessions-paula", "agent")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token = await csrf_token(http, f"{console.url}/login")
        form = {"username": name, "password": "wrong password!", "csrf_token": token}

        async def attempt() -> int:
            async with http.post(f"{console.url}/login", data=form) as response:
                return response.status

        statuses = await asyncio.gather(*(attempt() for _ in range(20)))
    assert statuses.count(401) == FREE_FAILURES
    assert statuses.count(429) == 20 - FREE_FAILURES


def test_changing_an_unknown_account_is_refused(stack_db):
    with pytest.raises(staff.InvalidAccount), stack_db.unit_of_work() as session:
        staff.deactivate(session, "nobody-such")
    with pytest.raises(staff.InvalidAccount), stack_db.unit_of_work() as session:
        staff.set_role(session, account(stack_db, "sessions-ivo", "agent"), "wizard")


def test_console_processes_starting_together_sign_with_the_key_the_first_made(
    tmp_path, monkeypatch
):
    key_file = tmp_path / "var" / "console-secret"
    key_file.parent.mkdir()
    key_file.write_text("made by the console that started first")
    # This console looked before the other wrote its key, and found no file.
    monkeypatch.setattr(Path, "exists", lambda path: path != key_file and os.path.exists(path))

    key = ConsoleSettings(secret_file=key_file).signing_key()

    assert key == "made by the console that started first"
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["console-secret"]


def test_a_console_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "console-secret"
    first = ConsoleSettings(secret_file=key_file).signing_key()
    assert ConsoleSettings(secret_file=key_file).signing_key() == first
    assert len(first) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
