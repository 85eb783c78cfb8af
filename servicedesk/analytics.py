"""Managers' figures: self-service share, tickets by category and channel, satisfaction, and
response times. Weeks are ISO weeks ("2026-W48"), counted in UTC.

A *request* is a question the knowledge base answered one way or another (solved by an article,
needed a ticket, or had no answer) plus a ticket filed without any search. Searches nobody gave
feedback on ("abandoned", or still pending) are left out of the share and counted apart.
Junk tickets count nowhere.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from servicedesk.db.models import (
    Rating,
    SearchOutcome,
    SearchQuery,
    Ticket,
    TicketStatus,
    as_utc,
)

DECIDED = (SearchOutcome.HELPED, SearchOutcome.NEEDS_TICKET, SearchOutcome.NO_ANSWER)


@dataclass(frozen=True)
class WeekShare:
    week: str
    solved_by_kb: int
    requests: int
    undecided: int

    @property
    def share(self) -> float | None:
        return self.solved_by_kb / self.requests if self.requests else None


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    average: float | None
    share_4_5: float | None
    distribution: dict[int, int]  # stars -> how many


@dataclass(frozen=True)
class ResponseTimes:
    median_first_response_h: float | None
    median_resolution_h: float | None
    responded: int
    resolved: int


def week_of(moment: datetime) -> str:
    year, week, _ = as_utc(moment).isocalendar()
    return f"{year}-W{week:02d}"


def self_service_by_week(session: Session) -> list[WeekShare]:
    solved, requests, undecided = Counter(), Counter(), Counter()
    for created, outcome in session.execute(select(SearchQuery.created_at, SearchQuery.outcome)):
        week = week_of(created)
        if outcome in DECIDED:
            requests[week] += 1
            solved[week] += outcome == SearchOutcome.HELPED
        else:
            undecided[week] += 1
    for (created,) in session.execute(
        select(Ticket.created_at).where(
            Ticket.search_id.is_(None), Ticket.status != TicketStatus.JUNK
        )
    ):
        requests[week_of(created)] += 1
    weeks = sorted(set(requests) | set(undecided))
    return [WeekShare(w, solved[w], requests[w], undecided[w]) for w in weeks]


def tickets_by_week(session: Session, column) -> dict[str, dict[str, int]]:
    """{week: {value of ``column`` (category, channel): tickets}} without junk."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        select(Ticket.created_at, column).where(Ticket.status != TicketStatus.JUNK)
    )
    for created, value in rows:
        table[week_of(created)][value] += 1
    return {week: dict(values) for week, values in sorted(table.items())}


def satisfaction(session: Session) -> Satisfaction:
    stars = list(
        session.scalars(
            select(Rating.stars).join(Ticket).where(Ticket.status != TicketStatus.JUNK)
        )
    )
    distribution = {n: stars.count(n) for n in range(1, 6)}
    if not stars:
        return Satisfaction(0, None, None, distribution)
    happy = sum(1 for s in stars if s >= 4)
    return Satisfaction(len(stars), sum(stars) / len(stars), happy / len(stars), distribution)


def response_times(session: Session) -> ResponseTimes:
    """Medians over tickets: filed → the service desk's first step (taken, a reply by someone
    other than the requester, resolved), and filed → resolved."""
    first, resolution = [], []
    tickets = session.scalars(
        select(Ticket)
        .where(Ticket.status != TicketStatus.JUNK)
        .options(selectinload(Ticket.events), selectinload(Ticket.requester))
    )
    for ticket in tickets:
        filed = as_utc(ticket.created_at)
        step = _first_desk_step(ticket)
        if step is not None:
            first.append((as_utc(step) - filed).total_seconds() / 3600)
        if ticket.resolved_at is not None:
            resolution.append((as_utc(ticket.resolved_at) - filed).total_seconds() / 3600)
    return ResponseTimes(
        median(first) if first else None,
        median(resolution) if resolution else None,
        len(first),
        len(resolution),
    )


def _first_desk_step(ticket: Ticket) -> datetime | None:
    requester = f"{ticket.requester.channel}:{ticket.requester.external_id}"
    for event in ticket.events:
        if event.kind in ("taken", "resolved") or (
            event.kind == "replied" and event.actor != requester
        ):
            return event.created_at
    return None
