"""deskbot's NLU pipeline on CLINC150: trained on train + oos_train, tested on test + oos_test.

Out-of-scope counts as caught when the pipeline says "oos" (the intent it learnt from
oos_train) or falls back (nlu_fallback: the classifier was unsure). The fallback decision is
replayed from each message's intent ranking, so one trained model reports several thresholds.
"""

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu_quality.rasa_commands import train_nlu

OUT_OF_SCOPE = "oos"
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Prediction:
    gold: str
    ranking: tuple[tuple[str, float], ...]  # the classifier's intents, most confident first


def load_split(dataset: Path, *parts: str) -> list[tuple[str, str]]:
    data = json.loads((dataset / "data_full.json").read_text(encoding="utf-8"))
    return [(text, intent) for part in parts for text, intent in data[part]]


def training_yaml(examples: list[tuple[str, str]]) -> str:
    """Rasa NLU training data (YAML) with one block of examples per intent."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(" ".join(text.split()))
    blocks = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
        for intent, texts in sorted(by_intent.items())
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False)


def train(rasa: Path, config: Path, examples: list[tuple[str, str]], work: Path) -> Path:
    """Train the NLU part of ``config`` on ``examples``; the model's path."""
    data = work / "train.yml"
    data.write_text(training_yaml(examples), encoding="utf-8")
    return train_nlu(rasa, config, data, work, "clinc")


def predict(model: Path, examples: list[tuple[str, str]]) -> list[Prediction]:
    """Each example's intent ranking from the trained model (Rasa's own parser)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[Prediction]:
        predictions = []
        for text, gold in examples:
            parsed = await agent.parse_message(text)
            ranking = tuple(
                (r["name"], float(r["confidence"]))
                for r in parsed.get("intent_ranking", [])
                if r["name"] != FALLBACK
            )
            predictions.append(Prediction(gold, ranking))
        return predictions

    return asyncio.run(parse_all())


def decide(prediction: Prediction, threshold: float, ambiguity: float) -> str:
    """The intent the pipeline settles on, FallbackClassifier's rule replayed."""
    if not prediction.ranking:
        return FALLBACK
    (top, confidence), *rest = prediction.ranking
    runner_up = rest[0][1] if rest else 0.0
    if confidence < threshold or confidence - runner_up < ambiguity:
        return FALLBACK
    return top


def score(predictions: list[Prediction], threshold: float, ambiguity: float) -> dict:
    """In-scope accuracy and out-of-scope recall, in percent."""
    in_scope = [p for p in predictions if p.gold != OUT_OF_SCOPE]
    out_of_scope = [p for p in predictions if p.gold == OUT_OF_SCOPE]
    correct = sum(decide(p, threshold, ambiguity) == p.gold for p in in_scope)
    caught = sum(decide(p, threshold, ambiguity) in (OUT_OF_SCOPE, FALLBACK) for p in out_of_scope)
    return {
        "threshold": threshold,
        "ambiguity": ambiguity,
        "in_scope_accuracy": round(100 * correct / max(len(in_scope), 1), 1),
        "oos_recall": round(100 * caught / max(len(out_of_scope), 1), 1),
    }


def pipeline_fallback(config: Path) -> tuple[float, float]:
    """The FallbackClassifier's threshold and ambiguity threshold in ``config``."""
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    fallback = next((c for c in pipeline if c["name"] == "FallbackClassifier"), {})
    return float(fallback.get("threshold", 0.0)), float(fallback.get("ambiguity_threshold", 0.0))


def run(
    rasa: Path, config: Path, dataset: Path, work: Path, sweep: list[tuple[float, float]]
) -> dict:
    """Train, test, and report the pipeline's own fallback thresholds and a sweep of others
    (confidence threshold, ambiguity threshold)."""
    started = time.perf_counter()
    model = train(rasa, config, load_split(dataset, "train", "oos_train"), work)
    train_s = time.perf_counter() - started
    predictions = predict(model, load_split(dataset, "test", "oos_test"))
    threshold, ambiguity = pipeline_fallback(config)
    return {
        "train_s": round(train_s, 1),
        "test_examples": len(predictions),
        "pipeline": score(predictions, threshold, ambiguity),
        "sweep": [score(predictions, t, a) for t, a in sweep],
    }
