"""The console application: sessions, security headers, error pages, and the routers."""

import asyncio
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.middleware.sessions import SessionMiddleware

from console import (
    article_routes,
    auth_routes,
    contest_routes,
    dashboard_routes,
    gap_routes,
    publishing,
    ticket_routes,
)
from console.pages import page
from console.security import BadCsrfToken, Forbidden, NotSignedIn, Staff, session_token
from console.settings import ConsoleSettings
from console.throttle import LoginThrottle, SharedLoginThrottle
from kb_index.settings import SearchSettings
from ops.metrics import exposition
from ops.shared_limits import RedisSettings
from servicedesk import console_sessions, kb_articles
from servicedesk.db import Database

MAX_REQUEST_BYTES = 1024 * 1024
SECURITY_HEADERS = {
    # Every asset is served from here: no CDN, no inline script.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(database: Database, settings: ConsoleSettings) -> FastAPI:
    """The console; the articles in data/kb are imported into an empty knowledge base."""
    publishing.import_seed(database, SearchSettings())
    app = FastAPI(title="deskbot console", docs_url=None, redoc_url=None, openapi_url=None)
    redis = RedisSettings().client()
    app.state.database = database
    app.state.throttle = SharedLoginThrottle(redis) if redis else LoginThrottle()
    app.state.session_lifetime = timedelta(hours=settings.session_hours)
    # Both inside the session middleware: the cookie's session is read before them.
    app.middleware("http")(_limit_size)
    app.middleware("http")(_signed_in_staff)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie="deskbot_console",
        max_age=settings.session_hours * 3600,
        same_site="strict",
        https_only=settings.secure_cookies,
    )
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), "static")
    app.include_router(auth_routes.router)
    app.include_router(ticket_routes.router)
    app.include_router(dashboard_routes.router)
    app.include_router(article_routes.router)
    app.include_router(gap_routes.router)
    app.include_router(contest_routes.router)
    app.add_api_route("/healthz", _health, methods=["GET"])
    app.add_api_route("/metrics", _metrics, methods=["GET"])
    app.add_exception_handler(NotSignedIn, _to_login)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(BadCsrfToken, _bad_csrf)
    app.add_exception_handler(RequestValidationError, _not_valid)
    return app


async def _security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    return response


async def _signed_in_staff(request: Request, call_next):
    """Who holds the request's live server-side session (request.state.staff), looked up once;
    a cookie whose session ended (sign-out, deactivation, a new role, its lifetime) is cleared."""
    request.state.staff = None
    token = session_token(request)
    if token is not None and not request.url.path.startswith("/static/"):
        lifetime, database = request.app.state.session_lifetime, request.app.state.database
        request.state.staff = await asyncio.to_thread(_holder, database, token, lifetime)
        if request.state.staff is None:
            request.session.clear()
    return await call_next(request)


def _holder(database: Database, token: object, lifetime: timedelta) -> Staff | None:
    with database.unit_of_work() as session:
        account = console_sessions.holder(session, token, lifetime)
        return Staff(account.id, account.username, account.role) if account else None


async def _limit_size(request: Request, call_next):
    """Refuse an oversized form before reading it, with words rather than a bare 400."""
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        message = (
            f"This is too large to save ({int(declared):,} bytes). An article body may be at "
            f"most {kb_articles.MAX_BODY_CHARS:,} characters."
        )
        return page(request, "error.html", 413, message=message)
    return await call_next(request)


async def _health(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def _metrics(request: Request) -> Response:
    body = await asyncio.to_thread(exposition, request.app.state.database)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


async def _to_login(_request: Request, _error: Exception) -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _forbidden(request: Request, _error: Exception):
    return page(request, "error.html", 403, message="Your role does not open this page.")


async def _not_valid(request: Request, error: Exception):
    """A path that names no row ("/tickets/1e20"), or a form missing a field."""
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    if any(e.get("loc", ("",))[0] == "path" for e in errors):
        return page(request, "error.html", 404, message="There is no such page.")
    return page(request, "error.html", 400, message="The form was incomplete. Try again.")


async def _bad_csrf(request: Request, _error: Exception):
    message = "This form expired or did not come from the console. Reload the page and try again."
    return page(request, "error.html", 403, message=message)
