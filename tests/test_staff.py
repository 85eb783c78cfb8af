"""Console accounts and the sign-in throttle."""

import subprocess
import sys
from pathlib import Path

import pytest

from console.throttle import LoginThrottle
from servicedesk import staff
from servicedesk.db.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent


def test_accounts_verify_their_password_only(database):
    with database.unit_of_work() as session:
        user = staff.create(session, "Alice", "a long enough password", "agent")
        assert user.username == "alice" and user.password_hash.startswith("$argon2")
    with database.unit_of_work() as session:
        assert staff.authenticate(session, "ALICE ", "a long enough password").role == "agent"
        assert staff.authenticate(session, "alice", "wrong password") is None
        assert staff.authenticate(session, "bob", "a long enough password") is None
        assert staff.authenticate(session, "", "") is None


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [
        ("x", "a long enough password", "agent"),
        ("<script>", "a long enough password", "agent"),
        ("carol", "short", "agent"),
        ("carol", "a long enough password", "superuser"),
    ],
)
def test_bad_accounts_are_refused(database, username, password, role):
    with pytest.raises(staff.InvalidAccount), database.unit_of_work() as session:
        staff.create(session, username, password, role)


def test_a_username_is_taken_once(database):
    with database.unit_of_work() as session:
        staff.create(session, "dora", "a long enough password", "editor")
    with pytest.raises(staff.InvalidAccount), database.unit_of_work() as session:
        staff.create(session, "Dora", "another long password", "editor")


def test_failures_beyond_the_free_ones_make_each_attempt_wait_longer():
    now = [100.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_s("user:eve") == 0
        throttle.failed("user:eve")
    assert throttle.wait_s("user:eve") == 2.0
    throttle.failed("user:eve")
    assert throttle.wait_s("user:eve") == 4.0
    now[0] += 4.0
    assert throttle.wait_s("user:eve") == 0
    assert throttle.wait_s("user:frank") == 0, "another user is not slowed"
    throttle.succeeded("user:eve")
    assert throttle.wait_s("user:eve") == 0


def test_the_first_admin_is_created_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    upgrade(url)
    command = [sys.executable, "-m", "console", "create-user", "root-admin"]
    env = {"DESKBOT_DB_URL": url, "PATH": "/usr/bin:/bin"}

    made = subprocess.run(
        command,
        input="a long enough password\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    again = subprocess.run(
        command,
        input="a long enough password\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )

    assert made.returncode == 0 and made.stdout.strip() == "created admin root-admin"
    assert again.returncode == 2 and "exists already" in again.stderr
