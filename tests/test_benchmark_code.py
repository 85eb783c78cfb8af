"""The measuring code on tiny data: thresholds, the dense index kinds, scale and NLU helpers."""

import os
import subprocess
import sys
from contextlib import contextmanager

import numpy as np
import pytest
import yaml

from benchmarks import turns
from benchmarks.cpu import cpu_seconds, server_pids
from benchmarks.scale import overlap_at_10, synthetic_articles
from kb_index.dense import DenseIndex
from kb_index.evaluation import Query
from kb_index.thresholds import Outcome, best, hold_out, outcome
from nlu_quality.clinc import FALLBACK, Prediction, decide, score, training_yaml
from nlu_quality.cross_validation import report, summarise
from tests.support.cluster import free_ports


def test_threshold_outcome_counts_refusals_and_answers():
    queries = [
        Query("a", frozenset({"x"}), "en"),
        Query("b", frozenset({"y"}), "en"),
        Query("c", frozenset(), "en"),  # its article was held out
        Query("d", frozenset(), "en"),
    ]
    shown = [["x", "z"], [], [], ["q"]]
    result = outcome(0.5, queries, shown)
    assert result.no_match_precision == 0.5  # 2 refusals, 1 of them right
    assert result.no_match_recall == 0.5  # 2 unanswerable, 1 refused
    assert result.answered == 0.5
    assert result.right == 0.5


def test_the_chosen_threshold_keeps_answers_within_tolerance():
    outcomes = [
        Outcome(0.3, 0.5, 0.1, 0.99, 0.8),
        Outcome(0.4, 0.6, 0.3, 0.975, 0.85),  # the highest within 2 points of 0.99 answered
        Outcome(0.5, 0.7, 0.6, 0.90, 0.86),
    ]
    assert best(outcomes).threshold == 0.4


def test_held_out_articles_are_reproducible():
    ids = [f"a{n}" for n in range(50)]
    assert hold_out(ids, 0.2, 7) == hold_out(list(reversed(ids)), 0.2, 7)
    assert len(hold_out(ids, 0.2, 7)) == 10


def unit_rows(count: int, seed: int = 1) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, 16)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_small_indexes_are_exact_and_large_ones_approximate(tmp_path):
    vectors = unit_rows(300)
    exact = DenseIndex.build(vectors)
    approximate = DenseIndex.build(vectors, exact_limit=100)
    assert not exact.approximate and approximate.approximate
    query = vectors[42]
    assert int(exact.similarities(query).argmax()) == 42
    scores = approximate.similarities(query)
    assert int(scores.argmax()) == 42 and len(scores) == 300
    assert scores.min() > -1.0  # beyond the candidates, the lowest candidate's score
    approximate.save(tmp_path / "hnsw.faiss")
    assert DenseIndex.load(tmp_path / "hnsw.faiss").approximate


def test_synthetic_articles_alternate_languages_and_are_reproducible():
    words = {"en": ["printer", "vpn", "mail"], "ru": ["принтер", "почта"]}
    first = synthetic_articles(4, words)
    assert [a.language for a in first] == ["en", "ru", "en", "ru"]
    assert first == synthetic_articles(4, words)
    assert set(first[1].body.split()) <= set(words["ru"])


def test_top10_overlap():
    assert overlap_at_10([["a", "b"], ["c"]], [["a", "x"], ["c"]]) == 0.75


def test_clinc_training_data_is_rasa_yaml():
    text = training_yaml([("book a flight", "book_flight"), ("hi  there", "oos")])
    data = yaml.safe_load(text)
    assert data["nlu"][0] == {"intent": "book_flight", "examples": "- book a flight\n"}
    assert data["nlu"][1]["examples"] == "- hi there\n"


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ((("pay_bill", 0.9), ("oos", 0.05)), "pay_bill"),
        ((("pay_bill", 0.3), ("oos", 0.2)), FALLBACK),  # below the threshold
        ((("pay_bill", 0.5), ("transfer", 0.48)), FALLBACK),  # ambiguous
        ((), FALLBACK),
    ],
)
def test_fallback_rule_replayed(ranking, expected):
    assert decide(Prediction("pay_bill", ranking), 0.45, 0.05) == expected


def test_in_scope_accuracy_and_out_of_scope_recall():
    predictions = [
        Prediction("pay_bill", (("pay_bill", 0.9),)),
        Prediction("pay_bill", (("transfer", 0.9),)),
        Prediction("oos", (("oos", 0.9),)),
        Prediction("oos", (("transfer", 0.2),)),  # falls back: caught
        Prediction("oos", (("transfer", 0.9),)),  # missed
        Prediction("oos", (("pay_bill", 0.95),)),  # missed
    ]
    assert score(predictions, 0.45, 0.0) == {
        "threshold": 0.45,
        "ambiguity": 0.0,
        "in_scope_accuracy": 50.0,
        "oos_recall": 50.0,
    }


def test_cross_validation_summary():
    report = {
        "greet": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 10},
        "rate": {"precision": 0.8, "recall": 1.0, "f1-score": 0.8889, "support": 8},
        "accuracy": 0.95,
        "macro avg": {"f1-score": 0.9444, "support": 18},
        "weighted avg": {"f1-score": 0.95, "support": 18},
    }
    assert summarise(report) == {
        "accuracy": 0.95,
        "macro_f1": 0.9444,
        "examples": 18,
        "intents": {"greet": {"f1": 1.0, "support": 10}, "rate": {"f1": 0.889, "support": 8}},
    }


