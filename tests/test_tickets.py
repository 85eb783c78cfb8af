"""The ticket lifecycle on SQLite and PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from servicedesk import tickets, workflow
from servicedesk.db.models import OutboxMessage, Rating, Ticket, TicketStatus
from servicedesk.errors import InvalidRating, InvalidTransition, NotYourTicket, UnknownTicket
from servicedesk.identity import SenderId
from servicedesk.priority import assess
from servicedesk.references import parse_reference
from servicedesk.tickets import CategoryDecision, FilingRequest

ANN, BOB = SenderId("tg", "501"), SenderId("xmpp", "bob@corp.example.com")
PRINTING = CategoryDecision("Printing", 0.82, needs_triage=False)


def request(sender=ANN, text="URGENT: the printer on floor 3 won't print", key="k1", **extra):
    return FilingRequest(sender, text, "en", PRINTING, assess(text), key, **extra)


def file(database, **kwargs) -> int:
    with database.unit_of_work() as session:
        return tickets.file_ticket(session, request(**kwargs)).number


def test_filing_gives_a_number_and_keeps_what_was_tried(database):
    suggested = [{"article_id": "en-print-001", "title": "Printer does not print", "score": 0.7}]
    with database.unit_of_work() as session:
        ticket = tickets.file_ticket(
            session, request(suggested_articles=suggested, attachments=["photo-file-id"])
        )
        assert ticket.reference == f"SD-{ticket.number}" and ticket.number > 1000
        assert (ticket.category, ticket.priority, ticket.priority_cue) == (
            "Printing",
            "high",
            "URGENT",
        )
        assert ticket.suggested_articles == suggested
        assert ticket.attachments == ["photo-file-id"]
        assert [e.kind for e in ticket.events] == ["created"]


def test_filing_twice_with_the_same_key_gives_one_ticket(database):
    first, second = file(database, key="press-1"), file(database, key="press-1")
    assert first == second
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_long_request_gets_a_short_subject(database):
    with database.unit_of_work() as session:
        ticket = tickets.file_ticket(session, request(text="word " * 100))
        assert len(ticket.subject) <= tickets.SUBJECT_LENGTH and ticket.subject.endswith("…")


def test_agents_take_reply_and_resolve(database):
    number = file(database)
    with database.unit_of_work() as session:
        tickets.take(session, number, "agent:alice")
        tickets.reply(session, number, "agent:alice", "Restarting the print server")
        ticket = tickets.resolve(session, number, "agent:alice", "Spooler restarted")
        assert (ticket.status, ticket.assignee) == ("resolved", "agent:alice")
        assert [e.kind for e in ticket.events] == ["created", "taken", "replied", "resolved"]
    with pytest.raises(InvalidTransition), database.unit_of_work() as session:
        tickets.reply(session, number, "agent:alice", "one more thing")


def test_only_the_requester_sees_and_rates_their_tickets(database):
    number = file(database)
    with database.unit_of_work() as session:
        assert [t.number for t in tickets.open_tickets_of(session, ANN)] == [number]
        assert tickets.open_tickets_of(session, BOB) == []
        tickets.resolve(session, number, "agent:alice", "done")
    with pytest.raises(NotYourTicket), database.unit_of_work() as session:
        tickets.rate(session, BOB, number, 5)
    with pytest.raises(UnknownTicket), database.unit_of_work() as session:
        tickets.rate(session, ANN, 999_999, 5)


@pytest.mark.parametrize("stars", [0, 6, -1, 100])
def test_stars_outside_one_to_five_are_refused(database, stars):
    number = file(database)
    with database.unit_of_work() as session:
        tickets.resolve(session, number, "agent:alice", "done")
    with pytest.raises(InvalidRating), database.unit_of_work() as session:
        tickets.rate(session, ANN, number, stars)
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 0


def test_an_unresolved_or_junk_ticket_cannot_be_rated(database):
    open_number, junk_number = file(database, key="a"), file(database, key="b")
    with database.unit_of_work() as session:
        tickets.junk(session, junk_number, "agent:alice")
    for number in (open_number, junk_number):
        with pytest.raises(InvalidTransition), database.unit_of_work() as session:
            tickets.rate(session, ANN, number, 5)


def test_rating_again_within_a_day_replaces_it_and_later_is_refused(database):
    number = file(database)
    with database.unit_of_work() as session:
        tickets.resolve(session, number, "agent:alice", "done")
        tickets.rate(session, ANN, number, 3)
        rating = tickets.rate(session, ANN, number, 5, "quick and kind")
        assert (rating.stars, rating.comment) == (5, "quick and kind")
        rating.created_at -= timedelta(hours=25)
    with pytest.raises(InvalidTransition), database.unit_of_work() as session:
        tickets.rate(session, ANN, number, 1)
    with database.unit_of_work() as session:
        assert session.scalars(select(Rating.stars)).all() == [5]


def test_broken_again_within_a_week_reopens(database):
    recent, old = file(database, key="recent"), file(database, key="old")
    with database.unit_of_work() as session:
        for number in (recent, old):
            tickets.resolve(session, number, "agent:alice", "done")
        tickets.get(session, old).resolved_at -= timedelta(days=8)
    with database.unit_of_work() as session:
        assert tickets.reopen(session, ANN, recent, "it's broken again").status == "in_progress"
    with pytest.raises(InvalidTransition), database.unit_of_work() as session:
        tickets.reopen(session, ANN, old, "it's broken again")
    with pytest.raises(NotYourTicket), database.unit_of_work() as session:
        tickets.reopen(session, BOB, recent, "mine now")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("what about SD-1042?", 1042),
        ("sd 1001 status", 1001),
        ("статус SD-77", 77),
        ("no ticket here", None),
        ("SSD-1042", None),
    ],
)
def test_references_are_found_in_words(text, number):
    assert parse_reference(text) == number


def test_status_values_are_the_documented_ones():
    assert {s.value for s in TicketStatus} == {"new", "in_progress", "resolved", "closed", "junk"}


@pytest.mark.parametrize("step", ["resolve", "junk"])
def test_of_two_agents_closing_one_ticket_at_once_one_wins(database, step):
    number = file(database, key=f"race-{step}")
    both_read = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def agent(name: str) -> None:
        try:
            with database.unit_of_work() as session:
                tickets.get(session, number)  # both see it open…
                both_read.wait()
                if step == "resolve":  # …then both close it
                    workflow.resolve(session, number, name, f"fixed by {name}")
                else:
                    workflow.junk(session, number, name)
            outcomes.append("closed")
        except InvalidTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=agent, args=(n,)) for n in ("ivan", "olga")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["closed", "refused"]
    with database.unit_of_work() as session:
        ticket = tickets.get(session, number)
        kinds = [e.kind for e in ticket.events]
        asked = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == "501")
        )
    assert kinds.count("resolved" if step == "resolve" else "junk") == 1
    assert asked == 1, "the employee was told (and asked to rate) twice"
