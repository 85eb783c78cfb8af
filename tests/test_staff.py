"""Console accounts and the sign-in throttle."""

import subprocess
import sys
from pathlib import Path

import pytest

from console.throttle import LoginThrottle
from servicedesk import broadcasts, staff
from servicedesk.db import Database
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


async def test_failures_beyond_the_free_ones_make_each_attempt_wait_longer():
    now = [100.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(3):
        assert await throttle.wait_s("user:eve") == 0
        await throttle.failed("user:eve")
    assert await throttle.wait_s("user:eve") == 2.0
    await throttle.failed("user:eve")
    assert await throttle.wait_s("user:eve") == 4.0
    now[0] += 4.0
    assert await throttle.wait_s("user:eve") == 0
    assert await throttle.wait_s("user:frank") == 0, "another user is not slowed"
    await throttle.succeeded("user:eve")
    assert await throttle.wait_s("user:eve") == 0


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


def test_a_contest_is_defined_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'contest.sqlite3'}"
    upgrade(url)
    env = {"DESKBOT_DB_URL": url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "console", "create-contest", "Winter", "--from", "2027-01-01"]
    command += ["--to", "2027-02-01", "--nomination", "Most self-sufficient=self_service"]
    command += ["--nomination", "All-round=weighted:self_service=2,ratings=1"]

    made = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    overlapping = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    unknown = subprocess.run(
        [*command[:-4], "--nomination", "Karma=karma"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )

    assert made.returncode == 0 and made.stdout.startswith("created contest 1: Winter")
    assert overlapping.returncode == 2 and "overlap «Winter»" in overlapping.stderr
    assert unknown.returncode == 2 and "unknown metric «karma»" in unknown.stderr


def test_departments_come_from_a_csv_and_target_announcements(tmp_path):
    url = f"sqlite:///{tmp_path / 'departments.sqlite3'}"
    upgrade(url)
    rows = tmp_path / "departments.csv"
    rows.write_text(
        "tg:501,Finance\nxmpp:anna@corp.example.com,Finance\ntg:502,Sales\nbroken\nnope:1,X\n"
    )
    env = {"DESKBOT_DB_URL": url, "PATH": "/usr/bin:/bin"}

    result = subprocess.run(
        [sys.executable, "-m", "console", "set-departments", str(rows)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )

    assert result.stdout.strip() == "departments set for 3 employees; 2 lines skipped"
    database = Database(url)
    with database.unit_of_work() as session:
        finance = broadcasts.recipients(session, department="Finance")
        assert sorted(u.external_id for u in finance) == ["501", "anna@corp.example.com"]
        sent = broadcasts.send(
            session, "Finance: month-end close tonight.", "m", department="Finance"
        )
        assert sent.recipients == 2
    database.dispose()
