"""An employee in Telegram, end to end: real aiogram, real Rasa, real action server, real DB."""

import asyncio

import pytest
from aiogram.exceptions import TelegramBadRequest
from pydantic import SecretStr
from sqlalchemy import select

from bot.conversation import Incoming, Outcome, Result
from bot.settings import TelegramSettings
from bot.telegram.app import create_bot
from bot.telegram.handlers.common import handle_typing
from servicedesk.db.models import OutboxMessage, SearchQuery, User
from tests.support.gateway import Employee, buttons, find_button, start_gateway, texts

JOURNEYS = {
    "en": {
        "problem": "my printer won't print",
        "article": "en-print-001",
        "intro": "Here is what I found",
        "read": "Read:",
        "solved": "Solved",
        "need_help": "I still need help",
        "thanks": "glad it is solved",
        "handover": "I'll file this for the service desk",
    },
    "ru": {
        "problem": "не печатает принтер",
        "article": "ru-print-001",
        "intro": "Вот что я нашёл",
        "read": "Читать:",
        "solved": "Решено",
        "need_help": "Мне всё ещё нужна помощь",
        "thanks": "рад, что всё решилось",
        "handover": "Я передам в службу поддержки",
    },
}


def searches_of(db, user_id: int) -> list[SearchQuery]:
    with db.unit_of_work() as session:
        user = session.scalar(select(User).where(User.external_id == str(user_id)))
        return list(session.scalars(select(SearchQuery).where(SearchQuery.user_id == user.id)))


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_suggestions_solve_the_problem(gateway, telegram, stack_db, language):
    words = JOURNEYS[language]
    employee = Employee(telegram, 7001 if language == "en" else 7002, language)

    replies = await employee.say(words["problem"])

    assert words["intro"] in texts(replies)[0]
    offered = buttons(replies)
    assert 1 <= sum(b.startswith(words["read"]) for b in offered) <= 3
    assert words["solved"] in offered and words["need_help"] in offered

    done = await employee.press(words["solved"], replies)

    assert any(words["thanks"] in t for t in texts(done))
    [removed] = telegram.calls_of("editMessageReplyMarkup", employee.user_id)
    pressed_message, _ = find_button(replies, words["solved"])
    assert int(removed.params["message_id"]) == pressed_message
    assert not removed.params.get("reply_markup"), "the keyboard stayed"
    [search] = searches_of(stack_db, employee.user_id)
    assert search.outcome == "helped"
    assert search.language == language
    assert search.results[0]["article_id"] == words["article"]
    assert search.text == words["problem"]


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_still_needs_help_goes_to_the_service_desk(gateway, telegram, stack_db, language):
    words = JOURNEYS[language]
    employee = Employee(telegram, 7011 if language == "en" else 7012, language)

    replies = await employee.say(words["problem"])
    done = await employee.press(words["need_help"], replies)

    assert any(words["handover"] in t for t in texts(done))
    [search] = searches_of(stack_db, employee.user_id)
    assert search.outcome == "needs_ticket"
    assert search.resolved_at is not None


async def test_reading_an_article_shows_it_in_full_and_asks_again(gateway, telegram, stack_db):
    employee = Employee(telegram, 7021)
    replies = await employee.say("I forgot my password")

    article = await employee.press("Read: Reset a forgotten password", replies)

    assert "password.corp.example.com" in texts(article)[0]
    assert "**" not in texts(article)[0]
    assert "Solved" in buttons(article)
    done = await employee.press("Solved", article)
    assert any("glad it is solved" in t for t in texts(done))
    [search] = searches_of(stack_db, employee.user_id)
    assert search.outcome == "helped"


async def test_no_good_match_proposes_a_ticket(gateway, telegram, stack_db):
    employee = Employee(telegram, 7031)

    replies = await employee.say("the badge reader at the parking gate beeps red")

    assert any("could not find an answer" in t for t in texts(replies))
    assert buttons(replies) == ["File the ticket", "Cancel"]
    [search] = searches_of(stack_db, employee.user_id)
    assert search.outcome == "no_answer"


