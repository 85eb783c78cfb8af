"""A Redis server of the test's own on a free loopback port, which the test may stop and start
again (the shared one on 6379 is left alone). Nothing is kept on disk."""

import shutil
import subprocess
import time

from redis import Redis
from redis.exceptions import RedisError

from tests.support.stack import free_port


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: make test installs it (scripts/ensure-redis.sh)"
        self._process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def _answers(self) -> bool:
        try:
            with Redis(port=self.port, socket_connect_timeout=0.2) as client:
                return bool(client.ping())
        except RedisError:
            return False
