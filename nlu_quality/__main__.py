"""Command line: ``python -m nlu_quality cross-validate``, ``… held-out``, ``… clinc DIR`` and
``… routing DIR --model MODEL``."""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from nlu_quality import clinc, held_out, routing
from nlu_quality.cross_validation import LANGUAGE_FILES, cross_validate

PROJECT = Path(__file__).resolve().parent.parent / "nlu"
SWEEP = [(t, a) for t in (0.0, 0.2, 0.3, 0.45, 0.6) for a in (0.0, 0.02, 0.05, 0.1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlu_quality", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    cv = commands.add_parser(
        "cross-validate", help="deskbot's intents, the languages together, scored apart"
    )
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--language", choices=sorted(LANGUAGE_FILES), action="append")
    cv.add_argument("--config", type=Path, default=PROJECT / "config.yml")
    cv.add_argument("--seed", type=int, default=7, help="draws the folds")
    unseen = commands.add_parser(
        "held-out", help="trained on all of deskbot's data, asked the held-out sets of data/eval/"
    )
    unseen.add_argument("--language", choices=sorted(held_out.HELD_OUT_FILES), action="append")
    unseen.add_argument("--config", type=Path, default=PROJECT / "config.yml")
    bench = commands.add_parser("clinc", help="the pipeline on CLINC150 (data_full.json)")
    bench.add_argument("data", type=Path)
    bench.add_argument("--config", type=Path, default=PROJECT / "config.yml")
    routed = commands.add_parser(
        "routing", help="the share of a dataset's queries that reach the KB search"
    )
    routed.add_argument("data", type=Path, help="a folder with queries.jsonl")
    routed.add_argument("--model", type=Path, required=True, help="a trained Rasa model")
    args = parser.parse_args(argv)
    rasa = Path(sys.executable).parent / "rasa"
    if args.command == "routing":
        return _routing(args.data, args.model)
    if args.command == "cross-validate":
        languages = args.language or sorted(LANGUAGE_FILES)
        results = cross_validate(
            rasa, languages, args.folds, PROJECT, args.config.resolve(), args.seed
        )
        print_per_language(results)
    elif args.command == "held-out":
        languages = args.language or sorted(held_out.HELD_OUT_FILES)
        results = held_out.evaluate(rasa, languages, PROJECT, args.config.resolve())
        print_per_language(results)
    else:
        if not (args.data / "data_full.json").is_file():
            print(f"{args.data} needs data_full.json", file=sys.stderr)
            return 2
        with tempfile.TemporaryDirectory() as work:
            results = clinc.run(rasa, args.config.resolve(), args.data, Path(work), SWEEP)
        print(f"trained in {results['train_s']} s on {args.config}")
        for row in [results["pipeline"], *results["sweep"]]:
            print(
                f"  threshold {row['threshold']:.2f}, ambiguity {row['ambiguity']:.2f}: "
                f"in-scope accuracy "
                f"{row['in_scope_accuracy']} %, out-of-scope recall {row['oos_recall']} %"
            )
    print(json.dumps(results))
    return 0


def _routing(data: Path, model: Path) -> int:
    queries = data / "queries.jsonl"
    if not queries.is_file():
        print(f"{data} needs queries.jsonl", file=sys.stderr)
        return 2
    texts = [json.loads(line)["query"] for line in queries.read_text().splitlines() if line]
    result = routing.report(texts, routing.parse_all(model, texts))
    print(f"{result['reach_search']:.2%} of {result['queries']} queries reach the search")
    for row in result["kept_by"]:
        print(f"  {row['intent']:<18} {row['queries']:>4}  e.g. {row['examples'][0]!r}")
    print(f"  searched instead of: {result['searched_instead_of']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def print_per_language(results: dict[str, dict]) -> None:
    for language, result in results.items():
        print(f"{language}: accuracy {result['accuracy']:.4f}, macro F1 {result['macro_f1']}")
        for intent, row in result["intents"].items():
            print(f"    {intent:<20} F1 {row['f1']:.3f}  ({row['support']} examples)")


if __name__ == "__main__":
    sys.exit(main())
