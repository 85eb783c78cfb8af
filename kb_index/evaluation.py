"""Retrieval quality on a dataset in the shared eval format (articles.jsonl, queries.jsonl):
a throwaway index built with the bot's own code, every query ranked by the bot's own search.

A dataset with queries.jsonl only (such as data/eval/ru-chat) is asked of deskbot's own
Markdown knowledge base instead."""

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kb_index import store
from kb_index.articles import Article, load_directory
from kb_index.embedder import Encoders, QueryVector
from kb_index.search import Cutoffs, KnowledgeSearch
from nlu_features.e5 import NAME as E5_NAME
from servicedesk.language import written_language

CUTOFFS = (1, 3, 5)
MRR_DEPTH = 10


@dataclass(frozen=True)
class Query:
    text: str
    relevant: frozenset[str]
    language: str | None


def load_articles(path: Path) -> list[Article]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Article(
            r["id"], r["title"], r.get("category") or "Other", r.get("lang") or "en", r["body"]
        )
        for r in rows
    ]


def load_queries(path: Path) -> list[Query]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Query(r["query"], frozenset(r["relevant"]), r.get("lang")) for r in rows]


def scores(rankings: Sequence[Sequence[str]], queries: Sequence[Query]) -> dict[str, float]:
    """Recall@1/3/5 and MRR@10 of ranked article ids, one ranking per query."""
    found = {k: 0 for k in CUTOFFS}
    reciprocal = 0.0
    for ranking, query in zip(rankings, queries, strict=True):
        positions = [i for i, aid in enumerate(ranking[:MRR_DEPTH]) if aid in query.relevant]
        for k in CUTOFFS:
            found[k] += bool(positions) and positions[0] < k
        reciprocal += 1 / (positions[0] + 1) if positions else 0.0
    total = len(queries) or 1
    result = {f"recall@{k}": round(found[k] / total, 4) for k in CUTOFFS}
    result["mrr@10"] = round(reciprocal / total, 4)
    return result


def dataset_articles(data_dir: Path, kb_dir: Path, keywords: bool = True) -> list[Article]:
    """The dataset's own articles.jsonl, or else the Markdown articles of ``kb_dir`` (without
    their keyword lists when ``keywords`` is false)."""
    own = data_dir / "articles.jsonl"
    articles = load_articles(own) if own.is_file() else load_directory(kb_dir)
    return articles if keywords else [replace(a, keywords=()) for a in articles]


def index(articles: list[Article], encoders: Encoders) -> KnowledgeSearch:
    """A throwaway search over ``articles`` that ranks everything (no threshold)."""
    return KnowledgeSearch(
        articles, store.embed_fields(articles, encoders), encoders, Cutoffs.at(0.0)
    )


def channel_scores(
    data_dir: Path, encoders: Encoders, kb_dir: Path
) -> tuple[list[dict[str, np.ndarray]], list[np.ndarray]]:
    """Per query of a dataset: the channels' scores of its articles, and which answer it."""
    articles = dataset_articles(data_dir, kb_dir)
    search = index(articles, encoders)
    scores, relevant = [], []
    for query in load_queries(data_dir / "queries.jsonl"):
        scores.append(search.channel_scores(query.text, written_language(query.text)))
        relevant.append(np.array([a.id in query.relevant for a in articles]))
    return scores, relevant


def evaluate(
    data_dir: Path,
    encoders: Encoders,
    kb_dir: Path,
    clock: Callable[[], float] = time.perf_counter,
    keywords: bool = True,
) -> dict:
    """Build the index, rank every query, and report quality, latency and build time."""
    articles = dataset_articles(data_dir, kb_dir, keywords)
    queries = load_queries(data_dir / "queries.jsonl")
    started = clock()
    search = index(articles, encoders)
    build_s = clock() - started
    rankings, latencies, given_latencies = [], [], []
    for query in queries:
        started = clock()
        hits = search.rank(query.text, MRR_DEPTH, query.language)
        latencies.append((clock() - started) * 1000)
        rankings.append([h.article_id for h in hits])
        # As the action server searches when the Rasa server sent the message's e5 vector.
        vector = nlu_vector(encoders, query.text)
        started = clock()
        search.rank(query.text, MRR_DEPTH, query.language, vector)
        given_latencies.append((clock() - started) * 1000)
    result = scores(rankings, queries)
    result |= {"queries": len(queries)}
    result |= percentiles("", latencies) | percentiles("vector_", given_latencies)
    result |= {"build_s": round(build_s, 2)}
    return result


def nlu_vector(encoders: Encoders, text: str) -> QueryVector | None:
    """``text``'s query vector as the NLU gives it, when the multilingual model is its e5."""
    model = encoders.multilingual
    return QueryVector(E5_NAME, model.encode([text])[0]) if model.is_e5 else None


def percentiles(prefix: str, latencies: list[float]) -> dict[str, float]:
    """p50 and p95 of ``latencies`` (ms), named with ``prefix``."""
    return {
        f"{prefix}p{p}_ms": round(float(np.percentile(latencies, p)), 2) if latencies else 0.0
        for p in (50, 95)
    }
