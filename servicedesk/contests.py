"""Self-service contests: defined by managers, nominations with hidden metrics, three places."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk.db.models import Contest, Disqualification, Nomination, as_utc, utcnow
from servicedesk.errors import DomainError

BASE_METRICS = {
    "self_service": "requests solved by self-service",
    "bot_tickets": "tickets filed through the bot",
    "ratings": "ratings given",
    "article_feedback": "article feedback given",
}
METRICS = BASE_METRICS | {"weighted": "a weighted combination"}
PLACES = 3


class InvalidContest(DomainError):
    """A contest that cannot be defined as asked; the message says why."""


@dataclass(frozen=True)
class NominationSpec:
    title: str
    metric: str
    weights: dict[str, float] = field(default_factory=dict)


def create(
    session: Session,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    nominations: list[NominationSpec],
    by: str,
) -> Contest:
    """Define a contest.

    Raises:
        InvalidContest: no title, dates out of order or overlapping another contest, no
            nomination, an unknown metric, or bad weights.
    """
    starts_at, ends_at = as_utc(starts_at), as_utc(ends_at)
    if not title.strip():
        raise InvalidContest("the contest needs a title")
    if ends_at <= starts_at:
        raise InvalidContest("the contest must end after it starts")
    if not nominations:
        raise InvalidContest("the contest needs at least one nomination")
    for spec in nominations:
        _check_nomination(spec)
    clash = _overlapping(session, starts_at, ends_at)
    if clash is not None:
        raise InvalidContest(
            f"the dates overlap «{clash.title}» ({as_utc(clash.starts_at):%Y-%m-%d} to "
            f"{as_utc(clash.ends_at):%Y-%m-%d}); contests run one at a time"
        )
    contest = Contest(title=title.strip(), starts_at=starts_at, ends_at=ends_at, created_by=by)
    contest.nominations = [
        Nomination(title=s.title.strip(), metric=s.metric, weights=dict(s.weights))
        for s in nominations
    ]
    session.add(contest)
    session.flush()
    return contest


def running(session: Session, now: datetime | None = None) -> Contest | None:
    """The contest whose period includes ``now``."""
    now = now or utcnow()
    return session.scalar(
        select(Contest).where(Contest.starts_at <= now, Contest.ends_at > now).limit(1)
    )


def disqualify(session: Session, contest_id: int, user_id: int, reason: str, by: str) -> None:
    """Take a person out of a contest (once; a second call keeps the first reason)."""
    exists = session.scalar(
        select(Disqualification).where(
            Disqualification.contest_id == contest_id, Disqualification.user_id == user_id
        )
    )
    if exists is None:
        session.add(Disqualification(contest_id=contest_id, user_id=user_id, reason=reason, by=by))
        session.flush()


def disqualified(session: Session, contest_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Disqualification.user_id).where(Disqualification.contest_id == contest_id)
        )
    )


def _check_nomination(spec: NominationSpec) -> None:
    if not spec.title.strip():
        raise InvalidContest("every nomination needs a title")
    if spec.metric not in METRICS:
        raise InvalidContest(
            f"unknown metric «{spec.metric}»; the catalogue has {', '.join(METRICS)}"
        )
    if spec.metric != "weighted":
        return
    unknown = set(spec.weights) - set(BASE_METRICS)
    if not spec.weights or unknown:
        raise InvalidContest(f"weights must name metrics of {', '.join(BASE_METRICS)}")
    if any(not isinstance(w, int | float) or w <= 0 for w in spec.weights.values()):
        raise InvalidContest("weights must be positive numbers")


def _overlapping(session: Session, starts_at: datetime, ends_at: datetime) -> Contest | None:
    return session.scalar(
        select(Contest).where(Contest.starts_at < ends_at, Contest.ends_at > starts_at).limit(1)
    )
