"""Command line: ``python -m kb_index build``, ``query "text"`` and ``eval DATA_DIR``."""

import argparse
import json
import logging
import sys
from pathlib import Path

from kb_index import evaluation, store
from kb_index.articles import load_directory
from kb_index.embedder import Embedder
from kb_index.settings import SearchSettings


def main(argv: list[str] | None = None) -> int:
    settings = SearchSettings()
    parser = argparse.ArgumentParser(prog="kb_index", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="index the Markdown articles of a folder")
    build.add_argument("--kb", type=Path, default=settings.kb_dir)
    build.add_argument("--out", type=Path, default=settings.index_dir)
    query = commands.add_parser("query", help="search the index")
    query.add_argument("text")
    query.add_argument("--index", type=Path, default=settings.index_dir)
    query.add_argument("--limit", type=int, default=settings.top_k)
    query.add_argument("--all", action="store_true", help="show hits below the threshold too")
    evaluate = commands.add_parser("eval", help="retrieval quality on an eval dataset")
    evaluate.add_argument("data", type=Path, help="a folder with articles.jsonl, queries.jsonl")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    embedder = Embedder(settings.model)
    if args.command == "eval":
        return _evaluate(args.data, embedder)
    if args.command == "build":
        articles = load_directory(args.kb)
        store.build(articles, embedder, args.out)
        print(f"indexed {len(articles)} articles into {args.out}")
        return 0
    search = store.load(args.index, embedder, settings.threshold)
    hits = (search.rank if args.all else search.search)(args.text, args.limit)
    for hit in hits:
        print(json.dumps(hit.__dict__, ensure_ascii=False))
    if not hits:
        print("no good match", file=sys.stderr)
    return 0


def _evaluate(data: Path, embedder: Embedder) -> int:
    if not (data / "articles.jsonl").is_file() or not (data / "queries.jsonl").is_file():
        print(f"{data} needs articles.jsonl and queries.jsonl", file=sys.stderr)
        return 2
    result = evaluation.evaluate(data, embedder)
    for key, value in result.items():
        print(f"{key:>10}: {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
