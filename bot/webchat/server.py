"""The web chat adapter: one page and two JSON endpoints.

A chat session is the page's random id; it ends after a time without messages and after an
absolute lifetime (the page then starts a new one). Messages from deskbot (agent replies,
rating requests) are collected by polling and marked sent only when the page acknowledges
them on its next poll, so a response lost on the way is served again.
"""

import asyncio
import json
import logging
import re
from datetime import timedelta
from pathlib import Path

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from bot.conversation import COMMAND_INTENTS, Conversation, Incoming, Outcome
from bot.messages import Reply
from bot.proactive import as_reply
from bot.settings import GatewaySettings
from bot.webchat.guard import SameSite, SharedSlidingWindow, SlidingWindow
from servicedesk import outbox, users
from servicedesk.db import Database
from servicedesk.db.models import as_utc, utcnow
from servicedesk.identity import SenderId

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024
_SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")  # the whole id (fullmatch: no trailing newline)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_SESSION_ERROR = "session must be 8-64 letters, digits, - or _"
CONVERSATION_KEY = web.AppKey("conversation", Conversation)
DATABASE_KEY = web.AppKey("database", Database)
SETTINGS_KEY = web.AppKey("settings", GatewaySettings)
SAME_SITE_KEY = web.AppKey("same_site", SameSite)
PER_SESSION_KEY = web.AppKey("per_session", SlidingWindow)
PER_ADDRESS_KEY = web.AppKey("per_address", SlidingWindow)
ADDRESS_SHARE = 5  # one client address may send as much as five busy sessions
DATABASE_RETRY_S = 5  # a message refused while the database is down is sent again after this


class BadRequest(ValueError):
    """The posted JSON is not a chat message."""


def create_app(
    conversation: Conversation,
    database: Database,
    settings: GatewaySettings,
    redis: Redis | None = None,
) -> web.Application:
    """The web chat; its rate limits are kept in ``redis`` when given (shared by replicas)."""
    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[_same_site_only, _database_down]
    )
    app[CONVERSATION_KEY], app[DATABASE_KEY], app[SETTINGS_KEY] = conversation, database, settings
    app[SAME_SITE_KEY] = SameSite(
        settings.webchat_host, settings.webchat_port, settings.webchat_origins
    )
    per_minute = settings.webchat_messages_per_minute
    app[PER_SESSION_KEY] = _window(redis, "session", per_minute)
    app[PER_ADDRESS_KEY] = _window(redis, "address", per_minute * ADDRESS_SHARE)
    app.router.add_get("/", _page)
    app.router.add_post("/api/messages", _post_message)
    app.router.add_get("/api/outbox", _collect_outbox)
    return app


@web.middleware
async def _database_down(request: web.Request, handler) -> web.StreamResponse:
    """503 with a clear word while the database cannot be reached: nothing was recorded, and
    the page sends the message again under the same id."""
    try:
        return await handler(request)
    except (OperationalError, InterfaceError) as error:
        log.warning("web chat: the database is unreachable (%s)", type(error).__name__)
        body = {"error": "deskbot is briefly unavailable; your message will be sent again",
                "retry_after": DATABASE_RETRY_S}  # fmt: skip
        return web.json_response(body, status=503, headers={"Retry-After": str(DATABASE_RETRY_S)})


@web.middleware
async def _same_site_only(request: web.Request, handler) -> web.StreamResponse:
    refusal = request.app[SAME_SITE_KEY].refusal(request)
    if refusal is not None:
        log.warning("web chat request refused: %s", refusal)
        return web.json_response({"error": "requests from other sites are refused"}, status=403)
    return await handler(request)


