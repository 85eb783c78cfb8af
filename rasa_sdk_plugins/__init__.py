"""deskbot's extensions of rasa_sdk's action server: only Rasa, presenting the shared secret,
may run an action or list them; ``/health`` and Prometheus' ``/metrics`` are open.

rasa_sdk imports a package of this name in every worker and lets it extend the Sanic app
(``rasa_sdk.plugin``). Without DESKBOT_ACTION_TOKEN the action server does not start.
"""

import os

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST
from sanic import Sanic, response
from sanic.request import Request

from launcher.shared_secret import HEADER, matches
from ops.metrics import exposition

OPEN_PATHS = frozenset({"/health", "/metrics"})
hookimpl = pluggy.HookimplMarker("rasa_sdk")


class ActionServerGuard:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        secret = os.environ.get("DESKBOT_ACTION_TOKEN", "")
        if not secret:
            raise RuntimeError(
                "DESKBOT_ACTION_TOKEN is not set: the action server will not run open"
            )

        @app.get("/metrics")
        async def metrics(_request: Request) -> response.HTTPResponse:
            return response.raw(exposition(), content_type=CONTENT_TYPE_LATEST)

        @app.on_request
        async def require_secret(request: Request) -> response.HTTPResponse | None:
            if request.path in OPEN_PATHS or matches(request.headers.get(HEADER, ""), secret):
                return None
            return response.json({"error": "Rasa's secret is missing or wrong"}, status=403)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(ActionServerGuard())
