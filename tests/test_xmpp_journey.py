"""Employees and agents on a real Prosody: the whole journey in English and Russian, and the
bad input an XMPP channel brings. Real slixmpp clients, real Rasa and action server."""

import asyncio
import re
import uuid

import pytest
from sqlalchemy import select

from bot.rasa_client import RasaClient
from servicedesk import tickets, workflow
from servicedesk.db.models import Delivery, OutboxMessage, Rating, SearchQuery, Ticket
from servicedesk.references import parse_reference
from tests.support.prosody import CORP, FOREIGN
from tests.support.relay import Relay
from tests.support.stack import AGENTS_ROOM, free_port
from tests.support.xmpp_gateway import BOT_JID, start_xmpp_gateway
from tests.support.xmpp_people import QUIET_S, XmppPerson

WORDS = {
    "en": {
        "problem": "my printer won't print",
        "need_help": "I still need help",
        "file": "File the ticket",
        "done": "Done: your ticket is SD-",
        "taken": "an agent is working on it now",
        "writes": "the service desk writes:\nIs the paper tray empty?",
        "resolved": "was resolved: Replaced the fuser",
        "thanks": "Thank you for rating SD-",
    },
    "ru": {
        "problem": "не печатает принтер",
        "need_help": "Мне всё ещё нужна помощь",
        "file": "Создать заявку",
        "done": "Готово: ваша заявка SD-",
        "taken": "специалист взял заявку в работу",
        "writes": "сообщение от службы поддержки:\nIs the paper tray empty?",
        "resolved": "решена: Replaced the fuser",
        "thanks": "Спасибо за оценку SD-",
    },
}


def number_of(messages: list[str], title: str) -> str:
    """The number deskbot put before the choice ``title``."""
    for message in reversed(messages):
        match = re.search(rf"(\d+) - {re.escape(title)}(?= · |$)", message, re.MULTILINE)
        if match:
            return match.group(1)
    raise AssertionError(f"no choice {title!r} in {messages}")


async def person(prosody, name: str, domain: str = CORP) -> XmppPerson:
    jid = prosody.register(name, domain, "pw-" + name)
    return await XmppPerson(jid, "pw-" + name, prosody.port, BOT_JID).connect()


@pytest.fixture
async def agent(prosody, xmpp_gateway):
    member = await person(prosody, "agent1")
    await member.join(AGENTS_ROOM, "agent1")
    yield member
    await member.disconnect()


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_the_whole_journey(prosody, xmpp_gateway, agent, stack_db, language):
    words = WORDS[language]
    employee = await person(prosody, f"anna-{language}")

    suggestions = await employee.say(words["problem"])
    assert re.search(r"1 - \S", suggestions[0]), "the articles are offered as numbered choices"
    proposal = await employee.say(number_of(suggestions, words["need_help"]))
    [done] = await employee.say(number_of(proposal, words["file"]))
    assert done.startswith(words["done"])
    number = parse_reference(done)

    card = await agent.wait_in_room(f"🆕 SD-{number}")
    assert f"Commands: take SD-{number} · resolve SD-{number} · junk SD-{number}" in card
    [taken] = await agent.command(f"take SD-{number}")
    assert taken == f"SD-{number} taken by agent1 (xmpp:agent1@{CORP})."
    await employee.wait_for(words["taken"])
    await agent.command(f"reply SD-{number} Is the paper tray empty?")
    await employee.wait_for(words["writes"])
    await agent.command(f"resolve SD-{number} Replaced the fuser")
    rating_request = await employee.wait_for(words["resolved"])
    [thanks] = await employee.say(number_of([rating_request], "★★★★★"))
    assert thanks.startswith(words["thanks"])
    with stack_db.unit_of_work() as session:
        rating = session.scalar(select(Rating).join(Ticket).where(Ticket.number == number))
        assert rating.stars == 5
        assert session.scalar(select(Ticket).where(Ticket.number == number)).channel == "xmpp"
    await employee.disconnect()


