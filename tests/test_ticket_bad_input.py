"""Hostile and broken input around tickets: forged ratings, double filing, outsiders in the
agents' group, closed tickets, a failing database. A clear answer each time, nothing lost."""

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from servicedesk import buttons, tickets
from servicedesk.db.models import Rating, Ticket, TicketEvent
from servicedesk.references import parse_reference
from tests.support.gateway import Agent, Employee, find_button, texts


async def file_ticket(employee: Employee, problem: str) -> int:
    await employee.say("open a ticket")
    proposal = await employee.say(problem)
    return parse_reference(texts(await employee.press("File the ticket", proposal))[0])


def count(db, model, *where) -> int:
    with db.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


async def press_payload(employee: Employee, db, rasa_payload: str) -> list[str]:
    """Press a button carrying ``rasa_payload``, as if the payload had been forged past the
    gateway's token check, to prove the actions refuse it on their own."""
    with db.unit_of_work() as session:
        [token] = buttons.issue(session, employee.sender_id, [rasa_payload])
    update = employee.telegram.callback(employee.user_id, token, message_id=1)
    return texts(await employee.send_update(update))


async def test_rating_someone_elses_ticket_is_refused(gateway, telegram, stack_db):
    owner, other = Employee(telegram, 9101), Employee(telegram, 9102)
    number = await file_ticket(owner, "my docking station is dead")
    with stack_db.unit_of_work() as session:
        tickets.resolve(session, number, "agent", "replaced")

    replies = await press_payload(other, stack_db, f'/rate{{"ticket":"{number}","stars":"1"}}')

    assert replies == ["I can't take that rating: it is not a ticket of yours."]
    assert rating_stars(stack_db, number) is None


def rating_stars(db, number: int) -> int | None:
    with db.unit_of_work() as session:
        return session.scalar(select(Rating.stars).join(Ticket).where(Ticket.number == number))


async def test_rating_an_open_ticket_is_refused(gateway, telegram, stack_db):
    employee = Employee(telegram, 9103)
    number = await file_ticket(employee, "outlook asks for my password all the time")

    replies = await press_payload(employee, stack_db, f'/rate{{"ticket":"{number}","stars":"5"}}')

    assert replies == ["I can't take that rating: the ticket is not resolved."]
    assert rating_stars(stack_db, number) is None


async def test_stars_outside_one_to_five_are_refused(gateway, telegram, stack_db):
    employee = Employee(telegram, 9104)
    number = await file_ticket(employee, "teams has no sound")
    with stack_db.unit_of_work() as session:
        tickets.resolve(session, number, "agent", "driver updated")

    for stars in ("0", "6", "-3", "99999999999999999999"):
        replies = await press_payload(
            employee, stack_db, f'/rate{{"ticket":"{number}","stars":"{stars}"}}'
        )
        assert replies == ["I can't take that rating: a rating is 1 to 5 stars."], stars
    not_a_number = await press_payload(
        employee, stack_db, f'/rate{{"ticket":"{number}","stars":"five"}}'
    )
    assert not_a_number[0].startswith("There is nothing to rate right now")
    assert rating_stars(stack_db, number) is None


@pytest.mark.parametrize("ticket", ["99999999999999999999", "1e20", "²"])
async def test_a_rating_payload_naming_no_ticket_gets_an_answer(
    gateway, telegram, stack_db, ticket
):
    employee = Employee(telegram, 9106)

    replies = await press_payload(employee, stack_db, f'/rate{{"ticket":"{ticket}","stars":"5"}}')

    assert replies[0].startswith("There is nothing to rate right now"), replies


async def test_a_forged_star_button_is_refused_by_the_gateway(gateway, telegram, stack_db):
    employee = Employee(telegram, 9105)
    update = telegram.callback(employee.user_id, "forged-token-0000", message_id=1)
    await telegram.push(update)
    answered = await telegram.wait_for_calls("answerCallbackQuery", 1)
    assert any(c.params.get("text") == "This button is no longer active." for c in answered)
    assert telegram.calls_of("sendMessage", employee.user_id) == []


