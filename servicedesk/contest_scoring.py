"""Contest scores that resist gaming, with the events behind each score for the manager's audit.

From the contest period's activity, per person and metric, in time order:
  * junk tickets never count;
  * a request that repeats one the same person made within REPEAT_WINDOW counts once;
  * a "solved" (and the feedback it was) counts only if no ticket on the same topic follows
    within CONTRADICTION_WINDOW;
  * at most DAILY_CAP events a day count per metric;
  * disqualified people are left out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb_index.text import terms, word_overlap
from servicedesk.contests import PLACES, disqualified
from servicedesk.db.models import (
    Contest,
    Nomination,
    Rating,
    SearchOutcome,
    SearchQuery,
    Ticket,
    TicketStatus,
    as_utc,
)

REPEAT_WINDOW = timedelta(hours=24)
CONTRADICTION_WINDOW = timedelta(hours=24)
DAILY_CAP = 5
REPEAT_SIMILARITY = 0.6  # share of stemmed words in common that makes a repeat
SAME_TOPIC = 0.3


@dataclass
class Event:
    user_id: int
    metric: str
    at: datetime
    text: str
    ref: str
    excluded: str | None = None  # why it does not count

    @property
    def counted(self) -> bool:
        return self.excluded is None


@dataclass
class Standing:
    user_id: int
    points: float
    events: list[Event] = field(default_factory=list)  # counted and excluded, for the audit


def standings(session: Session, contest: Contest) -> dict[int, list[Standing]]:
    """Per nomination id, everyone with points, best first (ties: fewer excluded events)."""
    events = audited_events(session, contest)
    out_of_contest = disqualified(session, contest.id)
    per_person: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        if event.user_id not in out_of_contest:
            per_person[event.user_id].append(event)
    return {n.id: _rank(n, per_person) for n in contest.nominations}


def podium(ranked: list[Standing]) -> list[Standing]:
    """The three places (fewer when fewer people scored)."""
    return [s for s in ranked if s.points > 0][:PLACES]


def audited_events(session: Session, contest: Contest) -> list[Event]:
    """Every event of the period with the anti-cheat rules applied."""
    start, end = as_utc(contest.starts_at), as_utc(contest.ends_at)
    tickets = _tickets(session, start, end + CONTRADICTION_WINDOW)
    events = _search_events(session, start, end) + _ticket_events(tickets, start, end)
    events += _rating_events(session, start, end)
    _exclude_contradicted(events, tickets)
    by_stream: dict[tuple[int, str], list[Event]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.at):
        by_stream[(event.user_id, event.metric)].append(event)
    for stream in by_stream.values():
        _exclude_repeats(stream)
        _cap_per_day(stream)
    return events


def _rank(nomination: Nomination, per_person: dict[int, list[Event]]) -> list[Standing]:
    weights = nomination.weights if nomination.metric == "weighted" else {nomination.metric: 1}
    ranked = []
    for user_id, events in per_person.items():
        mine = [e for e in events if e.metric in weights]
        points = sum(weights[e.metric] for e in mine if e.counted)
        if mine:
            ranked.append(Standing(user_id, points, mine))
    excluded = lambda s: sum(not e.counted for e in s.events)  # noqa: E731
    return sorted(ranked, key=lambda s: (-s.points, excluded(s), s.user_id))


def _search_events(session: Session, start: datetime, end: datetime) -> list[Event]:
    rows = session.scalars(
        select(SearchQuery).where(
            SearchQuery.created_at >= start,
            SearchQuery.created_at < end,
            SearchQuery.outcome.in_((SearchOutcome.HELPED, SearchOutcome.NEEDS_TICKET)),
        )
    )
    events = []
    for search in rows:
        at, ref = as_utc(search.created_at), f"search:{search.id}"
        events.append(Event(search.user_id, "article_feedback", at, search.text, ref))
        if search.outcome == SearchOutcome.HELPED:
            events.append(Event(search.user_id, "self_service", at, search.text, ref))
    return events


def _tickets(session: Session, start: datetime, end: datetime) -> list[Ticket]:
    return list(
        session.scalars(select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end))
    )


def _ticket_events(tickets: list[Ticket], start: datetime, end: datetime) -> list[Event]:
    events = []
    for ticket in tickets:
        at = as_utc(ticket.created_at)
        if at >= end:
            continue
        event = Event(ticket.requester_id, "bot_tickets", at, ticket.description, ticket.reference)
        if ticket.status == TicketStatus.JUNK:
            event.excluded = "closed as junk"
        events.append(event)
    return events


def _rating_events(session: Session, start: datetime, end: datetime) -> list[Event]:
    rows = session.execute(
        select(Rating.user_id, Rating.created_at, Ticket.number)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Rating.created_at >= start, Rating.created_at < end)
    )
    return [
        Event(user_id, "ratings", as_utc(at), f"rated SD-{number}", f"rating:SD-{number}")
        for user_id, at, number in rows
    ]


def _exclude_contradicted(events: list[Event], tickets: list[Ticket]) -> None:
    """A "solved" followed by a ticket on the same topic was not solved."""
    filed: dict[int, list[tuple[datetime, set[str]]]] = defaultdict(list)
    for ticket in tickets:
        filed[ticket.requester_id].append(
            (as_utc(ticket.created_at), set(terms(ticket.description)))
        )
    solved = {e.ref for e in events if e.metric == "self_service"}
    for event in events:
        if event.metric not in ("self_service", "article_feedback") or not event.counted:
            continue
        if event.metric == "article_feedback" and event.ref not in solved:
            continue
        words = set(terms(event.text))
        for at, topic in filed[event.user_id]:
            if (
                event.at <= at <= event.at + CONTRADICTION_WINDOW
                and word_overlap(words, topic) >= SAME_TOPIC
            ):
                event.excluded = "a ticket on the same topic followed"
                break


def _exclude_repeats(stream: list[Event]) -> None:
    kept: list[tuple[datetime, set[str]]] = []
    for event in stream:
        if not event.counted or event.metric == "ratings":
            continue
        words = set(terms(event.text)) or {event.text.strip().lower()}
        if any(
            event.at - at <= REPEAT_WINDOW and word_overlap(words, seen) >= REPEAT_SIMILARITY
            for at, seen in kept
        ):
            event.excluded = "repeats an earlier request"
            continue
        kept.append((event.at, words))


def _cap_per_day(stream: list[Event]) -> None:
    per_day: dict[str, int] = defaultdict(int)
    for event in stream:
        if not event.counted:
            continue
        day = event.at.strftime("%Y-%m-%d")
        per_day[day] += 1
        if per_day[day] > DAILY_CAP:
            event.excluded = f"over the daily cap of {DAILY_CAP}"
