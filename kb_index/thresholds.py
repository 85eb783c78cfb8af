"""Choosing the "no good match" threshold from data.

Some articles are held out of the index, so the queries they answer truly have no answer.
For each candidate threshold the bot's own ``search`` (threshold and relative cut-off included)
decides, per query, to suggest articles or to say "no good match"; the report gives that
decision's precision and recall, and the share of queries that get the right outcome: a
suggestion list holding a relevant article, or "no good match" when none exists.
"""

import random
from dataclasses import dataclass, replace
from pathlib import Path

from kb_index.embedder import Encoders
from kb_index.evaluation import Query, dataset_articles, index, load_queries
from kb_index.search import Cutoffs, KnowledgeSearch, SearchHit

# Scores are calibrated probabilities: finer steps where they are small.
CANDIDATES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, *(round(0.1 + 0.05 * i, 2) for i in range(17)))


@dataclass(frozen=True)
class Outcome:
    threshold: float
    no_match_precision: float
    no_match_recall: float
    answered: float  # share of answerable queries whose suggestions hold a relevant article
    right: float  # share of all queries with the right outcome


def hold_out(article_ids: list[str], share: float, seed: int) -> set[str]:
    """A reproducible ``share`` of the articles to leave out of the index."""
    count = round(len(article_ids) * share)
    return set(random.Random(seed).sample(sorted(article_ids), count))


def tradeoff(
    data_dir: Path,
    encoders: Encoders,
    kb_dir: Path,
    share: float = 0.2,
    seed: int = 7,
    limit: int = 3,
) -> tuple[int, int, list[Outcome]]:
    """(answerable queries, unanswerable queries, one outcome per candidate threshold)."""
    articles = dataset_articles(data_dir, kb_dir)
    removed = hold_out([a.id for a in articles], share, seed)
    kept = [a for a in articles if a.id not in removed]
    queries = [
        replace(q, relevant=q.relevant - removed) for q in load_queries(data_dir / "queries.jsonl")
    ]
    search = index(kept, encoders)
    ranked = [search.rank(q.text, limit, q.language) for q in queries]
    outcomes = []
    for threshold in CANDIDATES:
        search.cutoffs = Cutoffs.at(threshold)
        shown = [_shown(search, hits) for hits in ranked]
        outcomes.append(outcome(threshold, queries, shown))
    answerable = sum(bool(q.relevant) for q in queries)
    return answerable, len(queries) - answerable, outcomes


def _shown(search: KnowledgeSearch, hits: list[SearchHit]) -> list[str]:
    return [h.article_id for h in search.shown(hits)]


def outcome(threshold: float, queries: list[Query], shown: list[list[str]]) -> Outcome:
    """Score one threshold's decisions: ``shown`` holds each query's suggested ids."""
    refused = [not ids for ids in shown]
    truly_none = [not q.relevant for q in queries]
    hits = [bool(set(ids) & q.relevant) for ids, q in zip(shown, queries, strict=True)]
    true_refusals = sum(r and n for r, n in zip(refused, truly_none, strict=True))
    answerable = len(queries) - sum(truly_none)
    right = true_refusals + sum(hits)
    return Outcome(
        threshold,
        round(true_refusals / max(sum(refused), 1), 4),
        round(true_refusals / max(sum(truly_none), 1), 4),
        round(sum(hits) / max(answerable, 1), 4),
        round(right / max(len(queries), 1), 4),
    )


# A wrong "no good match" costs a self-service answer; a weak suggestion costs one press of
# "I still need help". So the threshold may give up at most this share of answerable queries.
ANSWERED_TOLERANCE = 0.02


def best(outcomes: list[Outcome]) -> Outcome:
    """The highest threshold that answers within ``ANSWERED_TOLERANCE`` of the best any does:
    it says "no good match" as often as it can without costing self-service answers."""
    most = max(o.answered for o in outcomes)
    return max(
        (o for o in outcomes if o.answered >= most - ANSWERED_TOLERANCE), key=lambda o: o.threshold
    )
