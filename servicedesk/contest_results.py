"""What employees learn of a contest: while it runs, its name, end and their own participation
(never the hidden metrics); once announced, the places, and the winners' badges."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicedesk import broadcasts, outbox
from servicedesk.contest_scoring import Standing, podium, standings
from servicedesk.contests import InvalidContest, running
from servicedesk.db.models import (
    Badge,
    Broadcast,
    Contest,
    Rating,
    SearchQuery,
    Ticket,
    TicketStatus,
    User,
    as_utc,
    utcnow,
)
from servicedesk.i18n import text
from servicedesk.identity import SenderId
from servicedesk.users import touch_user

MEDALS = ("🥇", "🥈", "🥉")
Ranked = dict[int, list[Standing]]  # nomination id -> standings, best first


@dataclass(frozen=True)
class Announcement:
    contest_id: int
    recipients: int
    first_time: bool  # False: it had been announced before, nothing was sent again


def results_text(
    session: Session, contest: Contest, language: str | None, ranked: Ranked | None = None
) -> str:
    """The places of every nomination, in ``language`` (from ``ranked`` when already scored)."""
    ranked = ranked if ranked is not None else standings(session, contest)
    lines = [text("contest_results", language, title=contest.title)]
    for nomination in contest.nominations:
        places = podium(ranked[nomination.id])
        winners = " · ".join(
            f"{MEDALS[n]} {_name(session, s.user_id, language)}" for n, s in enumerate(places)
        )
        lines.append(f"{nomination.title}: {winners or text('contest_no_winner', language)}")
    return "\n".join(lines)


def announce(session: Session, contest_id: int, by: str) -> Announcement:
    """Award the badges and send the results to everyone who takes broadcasts, once.

    Raises:
        InvalidContest: no such contest, or it has not ended yet.
    """
    contest = session.get(Contest, contest_id, with_for_update=True)
    if contest is None:
        raise InvalidContest("no such contest")
    if contest.announced_at is not None:
        return Announcement(contest.id, 0, first_time=False)
    if utcnow() < as_utc(contest.ends_at):
        raise InvalidContest("the contest has not ended yet")
    ranked = standings(session, contest)  # scored once for the badges and every message
    _award_badges(session, contest, ranked)
    contest.announced_at = utcnow()
    people = broadcasts.recipients(session)
    texts: dict[str, str] = {}
    for person in people:
        if person.language not in texts:
            texts[person.language] = results_text(session, contest, person.language, ranked)
        key = f"contest:{contest.id}:{person.id}"
        message = {"text": texts[person.language]}
        outbox.enqueue(session, person.channel, person.external_id, message, key)
    body = texts.get("en") or results_text(session, contest, "en", ranked)
    session.add(Broadcast(kind="contest", body=body, recipients=len(people), created_by=by))
    session.flush()
    return Announcement(contest.id, len(people), first_time=True)


def standings_for(
    session: Session, sender: SenderId, language: str, now: datetime | None = None
) -> str:
    """What "how is the contest going?" answers."""
    now = now or utcnow()
    current = running(session, now)
    if current is not None:
        return text(
            "contest_running",
            language,
            title=current.title,
            ends=f"{as_utc(current.ends_at):%Y-%m-%d}",
            count=participation(session, sender, current),
        )
    announced = session.scalar(
        select(Contest).where(Contest.announced_at.is_not(None)).order_by(Contest.ends_at.desc())
    )
    if announced is not None:
        return results_text(session, announced, language)
    return text("contest_none", language)


def participation(session: Session, sender: SenderId, contest: Contest) -> int:
    """How often the person used the bot during the contest: questions, tickets, ratings."""
    user = touch_user(session, sender)
    start, end = contest.starts_at, contest.ends_at

    def count(model, owner, moment, *extra) -> int:
        query = (
            select(func.count())
            .select_from(model)
            .where(owner == user.id, moment >= start, moment < end, *extra)
        )
        return session.scalar(query) or 0

    return (
        count(SearchQuery, SearchQuery.user_id, SearchQuery.created_at)
        + count(Ticket, Ticket.requester_id, Ticket.created_at, Ticket.status != TicketStatus.JUNK)
        + count(Rating, Rating.user_id, Rating.created_at)
    )


def badges_of(session: Session, sender: SenderId) -> list[Badge]:
    user = touch_user(session, sender)
    return list(session.scalars(select(Badge).where(Badge.user_id == user.id).order_by(Badge.id)))


def _award_badges(session: Session, contest: Contest, ranked: Ranked) -> None:
    for nomination in contest.nominations:
        for place, standing in enumerate(podium(ranked[nomination.id]), start=1):
            title = f"{MEDALS[place - 1]} {nomination.title} · {contest.title}"
            session.add(
                Badge(
                    user_id=standing.user_id,
                    contest_id=contest.id,
                    nomination_id=nomination.id,
                    place=place,
                    title=title[:300],
                )
            )
    session.flush()


def _name(session: Session, user_id: int, language: str | None) -> str:
    user = session.get(User, user_id)
    return user.display_name or text("contest_employee", language, id=user_id)


@dataclass(frozen=True)
class Activity:
    questions: int
    solved: int
    tickets: int
    ratings: int


def activity_of(session: Session, sender: SenderId) -> Activity:
    """The person's own use of the bot, all time (what /me shows)."""
    user = touch_user(session, sender)

    def count(query) -> int:
        return session.scalar(query) or 0

    searches = select(func.count()).select_from(SearchQuery).where(SearchQuery.user_id == user.id)
    return Activity(
        questions=count(searches),
        solved=count(searches.where(SearchQuery.outcome == "helped")),
        tickets=count(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.requester_id == user.id, Ticket.status != TicketStatus.JUNK)
        ),
        ratings=count(select(func.count()).select_from(Rating).where(Rating.user_id == user.id)),
    )
