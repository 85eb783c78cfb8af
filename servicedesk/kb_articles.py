"""The knowledge base as editors keep it: articles with a status and a version history.

The Markdown files in data/kb are the seed: imported once into an empty database, which is the
source of truth from then on, and exported back to Markdown on demand. Saving checks the
version the editor started from, so two editors never overwrite each other silently.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb_index.articles import Article, heading_key
from servicedesk.db.locks import hold_for_transaction
from servicedesk.db.models import ArticleStatus, KbArticle, KbArticleVersion, utcnow
from servicedesk.errors import DomainError
from servicedesk.language import WRITTEN

MAX_BODY_CHARS = 100_000
MAX_TITLE_CHARS = 200
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
# The seed import's transaction lock (hold_for_transaction).
SEED_LOCK_KEY = 0x6B622D73656564  # "kb-seed"


class InvalidArticleEdit(DomainError):
    """The article as submitted cannot be saved (a field is missing or too long)."""


class EditConflict(DomainError):
    """Someone saved the article after this editor opened it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"saved meanwhile as version {current_version}")
        self.current_version = current_version


@dataclass(frozen=True)
class ArticleEdit:
    """What an editor submits."""

    title: str
    category: str
    language: str
    body: str
    keywords: tuple[str, ...] = ()


def import_seed(session: Session, articles: list[Article], author: str = "seed") -> int:
    """Import ``articles`` as published, only into an empty knowledge base; returns how many.
    Consoles starting at once on one PostgreSQL database import it once: each waits for the
    others' import to end (a transaction lock) before it looks whether the base is empty."""
    hold_for_transaction(session, SEED_LOCK_KEY)
    if session.scalar(select(func.count()).select_from(KbArticle)):
        return 0
    for article in articles:
        edit = ArticleEdit(
            article.title, article.category, article.language, article.body, article.keywords
        )
        _store(session, KbArticle(id=article.id, version=0), edit, ArticleStatus.PUBLISHED, author)
    return len(articles)


def create(session: Session, article_id: str, edit: ArticleEdit, author: str) -> KbArticle:
    """A new draft.

    Raises:
        InvalidArticleEdit: a malformed or taken id, or an invalid field.
    """
    if not _ID.match(article_id):
        raise InvalidArticleEdit("ids are 3-64 of a-z, 0-9 and '-', e.g. en-vpn-007")
    if session.get(KbArticle, article_id) is not None:
        raise InvalidArticleEdit(f"{article_id} exists already")
    return _store(session, KbArticle(id=article_id, version=0), edit, ArticleStatus.DRAFT, author)


def save(
    session: Session, article_id: str, edit: ArticleEdit, based_on: int, author: str
) -> KbArticle:
    """Save a new version of the article's content; its status stays.

    Raises:
        EditConflict: the article changed since version ``based_on``.
        InvalidArticleEdit: an invalid field.
    """
    article = _current(session, article_id, based_on)
    return _store(session, article, edit, ArticleStatus(article.status), author)


def set_status(
    session: Session, article_id: str, status: ArticleStatus, based_on: int, author: str
) -> KbArticle:
    """Publish, archive or return to draft; a new version in the history."""
    article = _current(session, article_id, based_on)
    return _store(session, article, _edit_of(article), status, author)


def get(session: Session, article_id: str) -> KbArticle | None:
    return session.get(KbArticle, article_id)


def sharing_title(session: Session, article_id: str, title: str) -> list[str]:
    """The ids of the other articles, archived ones aside, whose title reads as ``title``
    does: the bot suggests only one of them at a time."""
    key = heading_key(title)
    others = session.execute(
        select(KbArticle.id, KbArticle.title).where(
            KbArticle.id != article_id, KbArticle.status != ArticleStatus.ARCHIVED
        )
    )
    return sorted(other_id for other_id, other in others if heading_key(other) == key)


def listing(session: Session, limit: int | None = None) -> list[KbArticle]:
    return list(session.scalars(select(KbArticle).order_by(KbArticle.id).limit(limit)))


def history(session: Session, article_id: str) -> list[KbArticleVersion]:
    return list(
        session.scalars(
            select(KbArticleVersion)
            .where(KbArticleVersion.article_id == article_id)
            .order_by(KbArticleVersion.version.desc())
        )
    )


def published(session: Session) -> list[Article]:
    """The published articles, as the search index takes them."""
    rows = session.scalars(
        select(KbArticle).where(KbArticle.status == ArticleStatus.PUBLISHED).order_by(KbArticle.id)
    )
    return [_as_article(a) for a in rows]


def export_markdown(session: Session, out_dir: Path) -> int:
    """Write every article (any status) as Markdown with front matter; returns how many."""
    out_dir.mkdir(parents=True, exist_ok=True)
    articles = listing(session)
    for article in articles:
        meta = {
            "id": article.id,
            "title": article.title,
            "category": article.category,
            "language": article.language,
            "keywords": list(article.keywords),
            "status": article.status,
        }
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
        text = f"---\n{front}\n---\n{article.body}\n"
        (out_dir / f"{article.id}.md").write_text(text, encoding="utf-8")
    return len(articles)


def validate(edit: ArticleEdit, categories: list[str] | None = None) -> None:
    """Raises InvalidArticleEdit naming the first problem."""
    if not edit.title.strip():
        raise InvalidArticleEdit("the title is empty")
    if len(edit.title) > MAX_TITLE_CHARS:
        raise InvalidArticleEdit(f"the title is longer than {MAX_TITLE_CHARS} characters")
    if not edit.body.strip():
        raise InvalidArticleEdit("the body is empty")
    if len(edit.body) > MAX_BODY_CHARS:
        raise InvalidArticleEdit(
            f"the body is {len(edit.body):,} characters; the limit is {MAX_BODY_CHARS:,}"
        )
    if edit.language not in WRITTEN:
        raise InvalidArticleEdit(f"the language must be one of {', '.join(WRITTEN)}")
    if categories is not None and edit.category not in categories:
        raise InvalidArticleEdit("the category is not in the catalogue")


def _current(session: Session, article_id: str, based_on: int) -> KbArticle:
    article = session.get(KbArticle, article_id, with_for_update=True)
    if article is None:
        raise InvalidArticleEdit(f"no article {article_id}")
    if article.version != based_on:
        raise EditConflict(article.version)
    return article


def _store(
    session: Session, article: KbArticle, edit: ArticleEdit, status: ArticleStatus, author: str
) -> KbArticle:
    validate(edit)
    article.title, article.category, article.language = (
        edit.title.strip(),
        edit.category,
        edit.language,
    )
    article.body, article.keywords = (
        edit.body.strip(),
        [k.strip() for k in edit.keywords if k.strip()],
    )
    article.status, article.version = status, article.version + 1
    article.updated_at, article.updated_by = utcnow(), author[:100]
    session.add(article)
    session.flush()
    session.add(
        KbArticleVersion(
            article_id=article.id,
            version=article.version,
            title=article.title,
            category=article.category,
            language=article.language,
            keywords=article.keywords,
            body=article.body,
            status=article.status,
            author=article.updated_by,
        )
    )
    session.flush()
    return article


def _edit_of(article: KbArticle) -> ArticleEdit:
    return ArticleEdit(
        article.title, article.category, article.language, article.body, tuple(article.keywords)
    )


def _as_article(article: KbArticle) -> Article:
    return Article(
        article.id,
        article.title,
        article.category,
        article.language,
        article.body,
        tuple(article.keywords),
    )
