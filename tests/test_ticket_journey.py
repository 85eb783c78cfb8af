"""A ticket end to end: an employee files it in Telegram, agents work it in their group, the
employee hears back, rates it, and reopens it. Real aiogram, Rasa, action server, outbox."""

import pytest
from sqlalchemy import select

from servicedesk.db.models import Rating, Ticket
from servicedesk.references import parse_reference
from tests.support.gateway import Agent, Employee, buttons, texts

PHOTO = [
    {"file_id": "AgACAgIAAxk-photo-small", "file_unique_id": "s", "width": 90, "height": 90},
    {"file_id": "AgACAgIAAxk-photo-large", "file_unique_id": "l", "width": 800, "height": 800},
]


def ticket(db, number: int) -> Ticket:
    with db.unit_of_work() as session:
        found = session.scalar(select(Ticket).where(Ticket.number == number))
        found.events  # noqa: B018  (loaded while the session is open)
        return found


def rating_of(db, number: int) -> Rating | None:
    with db.unit_of_work() as session:
        return session.scalar(select(Rating).join(Ticket).where(Ticket.number == number))


async def test_an_employee_files_a_ticket_that_agents_work_to_a_rating(
    gateway, telegram, stack_db
):
    employee, agent = Employee(telegram, 9001), Agent(telegram, 42)

    suggestions = await employee.say("my printer won't print")
    proposal = await employee.press("I still need help", suggestions)
    assert "Sorry that did not help." in texts(proposal)
    assert "I'll file this for the service desk:\n«my printer won't print»" in texts(proposal)[-1]
    assert buttons(proposal) == ["File the ticket", "Cancel"]

    with_photo = await employee.say(photo=PHOTO)
    assert texts(with_photo)[-1].startswith("File added to your request.")
    added = await employee.say("it is the HP by the window on floor 3, urgent")
    assert texts(added)[-1] == "Added. Anything else, or shall I file it?"

    [done] = texts(await employee.press("File the ticket", added))
    number = parse_reference(done)
    assert done == (
        f"Done: your ticket is SD-{number} (Printing, priority high). I'll write here when an "
        "agent answers."
    )
    filed = ticket(stack_db, number)
    assert (
        filed.description
        == "my printer won't print\nit is the HP by the window on floor 3, urgent"
    )
    assert filed.attachments == ["AgACAgIAAxk-photo-large"]
    assert filed.suggested_articles[0]["article_id"] == "en-print-001"

    card = await agent.wait_for_post(f"🆕 SD-{number} · Printing · priority high")
    assert "Already suggested: " in card.result["text"] and "Files: 1" in card.result["text"]
    assert "From: Employee (tg:9001)" in card.result["text"]

    [taken] = texts(await agent.press("Take", card))
    assert taken == f"SD-{number} taken by Agent (tg:42)."
    await employee.wait_for("an agent is working on it now")

    [sent] = texts(await agent.say("Is the paper tray empty?", reply_to=card))
    assert sent == f"Sent to the requester of SD-{number}."
    question = await employee.wait_for("the service desk writes:\nIs the paper tray empty?")

    [prompt] = texts(await employee.press(f"Reply on SD-{number}", [question]))
    assert prompt == f"Write your message for SD-{number}; I'll pass it to the agent."
    [relayed] = texts(await employee.say("The tray is full, it still jams"))
    assert relayed == f"Sent to the service desk on SD-{number}."
    await agent.wait_for_post(f"SD-{number} · Employee:\nThe tray is full, it still jams")

    ask_note = await agent.press("Resolve", card)
    assert texts(ask_note) == [
        f"✍ Resolution note for SD-{number}: reply to this message with the note."
    ]
    assert ask_note[0].params["reply_markup"]["force_reply"] is True
    [resolved] = texts(await agent.say("Replaced the fuser unit", reply_to=ask_note[0]))
    assert resolved.startswith(f"SD-{number} resolved by Agent (tg:42)")

    rate_request = await employee.wait_for("was resolved: Replaced the fuser unit")
    assert rate_request.result["text"].endswith("How would you rate the help?")
    assert buttons([rate_request]) == ["★★★★★", "★★★★", "★★★", "★★", "★"]
    [thanks] = texts(await employee.press("★★★★★", [rate_request]))
    assert thanks.startswith(f"Thank you for rating SD-{number} ★★★★★!")
    [saved] = texts(await employee.say("quick and friendly, thank you"))
    assert saved == "Thank you, your comment is saved."
    rating = rating_of(stack_db, number)
    assert (rating.stars, rating.comment) == (5, "quick and friendly, thank you")

    kinds = [e.kind for e in ticket(stack_db, number).events]
    assert kinds == ["created", "taken", "replied", "replied", "resolved"]


