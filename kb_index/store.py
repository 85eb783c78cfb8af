"""Build an index folder from articles, and load it back."""

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from kb_index.articles import Article
from kb_index.dense import DenseIndex
from kb_index.embedder import Embedder
from kb_index.search import KnowledgeSearch

TITLES_FILE = "titles.faiss"
PASSAGES_FILE = "passages.faiss"
ARTICLES_FILE = "articles.json"


def heading(article: Article) -> str:
    """The title field: title and keywords."""
    return f"{article.title}. {', '.join(article.keywords)}".rstrip(". ")


def passage(article: Article) -> str:
    """The passage field: title, then the body."""
    return f"{article.title}. {article.body}"


def embed_fields(articles: list[Article], embedder: Embedder) -> tuple[DenseIndex, DenseIndex]:
    """The dense fields of ``articles``: a title index and a passage index, in article order."""
    titles = DenseIndex.build(embedder.encode([heading(a) for a in articles]))
    return titles, DenseIndex.build(embedder.encode([passage(a) for a in articles]))


def build(articles: list[Article], embedder: Embedder, out_dir: Path) -> None:
    """Embed ``articles`` and write the index folder (written aside, then swapped in)."""
    out_dir = Path(out_dir)
    staging = out_dir.with_name(out_dir.name + ".building")
    staging.mkdir(parents=True, exist_ok=True)
    titles, passages = embed_fields(articles, embedder)
    titles.save(staging / TITLES_FILE)
    passages.save(staging / PASSAGES_FILE)
    (staging / ARTICLES_FILE).write_text(
        json.dumps([asdict(a) for a in articles], ensure_ascii=False), encoding="utf-8"
    )
    if out_dir.exists():
        retired = out_dir.with_name(out_dir.name + ".old")
        out_dir.rename(retired)
        staging.rename(out_dir)
        _remove_tree(retired)
    else:
        staging.rename(out_dir)


def load(
    index_dir: Path, embedder: Embedder, threshold: float | Mapping[str, float]
) -> KnowledgeSearch:
    """Open an index folder written by ``build``."""
    index_dir = Path(index_dir)
    raw = json.loads((index_dir / ARTICLES_FILE).read_text(encoding="utf-8"))
    articles = [Article(**{**a, "keywords": tuple(a["keywords"])}) for a in raw]
    fields = (DenseIndex.load(index_dir / TITLES_FILE), DenseIndex.load(index_dir / PASSAGES_FILE))
    return KnowledgeSearch(articles, fields, embedder, threshold)


def _remove_tree(path: Path) -> None:
    for child in path.iterdir():
        child.unlink()
    path.rmdir()
