"""Rasa's REST channel as seen from the gateway."""

import hashlib
import logging
from typing import Any

import aiohttp

from launcher.shared_secret import HEADER

log = logging.getLogger(__name__)
# Names the conversation (a digest of its sender id) so that a load balancer in front of several
# Rasa servers sends each conversation to the same one while it lives: that server remembers
# the conversation (dialogue/sql_tracker_store.py) and reads nothing it stored itself again.
CONVERSATION_HEADER = "X-Deskbot-Conversation"


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) could not answer."""


class RasaClient:
    """Posts one message to deskbot's channel in Rasa and returns Rasa's replies, presenting the
    gateway's secret (``launcher/gateway_channel.py``)."""

    def __init__(self, base_url: str, timeout_s: float, token: str | None) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/gateway/webhook"
        self._headers = {HEADER: token} if token else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def send(
        self, sender_id: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Rasa's replies to ``message``.

        Raises:
            RasaUnavailable: on a connection error, a time-out, an error status, or no reply at
                all (every deskbot turn answers, so silence means an action failed).
        """
        body = {"sender": sender_id, "message": message, "metadata": metadata}
        headers = self._headers | {CONVERSATION_HEADER: conversation_key(sender_id)}
        try:
            request = self._client().post(self._url, json=body, headers=headers)
            async with request as response:
                response.raise_for_status()
                replies = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("Rasa did not answer: %s", type(error).__name__)
            raise RasaUnavailable from error
        if not isinstance(replies, list) or not replies:
            log.warning("Rasa answered with no reply; an action probably failed")
            raise RasaUnavailable
        return replies

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def conversation_key(sender_id: str) -> str:
    """The ``CONVERSATION_HEADER`` of ``sender_id``: the same for every message of it, and
    neither its identity nor anything a header could not carry."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:16]