async def test_markup_and_xml_special_characters_are_plain_text(prosody, xmpp_gateway, stack_db):
    employee = await person(prosody, "xml-" + uuid.uuid4().hex[:6])
    hostile = "<b>printer</b> & <script>alert(1)</script> ]]> won't print"

    replies = await employee.say(hostile)

    assert replies and "Here is what I found" in replies[0]
    with stack_db.unit_of_work() as session:
        stored = session.scalars(select(SearchQuery.text).where(SearchQuery.text == hostile)).all()
    assert stored == [hostile]
    await employee.disconnect()


async def test_a_20000_character_message_is_read_up_to_the_limit(prosody, xmpp_gateway):
    employee = await person(prosody, "long-" + uuid.uuid4().hex[:6])

    replies = await employee.say(("my printer won't print " * 900)[:20_000])

    assert "first 4000 characters" in replies[0]
    assert any("Here is what I found" in r for r in replies)
    await employee.disconnect()


async def test_a_foreign_domain_gets_a_polite_refusal(prosody, xmpp_gateway, stack_db):
    outsider = await person(prosody, "mallory", FOREIGN)

    [refusal] = await outsider.say("my printer won't print")

    assert refusal == f"Sorry, I serve the employees of {CORP} only."
    with stack_db.unit_of_work() as session:
        assert not session.scalars(
            select(Delivery).where(Delivery.sender_id.contains(FOREIGN))
        ).all()
    await outsider.disconnect()


async def test_a_number_that_matches_no_choice(prosody, xmpp_gateway):
    employee = await person(prosody, "numbers-" + uuid.uuid4().hex[:6])
    suggestions = await employee.say("I forgot my password")
    offered = max(int(n) for n in re.findall(r"(\d+) - ", " ".join(suggestions)))

    [answer] = await employee.say("9")

    assert answer == (
        f"There is no choice 9: answer with a number from 1 to {offered}, or in words."
    )
    solved = await employee.say(number_of(suggestions, "Solved"))
    assert any("glad it is solved" in r for r in solved), "the offered choices still work"
    await employee.disconnect()


async def test_agents_not_listed_cannot_act(prosody, xmpp_gateway, stack_db):
    employee = await person(prosody, "owner-" + uuid.uuid4().hex[:6])
    await employee.say("open a ticket")
    proposal = await employee.say("the scanner on floor 2 is offline")
    number = parse_reference((await employee.say(number_of(proposal, "File the ticket")))[0])
    stranger = await person(prosody, "visitor")
    await stranger.join(AGENTS_ROOM, "visitor")

    [refused] = await stranger.command(f"take SD-{number}")

    assert refused == "Only service desk agents can do that."
    with stack_db.unit_of_work() as session:
        assert tickets.get(session, number).status == "new"
    await stranger.disconnect()
    await employee.disconnect()


async def test_an_offline_employee_gets_the_message_when_back(prosody, xmpp_gateway, stack_db):
    name = "offline-" + uuid.uuid4().hex[:6]
    employee = await person(prosody, name)
    await employee.say("open a ticket")
    proposal = await employee.say("my headset crackles")
    number = parse_reference((await employee.say(number_of(proposal, "File the ticket")))[0])
    await employee.disconnect()

    with stack_db.unit_of_work() as session:
        workflow.agent_reply(session, number, "agent", "A new headset is on your desk")
    back = await person(prosody, name)

    message = await back.wait_for("A new headset is on your desk")
    assert message.startswith(f"SD-{number} · the service desk writes:")
    await back.disconnect()


