"""Filing from a draft, the agents' commands and the messages they queue, on both databases."""

import pytest
from sqlalchemy import func, select

from servicedesk import agent_commands, awaiting, drafts, self_service, tickets, workflow
from servicedesk.awaiting import Awaited
from servicedesk.db.models import AwaitedInput, OutboxMessage, Rating, Ticket, utcnow
from servicedesk.errors import InvalidTransition, UnknownDraft
from servicedesk.identity import SenderId
from servicedesk.notices import Desk
from servicedesk.self_service import SuggestedArticle
from servicedesk.tickets import CategoryDecision

ANN, BOB = SenderId("tg", "601"), SenderId("tg", "602")
DESKS = (Desk("tg", "-100777"),)
AGENT = "Alice (tg:42)"


def printing(_text: str, _language: str) -> CategoryDecision:
    return CategoryDecision("Printing", 0.9, needs_triage=False)


def outbox(database) -> list[OutboxMessage]:
    with database.unit_of_work() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def filed(database, sender=ANN, text="the printer on floor 3 jams, urgent") -> int:
    """A ticket filed the way the chat files it: search, draft, details, confirm."""
    with database.unit_of_work() as session:
        tried = [SuggestedArticle("en-print-001", "Printer does not print", 0.7)]
        search = self_service.record_search(session, sender, text, "en", tried)
        draft = drafts.propose(session, sender, "en", search)
        drafts.add_details(session, draft, "it is the HP by the window")
        drafts.add_attachments(session, sender, "en", ["photo-1"])
        return workflow.file_draft(session, sender, draft.id, printing, DESKS).number


def test_filing_a_draft_keeps_what_was_said_tried_and_sent(database):
    number = filed(database)
    with database.unit_of_work() as session:
        ticket = tickets.get(session, number)
        assert ticket.description.endswith("it is the HP by the window")
        assert ticket.suggested_articles[0]["article_id"] == "en-print-001"
        assert ticket.attachments == ["photo-1"]
        assert (ticket.category, ticket.priority) == ("Printing", "high")
    [card] = outbox(database)
    assert (card.channel, card.recipient) == ("tg", "-100777")
    assert card.payload["text"].startswith(f"🆕 SD-{number} · Printing · priority high")
    assert "Already suggested: Printer does not print" in card.payload["text"]
    assert [b["payload"] for b in card.payload["buttons"]] == [
        f"take SD-{number}",
        f"resolve SD-{number}",
        f"junk SD-{number}",
    ]


def test_filing_the_same_draft_twice_files_one_ticket_and_one_card(database):
    with database.unit_of_work() as session:
        draft = drafts.propose(session, ANN, "en", None)
        drafts.add_details(session, draft, "my monitor flickers")
        draft_id = draft.id
    numbers = set()
    for _ in range(2):
        with database.unit_of_work() as session:
            numbers.add(workflow.file_draft(session, ANN, draft_id, printing, DESKS).number)
    assert len(numbers) == 1
    assert len(outbox(database)) == 1
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_nobody_files_or_cancels_another_persons_draft(database):
    with database.unit_of_work() as session:
        draft_id = drafts.propose(session, ANN, "en", None).id
    with pytest.raises(UnknownDraft), database.unit_of_work() as session:
        workflow.file_draft(session, BOB, draft_id, printing, DESKS)
    with pytest.raises(UnknownDraft), database.unit_of_work() as session:
        drafts.cancel(session, drafts.own_draft(session, BOB, draft_id))


def test_an_empty_or_cancelled_draft_is_not_filed(database):
    with database.unit_of_work() as session:
        draft = drafts.propose(session, ANN, "en", None)
        draft_id = draft.id
    with pytest.raises(InvalidTransition), database.unit_of_work() as session:
        workflow.file_draft(session, ANN, draft_id, printing, DESKS)
    with database.unit_of_work() as session:
        draft = drafts.own_draft(session, ANN, draft_id)
        drafts.add_details(session, draft, "something")
        drafts.cancel(session, draft)
    with pytest.raises(InvalidTransition), database.unit_of_work() as session:
        workflow.file_draft(session, ANN, draft_id, printing, DESKS)


def test_no_desk_configured_still_files_with_a_warning(database, caplog):
    with database.unit_of_work() as session:
        draft = drafts.propose(session, ANN, "en", None)
        drafts.add_details(session, draft, "keyboard broken")
        number = workflow.file_draft(session, ANN, draft.id, printing, ()).number
    assert number > 1000 and outbox(database) == []
    assert f"SD-{number} filed, but no agents' desk is configured" in caplog.text


