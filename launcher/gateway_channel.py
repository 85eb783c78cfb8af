"""Rasa's REST channel, for deskbot's gateway only: a caller must present the gateway's secret.

Rasa's own ``rest`` channel answers any local caller, who could then write as any employee
("tg:<id>"). This one refuses a request without the secret in ``X-Deskbot-Token`` (403), and
refuses to start without a secret at all (DESKBOT_RASA_TOKEN).
"""

import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from launcher.shared_secret import HEADER, matches


class GatewayInput(RestInput):
    """``/webhooks/gateway/webhook``: Rasa's REST channel behind a shared secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "GatewayInput":
        secret = os.environ.get("DESKBOT_RASA_TOKEN")
        if not secret:
            raise ValueError(
                "DESKBOT_RASA_TOKEN is not set: the gateway channel will not run open"
            )
        return cls(secret)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_secret(request: Request) -> response.HTTPResponse | None:
            if matches(request.headers.get(HEADER, ""), self._secret):
                return None
            return response.json({"error": "the gateway's secret is missing or wrong"}, 403)

        return webhook
