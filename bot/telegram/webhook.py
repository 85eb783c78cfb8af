"""aiogram's webhook handler, with what it leaves to chance answered before an update is
queued: the secret compared as bytes (a non-ASCII header is refused, not a crash), and a body
that is not a Telegram update refused with 400 (aiogram would answer 500, or accept it and
fail later in the background)."""

from aiogram import Bot
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from launcher.shared_secret import matches

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class CheckedRequestHandler(SimpleRequestHandler):
    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        return matches(telegram_secret_token, self.secret_token or "")

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            raw = await request.json(loads=bot.session.json_loads)
            Update.model_validate(raw, context={"bot": bot})
        except (ValueError, RecursionError):  # not JSON, not UTF-8, not an update
            return web.json_response({"error": "not a Telegram update"}, status=400)
        return await super().handle(request)
