"""Command line: ``python -m kb_index build``, ``query "text"``, ``eval DATA_DIR``,
``threshold DATA_DIR`` and ``calibrate DATA_DIR...``."""

import argparse
import json
import logging
import sys
from pathlib import Path

from kb_index import calibration, evaluation, store, thresholds
from kb_index.articles import load_directory
from kb_index.embedder import Encoders
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
    evaluate.add_argument("data", type=Path, help="a folder with queries.jsonl (+ articles.jsonl)")
    evaluate.add_argument(
        "--kb", type=Path, default=settings.kb_dir, help="articles when DATA has no articles.jsonl"
    )
    evaluate.add_argument(
        "--no-keywords", action="store_true", help="leave out the articles' keyword lists"
    )
    learn = commands.add_parser("calibrate", help="learn the fusion's weights from datasets")
    learn.add_argument("data", type=Path, nargs="+", help="folders in the shared eval format")
    learn.add_argument("--kb", type=Path, default=settings.kb_dir)
    learn.add_argument("--out", type=Path, default=calibration.CALIBRATION_FILE)
    tune = commands.add_parser("threshold", help="the no-good-match trade-off, articles held out")
    tune.add_argument("data", type=Path, help="a folder with queries.jsonl (+ articles.jsonl)")
    tune.add_argument("--kb", type=Path, default=settings.kb_dir)
    tune.add_argument("--hold-out", type=float, default=0.2, help="share of articles left out")
    tune.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    encoders = Encoders.from_settings(settings)
    if args.command == "eval":
        return _evaluate(args.data, args.kb, encoders, not args.no_keywords)
    if args.command == "threshold":
        return _threshold(args, encoders)
    if args.command == "calibrate":
        return _calibrate(args.data, args.kb, encoders, args.out)
    if args.command == "build":
        articles = load_directory(args.kb)
        store.build(articles, encoders, args.out)
        print(f"indexed {len(articles)} articles into {args.out}")
        return 0
    search = store.load(args.index, encoders, settings.cutoffs)
    hits = (search.rank if args.all else search.search)(args.text, args.limit)
    for hit in hits:
        print(json.dumps(hit.__dict__, ensure_ascii=False))
    if not hits:
        print("no good match", file=sys.stderr)
    return 0


def _evaluate(data: Path, kb: Path, encoders: Encoders, keywords: bool) -> int:
    if not (data / "queries.jsonl").is_file():
        print(f"{data} needs queries.jsonl (and articles.jsonl, or --kb)", file=sys.stderr)
        return 2
    result = evaluation.evaluate(data, encoders, kb, keywords=keywords)
    for key, value in result.items():
        print(f"{key:>10}: {value}")
    print(json.dumps(result))
    return 0


def _calibrate(datasets: list[Path], kb: Path, encoders: Encoders, out: Path) -> int:
    scores, relevant, sources = [], [], []
    for data in datasets:
        dataset_scores, dataset_relevant = evaluation.channel_scores(data, encoders, kb)
        scores += dataset_scores
        relevant += dataset_relevant
        sources += [data.name] * len(dataset_scores)
    learnt, learnt_from = calibration.learn(scores, relevant, sources)
    for model in learnt.models:
        print(f"{', '.join(model.channels)} from {learnt_from[','.join(model.channels)]}: {model}")
    learnt.save(out, learnt_from)
    print(f"wrote {out}")
    return 0


def _threshold(args: argparse.Namespace, encoders: Encoders) -> int:
    answerable, unanswerable, outcomes = thresholds.tradeoff(
        args.data, encoders, args.kb, args.hold_out, args.seed
    )
    print(f"{answerable} answerable and {unanswerable} unanswerable queries")
    chosen = thresholds.best(outcomes)
    print("threshold  no-match precision  no-match recall  answered  right outcome")
    for o in outcomes:
        mark = " <- chosen" if o == chosen else ""
        print(
            f"{o.threshold:9.3f}  {o.no_match_precision:18.3f}  {o.no_match_recall:15.3f}"
            f"  {o.answered:8.3f}  {o.right:13.3f}{mark}"
        )
    print(json.dumps({"chosen": chosen.__dict__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
