"""`make cluster` itself, as a newcomer runs it: it prints where each process is, every
replica behind HAProxy is up, the web chat answers through the load balancer, and SIGTERM (the
launcher stops everything the same way on Ctrl+C) stops every process it started. Its own
database on the local PostgreSQL (DESKBOT_DB_URL), dropped afterwards; the fixed ports of
launcher/cluster.py must be free."""

import json
import os
import signal
import subprocess
import threading
import urllib.request
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from launcher.cluster import ClusterPorts, conversations_database
from launcher.haproxy import replica_statistics
from launcher.processes import busy_ports
from launcher.stack import ROOT

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
STARTED = "press Ctrl+C to stop"


@pytest.fixture
def database_url() -> Iterator[str]:
    name = f"deskbot_make_cluster_{uuid.uuid4().hex[:8]}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    yield url
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        for database in (name, conversations_database(url)):
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_make_cluster_starts_answers_and_stops(database_url: str):
    ports = ClusterPorts()
    assert busy_ports(ports.all()) == [], "make cluster's ports must be free for this test"
    cluster = subprocess.Popen(
        ["make", "-s", "cluster"],
        cwd=ROOT,
        env=os.environ | {"DESKBOT_DB_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = Output(cluster)
    try:
        assert output.started.wait(400), output.text()
        printed = output.text()
        assert f"web chat         http://127.0.0.1:{ports.chat}/" in printed, printed
        assert "Rasa             :5005  ->  :5105, :5205" in printed, printed
        assert "action servers   :5055  ->  :5155, :5255" in printed, printed
        assert f"load balancer    http://127.0.0.1:{ports.stats}/stats" in printed, printed
        assert f"data             {database_url}" in printed, printed
        assert _replicas_not_up(ports.stats) == []
        answer = _web_chat(ports.chat, "printer on floor 3 does not print")
        assert answer["replies"] and answer["replies"][0]["text"], answer
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)  # make, and the launcher it started
        ended = output.ended.wait(120)
    assert ended, output.text()
    assert busy_ports(ports.all()) == [], "every process make cluster started is stopped"


class Output:
    """What a process prints, read in a thread: ``started`` once it said it is up, ``ended``
    once it and everything that shares its output have exited."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._lines: list[str] = []
        self.started, self.ended = threading.Event(), threading.Event()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def text(self) -> str:
        return "".join(self._lines)

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._lines.append(line)
            if STARTED in line:
                self.started.set()
        self.ended.set()


def _replicas_not_up(stats_port: int) -> list[str]:
    return [
        f"{row['pxname']}/{row['svname']}: {row['status']}"
        for row in replica_statistics(f"http://127.0.0.1:{stats_port}")
        if not row["status"].startswith("UP")
    ]


def _web_chat(port: int, text: str) -> dict:
    body = json.dumps({"session": uuid.uuid4().hex, "id": "make-cluster-1", "text": text})
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/messages",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())
