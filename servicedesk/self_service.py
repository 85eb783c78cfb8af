"""Knowledge-base searches and their outcomes: the raw material of self-service figures."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicedesk.db.models import SearchOutcome, SearchQuery, as_utc, utcnow
from servicedesk.errors import NotYourSearch, UnknownSearch
from servicedesk.identity import SenderId
from servicedesk.users import touch_user

MAX_STORED_QUERY_LENGTH = 4000
ESCALATION_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class SuggestedArticle:
    """One article shown to the employee, as stored with the search."""

    article_id: str
    title: str
    score: float


def record_search(
    session: Session,
    sender: SenderId,
    text: str,
    language: str,
    suggestions: Sequence[SuggestedArticle],
) -> SearchQuery:
    """Log a search; with no suggestion it is recorded as ``no_answer`` straight away.

    Earlier searches of the same person still waiting for feedback become ``abandoned``.

    Returns:
        The new search, flushed so it has an id.
    """
    user = touch_user(session, sender, language)
    _abandon_pending(session, user.id)
    search = SearchQuery(
        user_id=user.id,
        text=text[:MAX_STORED_QUERY_LENGTH],
        language=language,
        results=[asdict(s) for s in suggestions],
        outcome=SearchOutcome.PENDING if suggestions else SearchOutcome.NO_ANSWER,
        resolved_at=None if suggestions else utcnow(),
    )
    session.add(search)
    session.flush()
    return search


def record_feedback(
    session: Session, sender: SenderId, search_id: int | None, helped: bool
) -> SearchQuery:
    """Record whether the suggestions of one search helped.

    Args:
        search_id: the search the buttons belonged to; None means the person's latest search.
        helped: True for "Solved", False for "I still need help".
    Returns:
        The updated search.
    Raises:
        UnknownSearch: no such search (or the person never searched).
        NotYourSearch: the search belongs to someone else.
    """
    search = _find_search(session, sender, search_id)
    return _settle(session, search, SearchOutcome.HELPED if helped else SearchOutcome.NEEDS_TICKET)


def best_suggestion(session: Session, search_id: int) -> str | None:
    """The id of the best article suggested for a search, if any."""
    search = session.get(SearchQuery, search_id)
    return search.results[0]["article_id"] if search and search.results else None


def search_to_escalate(session: Session, sender: SenderId) -> SearchQuery | None:
    """The person asked for a ticket or a human: their recent search that did not help, if any.

    A search still waiting for feedback is settled as ``needs_ticket`` on the way.
    """
    try:
        search = _find_search(session, sender, None)
    except UnknownSearch:
        return None
    if search.outcome in (SearchOutcome.HELPED, SearchOutcome.ABANDONED):
        return None
    if utcnow() - as_utc(search.created_at) > ESCALATION_WINDOW:
        return None
    if search.outcome == SearchOutcome.PENDING:
        _settle(session, search, SearchOutcome.NEEDS_TICKET)
    return search


def _settle(session: Session, search: SearchQuery, outcome: SearchOutcome) -> SearchQuery:
    search.outcome, search.resolved_at = outcome, utcnow()
    session.flush()
    return search


def _find_search(session: Session, sender: SenderId, search_id: int | None) -> SearchQuery:
    user = touch_user(session, sender)
    if search_id is None:
        search = session.scalar(
            select(SearchQuery)
            .where(SearchQuery.user_id == user.id)
            .order_by(SearchQuery.id.desc())
            .limit(1)
        )
    else:
        search = session.get(SearchQuery, search_id)
    if search is None:
        raise UnknownSearch(search_id)
    if search.user_id != user.id:
        raise NotYourSearch(search_id)
    return search


def _abandon_pending(session: Session, user_id: int) -> None:
    session.execute(
        update(SearchQuery)
        .where(SearchQuery.user_id == user_id, SearchQuery.outcome == SearchOutcome.PENDING)
        .values(outcome=SearchOutcome.ABANDONED, resolved_at=utcnow())
    )
