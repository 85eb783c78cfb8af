"""The retention period blanks old words and keeps every count; erasing an employee leaves no
trace of who they were or what they wrote, while their tickets and ratings still count.
SQLite and PostgreSQL; the console command for real."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from launcher.stack import ROOT
from servicedesk import buttons, deliveries, outbox, retention, self_service, tickets, users
from servicedesk.db import Database
from servicedesk.db.migrate import upgrade
from servicedesk.db.models import (
    Delivery,
    IssuedButton,
    OutboxMessage,
    Rating,
    SearchQuery,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from servicedesk.identity import SenderId
from servicedesk.priority import assess
from servicedesk.tickets import CategoryDecision, FilingRequest

PRINTING = CategoryDecision("Printing", 0.9, False)
SECRET_WORDS = "my manager Boris Petrov leaked my password"


def some_history(database, sender: SenderId, key: str) -> int:
    """A person's words everywhere deskbot keeps them; returns their ticket's number."""
    with database.unit_of_work() as session:
        users.touch_user(session, sender, "en", "Boris the requester")
        deliveries.claim(session, sender.channel, key, str(sender), SECRET_WORDS)
        self_service.record_search(session, sender, SECRET_WORDS, "en", [])
        request = FilingRequest(sender, SECRET_WORDS, "en", PRINTING, assess(SECRET_WORDS), key)
        number = tickets.file_ticket(session, request).number
        tickets.reply(session, number, str(sender), SECRET_WORDS)
        tickets.resolve(session, number, "Alice (console)", "reset the password")
        tickets.rate(session, sender, number, 4, SECRET_WORDS)
        outbox.enqueue(session, sender.channel, sender.external_id, {"text": SECRET_WORDS}, key)
        buttons.issue(session, str(sender), ['/rate{"stars":"5"}'])
    return number


def everything_said(database) -> str:
    """Every text column of every row that could hold an employee's words, joined."""
    with database.unit_of_work() as session:
        parts = [
            *session.scalars(select(Delivery.text)),
            *session.scalars(select(SearchQuery.text)),
            *session.scalars(select(Ticket.description)),
            *session.scalars(select(Ticket.subject)),
            *session.scalars(select(TicketEvent.body)),
            *(c or "" for c in session.scalars(select(Rating.comment))),
            *(str(p) for p in session.scalars(select(OutboxMessage.payload))),
            *(u.display_name or "" for u in session.scalars(select(User))),
        ]
    return "\n".join(parts)


def test_erasing_an_employee_keeps_their_statistics_but_not_them(database):
    sender, bystander = SenderId("tg", "70001"), SenderId("tg", "70002")
    number = some_history(database, sender, "erase-1")
    some_history(database, bystander, "erase-2")
    said_before = everything_said(database)

    with database.unit_of_work() as session:
        erased = retention.erase_employee(session, sender)

    assert erased.tickets == 1 and erased.searches == 1 and erased.messages == 1
    with database.unit_of_work() as session:
        assert users.find(session, sender) is None
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.requester.external_id.startswith("erased-")
        stars = session.scalar(select(Rating.stars).where(Rating.ticket_id == ticket.id))
        assert ticket.status == "resolved" and stars == 4
        assert session.scalar(select(func.count()).select_from(SearchQuery)) == 2
        actors = {e.actor for e in ticket.events}
        assert "tg:70001" not in actors and erased.pseudonym in actors
        assert not session.scalar(select(func.count()).where(OutboxMessage.recipient == "70001"))
        assert not session.scalar(select(func.count()).where(IssuedButton.sender_id == "tg:70001"))
    said = everything_said(database)
    assert said_before.count(SECRET_WORDS) == 2 * said.count(SECRET_WORDS) > 0
    assert said.count("Boris the requester") == 1, "the bystander's name only"


def test_erasing_someone_unknown_is_refused(database):
    with pytest.raises(retention.UnknownEmployee), database.unit_of_work() as session:
        retention.erase_employee(session, SenderId("tg", "70999"))


def test_pruning_blanks_old_words_and_keeps_the_rows(database):
    sender = SenderId("tg", "70003")
    some_history(database, sender, "prune-1")
    with database.unit_of_work() as session:
        old = utcnow() - timedelta(days=200)
        for model, column in [
            (Delivery, Delivery.received_at),
            (SearchQuery, SearchQuery.created_at),
            (OutboxMessage, OutboxMessage.created_at),
        ]:
            session.execute(update(model).values({column.key: old}))
        session.execute(update(OutboxMessage).values(status="sent"))
        session.execute(update(IssuedButton).values(issued_at=old))
        deliveries.claim(session, "tg", "prune-recent", str(sender), "recent words")

    with database.unit_of_work() as session:
        counts = retention.prune(session, utcnow() - timedelta(days=180))

    assert counts == {
        "messages": 1,
        "searches": 1,
        "sent messages": 1,
        "buttons": 1,
        "drafts": 0,
    }
    with database.unit_of_work() as session:
        assert session.scalars(select(Delivery.text).order_by(Delivery.id)).all() == [
            "",
            "recent words",
        ]
        assert session.scalar(select(func.count()).select_from(SearchQuery)) == 1
        assert session.scalar(select(func.count()).select_from(IssuedButton)) == 0


def test_the_console_command_erases_an_employee(tmp_path):
    url = f"sqlite:///{tmp_path / 'erase.sqlite3'}"
    upgrade(url)
    database = Database(url)
    some_history(database, SenderId("tg", "70004"), "cli-1")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DESKBOT_DB_URL": url}

    def console(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "console", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)

    done, again, bad = (
        console("erase-employee", "tg:70004"),
        console("erase-employee", "tg:70004"),
        console("erase-employee", "not a sender"),
    )
    database.dispose()
    assert done.returncode == 0 and "is now tg:erased-" in done.stdout
    assert again.returncode == 2 and "no employee tg:70004" in again.stderr
    assert bad.returncode == 2 and "not erased" in bad.stderr
    assert SECRET_WORDS not in everything_said(Database(url))
