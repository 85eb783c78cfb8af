"""The action server's composition root: one database, search index and classifier per process."""

import logging
from functools import cache

from kb_index import KnowledgeSearch
from kb_index.classifier import CategoryClassifier, load_examples
from kb_index.embedder import Encoders
from kb_index.live import LiveIndex
from kb_index.settings import SearchSettings
from servicedesk.db import Database
from servicedesk.notices import Desk, desks_from
from servicedesk.settings import AgentSettings, DatabaseSettings, TicketSettings
from servicedesk.tickets import CategoryDecision

log = logging.getLogger(__name__)


@cache
def database() -> Database:
    return Database(DatabaseSettings().url)


# The Russian one has a typo, so the spelling repair loads its dictionary too.
WARM_UP = (("printer does not print", "en"), ("принтер не пичатает", "ru"))


@cache
def search_settings() -> SearchSettings:
    return SearchSettings()


@cache
def encoders() -> Encoders:
    return Encoders.from_settings(search_settings())


@cache
def live_index() -> LiveIndex:
    settings = search_settings()
    live = LiveIndex(settings.index_dir, settings.live_index_dir, encoders(), settings.cutoffs)
    # Load the model and the Russian dictionaries now, not on the first employee's question.
    for words, language in WARM_UP:
        live.current().rank(words, language=language)
    return live


def knowledge_search() -> KnowledgeSearch:
    """The newest published index (the console can publish while the bot runs)."""
    return live_index().current()


@cache
def classifier() -> CategoryClassifier:
    settings = TicketSettings()
    return CategoryClassifier.build(
        knowledge_search().articles,
        load_examples(settings.examples_file),
        encoders(),
        settings.categories,
    )


def classify(description: str, language: str) -> CategoryDecision:
    result = classifier().classify(description, language)
    return CategoryDecision(result.category, result.confidence, result.needs_triage)


@cache
def desks() -> tuple[Desk, ...]:
    return desks_from(AgentSettings())
