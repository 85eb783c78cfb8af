"""Build the aiogram Bot and Dispatcher; run them by long polling or behind a webhook."""

import inspect
import logging
from functools import cache

from aiogram import Bot, Dispatcher, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response, TelegramMethod
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.agents import AgentDesk
from bot.conversation import Conversation
from bot.settings import TelegramSettings
from bot.telegram.handlers import agents, build_router
from bot.telegram.webhook import CheckedRequestHandler

log = logging.getLogger(__name__)


@cache
def response_models() -> tuple[type, ...]:
    """aiogram's ``Response[...]`` model for every Bot API method, kept alive.

    aiogram builds ``Response[<method's result>]`` for each reply it reads; pydantic caches
    such models only weakly, so between garbage collections every call built its model anew
    (13 % of the gateway's time under load, docs/BENCHMARKS.md).
    """
    returning = {
        cls.__returning__
        for cls in vars(methods).values()
        if inspect.isclass(cls) and issubclass(cls, TelegramMethod) and cls is not TelegramMethod
    }
    return tuple(Response[result] for result in returning)


def create_bot(settings: TelegramSettings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    response_models()
    session = None
    if settings.api_base_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_base_url))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode="HTML"),
    )


def create_dispatcher(
    conversation: Conversation,
    agent_desk: AgentDesk | None = None,
    agents_chat_id: int | None = None,
) -> Dispatcher:
    """Employees in private chats; agents in their group, when one is configured."""
    dispatcher = Dispatcher(conversation=conversation, agent_desk=agent_desk)
    if agent_desk is not None and agents_chat_id is not None:
        dispatcher.include_router(agents.build(agents_chat_id))
    dispatcher.include_router(build_router())
    return dispatcher


async def run_polling(bot: Bot, dispatcher: Dispatcher) -> None:
    log.info("Telegram: long polling")
    await dispatcher.start_polling(bot, handle_signals=False, close_bot_session=True)


def create_webhook_app(
    bot: Bot, dispatcher: Dispatcher, settings: TelegramSettings
) -> web.Application:
    """An aiohttp app that accepts updates only with the secret-token header Telegram sends."""
    if settings.webhook_secret is None:
        raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_SECRET")
    app = web.Application()
    # An update is acknowledged once it is handled, not as soon as it arrives: if this replica
    # dies in between, Telegram posts it again (to another replica) instead of it being lost.
    CheckedRequestHandler(
        dispatcher=dispatcher,
        bot=bot,
        secret_token=settings.webhook_secret.get_secret_value(),
        handle_in_background=False,
    ).register(app, path=settings.webhook_path)
    setup_application(app, dispatcher, bot=bot)
    return app


async def register_webhook(bot: Bot, settings: TelegramSettings) -> None:
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
    await bot.set_webhook(
        settings.webhook_url, secret_token=settings.webhook_secret.get_secret_value()
    )
