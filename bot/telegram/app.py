"""Build the aiogram Bot and Dispatcher; run them by long polling or behind a webhook."""

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.agents import AgentDesk
from bot.conversation import Conversation
from bot.settings import TelegramSettings
from bot.telegram.handlers import agents, build_router

log = logging.getLogger(__name__)


def create_bot(settings: TelegramSettings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
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
    SimpleRequestHandler(
        dispatcher=dispatcher, bot=bot, secret_token=settings.webhook_secret.get_secret_value()
    ).register(app, path=settings.webhook_path)
    setup_application(app, dispatcher, bot=bot)
    return app


async def register_webhook(bot: Bot, settings: TelegramSettings) -> None:
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
    await bot.set_webhook(
        settings.webhook_url, secret_token=settings.webhook_secret.get_secret_value()
    )
