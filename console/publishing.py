"""From the database's articles to the bot: import the seed once, rebuild the live index."""

from functools import cache
from pathlib import Path

from kb_index import KnowledgeSearch, live
from kb_index.articles import load_directory
from kb_index.embedder import Embedder
from kb_index.settings import SearchSettings
from servicedesk import kb_articles
from servicedesk.db import Database


def embedder(settings: SearchSettings) -> Embedder:
    """One embedder per distinct model setting, loaded once."""
    return _embedder(settings.model, settings.encoder_threads, settings.onnx_cache_dir)


@cache
def _embedder(model: str, threads: int, onnx_cache_dir: Path | None) -> Embedder:
    return Embedder(model, threads, onnx_cache_dir)


def import_seed(database: Database, settings: SearchSettings) -> int:
    """Import data/kb into an empty knowledge base; returns how many articles came in."""
    with database.unit_of_work() as session:
        if kb_articles.listing(session, limit=1):
            return 0  # imported before: the files are not read again
        return kb_articles.import_seed(session, load_directory(settings.kb_dir))


def republish(database: Database, settings: SearchSettings) -> KnowledgeSearch:
    """Rebuild the bot's live index from the published articles; returns it, as the bot sees
    it (the same threshold)."""
    with database.unit_of_work() as session:
        articles = kb_articles.published(session)
    model = embedder(settings)
    return live.publish(articles, model, settings.live_index_dir, settings.thresholds)


def answered_by(search: KnowledgeSearch, questions: list[tuple[str, str]], article_id: str) -> int:
    """How many (text, language) questions now get ``article_id`` among the bot's suggestions."""
    top_k = SearchSettings().top_k
    return sum(
        any(hit.article_id == article_id for hit in search.search(text, top_k, language))
        for text, language in questions
    )
