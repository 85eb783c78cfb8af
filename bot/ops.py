"""The gateway's health and metrics endpoints, on their own loopback port whether or not the
web chat is on: ``/healthz`` and Prometheus' ``/metrics``."""

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from ops.metrics import exposition
from servicedesk.db import Database

DATABASE_KEY = web.AppKey("database", Database)


def create_app(database: Database) -> web.Application:
    app = web.Application()
    app[DATABASE_KEY] = database
    app.router.add_get("/healthz", _health)
    app.router.add_get("/metrics", _metrics)
    return app


async def _health(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _metrics(request: web.Request) -> web.Response:
    body = await asyncio.to_thread(exposition, request.app[DATABASE_KEY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
