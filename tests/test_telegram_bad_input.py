"""Hostile and broken input through the real Telegram path: a clear answer, never a crash."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.replay import Replayer
from bot.sanitize import MAX_MESSAGE_CHARS
from servicedesk import deliveries
from servicedesk.db.models import (
    Delivery,
    OutboxMessage,
    SearchQuery,
    TicketDraft,
    User,
    utcnow,
)
from tests.support.gateway import Employee, buttons, find_button, start_gateway, texts
from tests.support.relay import Relay

KEPT_EN = (
    "Sorry, I am temporarily unavailable. I have kept your message and will answer it as soon "
    "as I am back."
)
RETRY_EN = "Sorry, I am temporarily unavailable. Please try again in a few minutes."


def deliveries_of(db, sender_id: str) -> list[Delivery]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Delivery).where(Delivery.sender_id == sender_id)))


@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", "\u200b\u200d\ufeff", "\x00\x07\x1b"])
async def test_empty_or_invisible_text_gets_a_clear_answer(gateway, telegram, blank):
    employee = Employee(telegram, 8001)

    replies = await employee.say(blank)

    assert texts(replies) == ["Your message looks empty. Please describe your problem in words."]


async def test_a_20000_character_message_is_read_up_to_the_limit(gateway, telegram, stack_db):
    employee = Employee(telegram, 8002)
    text = ("my printer won't print " * 900)[:20_000]

    replies = await employee.say(text)

    assert f"first {MAX_MESSAGE_CHARS} characters" in texts(replies)[0]
    assert "Here is what I found" in " ".join(texts(replies))
    with stack_db.unit_of_work() as session:
        stored = session.scalars(select(SearchQuery.text)).all()
    assert any(len(t) <= MAX_MESSAGE_CHARS and t.startswith("my printer") for t in stored)


async def test_a_sticker_gets_a_polite_text_only_reply(gateway, telegram):
    employee = Employee(telegram, 8003)
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }

    replies = await employee.say(sticker=sticker)

    assert texts(replies) == [
        "I understand text messages only. Please describe your problem in words."
    ]


@pytest.mark.parametrize(
    "content",
    [
        {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}},
    ],
    ids=["photo", "voice"],
)
async def test_a_file_without_words_is_kept_for_the_ticket(gateway, telegram, stack_db, content):
    employee = Employee(telegram, 8005 if "photo" in content else 8006)

    replies = await employee.say(**content)

    assert texts(replies) == [
        "I've kept your file: it goes into the ticket if you need one. Now describe the "
        "problem in words."
    ]
    with stack_db.unit_of_work() as session:
        [draft] = session.scalars(
            select(TicketDraft).join(User).where(User.external_id == str(employee.user_id))
        ).all()
    assert draft.attachments == ["p1" if "photo" in content else "v1"]


async def test_zero_width_and_control_characters_are_removed(gateway, telegram, stack_db):
    employee = Employee(telegram, 8004)

    replies = await employee.say("my\u200b prin\u200dter\x07 won't\x00 print\u202e")

    assert "Here is what I found" in texts(replies)[0]
    with stack_db.unit_of_work() as session:
        stored = session.scalars(select(SearchQuery.text).order_by(SearchQuery.id.desc())).first()
    assert stored == "my printer won't print"


async def test_html_and_markdown_in_user_text_are_shown_safely(gateway, telegram):
    employee = Employee(telegram, 8005)

    replies = await employee.say("<script>alert(1)</script> **bold** <b>printer</b> won't print")

    # The loopback Bot API refuses unparseable HTML like the real one, so a reply that arrived
    # was escaped; nothing the employee typed may reappear as live markup.
    assert replies and telegram.refused == []
    for call in replies:
        assert "<script>" not in call.params["text"]
        assert "<b>printer" not in call.params["text"]


async def test_typed_text_cannot_pose_as_a_button_payload(gateway, telegram, stack_db):
    employee = Employee(telegram, 8006)
    await employee.say("my printer won't print")

    replies = await employee.say('/affirm{"search_id":"1"}')

    assert not any("glad it is solved" in t for t in texts(replies))


async def test_callback_data_the_bot_never_issued_is_ignored_and_logged(
    gateway, telegram, stack_db, caplog
):
    employee = Employee(telegram, 8007)
    start = len(telegram.calls_of("answerCallbackQuery"))

    await telegram.push(telegram.callback(employee.user_id, '/affirm{"search_id":"1"}', 1))
    await telegram.wait_for_calls("answerCallbackQuery", start + 1)

    assert telegram.calls_of("answerCallbackQuery")[-1].params["text"] == (
        "This button is no longer active."
    )
    assert telegram.calls_of("sendMessage", employee.user_id) == []
    assert "button data not issued" in caplog.text
    [delivery] = deliveries_of(stack_db, employee.sender_id)
    assert delivery.status == "rejected"


async def test_a_button_issued_to_someone_else_is_refused(gateway, telegram, stack_db):
    owner, intruder = Employee(telegram, 8008), Employee(telegram, 8009)
    replies = await owner.say("my printer won't print")
    _, data = find_button(replies, "Solved")
    start = len(telegram.calls_of("answerCallbackQuery"))

    await telegram.push(telegram.callback(intruder.user_id, data, 1))
    await telegram.wait_for_calls("answerCallbackQuery", start + 1)

    assert telegram.calls_of("sendMessage", intruder.user_id) == []
    with stack_db.unit_of_work() as session:
        [outcome] = session.scalars(
            select(SearchQuery.outcome).join(User).where(User.external_id == str(owner.user_id))
        ).all()
    assert outcome == "pending"


async def test_the_same_update_delivered_twice_is_handled_once(gateway, telegram, stack_db):
    employee = Employee(telegram, 8010)
    update = telegram.message(employee.user_id, text="my printer won't print")

    first = await employee.send_update(update)
    await telegram.push(update)
    await asyncio.sleep(2)

    assert len(telegram.calls_of("sendMessage", employee.user_id)) == len(first)
    assert len(deliveries_of(stack_db, employee.sender_id)) == 1


async def test_rasa_down_gives_a_clear_answer_and_keeps_the_message(telegram, stack_db):
    gateway = await start_gateway(telegram, RasaClient("http://127.0.0.1:9", 30, None), stack_db)
    try:
        employee = Employee(telegram, 8011)
        replies = await employee.say("my printer won't print")
        again = await employee.say("still there?")
    finally:
        await gateway.stop()

    assert texts(replies) == [KEPT_EN]
    assert len(again) == 1, "the gateway kept running after the failure"
    kept = deliveries_of(stack_db, employee.sender_id)
    assert [d.text for d in kept] == ["my printer won't print", "still there?"]
    assert {d.status for d in kept} == {"core_unavailable"}


async def test_action_server_down_gives_a_clear_answer_and_keeps_the_message(
    gateway, telegram, stack, stack_db
):
    employee = Employee(telegram, 8012, "ru")
    stack.action.stop()
    try:
        replies = await employee.say("не печатает принтер")
    finally:
        stack.restart_action_server()

    assert texts(replies) == [
        "Извините, я временно недоступен. Я сохранил ваше сообщение и отвечу на него, "
        "как только снова заработаю."
    ]
    [kept] = deliveries_of(stack_db, employee.sender_id)
    assert (kept.text, kept.status) == ("не печатает принтер", "core_unavailable")
    recovered = await employee.say("не печатает принтер")
    assert "Вот что я нашёл" in texts(recovered)[0]
    assert buttons(recovered)


async def test_what_rasa_missed_is_answered_once_it_is_back_and_buttons_stay(
    telegram, stack, stack_db
):
    relay = Relay(stack.rasa_port)
    await relay.restore()
    rasa = RasaClient(relay.url, 30, stack.secrets.rasa_token)
    gateway = await start_gateway(telegram, rasa, stack_db)
    replayer = Replayer(Conversation(rasa, stack_db), stack_db)
    employee = Employee(telegram, 8014)
    try:
        found = await employee.say("my printer won't print")
        await relay.cut()
        kept = await employee.say("my vpn does not connect")
        pressed = await employee.press("Solved", found)
        assert await replayer.one_pass() == 0, "nothing is answered while Rasa is down"
        await relay.restore()
        assert await replayer.one_pass() >= 1  # also what earlier tests left kept
        answer = await employee.wait_for("VPN")
        pressed_again = await employee.press("Solved", found)
        assert await replayer.one_pass() == 0, "a kept message is answered once"
    finally:
        await gateway.stop()
        await relay.cut()

    assert texts(kept) == [KEPT_EN] and texts(pressed) == [RETRY_EN]
    assert "Here is what I found" in answer.params["text"]
    assert "glad" in texts(pressed_again)[0].lower()
    statuses = [d.status for d in deliveries_of(stack_db, employee.sender_id)]
    assert statuses == ["handled", "replayed", "not_answered", "handled"]


async def test_a_message_kept_too_long_gets_an_honest_apology(stack, stack_db):
    sender = "tg:8015"
    with stack_db.unit_of_work() as session:
        deliveries.claim(session, "tg", "kept-8015", sender, "my mouse is broken")
        deliveries.set_status(session, "tg", "kept-8015", deliveries.KEPT)
        _received_ago(session, sender, timedelta(hours=2))
    replayer = Replayer(Conversation(stack.rasa_client(), stack_db), stack_db)
    assert await replayer.one_pass() == 0
    with stack_db.unit_of_work() as session:
        [apology] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "8015")
        ).all()
    assert apology.payload["text"].startswith("Sorry, I was unavailable for too long")
    assert "«my mouse is broken»" in apology.payload["text"]
    assert [d.status for d in deliveries_of(stack_db, sender)] == ["expired"]


async def test_messages_a_dead_replica_left_in_hand_are_answered_or_the_action_asked_again(
    stack, stack_db
):
    """Typed words are asked of Rasa again and answered; a pressed button is not repeated on
    the employee's behalf: they are asked to press it again."""
    sender = "tg:8016"
    with stack_db.unit_of_work() as session:
        deliveries.claim(session, "tg", "8016001", sender, "my printer won't print", True)
        deliveries.claim(session, "tg", "8016002", sender, "[button abc]")
        _received_ago(session, sender, timedelta(minutes=5))
    replayer = Replayer(Conversation(stack.rasa_client(), stack_db), stack_db)
    assert await replayer.one_pass() == 1
    with stack_db.unit_of_work() as session:
        texts = [
            m.payload["text"]
            for m in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == "8016")
                .order_by(OutboxMessage.id)
            )
        ]
    assert any("Printer does not print" in text for text in texts)
    assert texts[-1].startswith("Sorry, I was interrupted while handling your last action")
    assert [d.status for d in deliveries_of(stack_db, sender)] == ["replayed", "interrupted"]


def _received_ago(session, sender: str, age: timedelta) -> None:
    """Let the sender's deliveries look as if they arrived ``age`` ago."""
    session.execute(
        update(Delivery).where(Delivery.sender_id == sender).values(received_at=utcnow() - age)
    )
