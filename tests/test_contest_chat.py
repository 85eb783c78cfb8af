"""The contest and broadcasts in chat, through the loopback Bot API and the real Rasa: standings
without a contest and during one (the metric stays hidden), /me, /mute and /unmute."""

from datetime import timedelta

from sqlalchemy import delete, select

from servicedesk import broadcasts, contests
from servicedesk.contests import NominationSpec
from servicedesk.db.models import Contest, Nomination, OutboxMessage, User, utcnow
from tests.support.gateway import Employee, texts


async def test_standings_before_and_during_a_contest(gateway, telegram, stack_db):
    employee = Employee(telegram, 9950)

    [none] = texts(await employee.say("how is the contest going"))
    assert none == "No self-service contest is running right now."

    await employee.say("my printer won't print")
    now = utcnow()
    with stack_db.unit_of_work() as session:
        contest = contests.create(
            session,
            "November sprint",
            now - timedelta(days=1),
            now + timedelta(days=6),
            [NominationSpec("Most self-sufficient", "self_service")],
            "maria",
        )
        contest_id, ends = contest.id, f"{contest.ends_at:%Y-%m-%d}"
    try:
        [running] = texts(await employee.say("what are the contest standings"))
        [russian] = texts(await Employee(telegram, 9951, "ru").say("как идёт конкурс"))
    finally:
        with stack_db.unit_of_work() as session:
            session.execute(delete(Nomination).where(Nomination.contest_id == contest_id))
            session.execute(delete(Contest).where(Contest.id == contest_id))

    assert running == (
        f"The self-service contest «November sprint» runs until {ends}. You have taken part 1 "
        "times so far. What counts stays secret until the results are announced."
    )
    assert "self_service" not in running and "solved" not in running
    assert russian.startswith("Конкурс самообслуживания «November sprint» идёт до")


async def test_me_mute_and_unmute(gateway, telegram, stack_db):
    employee = Employee(telegram, 9952)
    await employee.say("I forgot my password")

    [me] = texts(await employee.say("/me"))
    [muted] = texts(await employee.say("/mute"))
    with stack_db.unit_of_work() as session:
        sent = broadcasts.send(session, "Mail maintenance tonight.", "maria", channel="tg")
        queued = {
            m.recipient
            for m in session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.idempotency_key.like(f"broadcast:{sent.id}:%")
                )
            )
        }
    [unmuted] = texts(await employee.say("/unmute"))

    assert me.startswith("Your activity with deskbot:\nquestions: 1 (solved by yourself: 0)")
    assert me.endswith("No badges yet.")
    assert muted.startswith("Done: I won't send you announcements any more.")
    assert "9952" not in queued and queued, "the muted employee is never messaged"
    assert unmuted.startswith("Done: you will get announcements again.")
    with stack_db.unit_of_work() as session:
        assert session.scalar(select(User.muted).where(User.external_id == "9952")) is False
