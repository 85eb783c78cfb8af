"""The web chat adapter: one page and one JSON endpoint on loopback."""

import asyncio
import json
import logging
import re
from pathlib import Path

from aiohttp import web

from bot.conversation import COMMAND_INTENTS, Conversation, Incoming, Outcome
from bot.messages import Reply
from bot.proactive import as_reply
from servicedesk import outbox
from servicedesk.db import Database

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024
_SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")  # the whole id (fullmatch: no trailing newline)
CONVERSATION_KEY = web.AppKey("conversation", Conversation)
DATABASE_KEY = web.AppKey("database", Database)


class BadRequest(ValueError):
    """The posted JSON is not a chat message."""


def create_app(conversation: Conversation, database: Database) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[CONVERSATION_KEY] = conversation
    app[DATABASE_KEY] = database
    app.router.add_get("/", _page)
    app.router.add_post("/api/messages", _post_message)
    app.router.add_get("/api/outbox", _collect_outbox)
    return app


async def _page(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _post_message(request: web.Request) -> web.Response:
    try:
        incoming = _incoming(await request.read())
    except BadRequest as error:
        return web.json_response({"error": str(error)}, status=400)
    result = await request.app[CONVERSATION_KEY].handle(incoming)
    if result.outcome is Outcome.REJECTED:
        return web.json_response({"error": "this button is no longer active"}, status=409)
    return web.json_response({"replies": [_reply_json(r) for r in result.replies]})


async def _collect_outbox(request: web.Request) -> web.Response:
    """What deskbot has to say to this chat on its own (agent replies, rating requests)."""
    session_id = request.query.get("session", "")
    if not _SESSION.fullmatch(session_id):
        error = {"error": "session must be 8-64 letters, digits, - or _"}
        return web.json_response(error, status=400)
    database = request.app[DATABASE_KEY]
    replies = await asyncio.to_thread(_take_outbox, database, session_id)
    return web.json_response({"replies": [_reply_json(r) for r in replies]})


def _take_outbox(database: Database, session_id: str) -> list[Reply]:
    with database.unit_of_work() as session:
        return [
            as_reply(session, f"web:{session_id}", message.payload)
            for message in outbox.take_for(session, "web", session_id)
        ]


def _incoming(body: bytes) -> Incoming:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    session, message_id = data.get("session"), data.get("id")
    text, button, command = data.get("text", ""), data.get("button"), data.get("command")
    if not isinstance(session, str) or not _SESSION.fullmatch(session):
        raise BadRequest("session must be 8-64 letters, digits, - or _")
    if not isinstance(message_id, str) or not 0 < len(message_id) <= 64:
        raise BadRequest("id must be a string of 1-64 characters")
    if not isinstance(text, str) or (button is not None and not isinstance(button, str)):
        raise BadRequest("text and button must be strings")
    if command is not None and command not in COMMAND_INTENTS:
        raise BadRequest(f"command must be one of {sorted(COMMAND_INTENTS)}")
    return Incoming(
        channel="web",
        sender_id=f"web:{session}",
        delivery_key=f"{session}:{message_id}",
        text=text,
        button_token=button,
        command=command,
        language_hint=data.get("language") if isinstance(data.get("language"), str) else None,
    )


def _reply_json(reply: Reply) -> dict:
    return {
        "text": reply.text,
        "buttons": [{"title": b.title, "token": b.token} for b in reply.buttons],
    }