def test_a_fallback_guess_is_wrong_and_no_intent_of_its_own():
    predictions = [
        {"text": "hi", "intent": "greet", "intent_prediction": {"name": "greet"}},
        {"text": "yo", "intent": "greet", "intent_prediction": {"name": "nlu_fallback"}},
        {"text": "5 stars", "intent": "rate", "intent_prediction": {"name": "rate"}},
        {"text": "meh", "intent": "rate", "intent_prediction": {"name": "greet"}},
    ]
    summary = summarise(report(predictions))
    assert summary["accuracy"] == 0.5
    assert set(summary["intents"]) == {"greet", "rate"}
    assert summary["intents"]["greet"] == {"f1": 0.5, "support": 2}
    assert summary["examples"] == 4


def _stat(
    pid: int, ppid: int, utime: int, stime: int, name: str = "python", ended: int = 0
) -> str:
    # /proc/<pid>/stat: pid (comm) state ppid ... field 14 utime, 15 stime, 16 cutime
    rest = ["S", str(ppid)] + ["0"] * 9 + [str(utime), str(stime), str(ended)] + ["0"] * 4
    return f"{pid} ({name}) " + " ".join(rest)


def test_cpu_seconds_adds_up_a_process_and_its_descendants(tmp_path):
    tick = os.sysconf("SC_CLK_TCK")
    for pid, ppid, utime, stime, name, ended in [
        (10, 1, tick, 0, "rasa", 0),
        (11, 10, tick, tick, "sanic worker", 2 * tick),  # a child, with a space in its name
        (12, 11, 0, tick, "python) x", 0),  # a grandchild whose name holds ") "
        (20, 1, 5 * tick, 0, "unrelated", 0),
    ]:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(_stat(pid, ppid, utime, stime, name, ended))
    (tmp_path / "self").mkdir()

    # 11 waited for children that have ended, which spent 2 s: they count too.
    assert cpu_seconds(10, tmp_path) == 6.0
    assert cpu_seconds(11, tmp_path) == 5.0
    assert cpu_seconds(10, tmp_path, descendants=False) == 1.0
    assert cpu_seconds(99, tmp_path) == 0.0


def test_a_servers_main_process_is_found_by_name(tmp_path):
    for pid, ppid, name in [
        (30, 1, "postgres"),  # the postmaster
        (31, 30, "postgres"),  # its backends
        (32, 30, "postgres"),
        (40, 1, "redis-server"),
        (50, 1, "python"),
    ]:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(_stat(pid, ppid, 0, 0, name))
        (tmp_path / str(pid) / "comm").write_text(name + "\n")

    assert server_pids("postgres", tmp_path) == [30]
    assert server_pids("redis-server", tmp_path) == [40]
    assert server_pids("nginx", tmp_path) == []


def _spend(seconds: float) -> str:
    """A program that spends ``seconds`` of CPU time by its own clock."""
    return f"import time\ns = time.process_time()\nwhile time.process_time() - s < {seconds}: pass"


BUSY_THEN_IDLE = f"""
{_spend(0.3)}
print("spent", flush=True)
time.sleep(30)
"""


BUSY_CHILD_THEN_IDLE = f"""
import subprocess, sys, time
subprocess.run([sys.executable, "-c", {_spend(0.5)!r}], check=True)
print("ended", flush=True)
time.sleep(30)
"""


@contextmanager
def _running_after(program: str, line: str):
    """``program`` started, once it has printed ``line``: however long a busy machine makes
    that; killed after."""
    process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == line
        yield process
    finally:
        process.kill()
        process.wait()


def test_cpu_seconds_counts_a_child_that_has_ended():
    """As a PostgreSQL backend whose connection closed: gone, and its CPU time still counted."""
    with _running_after(BUSY_CHILD_THEN_IDLE, "ended") as parent:
        assert cpu_seconds(parent.pid) >= 0.4  # Linux counts in ticks: less than it spent


def test_cpu_seconds_sees_a_busy_child():
    with _running_after(BUSY_THEN_IDLE, "spent") as child:
        assert cpu_seconds(child.pid) >= 0.25  # Linux counts in ticks: less than it spent
        assert cpu_seconds(os.getpid()) >= cpu_seconds(child.pid)  # the child is in our tree


@pytest.mark.parametrize("replicas", [1, 3])
def test_the_cluster_bench_gets_as_many_of_each_process_as_asked_each_on_its_own_port(replicas):
    ports = free_ports(replicas)

    kinds = (ports.gateways, ports.rasa_servers, ports.action_servers, ports.consoles)
    assert [len(kind) for kind in kinds] == [replicas] * 4
    assert len(set(ports.all())) == len(ports.all()) == 6 + 6 * replicas


def test_the_side_by_side_bench_reports_each_rounds_extra_and_the_median():
    def row(topology: str, round_: int, employees: int, total: float) -> dict:
        cpu = {"deskbot_total": total}
        return {
            "topology": topology,
            "round": round_,
            "employees": employees,
            "cpu_ms_per_turn": cpu,
        }

    results = [
        row("run", 1, 10, 50.0), row("cluster", 1, 10, 60.0),
        row("cluster", 2, 10, 66.0), row("run", 2, 10, 55.0),
        row("run", 3, 10, 40.0), row("cluster", 3, 10, 60.0),
    ]  # fmt: skip

    assert turns._ratios(results) == (
        "N= 10: cluster's extra CPU per turn by round +20%, +20%, +50%; median +20%"
    )