async def _page(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _post_message(request: web.Request) -> web.Response:
    try:
        incoming = _incoming(await request.read())
    except BadRequest as error:
        return web.json_response({"error": str(error)}, status=400)
    refused = await _over_the_limit(request, incoming.sender_id) or await _expired(
        request, incoming.sender_id
    )
    if refused is not None:
        return refused
    result = await request.app[CONVERSATION_KEY].handle(incoming)
    if result.outcome is Outcome.REJECTED:
        return web.json_response({"error": "this button is no longer active"}, status=409)
    return web.json_response({"replies": [_reply_json(r) for r in result.replies]})


async def _collect_outbox(request: web.Request) -> web.Response:
    """What deskbot has to say to this chat on its own (agent replies, rating requests).

    ``received`` is the highest message id the page has shown: those are marked sent now.
    """
    session_id, received = request.query.get("session", ""), request.query.get("received", "0")
    if not _SESSION.fullmatch(session_id):
        return web.json_response({"error": _SESSION_ERROR}, status=400)
    if not received.isascii() or not received.isdecimal() or len(received) > 18:
        return web.json_response({"error": "received must be a message number"}, status=400)
    database, settings = request.app[DATABASE_KEY], request.app[SETTINGS_KEY]
    pending = await asyncio.to_thread(_collect, database, settings, session_id, int(received))
    if pending is None:
        return _session_ended_response()
    return web.json_response(
        {"replies": [_reply_json(reply) | {"id": number} for number, reply in pending]}
    )


def _collect(
    database: Database, settings: GatewaySettings, session_id: str, received: int
) -> list[tuple[int, Reply]] | None:
    """The pending messages, in the same transaction as the session's check (None: ended)."""
    sender_id = f"web:{session_id}"
    with database.unit_of_work() as session:
        if _session_ended(session, settings, sender_id):
            return None
        return [
            (message.id, as_reply(session, sender_id, message.payload))
            for message in outbox.collect(session, "web", session_id, received)
        ]


def _window(redis: Redis | None, name: str, per_minute: int) -> SlidingWindow:
    return SharedSlidingWindow(redis, name, per_minute) if redis else SlidingWindow(per_minute)


async def _over_the_limit(request: web.Request, sender_id: str) -> web.Response | None:
    address = request.remote or "unknown"
    wait_s = await request.app[PER_SESSION_KEY].take(sender_id) or await request.app[
        PER_ADDRESS_KEY
    ].take(address)
    if not wait_s:
        return None
    seconds = max(1, round(wait_s))
    error = {"error": f"too many messages; please wait {seconds} s", "retry_after": seconds}
    return web.json_response(error, status=429, headers={"Retry-After": str(seconds)})


async def _expired(request: web.Request, sender_id: str) -> web.Response | None:
    """401 when the chat session has ended."""
    settings, database = request.app[SETTINGS_KEY], request.app[DATABASE_KEY]

    def ended() -> bool:
        with database.unit_of_work() as session:
            return _session_ended(session, settings, sender_id)

    return _session_ended_response() if await asyncio.to_thread(ended) else None


def _session_ended_response() -> web.Response:
    error = {"error": "this chat session has ended; a new one starts", "session_ended": True}
    return web.json_response(error, status=401)


def _session_ended(session: Session, settings: GatewaySettings, sender_id: str) -> bool:
    """Whether the session went too long without a message, or is older than its lifetime."""
    person = users.find(session, SenderId.parse(sender_id))
    if person is None:
        return False
    idle = utcnow() - as_utc(person.last_seen_at)
    age = utcnow() - as_utc(person.created_at)
    return idle > timedelta(hours=settings.webchat_session_idle_hours) or age > timedelta(
        days=settings.webchat_session_max_days
    )


def _incoming(body: bytes) -> Incoming:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadRequest("body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    if not _is_unicode(data):
        raise BadRequest("body must be valid Unicode (no lone surrogates)")
    session, message_id = data.get("session"), data.get("id")
    text, button, command = data.get("text", ""), data.get("button"), data.get("command")
    if not isinstance(session, str) or not _SESSION.fullmatch(session):
        raise BadRequest(_SESSION_ERROR)
    if not isinstance(message_id, str) or not 0 < len(message_id) <= 64:
        raise BadRequest("id must be a string of 1-64 characters")
    if not isinstance(text, str) or (button is not None and not isinstance(button, str)):
        raise BadRequest("text and button must be strings")
    if command is not None and (not isinstance(command, str) or command not in COMMAND_INTENTS):
        raise BadRequest(f"command must be one of {sorted(COMMAND_INTENTS)}")
    return Incoming(
        channel="web",
        sender_id=f"web:{session}",
        delivery_key=f"{session}:{message_id}",
        text=text,
        button_token=button,
        command=command,
        language_hint=_language_tag(data.get("language")),
    )


def _is_unicode(data: dict) -> bool:
    """Whether every string of the (flat) message encodes as UTF-8."""
    strings = [v for v in data.values() if isinstance(v, str)]
    try:
        "".join(strings).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _language_tag(value: object) -> str | None:
    """The browser's language tag ("ru-RU"), or None for anything else."""
    return value if isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value) else None


def _reply_json(reply: Reply) -> dict:
    return {
        "text": reply.text,
        "buttons": [{"title": b.title, "token": b.token} for b in reply.buttons],
    }
