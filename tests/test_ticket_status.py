"""Ticket status in chat: the employee sees their own open tickets and nobody else's."""

import pytest

from servicedesk import tickets
from servicedesk.identity import SenderId
from servicedesk.priority import assess
from servicedesk.tickets import CategoryDecision, FilingRequest
from tests.support.gateway import Employee, texts

PRINTING = CategoryDecision("Printing", 0.8, needs_triage=False)


def file(db, user_id: int, text: str, key: str) -> int:
    request = FilingRequest(SenderId("tg", str(user_id)), text, "en", PRINTING, assess(text), key)
    with db.unit_of_work() as session:
        return tickets.file_ticket(session, request).number


async def test_my_tickets_lists_only_my_open_ones(gateway, telegram, stack_db):
    mine = file(stack_db, 7101, "printer on floor 3 jams", "status-mine")
    done = file(stack_db, 7101, "old vpn problem", "status-done")
    theirs = file(stack_db, 7102, "someone else's laptop", "status-theirs")
    with stack_db.unit_of_work() as session:
        tickets.take(session, mine, "agent:alice")
        tickets.resolve(session, done, "agent:alice", "fixed")

    [reply] = texts(await Employee(telegram, 7101).say("show my open tickets"))

    assert f"SD-{mine} · in progress · printer on floor 3 jams" in reply
    assert f"SD-{done}" not in reply and f"SD-{theirs}" not in reply


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_asking_about_someone_elses_ticket_reveals_nothing(
    gateway, telegram, stack_db, language
):
    theirs = file(stack_db, 7103, "private matter", f"status-private-{language}")
    employee = Employee(telegram, 7104 if language == "en" else 7105, language)
    question = f"what about SD-{theirs}" if language == "en" else f"что с SD-{theirs}"

    [reply] = texts(await employee.say(question))
    [unknown] = texts(await employee.say(question.replace(str(theirs), "999999")))

    assert "private matter" not in reply
    assert reply == unknown.replace("999999", str(theirs)), "an existing ticket must look unknown"


async def test_asking_about_my_ticket_by_number_in_russian(gateway, telegram, stack_db):
    mine = file(stack_db, 7106, "не печатает принтер", "status-ru")

    [reply] = texts(await Employee(telegram, 7106, "ru").say(f"какой статус SD-{mine}"))

    assert f"SD-{mine} · новая · не печатает принтер" in reply


async def test_no_tickets(gateway, telegram):
    [reply] = texts(await Employee(telegram, 7107).say("my tickets"))
    assert reply == "You have no open tickets with the service desk."
