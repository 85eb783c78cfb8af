"""How each article does: how often the bot suggests it, how often that solved the problem,
how often a ticket was still needed, and whether it is suggested more or less than before."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk.db.models import KbArticle, SearchOutcome, SearchQuery, as_utc, utcnow

TREND_WINDOW = timedelta(days=28)
POPULAR = 5  # suggested at least this often ...
UNHELPFUL = 0.5  # ... and solving less than this share: flagged for rework


@dataclass
class ArticleScore:
    article_id: str
    title: str = ""
    status: str = ""
    last_edit: datetime | None = None
    suggested: int = 0
    solved: int = 0
    needed_ticket: int = 0
    recent: int = 0  # suggested in the last 28 days
    earlier: int = 0  # in the 28 days before
    flags: list[str] = field(default_factory=list)

    @property
    def solved_rate(self) -> float | None:
        decided = self.solved + self.needed_ticket
        return self.solved / decided if decided else None

    @property
    def ticket_rate(self) -> float | None:
        decided = self.solved + self.needed_ticket
        return self.needed_ticket / decided if decided else None

    @property
    def trend(self) -> int:
        return self.recent - self.earlier


def scores(session: Session, now: datetime | None = None) -> list[ArticleScore]:
    """One score per article in the knowledge base (and any article the bot suggested)."""
    now = now or utcnow()
    board: dict[str, ArticleScore] = {}
    for article in session.scalars(select(KbArticle)):
        board[article.id] = ArticleScore(
            article.id, article.title, article.status, article.updated_at
        )
    searches = session.execute(
        select(SearchQuery.results, SearchQuery.outcome, SearchQuery.created_at)
    )
    for results, outcome, created in searches:
        for article_id in {r.get("article_id") for r in results or [] if r.get("article_id")}:
            score = board.setdefault(article_id, ArticleScore(article_id, article_id))
            _count(score, outcome, now - as_utc(created))
    for score in board.values():
        if score.suggested >= POPULAR and (score.solved_rate or 0) < UNHELPFUL:
            score.flags.append("popular but unhelpful: rework")
    return list(board.values())


def _count(score: ArticleScore, outcome: str, age: timedelta) -> None:
    score.suggested += 1
    score.solved += outcome == SearchOutcome.HELPED
    score.needed_ticket += outcome == SearchOutcome.NEEDS_TICKET
    if age <= TREND_WINDOW:
        score.recent += 1
    elif age <= 2 * TREND_WINDOW:
        score.earlier += 1
