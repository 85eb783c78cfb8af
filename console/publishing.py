"""From the database's articles to the bot: import the seed once, rebuild the live index."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from kb_index import KnowledgeSearch, live, store
from kb_index.articles import load_directory
from kb_index.embedder import Encoders
from kb_index.settings import SearchSettings
from servicedesk import kb_articles
from servicedesk.db import Database
from servicedesk.db.locks import hold_for_transaction
from servicedesk.errors import DomainError


def encoders(settings: SearchSettings) -> Encoders:
    """One set of models per distinct model setting, loaded once."""
    return _encoders(
        settings.model, settings.english_model, settings.encoder_threads, settings.onnx_cache_dir
    )


@cache
def _encoders(
    model: str, english_model: str, threads: int | None, onnx_cache_dir: Path | None
) -> Encoders:
    return Encoders.of(model, english_model, threads, onnx_cache_dir)


def import_seed(database: Database, settings: SearchSettings) -> int:
    """Import data/kb into an empty knowledge base; returns how many articles came in."""
    with database.unit_of_work() as session:
        if kb_articles.listing(session, limit=1):
            return 0  # imported before: the files are not read again
        return kb_articles.import_seed(session, load_directory(settings.kb_dir))


class PublishFailed(DomainError):
    """The bot's index could not be rebuilt; the change that needed it is not kept."""


# Publishing's transaction lock (hold_for_transaction).
PUBLISH_LOCK_KEY = 0x6B622D7075626C  # "kb-publ"


@contextmanager
def one_at_a_time(database: Database, settings: SearchSettings) -> Iterator[Session]:
    """A unit of work in which to change what is published and rebuild the index from it, one
    at a time, so that two editors publishing at once each build from the other's change,
    never from before it: a file lock beside the live index (the consoles of this machine)
    and, on PostgreSQL, a transaction lock (the consoles of every machine sharing it)."""
    live_dir = settings.live_index_dir
    live_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_file = live_dir.with_name(f".{live_dir.name}.publish.lock")
    with store.locked(lock_file), database.unit_of_work() as session:
        hold_for_transaction(session, PUBLISH_LOCK_KEY)
        yield session


def publish_from(session: Session, settings: SearchSettings) -> KnowledgeSearch:
    """Rebuild the bot's live index from the articles published as ``session`` sees them (its
    own uncommitted change included); returns it as the bot sees it (the same threshold).

    Raises:
        PublishFailed: the index could not be built; the caller's transaction should roll back.
    """
    session.flush()
    try:
        return live.publish(
            kb_articles.published(session),
            encoders(settings),
            settings.live_index_dir,
            settings.cutoffs,
            settings.index_dir,
        )
    except Exception as error:
        raise PublishFailed(f"the bot's index could not be rebuilt ({error})") from error


def answered_by(search: KnowledgeSearch, questions: list[tuple[str, str]], article_id: str) -> int:
    """How many (text, language) questions now get ``article_id`` among the bot's suggestions."""
    top_k = SearchSettings().top_k
    return sum(
        any(hit.article_id == article_id for hit in search.search(text, top_k, language))
        for text, language in questions
    )
