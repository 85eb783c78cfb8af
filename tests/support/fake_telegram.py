"""A Bot-API-compatible server on loopback, so the real aiogram client can be tested offline.

It implements the methods deskbot uses (getMe, getUpdates, sendMessage, editMessageReplyMarkup,
answerCallbackQuery, sendChatAction, getChatMember, setWebhook, deleteWebhook) and enforces the
limits the real server enforces on them, so a reply Telegram would refuse fails here too. Groups
are chats with negative ids; ``members`` says who belongs to which.

In webhook mode (after setWebhook) ``deliver`` posts an update to the webhook as Telegram does,
with the secret header, and posts it again after a call that failed, was refused or timed out,
until it is accepted.
"""

import asyncio
import html
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
}
# Update and message ids are unique across every server of a test session, as a real bot's are.
_UPDATE_IDS = itertools.count(1001)
_MESSAGE_IDS = itertools.count(1)
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "deskbot",
    "username": "deskbot_test_bot",
}


class BotApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class FloodWait(BotApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    # Accepted after its caller had gone (killed while waiting): done, as Telegram would have
    # done it, but the caller never learned so.
    caller_gone: bool = False
    received_at: float = field(default_factory=time.time)  # when the call came in
    caller_port: int | None = None  # the caller's end of the connection: one per connection
    answered_at: float | None = None  # when the Bot API answered (None: refused)


@dataclass(frozen=True)
class WebhookPost:
    """One call the Bot API made to the webhook: which update, when, and how it ended."""

    update_id: int
    started_at: float
    ended_at: float
    outcome: str  # "200", another status, or the error that ended it


@dataclass
class FakeTelegram:
    token: str = "123456789:AAHloopbackTestToken_0123456789"
    calls: list[Call] = field(default_factory=list)  # accepted calls, in order
    refused: list[Call] = field(default_factory=list)  # calls the real server would refuse too
    flood_waits: list[int] = field(default_factory=list)  # next sendMessage calls answer 429
    blocked_by: set[int] = field(default_factory=set)  # users who blocked the bot (403)
    members: dict[int, set[int]] = field(default_factory=dict)  # group chat id -> user ids
    listeners: list[Callable[[Call], None]] = field(default_factory=list)  # told of each call
    most_polls_at_once: int = 0  # getUpdates calls in progress at the same time, at most
    webhook: tuple[str, str] | None = None  # the URL and secret setWebhook registered
    redeliveries: int = 0  # webhook calls made again after a failed one
    webhook_posts: list[WebhookPost] = field(default_factory=list)
    send_delay_s: float = 0.0  # each sendMessage takes this long to answer
    _updates: list[dict] = field(default_factory=list)
    _polls_now: int = 0
    _posting: set = field(default_factory=set)  # webhook calls under way
    _runner: web.AppRunner | None = None
    _webhook_http: aiohttp.ClientSession | None = None  # kept between calls, as Telegram does
    base_url: str = ""

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._webhook_http:
            await self._webhook_http.close()
        if self._runner:
            await self._runner.cleanup()

    # -- what the tests do -------------------------------------------------------------------
    async def push(self, update: dict) -> dict:
        """Queue an update exactly as given (a repeated one simulates a duplicated delivery);
        in webhook mode, post it to the webhook without waiting for the call to end."""
        if self.webhook is not None:
            posting = asyncio.create_task(self.deliver(update))
            self._posting.add(posting)
            posting.add_done_callback(self._posting.discard)
            return update
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def new_update(self, **content: Any) -> dict:
        return {"update_id": next(_UPDATE_IDS), **content}

    def message(self, user_id: int, language: str = "en", **content: Any) -> dict:
        return self.new_update(
            message={
                "message_id": next(_MESSAGE_IDS),
                "date": int(time.time()),
                "chat": _chat(user_id),
                "from": _person(user_id, language),
                **content,
            }
        )

    def callback(
        self,
        user_id: int,
        data: str,
        message_id: int,
        language: str = "en",
        chat_id: int | None = None,
    ) -> dict:
        chat = chat_id if chat_id is not None else user_id
        return self.new_update(
            callback_query={
                "id": f"cb{next(_MESSAGE_IDS)}",
                "chat_instance": "ci",
                "data": data,
                "from": _person(user_id, language, "Agent" if chat < 0 else "Employee"),
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": _chat(chat),
                    "text": "…",
                },
            }
        )

    def group_message(
        self, chat_id: int, user_id: int, text: str, reply_to: "Call | None" = None
    ) -> dict:
        """A message in a group, optionally a reply to one the bot sent there."""
        message = {
            "message_id": next(_MESSAGE_IDS),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": _person(user_id, "en", "Agent"),
            "text": text,
        }
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to.result["message_id"],
                "date": reply_to.result["date"],
                "chat": _chat(chat_id),
                "from": BOT_USER,
                "text": reply_to.result["text"],
            }
        return self.new_update(message=message)

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    async def wait_for_calls(
        self, method: str, count: int, chat_id: int | None = None, timeout: float = 30
    ) -> list[Call]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls_of(method, chat_id)) >= count),
                timeout,
            )
        return self.calls_of(method, chat_id)

    async def settle(
        self, method: str, chat_id: int, start: int, quiet: float = 0.6, timeout: float = 30
    ) -> list[Call]:
        """Wait for at least one new ``method`` call after the first ``start``, then for quiet."""
        await self.wait_for_calls(method, start + 1, chat_id, timeout)
        seen = -1
        while seen != len(self.calls_of(method, chat_id)):
            seen = len(self.calls_of(method, chat_id))
            await asyncio.sleep(quiet)
        return self.calls_of(method, chat_id)[start:]

    # -- the Bot API ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = _decode(dict(await request.post()))
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not implemented here")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call = Call(method, params, caller_port=peer[1] if peer else None)
        try:
            call.result = await handler(params)
        except BotApiError as error:
            call.result = error.description
            self.refused.append(call)
            return _error(error.code, error.description, error.retry_after)
        call.caller_gone = request.transport is None
        if method != "getUpdates":
            async with self._changed:
                self.calls.append(call)
                self._changed.notify_all()
            for listener in self.listeners:
                listener(call)
        call.answered_at = time.time()
        return web.json_response({"ok": True, "result": call.result})

    async def _api_getMe(self, _params: dict) -> dict:
        return BOT_USER

    async def _api_deleteWebhook(self, _params: dict) -> bool:
        return True

    async def _api_setWebhook(self, params: dict) -> bool:
        self.webhook = (params["url"], params.get("secret_token", ""))
        return True

    async def deliver(self, update: dict, timeout_s: float = 10.0) -> None:
        """Post ``update`` to the webhook until it is accepted (200), as Telegram does: over
        connections kept open between calls, at most 40 at once (setWebhook's default
        max_connections)."""
        assert self.webhook is not None, "no webhook registered"
        url, secret = self.webhook
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        if self._webhook_http is None:
            self._webhook_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=40))
        while True:
            started = time.time()
            try:
                async with self._webhook_http.post(
                    url, json=update, headers=headers, timeout=timeout
                ) as response:
                    outcome = str(response.status)
            except (aiohttp.ClientError, TimeoutError) as error:
                outcome = type(error).__name__
            self.webhook_posts.append(
                WebhookPost(update["update_id"], started, time.time(), outcome)
            )
            if outcome == "200":
                return
            self.redeliveries += 1
            await asyncio.sleep(0.5)

    async def _api_getUpdates(self, params: dict) -> list[dict]:
        self._polls_now += 1
        self.most_polls_at_once = max(self.most_polls_at_once, self._polls_now)
        try:
            return await self._updates_from(int(params.get("offset") or 0), params)
        finally:
            self._polls_now -= 1

    async def _updates_from(self, offset: int, params: dict) -> list[dict]:
        timeout = min(float(params.get("timeout") or 0), 2.0)
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._updates)), timeout
                )
            except TimeoutError:
                pass
            return list(self._updates)

    async def _api_sendMessage(self, params: dict) -> dict:
        await asyncio.sleep(self.send_delay_s)
        if self.flood_waits:
            raise FloodWait(self.flood_waits.pop(0))
        if int(params.get("chat_id", 0)) in self.blocked_by:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        text = str(params.get("text") or "")
        plain = _check_html(text) if params.get("parse_mode") == "HTML" else text
        if not plain.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(plain) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        _check_keyboard(params.get("reply_markup"))
        return {
            "message_id": next(_MESSAGE_IDS),
            "date": int(time.time()),
            "chat": _chat(int(params["chat_id"])),
            "text": plain,
            "from": BOT_USER,
        }

    async def _api_editMessageReplyMarkup(self, params: dict) -> bool:
        _check_keyboard(params.get("reply_markup"))
        return True

    async def _api_answerCallbackQuery(self, params: dict) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise BotApiError(400, "Bad Request: text is too long")
        return True

    async def _api_sendChatAction(self, _params: dict) -> bool:
        return True

    async def _api_getChatMember(self, params: dict) -> dict:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        if chat_id >= 0:
            raise BotApiError(400, "Bad Request: chat not found")
        status = "member" if user_id in self.members.get(chat_id, set()) else "left"
        return {"status": status, "user": _person(user_id, "en", "Someone")}


def _person(user_id: int, language: str, first_name: str = "Employee") -> dict:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": language,
    }


def _chat(chat_id: int) -> dict:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": "Service desk agents"}
    return {"id": chat_id, "type": "private"}


def _decode(form: dict) -> dict:
    decoded = {}
    for key, value in form.items():
        value = str(value)
        try:
            decoded[key] = json.loads(value) if value[:1] in "{[" else value
        except json.JSONDecodeError:
            decoded[key] = value
    return decoded


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


class _EntityParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in ALLOWED_TAGS:
            raise BotApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_html(text: str) -> str:
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    return html.unescape("".join(parser.text))


def _check_keyboard(markup: Any) -> None:
    if not markup:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise BotApiError(400, "Bad Request: text buttons are unallowed here")
            if len(button.get("callback_data", "").encode()) > 64:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