async def test_pressing_file_the_ticket_twice_files_one_ticket(gateway, telegram, stack_db):
    employee = Employee(telegram, 9106)
    await employee.say("open a ticket")
    first_offer = await employee.say("the projector in room 4 shows no picture")
    second_offer = await employee.say("it is the Epson one")  # the offer is shown again

    [first] = texts(await employee.press("File the ticket", first_offer))
    [second] = texts(await employee.press("File the ticket", second_offer))

    assert parse_reference(first) == parse_reference(second)
    assert count(stack_db, Ticket, Ticket.description.contains("projector in room 4")) == 1
    _, token = find_button(first_offer, "File the ticket")
    again = telegram.callback(employee.user_id, token, message_id=1)
    await telegram.push(again)
    await telegram.wait_for_calls("answerCallbackQuery", 1)
    assert count(stack_db, Ticket, Ticket.description.contains("projector in room 4")) == 1


async def test_someone_outside_the_agents_group_cannot_act(gateway, telegram, stack_db):
    employee, agent = Employee(telegram, 9107), Agent(telegram, 45)
    number = await file_ticket(employee, "the scanner on floor 2 is offline")
    card = await agent.wait_for_post(f"🆕 SD-{number}")
    outsider = Agent(telegram, 666)
    telegram.members[agent.chat_id].discard(666)

    [refused] = texts(await outsider.press("Take", card))
    [refused_command] = texts(await outsider.say(f"/close SD-{number} done"))

    assert refused == refused_command == "Only service desk agents can do that."
    with stack_db.unit_of_work() as session:
        assert tickets.get(session, number).status == "new"


async def test_forged_card_button_data_is_refused(gateway, telegram, stack_db):
    agent = Agent(telegram, 46)
    update = telegram.callback(agent.user_id, "take SD-1001", message_id=1, chat_id=agent.chat_id)
    await telegram.push(update)
    answered = await telegram.wait_for_calls("answerCallbackQuery", 1)
    assert answered[-1].params.get("text") == "This button is no longer active."


async def test_replying_to_the_card_of_a_closed_ticket(gateway, telegram, stack_db):
    employee, agent = Employee(telegram, 9108), Agent(telegram, 47)
    number = await file_ticket(employee, "my mouse double clicks")
    card = await agent.wait_for_post(f"🆕 SD-{number}")
    await agent.say(f"/close SD-{number} new mouse sent")

    [answer] = texts(await agent.say("one more thing", reply_to=card))

    assert answer == f"Not done: SD-{number} is resolved."
    with stack_db.unit_of_work() as session:
        assert not session.scalars(
            select(TicketEvent).where(TicketEvent.body == "one more thing")
        ).all()


async def test_a_duplicated_agent_command_acts_once(gateway, telegram, stack_db):
    employee, agent = Employee(telegram, 9109), Agent(telegram, 48)
    number = await file_ticket(employee, "need access to the finance share")
    await agent.wait_for_post(f"🆕 SD-{number}")
    update = telegram.group_message(agent.chat_id, agent.user_id, f"/take SD-{number}")

    await telegram.push(update)
    await telegram.push(update)
    await agent.wait_for_post(f"SD-{number} taken")

    with stack_db.unit_of_work() as session:
        ticket_id = tickets.get(session, number).id
    assert (
        count(
            stack_db, TicketEvent, TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "taken"
        )
        == 1
    )


async def test_a_database_failure_while_filing_leaves_no_half_ticket(gateway, telegram, stack_db):
    employee = Employee(telegram, 9110)
    await employee.say("open a ticket")
    proposal = await employee.say("the wifi in the canteen drops every minute")
    path = make_url(stack_db.url).database
    with sqlite3.connect(path) as connection:  # the database refuses every new ticket
        connection.execute(
            "CREATE TRIGGER refuse_tickets BEFORE INSERT ON tickets "
            "BEGIN SELECT RAISE(ABORT, 'database unavailable'); END"
        )
    try:
        [failed] = texts(await employee.press("File the ticket", proposal))
    finally:
        with sqlite3.connect(path) as connection:
            connection.execute("DROP TRIGGER refuse_tickets")

    assert failed.startswith("Sorry, I could not file the ticket just now. Nothing was filed")
    assert count(stack_db, Ticket, Ticket.description.contains("canteen")) == 0
    retry = await employee.say("yes")
    assert texts(retry)[0].startswith("Done: your ticket is SD-")
    assert count(stack_db, Ticket, Ticket.description.contains("canteen")) == 1
