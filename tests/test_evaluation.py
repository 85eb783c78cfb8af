"""The retrieval benchmark's code on tiny data: metrics by hand, and the command end to end."""

import json
import subprocess
import sys
from pathlib import Path

from kb_index.evaluation import Query, dataset_articles, scores

ROOT = Path(__file__).resolve().parent.parent


def test_recall_and_mrr_by_hand():
    queries = [Query("a", frozenset({"x"}), "en"), Query("b", frozenset({"y"}), "en")]
    queries.append(Query("c", frozenset({"z", "w"}), "en"))
    rankings = [["x", "y"], ["x", "q", "y"], ["q", "r", "s", "t", "u", "v", "z"]]
    assert scores(rankings, queries) == {
        "recall@1": round(1 / 3, 4),
        "recall@3": round(2 / 3, 4),
        "recall@5": round(2 / 3, 4),
        "mrr@10": round((1 + 1 / 3 + 1 / 7) / 3, 4),
    }


def test_a_relevant_article_beyond_ten_counts_nothing():
    ranking = [[f"a{n}" for n in range(10)] + ["x"]]
    assert scores(ranking, [Query("q", frozenset({"x"}), "en")])["mrr@10"] == 0.0


def test_the_command_on_a_tiny_dataset(tmp_path):
    articles = [
        {
            "id": "vpn",
            "title": "VPN does not connect",
            "body": "Restart the VPN client.",
            "lang": "en",
        },
        {
            "id": "print",
            "title": "Printer does not print",
            "body": "Clear the print queue.",
            "lang": "en",
        },
        {
            "id": "mail",
            "title": "Outlook asks for a password",
            "body": "Sign in again.",
            "lang": "en",
        },
    ]
    queries = [
        {"query": "my vpn will not connect", "relevant": ["vpn"], "lang": "en"},
        {"query": "the printer prints nothing", "relevant": ["print"], "lang": "en"},
    ]
    for name, rows in (("articles.jsonl", articles), ("queries.jsonl", queries)):
        (tmp_path / name).write_text("\n".join(json.dumps(r) for r in rows) + "\n")

    run = subprocess.run(
        [sys.executable, "-m", "kb_index", "eval", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )

    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(result) == {
        "recall@1",
        "recall@3",
        "recall@5",
        "mrr@10",
        "queries",
        "p50_ms",
        "p95_ms",
        "vector_p50_ms",
        "vector_p95_ms",
        "build_s",
    }
    assert (result["queries"], result["recall@1"], result["mrr@10"]) == (2, 1.0, 1.0)
    assert result["p95_ms"] >= result["p50_ms"] > 0
    assert result["vector_p95_ms"] >= result["vector_p50_ms"] > 0


def test_the_command_explains_a_folder_without_the_files(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "kb_index", "eval", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 2 and "needs queries.jsonl" in run.stderr


def test_a_dataset_without_articles_is_asked_of_the_markdown_kb(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "ru-vpn.md").write_text(
        "---\nid: ru-vpn\ntitle: Подключение к VPN\ncategory: Network\nlanguage: ru\n---\n"
        "Откройте GlobalProtect.\n",
        encoding="utf-8",
    )
    (kb / "ru-print.md").write_text(
        "---\nid: ru-print\ntitle: Принтер не печатает\ncategory: Printing\nlanguage: ru\n"
        "---\nОчистите очередь печати.\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir()
    query = {"query": "впн не подключаеца", "relevant": ["ru-vpn"], "lang": "ru"}
    (data / "queries.jsonl").write_text(json.dumps(query, ensure_ascii=False) + "\n")

    articles = dataset_articles(data, kb)
    assert [a.id for a in articles] == ["ru-print", "ru-vpn"]
    run = subprocess.run(
        [sys.executable, "-m", "kb_index", "eval", str(data), "--kb", str(kb)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["queries"] == 1 and result["recall@1"] == 1.0