def test_agent_commands_take_reply_resolve_and_the_employee_hears(database):
    number = filed(database)
    with database.unit_of_work() as session:
        taken = agent_commands.run(session, AGENT, f"/take SD-{number}", DESKS)
        replied = agent_commands.run(session, AGENT, f"reply SD-{number}: restart it", DESKS)
        asked = agent_commands.run(session, AGENT, f"resolve SD-{number}", DESKS)
        done = agent_commands.run(session, AGENT, f"/close@deskbot SD-{number} new drum", DESKS)
    assert taken.text == f"SD-{number} taken by {AGENT}."
    assert replied.text == f"Sent to the requester of SD-{number}."
    assert asked.note_wanted_for == f"SD-{number}"
    assert done.text.startswith(f"SD-{number} resolved")
    to_ann = [m for m in outbox(database) if m.recipient == "601"]
    assert [m.payload["text"].split("\n")[0] for m in to_ann] == [
        f"SD-{number} «the printer on floor 3 jams, urgent it is the HP by the window»: an agent "
        "is working on it now.",
        f"SD-{number} · the service desk writes:",
        f"SD-{number} «the printer on floor 3 jams, urgent it is the HP by the window» was "
        "resolved: new drum",
    ]
    assert [b["title"] for b in to_ann[-1].payload["buttons"]] == [
        "★" * n for n in (5, 4, 3, 2, 1)
    ]


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/take", "Not done: name the ticket, e.g. SD-1042."),
        ("/take SD-999999", "No ticket SD-999999."),
        ("/reply SD-{n}", "Write the message after the ticket: /reply SD-1042 <text>."),
        ("/frobnicate", agent_commands.HELP),
        ("", agent_commands.HELP),
    ],
)
def test_agent_commands_explain_what_is_wrong(database, command, answer):
    number = filed(database)
    with database.unit_of_work() as session:
        result = agent_commands.run(session, AGENT, command.format(n=number), DESKS)
    assert result.text == answer


def test_a_junk_ticket_cannot_be_resolved_or_rated(database):
    number = filed(database)
    with database.unit_of_work() as session:
        agent_commands.run(session, AGENT, f"junk SD-{number}", DESKS)
        again = agent_commands.run(session, AGENT, f"close SD-{number} done", DESKS)
    assert again.text == f"Not done: SD-{number} is junk."
    with pytest.raises(InvalidTransition), database.unit_of_work() as session:
        workflow.rate(session, ANN, number, 5)
    assert not any("rate" in str(m.payload) for m in outbox(database) if m.recipient == "601")


def test_the_queue_lists_open_tickets_by_priority(database):
    low = filed(database, text="no rush: new mouse please")
    high = filed(database, sender=BOB, text="urgent: cannot print")
    with database.unit_of_work() as session:
        answer = agent_commands.run(session, AGENT, "/queue", DESKS)
    lines = answer.text.splitlines()
    assert lines[0] == "Open tickets (2):"
    assert lines[1].startswith(f"SD-{high} · high") and lines[2].startswith(f"SD-{low} · low")


def test_rating_waits_for_a_comment_and_the_employee_reply_reaches_the_desk(database):
    number = filed(database)
    with database.unit_of_work() as session:
        workflow.requester_reply(session, ANN, number, "still jammed", DESKS)
        workflow.resolve(session, number, AGENT, "replaced the drum")
        workflow.rate(session, ANN, number, 4)
        assert awaiting.current(session, ANN).kind is Awaited.RATING_COMMENT
        workflow.comment(session, ANN, number, "quick, thanks")
        assert awaiting.current(session, ANN) is None
        rating = session.scalar(select(Rating))
        assert (rating.stars, rating.comment) == (4, "quick, thanks")
    to_desk = [m.payload["text"] for m in outbox(database) if m.recipient == "-100777"]
    assert to_desk[-1] == f"SD-{number} · tg:601:\nstill jammed"


def test_reopen_tells_the_desk(database):
    number = filed(database)
    with database.unit_of_work() as session:
        workflow.resolve(session, number, AGENT, "fixed")
        assert workflow.latest_reopenable(session, ANN).number == number
        workflow.reopen(session, ANN, number, "it's broken again", DESKS)
        assert tickets.get(session, number).status == "in_progress"
    assert outbox(database)[-1].payload["text"].startswith(f"🔁 SD-{number} reopened")


def test_files_wait_for_a_ticket_and_an_expectation_lapses(database):
    with database.unit_of_work() as session:
        waiting = drafts.add_attachments(session, ANN, "en", ["doc-1", "doc-1", "doc-2"])
        assert (waiting.attachments, waiting.proposed) == (["doc-1", "doc-2"], False)
        proposed = drafts.propose(session, ANN, "en", None)
        assert proposed.id == waiting.id and proposed.proposed
        awaiting.expect(session, ANN, Awaited.TICKET_REPLY, 1234)
        assert awaiting.current(session, ANN).ref == 1234
        awaiting.expect(session, ANN, Awaited.TICKET_DETAILS, proposed.id)
        assert awaiting.current(session, ANN).kind is Awaited.TICKET_DETAILS
        session.scalar(select(AwaitedInput)).expires_at = utcnow()
        assert awaiting.current(session, ANN) is None
