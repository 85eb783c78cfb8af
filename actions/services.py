"""The action server's composition root: one database and one search index per process."""

import logging
from functools import cache

from kb_index import KnowledgeSearch, store
from kb_index.embedder import Embedder
from kb_index.settings import SearchSettings
from servicedesk.db import Database
from servicedesk.settings import DatabaseSettings

log = logging.getLogger(__name__)


@cache
def database() -> Database:
    return Database(DatabaseSettings().url)


@cache
def search_settings() -> SearchSettings:
    return SearchSettings()


@cache
def knowledge_search() -> KnowledgeSearch:
    settings = search_settings()
    search = store.load(settings.index_dir, Embedder(settings.model), settings.threshold)
    search.rank("warm up")  # loads the model now rather than on the first employee's question
    log.info("knowledge base loaded: %d articles", len(search.articles))
    return search
