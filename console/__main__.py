"""``python -m console serve`` runs the console; ``create-user`` makes an account (the first
admin, for example; the password comes from standard input, never from the command line);
``set-role`` and ``deactivate`` change one (its open sessions end); ``erase-employee``
pseudonymises an employee and ``prune`` applies the retention period now;
``export-kb DIR`` writes the knowledge base back to Markdown files; ``create-contest``
defines a self-service contest; ``set-departments FILE`` places employees in departments."""

import argparse
import csv
import getpass
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn

from console.app import create_app
from console.settings import ConsoleSettings
from ops.logs import configure as configure_logging
from servicedesk import contests, kb_articles, retention, staff, users
from servicedesk.db import Database
from servicedesk.db.models import StaffRole
from servicedesk.identity import InvalidSenderId, SenderId
from servicedesk.settings import DatabaseSettings, RetentionSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the console")
    create = commands.add_parser("create-user", help="create a console account")
    create.add_argument("username")
    create.add_argument("--role", choices=list(StaffRole), default=StaffRole.ADMIN)
    export = commands.add_parser("export-kb", help="write every article as Markdown")
    export.add_argument("directory", type=Path)
    contest = commands.add_parser("create-contest", help="define a self-service contest")
    contest.add_argument("title")
    contest.add_argument("--from", dest="starts", required=True, help="YYYY-MM-DD")
    contest.add_argument("--to", dest="ends", required=True, help="YYYY-MM-DD, not included")
    contest.add_argument(
        "--nomination",
        action="append",
        default=[],
        help='"Title=metric" or "Title=weighted:self_service=2,ratings=1"; up to three',
    )
    departments = commands.add_parser(
        "set-departments", help="employees' departments from a CSV of sender id, department"
    )
    departments.add_argument("csv_file", type=Path)
    role = commands.add_parser("set-role", help="change an account's role (its sessions end)")
    role.add_argument("username")
    role.add_argument("role", choices=list(StaffRole))
    withdraw = commands.add_parser("deactivate", help="withdraw an account (its sessions end)")
    withdraw.add_argument("username")
    erase = commands.add_parser(
        "erase-employee", help="pseudonymise an employee (their statistics stay)"
    )
    erase.add_argument("sender_id", help="tg:123456, xmpp:anna@corp.example.com, ...")
    commands.add_parser("prune", help="apply the retention period now (DESKBOT_RETENTION_DAYS)")
    args = parser.parse_args(argv)
    database = Database(DatabaseSettings().url)
    if args.command == "erase-employee":
        return _erase_employee(database, args.sender_id)
    if args.command == "prune":
        return _prune(database, RetentionSettings().days)
    if args.command == "set-role":
        return _change_account(database, staff.set_role, args.username, args.role)
    if args.command == "deactivate":
        return _change_account(database, staff.deactivate, args.username)
    if args.command == "set-departments":
        return _set_departments(database, args.csv_file)
    if args.command == "create-contest":
        return _create_contest(database, args.title, args.starts, args.ends, args.nomination)
    if args.command == "export-kb":
        with database.unit_of_work() as session:
            print(f"exported {kb_articles.export_markdown(session, args.directory)} articles")
        return 0
    if args.command == "serve":
        settings = ConsoleSettings()
        app = create_app(database, settings)
        configure_logging()
        uvicorn.run(
            app, host=settings.host, port=settings.port, log_level="warning", log_config=None
        )
        return 0
    return _create_user(database, args.username, args.role)


def _create_user(database: Database, username: str, role: str) -> int:
    password = _read_password()
    try:
        with database.unit_of_work() as session:
            staff.create(session, username, password, role)
    except staff.InvalidAccount as error:
        print(f"not created: {error}", file=sys.stderr)
        return 2
    print(f"created {role} {username}")
    return 0


def _change_account(database: Database, change, username: str, *values: str) -> int:
    try:
        with database.unit_of_work() as session:
            account = change(session, username, *values)
            print(
                f"{account.username}: {account.role}, {'active' if account.active else 'inactive'}"
            )
    except staff.InvalidAccount as error:
        print(f"not changed: {error}", file=sys.stderr)
        return 2
    return 0


def _erase_employee(database: Database, raw_sender: str) -> int:
    try:
        sender = SenderId.parse(raw_sender)
        with database.unit_of_work() as session:
            erased = retention.erase_employee(session, sender)
    except (InvalidSenderId, retention.UnknownEmployee) as error:
        print(f"not erased: {error}", file=sys.stderr)
        return 2
    print(
        f"{raw_sender} is now {erased.pseudonym}: {erased.tickets} tickets, "
        f"{erased.searches} searches and {erased.messages} messages kept without their words"
    )
    print("Rasa forgets its in-memory conversation with them when it restarts.")
    return 0


def _prune(database: Database, days: int) -> int:
    with database.unit_of_work() as session:
        counts = retention.prune(session, datetime.now(UTC) - timedelta(days=days))
    print(", ".join(f"{n} {kind}" for kind, n in counts.items()) + f" older than {days} days")
    return 0


def _create_contest(
    database: Database, title: str, starts: str, ends: str, nominations: list[str]
) -> int:
    try:
        specs = [_nomination(raw) for raw in nominations]
        with database.unit_of_work() as session:
            made = contests.create(
                session, title, _date(starts), _date(ends), specs, "command line"
            )
            print(f"created contest {made.id}: {made.title}")
    except (contests.InvalidContest, ValueError) as error:
        print(f"not created: {error}", file=sys.stderr)
        return 2
    return 0


def _nomination(raw: str) -> contests.NominationSpec:
    title, _, rest = raw.rpartition("=") if ":" not in raw else raw.partition("=")
    metric, _, weights = rest.partition(":")
    pairs = [p.split("=", 1) for p in weights.split(",") if "=" in p]
    return contests.NominationSpec(title, metric, {k.strip(): float(v) for k, v in pairs})


def _date(raw: str) -> datetime:
    return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)


def _set_departments(database: Database, csv_file: Path) -> int:
    """Rows like ``tg:123456,Finance`` or ``xmpp:anna@corp.example.com,Finance``."""
    rows = list(csv.reader(csv_file.read_text(encoding="utf-8").splitlines()))
    done, skipped = 0, 0
    with database.unit_of_work() as session:
        for row in rows:
            try:
                users.assign_department(session, SenderId.parse(row[0].strip()), row[1])
                done += 1
            except (IndexError, InvalidSenderId):
                skipped += 1
    print(f"departments set for {done} employees; {skipped} lines skipped")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


if __name__ == "__main__":
    sys.exit(main())
