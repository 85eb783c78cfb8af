"""Suggest-first: search the knowledge base and offer the best articles."""

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction, typed_text
from actions.context import (
    display_name_of,
    entity,
    language_of,
    latest_text,
    say,
    search_id_of,
    searched_instead_of,
    sender_of,
)
from actions.drafting import propose
from actions.respond import RESPONSES
from actions.searched_commands import COMMAND_ACTIONS, carry_out, offered
from kb_index import SearchHit
from kb_index.articles import Article
from kb_index.embedder import QueryVector
from ops.metrics import NO_GOOD_MATCH, SEARCH_SECONDS
from servicedesk import self_service
from servicedesk.i18n import text
from servicedesk.payloads import payload
from servicedesk.self_service import SuggestedArticle

log = logging.getLogger(__name__)
BUTTON_TITLE_LIMIT = 40
_EMPHASIS = re.compile(r"\*\*|__|`")


class ActionSuggestArticles(EmployeeAction):
    """Search the KB for the employee's words and show the best articles; with no good match,
    propose a ticket."""

    def name(self) -> str:
        return "action_suggest_articles"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        query, language = typed_text(tracker), language_of(tracker)
        settings = services.search_settings()
        vector = QueryVector.from_parse_data(tracker.latest_message.get("query_vector"))
        if latest_text(tracker) != query:
            vector = None  # the NLU embedded other words than the ones searched
        with SEARCH_SECONDS.time():
            hits = services.knowledge_search().search(query, settings.top_k, language, vector)
        if not hits:
            NO_GOOD_MATCH.inc()
        instead_of = searched_instead_of(tracker)
        if not hits and instead_of in RESPONSES:
            # Small talk searched first: nothing found, so the answer it would have had.
            dispatcher.utter_message(response=RESPONSES[instead_of])
            return [SlotSet("search_id", None)]
        if not hits and instead_of in COMMAND_ACTIONS:
            # A command searched first: nothing found, so it is carried out as read.
            events = await carry_out(instead_of, dispatcher, tracker, domain)
            return [*events, SlotSet("search_id", None)]
        search_id = _record(dispatcher, tracker, query, language, hits)
        if hits:
            buttons = _read_buttons(hits, language) + offered(instead_of, language)
            say(dispatcher, _suggestion_text(hits, language), buttons)
            ask_solved(dispatcher, language, search_id)
        return [SlotSet("search_id", str(search_id) if hits and search_id else None)]


class ActionShowArticle(EmployeeAction):
    """Show one suggested article in full, then ask again whether it helped."""

    def name(self) -> str:
        return "action_show_article"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        article = _article_to_show(tracker)
        if article is None:
            say(dispatcher, text("article_missing", language))
            return []
        say(dispatcher, f"{article.title}\n\n{_EMPHASIS.sub('', article.body)}")
        ask_solved(dispatcher, language, search_id_of(tracker))
        return []


def ask_solved(dispatcher: CollectingDispatcher, language: str, search_id: int | None) -> None:
    """Ask "Did that solve it?" with [Solved] [I still need help]."""
    ref = {"search_id": str(search_id)} if search_id else {}
    say(
        dispatcher,
        text("ask_solved", language),
        [
            {"title": text("button_solved", language), "payload": payload("affirm", **ref)},
            {"title": text("button_need_help", language), "payload": payload("deny", **ref)},
        ],
    )


def _record(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    query: str,
    language: str,
    hits: list[SearchHit],
) -> int | None:
    """Log the search; when nothing matched, say so and propose a ticket in the same step."""
    sender = sender_of(tracker)
    if not hits:
        say(dispatcher, text("no_match", language))
    if sender is None:
        return None
    suggestions = [SuggestedArticle(h.article_id, h.title, h.score) for h in hits]
    with services.database().unit_of_work() as session:
        search = self_service.record_search(session, sender, query, language, suggestions)
        if not hits:
            propose(dispatcher, session, sender, language, search, display_name_of(tracker))
        return search.id


def _suggestion_text(hits: list[SearchHit], language: str) -> str:
    intro = "might_help" if hits[0].tentative else "suggestions_intro"
    lines = [text(intro, language)]
    lines += [f"{n}. {hit.title}\n{hit.excerpt}" for n, hit in enumerate(hits, start=1)]
    return "\n\n".join(lines)


def _read_buttons(hits: list[SearchHit], language: str) -> list[dict[str, str]]:
    return [
        {
            "title": text("button_read", language, title=_shorten(hit.title)),
            "payload": payload("read_article", article_id=hit.article_id),
        }
        for hit in hits
    ]


def _article_to_show(tracker: Tracker) -> Article | None:
    """The article named by the button, or else the best suggestion of the pending search."""
    search = services.knowledge_search()
    article_id = entity(tracker, "article_id") or _best_suggestion(search_id_of(tracker))
    return search.article(article_id) if article_id else None


def _best_suggestion(search_id: int | None) -> str | None:
    if search_id is None:
        return None
    with services.database().unit_of_work() as session:
        return self_service.best_suggestion(session, search_id)


def _shorten(title: str) -> str:
    if len(title) <= BUTTON_TITLE_LIMIT:
        return title
    return title[: BUTTON_TITLE_LIMIT - 1].rsplit(" ", 1)[0] + "…"
