"""Broadcasts and contest announcements: every opted-in employee exactly once across Telegram
and XMPP, with the gateway restarted halfway; muted employees never; announcing twice sends
once. Real loopback Bot API, real Prosody, SQLite and PostgreSQL."""

import asyncio
import contextlib
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.agents import AgentDesk
from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import TelegramSettings, XmppSettings
from bot.telegram.app import create_bot
from bot.telegram.delivery import TelegramDelivery
from bot.xmpp.client import XmppGateway
from bot.xmpp.delivery import XmppDelivery
from servicedesk import broadcasts, contest_results, contests
from servicedesk.contests import NominationSpec
from servicedesk.db.models import Badge, OutboxMessage, SearchQuery, utcnow
from servicedesk.identity import SenderId
from servicedesk.users import touch_user
from tests.support.prosody import CORP
from tests.support.xmpp_gateway import BOT_JID
from tests.support.xmpp_people import XmppPerson

TG_PEOPLE = range(9800, 9830)
MUTED = (9830, 9831)
TOPICS = ["vpn drops every hour", "printer jams on floor 2", "excel freezes", "mail bounces"]


class Deliveries:
    """The gateway's two outbox loops, as `python -m bot` runs them; stoppable for a restart."""

    def __init__(self, telegram, database, prosody) -> None:
        self.telegram, self.database, self.prosody = telegram, database, prosody

    async def start(self) -> "Deliveries":
        self.bot = create_bot(
            TelegramSettings(
                bot_token=SecretStr(self.telegram.token), api_base_url=self.telegram.base_url
            )
        )
        settings = XmppSettings(
            jid=BOT_JID,
            password=SecretStr("bot-secret"),
            host="127.0.0.1",
            port=self.prosody.port,
            domains=[CORP],
            allow_plaintext=True,
        )
        self.rasa = RasaClient("http://127.0.0.1:9", 1, None)  # never asked: nothing comes in
        self.xmpp = XmppGateway(
            settings,
            Conversation(self.rasa, self.database),
            AgentDesk(self.database, ()),
            None,
            [],
        )
        connected = asyncio.get_running_loop().create_future()
        self.xmpp.add_event_handler(
            "session_start", lambda _e: connected.done() or connected.set_result(1)
        )
        self.xmpp.start()
        await asyncio.wait_for(connected, 20)
        self.loops = [
            TelegramDelivery(self.bot, self.database),
            XmppDelivery(self.xmpp, self.database),
        ]
        self.tasks = [asyncio.create_task(loop.run(interval_s=0.2)) for loop in self.loops]
        return self

    async def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        await asyncio.wait_for(asyncio.gather(*self.tasks), 30)
        await self.xmpp.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.xmpp.disconnected, 5)
        await self.bot.session.close()
        await self.rasa.close()


