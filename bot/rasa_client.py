"""Rasa's REST channel as seen from the gateway."""

import logging
from typing import Any

import aiohttp

from launcher.shared_secret import HEADER

log = logging.getLogger(__name__)


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
        try:
            request = self._client().post(self._url, json=body, headers=self._headers)
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
