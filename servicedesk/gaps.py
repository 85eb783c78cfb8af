"""Gaps in the knowledge base: questions with no good match, questions whose suggestions did
not help, and tickets filed after suggestions; grouped into clusters of similar questions."""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicedesk.db.models import SearchOutcome, SearchQuery, Ticket

Group = Callable[[Sequence[str]], list[list[int]]]  # texts -> groups of indexes
MAX_QUERIES = 2000


@dataclass(frozen=True)
class GapQuery:
    id: int
    text: str
    language: str
    asked_at: datetime
    user_id: int
    outcome: str
    suggested: tuple[str, ...]  # titles of what the bot offered


@dataclass(frozen=True)
class GapCluster:
    queries: list[GapQuery]

    @property
    def people(self) -> int:
        return len({q.user_id for q in self.queries})

    @property
    def languages(self) -> list[str]:
        return sorted({q.language for q in self.queries})

    @property
    def first(self) -> datetime:
        return min(q.asked_at for q in self.queries)

    @property
    def last(self) -> datetime:
        return max(q.asked_at for q in self.queries)

    @property
    def suggested(self) -> list[str]:
        """What the bot offered for these questions, most often first."""
        counts = Counter(title for q in self.queries for title in q.suggested)
        return [title for title, _ in counts.most_common()]

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.queries]


def gap_queries(session: Session, limit: int = MAX_QUERIES) -> list[GapQuery]:
    """The newest questions the knowledge base did not answer well."""
    ticketed = select(Ticket.search_id).where(Ticket.search_id.is_not(None))
    rows = session.scalars(
        select(SearchQuery)
        .where(
            or_(
                SearchQuery.outcome.in_((SearchOutcome.NO_ANSWER, SearchOutcome.NEEDS_TICKET)),
                SearchQuery.id.in_(ticketed),
            ),
            SearchQuery.text != "",  # blanked by the retention period or an erasure
        )
        .order_by(SearchQuery.id.desc())
        .limit(limit)
    )
    return [
        GapQuery(
            q.id,
            q.text,
            q.language,
            q.created_at,
            q.user_id,
            q.outcome,
            tuple(r.get("title", "") for r in q.results or []),
        )
        for q in rows
    ]


def clusters(queries: list[GapQuery], group: Group) -> list[GapCluster]:
    """Clusters of similar questions, those asked by the most people first."""
    found = [
        GapCluster([queries[i] for i in members]) for members in group([q.text for q in queries])
    ]
    return sorted(found, key=lambda c: (c.people, len(c.queries)), reverse=True)


def texts_of(session: Session, query_ids: Sequence[int]) -> list[tuple[str, str]]:
    """(text, language) of the given questions."""
    rows = session.execute(
        select(SearchQuery.text, SearchQuery.language).where(SearchQuery.id.in_(query_ids))
    )
    return [(text, language) for text, language in rows]