async def test_a_broadcast_reaches_everyone_once_across_a_restart(database, telegram, prosody):
    xmpp_people = []
    for n in range(3):
        jid = prosody.register(f"reader{n}", CORP, "pw")
        xmpp_people.append(await XmppPerson(jid, "pw", prosody.port, BOT_JID).connect())
    with database.unit_of_work() as session:
        for user in (*TG_PEOPLE, *MUTED):
            touch_user(session, SenderId("tg", str(user)), "en")
        for person in xmpp_people:
            touch_user(session, SenderId("xmpp", person.jid), "en")
        for user in MUTED:
            broadcasts.set_muted(session, SenderId("tg", str(user)), True)
        sent = broadcasts.send(
            session, "Planned outage: mail is down Saturday 08:00-10:00.", "maria"
        )
    assert sent.recipients == len(TG_PEOPLE) + 3

    first = await Deliveries(telegram, database, prosody).start()
    await telegram.wait_for_calls("sendMessage", len(TG_PEOPLE) // 2)
    await first.stop()  # the gateway restarts halfway through
    halfway = len(telegram.calls_of("sendMessage"))
    second = await Deliveries(telegram, database, prosody).start()
    try:
        await telegram.wait_for_calls("sendMessage", len(TG_PEOPLE))
        for person in xmpp_people:
            await person.wait_for("Planned outage")
        await asyncio.sleep(1.0)  # anything extra would arrive now
    finally:
        await second.stop()
        for person in xmpp_people:
            await person.disconnect()

    assert len(TG_PEOPLE) // 2 <= halfway < len(TG_PEOPLE) + 1
    chats = [int(c.params["chat_id"]) for c in telegram.calls_of("sendMessage")]
    assert sorted(chats) == list(TG_PEOPLE), "each Telegram employee once, the muted never"
    assert [sum("Planned outage" in m for m in p.inbox) for p in xmpp_people] == [1, 1, 1]
    with database.unit_of_work() as session:
        pending = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
    assert pending == 0


def test_announcing_twice_sends_once_and_awards_badges_once(database):
    now = utcnow()
    with database.unit_of_work() as session:
        people = [touch_user(session, SenderId("tg", str(9900 + n)), "en") for n in range(4)]
        muted = touch_user(session, SenderId("tg", "9990"), "en")
        muted.muted = True
        for n, person in enumerate(people):
            for k in range(n + 1):
                session.add(
                    SearchQuery(
                        user_id=person.id,
                        text=TOPICS[k],
                        language="en",
                        outcome="helped",
                        created_at=now - timedelta(days=3, hours=k),
                    )
                )
        contest = contests.create(
            session,
            "Short sprint",
            now - timedelta(days=7),
            now - timedelta(days=1),
            [NominationSpec("Most self-sufficient", "self_service")],
            "maria",
        )
        first = contest_results.announce(session, contest.id, "maria")
        second = contest_results.announce(session, contest.id, "maria")
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("contest:%"))
        ).all()
        badges = session.scalars(select(Badge).order_by(Badge.place)).all()
    assert (first.first_time, first.recipients) == (True, 4)
    assert (second.first_time, second.recipients) == (False, 0)
    assert len(messages) == 4 and muted.external_id not in {m.recipient for m in messages}
    text = messages[0].payload["text"]
    assert text.startswith("🏆 Results of the self-service contest «Short sprint»:")
    assert "Most self-sufficient: 🥇 employee #" in text
    assert [b.user_id for b in badges] == [people[3].id, people[2].id, people[1].id]


def test_a_contest_is_announced_only_after_it_ends(database):
    now = utcnow()
    with database.unit_of_work() as session:
        contest = contests.create(
            session,
            "Running",
            now - timedelta(days=1),
            now + timedelta(days=1),
            [NominationSpec("Most self-sufficient", "self_service")],
            "maria",
        )
        with pytest.raises(contests.InvalidContest, match="the contest has not ended yet"):
            contest_results.announce(session, contest.id, "maria")


def test_after_the_announcement_standings_give_the_results(database):
    now = utcnow()
    with database.unit_of_work() as session:
        winner = touch_user(session, SenderId("tg", "9995"), "ru")
        winner.display_name = "Анна"
        session.add(
            SearchQuery(
                user_id=winner.id,
                text="впн не подключается",
                language="ru",
                outcome="helped",
                created_at=now - timedelta(days=2),
            )
        )
        contest = contests.create(
            session,
            "Осень",
            now - timedelta(days=5),
            now - timedelta(days=1),
            [NominationSpec("Самый самостоятельный", "self_service")],
            "maria",
        )
        contest_results.announce(session, contest.id, "maria")
        answer = contest_results.standings_for(session, SenderId("tg", "9995"), "ru")
    assert answer == (
        "🏆 Итоги конкурса самообслуживания «Осень»:\nСамый самостоятельный: 🥇 Анна"
    )


def test_anonymous_web_chat_sessions_get_no_broadcasts(database):
    with database.unit_of_work() as session:
        touch_user(session, SenderId("web", "webtest-anonymous-1"))
        touch_user(session, SenderId("tg", "9900"))
        sent = broadcasts.send(session, "Maintenance tonight", by="admin")
        queued = session.scalars(
            select(OutboxMessage.channel).where(OutboxMessage.idempotency_key.like("broadcast:%"))
        ).all()
    assert sent.recipients == 1 and queued == ["tg"]
    with pytest.raises(broadcasts.InvalidBroadcast):
        with database.unit_of_work() as session:
            broadcasts.send(session, "hello", by="admin", channel="web")
