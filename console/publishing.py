"""From the database's articles to the bot: import the seed once, rebuild the live index."""

from kb_index import KnowledgeSearch, live
from kb_index.articles import load_directory
from kb_index.embedder import Encoders
from kb_index.settings import SearchSettings
from servicedesk import kb_articles
from servicedesk.db import Database

_loaded: dict[tuple, Encoders] = {}


def encoders(settings: SearchSettings) -> Encoders:
    """One set of models per distinct model setting, loaded once."""
    key = (settings.model, settings.english_model, settings.encoder_threads)
    if key not in _loaded:
        _loaded[key] = Encoders.from_settings(settings)
    return _loaded[key]


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
    return live.publish(
        articles,
        encoders(settings),
        settings.live_index_dir,
        settings.cutoffs,
        settings.index_dir,
    )


def answered_by(search: KnowledgeSearch, questions: list[tuple[str, str]], article_id: str) -> int:
    """How many (text, language) questions now get ``article_id`` among the bot's suggestions."""
    top_k = SearchSettings().top_k
    return sum(
        any(hit.article_id == article_id for hit in search.search(text, top_k, language))
        for text, language in questions
    )
