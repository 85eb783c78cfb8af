"""Search at 1k, 10k and 100k synthetic articles: build time, latency, memory; exact vs HNSW.

``scripts/bootstrap.sh bench-scale [--sizes 1000 10000 100000] [--embed-limit 10000]``

Synthetic articles are drawn from the words of deskbot's own knowledge base (half English,
half Russian). Up to ``--embed-limit`` articles are embedded with the real model; above it the
dense vectors are random unit vectors, since embedding 200,000 fields takes most of an hour on
two cores: the report says which. Queries are eight words taken from one article's body, in
that article's language, and the full ``rank`` (query embedding, both channels, fusion) is
timed. For each size both dense index kinds are built, and the approximate one's top 10 is
compared with the exact one's.
"""

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from kb_index.articles import Article, load_directory
from kb_index.dense import EXACT_LIMIT, DenseIndex
from kb_index.embedder import MULTILINGUAL, Embedder, Encoders
from kb_index.search import Cutoffs, DenseFields, KnowledgeSearch
from kb_index.settings import SearchSettings
from kb_index.store import heading, passage
from kb_index.text import tokens

QUERIES = 100
ROOT = Path(__file__).resolve().parent.parent


def vocabulary(kb_dir: Path) -> dict[str, list[str]]:
    """The words of the knowledge base, by article language."""
    words: dict[str, list[str]] = {}
    for article in load_directory(kb_dir):
        words.setdefault(article.language, []).extend(tokens(f"{article.title} {article.body}"))
    return words


def synthetic_articles(count: int, words: dict[str, list[str]], seed: int = 7) -> list[Article]:
    """``count`` articles of random knowledge-base words, languages alternating."""
    rng = random.Random(seed)
    languages = sorted(words)
    articles = []
    for n in range(count):
        language = languages[n % len(languages)]
        pool = words[language]
        title = " ".join(rng.choices(pool, k=rng.randint(4, 8)))
        body = " ".join(rng.choices(pool, k=rng.randint(60, 120)))
        articles.append(Article(f"syn-{n}", title, "Other", language, body))
    return articles


def queries(articles: list[Article], seed: int = 11) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    chosen = rng.sample(articles, min(QUERIES, len(articles)))
    return [(" ".join(rng.sample(a.body.split(), 8)), a.language) for a in chosen]


def resident_mb() -> float:
    """This process's resident memory now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


@dataclass
class Fields:
    titles: np.ndarray
    passages: np.ndarray
    embed_s: float | None  # None when the vectors are random


def vectors(articles: list[Article], embedder: Embedder, embed: bool, seed: int = 3) -> Fields:
    if embed:
        started = time.perf_counter()
        titles = embedder.encode_passages([heading(a) for a in articles])
        passages = embedder.encode_passages([passage(a) for a in articles])
        return Fields(titles, passages, time.perf_counter() - started)
    rng = np.random.default_rng(seed)
    fields = []
    for _ in range(2):
        raw = rng.standard_normal((len(articles), embedder.dimension)).astype(np.float32)
        fields.append(raw / np.linalg.norm(raw, axis=1, keepdims=True))
    return Fields(fields[0], fields[1], None)


def measure_kind(
    articles: list[Article], fields: Fields, embedder: Embedder, exact: bool
) -> tuple[dict, list[list[str]]]:
    """Build one search with an exact or an approximate dense index; time it and its queries."""
    limit = len(articles) if exact else 0
    before = resident_mb()
    started = time.perf_counter()
    dense = DenseFields(
        DenseIndex.build(fields.titles, limit), DenseIndex.build(fields.passages, limit)
    )
    dense_s = time.perf_counter() - started
    search = KnowledgeSearch(articles, {MULTILINGUAL: dense}, Encoders(embedder), Cutoffs.at(0.0))
    build_s = time.perf_counter() - started
    memory = resident_mb() - before
    latencies, rankings = [], []
    for text, language in queries(articles):
        started = time.perf_counter()
        hits = search.rank(text, 10, language)
        latencies.append((time.perf_counter() - started) * 1000)
        rankings.append([h.article_id for h in hits])
    index_mb = (
        sum(faiss.serialize_index(d._index).nbytes for d in (dense.titles, dense.passages)) / 2**20
    )
    return {
        "index": "exact (flat)" if exact else "approximate (HNSW)",
        "build_s": round(build_s, 2),
        "dense_build_s": round(dense_s, 2),
        "dense_index_mb": round(index_mb, 1),
        "search_memory_mb": round(memory, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
    }, rankings


def overlap_at_10(approximate: list[list[str]], exact: list[list[str]]) -> float:
    """The share of the exact top 10 that the approximate top 10 also holds, averaged."""
    shares = [
        len(set(a[:10]) & set(e[:10])) / max(len(e[:10]), 1)
        for a, e in zip(approximate, exact, strict=True)
    ]
    return round(sum(shares) / max(len(shares), 1), 4)


def measure(sizes: list[int], embed_limit: int, kb_dir: Path) -> list[dict]:
    embedder = Embedder.from_settings(SearchSettings())
    embedder.encode(["warm up"])
    words = vocabulary(kb_dir)
    rows = []
    for size in sizes:
        articles = synthetic_articles(size, words)
        fields = vectors(articles, embedder, size <= embed_limit)
        exact, exact_rankings = measure_kind(articles, fields, embedder, exact=True)
        approximate, approximate_rankings = measure_kind(articles, fields, embedder, exact=False)
        approximate["top10_overlap_with_exact"] = overlap_at_10(
            approximate_rankings, exact_rankings
        )
        row = {
            "articles": size,
            "embedded": fields.embed_s is not None,
            "embed_s": round(fields.embed_s, 1) if fields.embed_s is not None else None,
            "chosen": "exact (flat)" if size <= EXACT_LIMIT else "approximate (HNSW)",
            "kinds": [exact, approximate],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.scale", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--embed-limit", type=int, default=10000)
    parser.add_argument("--kb", type=Path, default=ROOT / "data/kb")
    args = parser.parse_args(argv)
    rows = measure(args.sizes, args.embed_limit, args.kb)
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
