"""Rasa servers of one deployment run one model. Servers that share conversations (the SQL
tracker store, the Redis lock store) would otherwise answer one employee with two different
dialogue policies, turn by turn, as the load balancer picks. Each server announces its model's
fingerprint in Redis while it runs; one started with another model while others run refuses to
start, with a log line that names both.

The record expires ``TTL_S`` after the last server holding it stops: to roll out a new model,
stop the old servers (or wait that long after the last), then start the new ones.
"""

import hashlib
import logging
import os
import threading
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
TTL_S = 30
REFRESH_S = 10
CHUNK = 1 << 20


class ModelMismatch(RuntimeError):
    """Another model runs on the deployment's other Rasa servers."""


def fingerprint(model: Path) -> str:
    digest = hashlib.sha256()
    with model.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:16]


class ModelAgreement:
    def __init__(self, client: Redis, deployment: str, model: Path) -> None:
        self._client, self._model = client, model
        self._key = f"deskbot:{deployment}:rasa-model"
        self._fingerprint = fingerprint(model)

    def join(self) -> None:
        """Announce this server's model, or refuse when the others run another.

        Raises:
            ModelMismatch: with the log line's text.
        """
        if self._client.set(self._key, self._fingerprint, nx=True, ex=TTL_S):
            return
        running = (self._client.get(self._key) or b"").decode()
        if running and running != self._fingerprint:
            raise ModelMismatch(
                f"refusing to start: model {self._model.name} (fingerprint {self._fingerprint}) "
                f"differs from model {running} that the other Rasa servers of this deployment "
                f"run; give every server the same model, or stop them all first"
            )
        self._client.set(self._key, self._fingerprint, ex=TTL_S)

    def keep_announcing(self) -> threading.Thread:
        """Refresh the record every ``REFRESH_S`` while this process lives."""

        def refresh() -> None:
            while True:
                time.sleep(REFRESH_S)
                try:
                    self._client.set(self._key, self._fingerprint, ex=TTL_S)
                except RedisError as error:
                    log.warning("cannot refresh the model record: %s", error)

        thread = threading.Thread(target=refresh, name="model-agreement", daemon=True)
        thread.start()
        return thread


def check_from_environment(argv: list[str]) -> None:
    """With a Redis lock store (DESKBOT_REDIS_HOST, the scale-out topology) and a --model
    file: join the agreement, refusing to start on a mismatch. Otherwise nothing to agree on."""
    host, model = os.environ.get("DESKBOT_REDIS_HOST"), _model_argument(argv)
    if not host or model is None or not model.is_file():
        return
    client = Redis(
        host=host,
        port=int(os.environ.get("DESKBOT_REDIS_PORT") or 6379),
        db=int(os.environ.get("DESKBOT_REDIS_DB") or 0),
        socket_timeout=5,
    )
    deployment = os.environ.get("DESKBOT_TRACKER_DB_NAME") or "deskbot"
    agreement = ModelAgreement(client, deployment, model)
    try:
        agreement.join()
    except RedisError as error:
        log.warning("cannot check the model against the other Rasa servers: %s", error)
        return
    agreement.keep_announcing()


def _model_argument(argv: list[str]) -> Path | None:
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag in ("--model", "-m"):
            return Path(value)
    return None