async def test_the_server_restarting_mid_conversation_loses_nothing(
    prosody, xmpp_gateway, stack_db
):
    name = "restart-" + uuid.uuid4().hex[:6]
    employee = await person(prosody, name)
    await employee.say("open a ticket")
    proposal = await employee.say("the projector in room 7 has no signal")
    number = parse_reference((await employee.say(number_of(proposal, "File the ticket")))[0])

    prosody.stop()
    with stack_db.unit_of_work() as session:  # while the server is down
        workflow.resolve(session, number, "agent", "cable replaced")
    prosody.start()
    await xmpp_gateway.wait_ready(timeout=60)
    back = await person(prosody, name)

    request = await back.wait_for(f"SD-{number}")
    assert "was resolved: cable replaced" in request
    [thanks] = await back.say(number_of([request], "★★★★"))
    assert thanks.startswith(f"Thank you for rating SD-{number} ★★★★!")
    await back.disconnect()


async def test_with_the_conversation_core_down_the_message_is_kept(prosody, stack, stack_db):
    dead_rasa = RasaClient(f"http://127.0.0.1:{free_port()}", 30, None)
    running = await start_xmpp_gateway(prosody, dead_rasa, stack_db)
    employee = await person(prosody, "patient-" + uuid.uuid4().hex[:6])
    try:
        [answer] = await employee.say("my vpn does not connect")
    finally:
        await employee.disconnect()
        await running.stop()

    assert answer.startswith("Sorry, I am temporarily unavailable. I have kept your message")
    with stack_db.unit_of_work() as session:
        [kept] = session.scalars(
            select(Delivery).where(Delivery.sender_id == f"xmpp:{employee.jid}")
        ).all()
    assert (kept.text, kept.status) == ("my vpn does not connect", "core_unavailable")


async def test_a_choice_made_while_rasa_is_down_can_be_made_again(prosody, stack, stack_db):
    relay = Relay(stack.rasa_port)
    await relay.restore()
    rasa = RasaClient(relay.url, 30, stack.secrets.rasa_token)
    running = await start_xmpp_gateway(prosody, rasa, stack_db)
    employee = await person(prosody, "chooser-" + uuid.uuid4().hex[:6])
    try:
        found = await employee.say("my printer won't print")
        solved = number_of(found, "Solved")
        await relay.cut()
        [retry] = await employee.say(solved)
        await relay.restore()
        [glad] = await employee.say(solved)
    finally:
        await employee.disconnect()
        await running.stop()
        await relay.cut()

    assert retry == "Sorry, I am temporarily unavailable. Please try again in a few minutes."
    assert glad.startswith("Great, glad it is solved!")


async def test_replies_the_gateway_never_sent_come_from_the_outbox_numbered_together(
    prosody, stack, stack_db
):
    """A gateway that died after the turn was handled but before its replies went out: they
    are kept in the outbox as one batch and sent when the lease ends, once, with choices
    numbered across them that work."""
    running = await start_xmpp_gateway(prosody, stack.rasa_client(), stack_db, reply_lease_s=1)
    gateway, lost = running.gateway, []
    send_replies = gateway.send_replies

    async def dying_first_time(person, replies, keep_choices=False):
        if not lost:
            lost.append(replies)
            raise ConnectionError("as if the process died here")
        await send_replies(person, replies, keep_choices)

    gateway.send_replies = dying_first_time
    employee = await person(prosody, "kept-" + uuid.uuid4().hex[:6])
    try:
        assert await employee.say("my printer won't print", expect=False) == []
        await employee.wait_for("Here is what I found", timeout=20)
        await asyncio.sleep(3 * QUIET_S)  # the rest of the batch, and anything sent twice
        suggestions = list(employee.inbox)
        assert len(lost[0]) > 1, "the premise: a turn of several replies"
        assert len(suggestions) == len(lost[0])  # each once
        proposal = await employee.say(number_of(suggestions, "I still need help"))
        assert any("File the ticket" in message for message in proposal)
    finally:
        await employee.disconnect()
        await running.stop()
    with stack_db.unit_of_work() as session:
        kept = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == employee.jid)
        ).all()
    assert [(len(m.payload["batch"]), m.status) for m in kept] == [
        (len(lost[0]), "sent"),
        (len(proposal), "sent"),
    ]
