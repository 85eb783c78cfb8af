"""Gap questions and their clusters, on both databases, with the real embedding model."""

from functools import partial

import pytest

from kb_index.clusters import cluster
from kb_index.embedder import Encoders
from kb_index.settings import SearchSettings
from servicedesk import gaps, self_service, tickets
from servicedesk.identity import SenderId
from servicedesk.priority import assess
from servicedesk.self_service import SuggestedArticle
from servicedesk.tickets import CategoryDecision, FilingRequest

TRIED = [SuggestedArticle("en-vpn-001", "VPN does not connect", 0.5)]


@pytest.fixture(scope="module")
def group():
    return partial(cluster, embedder=Encoders.from_settings(SearchSettings()).multilingual)


def ask(session, user: str, text: str, helped: bool | None, language: str = "en"):
    sender = SenderId("tg", user)
    search = self_service.record_search(
        session, sender, text, language, TRIED if helped is not None else []
    )
    if helped is not None:
        self_service.record_feedback(session, sender, search.id, helped)
    return search


def test_gap_questions_are_the_unanswered_the_unhelped_and_the_ticketed(database):
    with database.unit_of_work() as session:
        ask(session, "1", "no match at all", None)
        ask(session, "2", "did not help", False)
        ask(session, "3", "helped fine", True)
        pending = ask(session, "4", "ticket after suggestions", None)
        request = FilingRequest(
            SenderId("tg", "4"),
            pending.text,
            "en",
            CategoryDecision("Other", 0.1, True),
            assess(pending.text),
            "gap-ticket",
            search_id=pending.id,
        )
        tickets.file_ticket(session, request)
        found = {q.text for q in gaps.gap_queries(session)}
    assert found == {"no match at all", "did not help", "ticket after suggestions"}


def test_similar_questions_cluster_and_the_most_asked_come_first(group):
    texts = [
        "VPN keeps disconnecting every hour",
        "printer on the 2nd floor is jammed",
        "my VPN disconnects every hour",
        "vpn drops each hour",
        "не подключается впн к офису",
        "впн не подключается из дома",
    ]
    groups = group(texts)
    assert sorted(groups[0]) == [0, 2, 3]
    assert [1] in groups
    assert sorted(next(g for g in groups if 4 in g)) == [4, 5], "Russian joins by shared words"


def test_clusters_count_people_not_questions(database, group):
    with database.unit_of_work() as session:
        for text in ("outlook search finds nothing", "outlook search returns no results"):
            ask(session, "7", text, False)
        for user in ("8", "9"):
            ask(session, user, "the badge printer is out of ribbon", None)
        found = gaps.clusters(gaps.gap_queries(session), group)
    assert [(c.people, len(c.queries)) for c in found[:2]] == [(2, 2), (1, 2)]
    assert found[1].suggested == ["VPN does not connect"]