async def test_a_russian_employee_files_and_rates_and_reopens(gateway, telegram, stack_db):
    employee, agent = Employee(telegram, 9002, "ru"), Agent(telegram, 43)

    suggestions = await employee.say("не печатает принтер")
    proposal = await employee.press("Мне всё ещё нужна помощь", suggestions)
    assert (
        "Я передам в службу поддержки такую заявку:\n«не печатает принтер»" in texts(proposal)[-1]
    )
    [done] = texts(await employee.say("нет"))  # "nothing to add" files it
    number = parse_reference(done)
    assert done.startswith(f"Готово: ваша заявка SD-{number} (Printing, приоритет обычный).")

    await agent.wait_for_post(f"🆕 SD-{number}")
    [closed] = texts(await agent.say(f"/close SD-{number} Заменили картридж"))
    assert closed.startswith(f"SD-{number} resolved")
    rate_request = await employee.wait_for(f"SD-{number} «не печатает принтер» решена")
    assert "Как вы оцените помощь?" in rate_request.result["text"]
    [thanks] = texts(await employee.press("★★★★", [rate_request]))
    assert thanks.startswith(f"Спасибо за оценку SD-{number}: ★★★★!")
    assert rating_of(stack_db, number).stars == 4

    [status] = texts(await employee.say("мои заявки"))
    assert status == "У вас нет открытых заявок в службе поддержки."
    [reopened] = texts(await employee.say("опять сломалось"))
    assert (
        reopened == f"SD-{number} «не печатает принтер» снова открыта; служба поддержки уже знает."
    )
    await agent.wait_for_post(f"🔁 SD-{number} reopened by the requester")
    assert ticket(stack_db, number).status == "in_progress"


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_asking_for_a_ticket_straight_away_asks_for_a_description(
    gateway, telegram, language
):
    employee = Employee(telegram, 9010 if language == "en" else 9011, language)
    words = {
        "en": ("open a ticket please", "my monitor flickers", "File the ticket", "Done"),
        "ru": ("создай заявку пожалуйста", "мерцает монитор", "Создать заявку", "Готово"),
    }[language]

    [ask] = texts(await employee.say(words[0]))
    assert ask.endswith(("in a few words.", "в нескольких словах."))
    proposal = await employee.say(words[1])
    assert f"«{words[1]}»" in texts(proposal)[-1]
    [done] = texts(await employee.press(words[2], proposal))
    assert done.startswith(words[3]) and parse_reference(done)


async def test_no_match_proposes_a_ticket_and_cancel_files_nothing(gateway, telegram, stack_db):
    employee = Employee(telegram, 9020)

    replies = await employee.say("the badge reader at the parking gate beeps red")
    assert texts(replies)[0] == "I could not find an answer in the knowledge base."
    [cancelled] = texts(await employee.press("Cancel", replies))
    assert cancelled.startswith("All right, I did not file it.")
    with stack_db.unit_of_work() as session:
        assert not session.scalars(
            select(Ticket).where(Ticket.description.contains("badge reader"))
        ).all()


async def test_with_several_open_tickets_the_employee_chooses_where_to_write(
    gateway, telegram, stack_db
):
    employee, agent = Employee(telegram, 9030), Agent(telegram, 44)
    numbers = []
    for problem in ("my monitor flickers", "excel crashes on start"):
        await employee.say("open a ticket")
        proposal = await employee.say(problem)
        numbers.append(
            parse_reference(texts(await employee.press("File the ticket", proposal))[0])
        )

    chooser = await employee.say("I want to add something to my ticket")
    assert texts(chooser) == ["Which ticket is your message about?"]
    assert sorted(buttons(chooser)) == [f"Write on SD-{n}" for n in sorted(numbers)]
    await employee.press(f"Write on SD-{numbers[0]}", chooser)
    await employee.say("it flickers only on battery")
    post = await agent.wait_for_post(f"SD-{numbers[0]} · Employee:\nit flickers only on battery")
    assert post.params["chat_id"] == str(agent.chat_id)