@pytest.mark.parametrize(
    ("user_id", "command", "language", "expected"),
    [
        (7041, "/start", "en", "I'm deskbot"),
        (7042, "/help", "en", "What I can do"),
        (7043, "/start", "ru", "Я deskbot"),
        (7044, "/help", "ru", "Что я умею"),
    ],
)
async def test_start_and_help(gateway, telegram, user_id, command, language, expected):
    employee = Employee(telegram, user_id, language)

    replies = await employee.say(command)

    assert expected in texts(replies)[0]


async def test_commands_and_short_messages_keep_the_language_the_employee_writes_in(
    gateway, telegram
):
    employee = Employee(telegram, 7045, "en")  # an English Telegram, a Russian speaker

    greeted = await employee.say("здравствуйте")
    helped = await employee.say("/help")

    assert "Я deskbot" in texts(greeted)[0]
    assert "Что я умею" in texts(helped)[0]


async def test_the_loopback_bot_api_refuses_what_telegram_refuses(telegram):
    """The fake server must be as strict as the real one, or the safety tests prove nothing."""
    bot = create_bot(
        TelegramSettings(bot_token=SecretStr(telegram.token), api_base_url=telegram.base_url)
    )
    try:
        for text in ("<script>x</script>", "x" * 4097, "   "):
            with pytest.raises(TelegramBadRequest):
                await bot.send_message(1, text)
    finally:
        await bot.session.close()
    assert len(telegram.refused) == 3


class SlowConversation:
    """The core taking ``seconds`` to answer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def handle(self, incoming):
        await asyncio.sleep(self.seconds)
        return Result(Outcome.REPLIED)


@pytest.mark.parametrize(("answer_s", "typing_shown"), [(0.05, False), (1.2, True)])
async def test_typing_is_shown_only_while_an_answer_takes_a_while(
    telegram, answer_s, typing_shown
):
    bot = create_bot(
        TelegramSettings(bot_token=SecretStr(telegram.token), api_base_url=telegram.base_url)
    )
    incoming = Incoming("tg", "tg:7", "1", text="printer")
    try:
        await handle_typing(bot, 7, SlowConversation(answer_s), incoming)
    finally:
        await bot.session.close()
    actions = telegram.calls_of("sendChatAction", 7)
    assert bool(actions) is typing_shown
    assert all(call.params["action"] == "typing" for call in actions)


async def test_a_reply_telegram_did_not_take_is_sent_from_the_outbox_once(
    telegram, stack, stack_db
):
    """An answer is kept in the outbox until the gateway has sent it: one Telegram refused (or
    that a gateway dying at that moment never sent) goes out when its lease ends, once; one
    that went out is not sent again."""
    gateway = await start_gateway(telegram, stack.rasa_client(), stack_db, reply_lease_s=1.0)
    try:
        refused, answered = Employee(telegram, 9481), Employee(telegram, 9482)
        telegram.flood_waits.append(1)  # the first reply is refused: 429
        went = await refused.say("my printer won't print")
        first = await answered.say("my printer won't print")
        assert len(first) == len(went) + 1
        late = await refused.wait_for(first[0].params["text"], timeout=20)
        await asyncio.sleep(2.5)  # past the other replies' lease
    finally:
        await gateway.stop()

    assert [c.method for c in telegram.refused] == ["sendMessage"]
    # Each answer once; the one sent again from the outbox came after the others.
    assert texts(telegram.calls_of("sendMessage", refused.user_id)) == texts(went + [late])
    assert texts(telegram.calls_of("sendMessage", answered.user_id)) == texts(first)
    with stack_db.unit_of_work() as session:
        kept = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient.in_(["9481", "9482"]))
        ).all()
        assert sorted((m.recipient, m.status) for m in kept) == sorted(
            [("9481", "sent")] * (len(went) + 1) + [("9482", "sent")] * len(first)
        )
