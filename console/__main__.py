"""``python -m console serve`` runs the console; ``create-user`` makes an account (the first
admin, for example; the password comes from standard input, never from the command line);
``export-kb DIR`` writes the knowledge base back to Markdown files."""

import argparse
import getpass
import sys
from pathlib import Path

import uvicorn

from console.app import create_app
from console.settings import ConsoleSettings
from servicedesk import kb_articles, staff
from servicedesk.db import Database
from servicedesk.db.models import StaffRole
from servicedesk.settings import DatabaseSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the console")
    create = commands.add_parser("create-user", help="create a console account")
    create.add_argument("username")
    create.add_argument("--role", choices=list(StaffRole), default=StaffRole.ADMIN)
    export = commands.add_parser("export-kb", help="write every article as Markdown")
    export.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    database = Database(DatabaseSettings().url)
    if args.command == "export-kb":
        with database.unit_of_work() as session:
            print(f"exported {kb_articles.export_markdown(session, args.directory)} articles")
        return 0
    if args.command == "serve":
        settings = ConsoleSettings()
        app = create_app(database, settings)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
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


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


if __name__ == "__main__":
    sys.exit(main())
