"""The gateway's composition root: settings -> services -> adapters. ``python -m bot``."""

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.agents import AgentDesk
from bot.conversation import Conversation
from bot.leadership import Leadership
from bot.ops import create_app as create_ops
from bot.pruning import PASS_INTERVAL_S, Pruning
from bot.rasa_client import RasaClient
from bot.ratelimit import RateLimiter, SharedRateLimiter
from bot.replay import Replayer
from bot.settings import GatewaySettings, TelegramSettings, XmppSettings
from bot.telegram import app as telegram
from bot.telegram.delivery import TelegramDelivery
from bot.webchat.server import create_app as create_webchat
from bot.xmpp.client import XmppGateway
from bot.xmpp.delivery import XmppDelivery
from ops.logs import configure as configure_logging
from ops.shared_limits import RedisSettings
from servicedesk.db import Database
from servicedesk.notices import desks_from
from servicedesk.settings import AgentSettings, DatabaseSettings, RetentionSettings

log = logging.getLogger("bot")


async def serve(
    app: web.Application, host: str, port: int, log_requests: bool = True
) -> web.AppRunner:
    """``app`` on ``host:port``; without ``log_requests``, no access log line per request."""
    runner = web.AppRunner(app) if log_requests else web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def load_settings() -> tuple[
    GatewaySettings, TelegramSettings, XmppSettings, DatabaseSettings, AgentSettings
]:
    return (
        GatewaySettings(),
        TelegramSettings(),
        XmppSettings(),
        DatabaseSettings(),
        AgentSettings(),
    )


def explain(error: ValidationError) -> str:
    """One line naming each bad setting, without echoing its value."""
    problems = [f"{e['loc'][0]}: {e['msg']}" for e in error.errors(include_input=False)]
    return f"invalid {error.title}: " + "; ".join(problems)


async def main(
    gateway: GatewaySettings,
    telegram_settings: TelegramSettings,
    xmpp_settings: XmppSettings,
    db_settings: DatabaseSettings,
    agent_settings: AgentSettings,
) -> None:
    database = Database(db_settings.url)
    agent_desk = AgentDesk(database, desks_from(agent_settings))
    token = gateway.rasa_token.get_secret_value() if gateway.rasa_token else None
    rasa = RasaClient(gateway.rasa_url, gateway.rasa_timeout_s, token)
    conversation = Conversation(rasa, database, gateway.outbox_lease_seconds)
    redis = RedisSettings().client()  # limits shared by every replica; None: per process
    runners: list[web.AppRunner] = []
    tasks: list[asyncio.Task] = []
    duties: list[Callable[[], Coroutine[Any, Any, None]]] = []
    if gateway.webchat_on(telegram_settings, xmpp_settings):
        webchat = create_webchat(conversation, database, gateway, redis)
        runners.append(await serve(webchat, gateway.webchat_host, gateway.webchat_port))
        log.info("web chat on http://%s:%d/", gateway.webchat_host, gateway.webchat_port)
    if telegram_settings.bot_token is not None:
        limiter = SharedRateLimiter(redis) if redis else RateLimiter()
        polling = await start_telegram(
            telegram_settings,
            conversation,
            agent_desk,
            agent_settings.telegram_chat_id,
            runners,
            limiter,
            gateway.outbox_lease_seconds,
        )
        tasks.append(polling.delivery)
        if polling.reader is not None:
            duties.append(polling.reader)
    if xmpp_settings.jid is not None:
        duties.append(
            partial(
                run_xmpp,
                xmpp_settings,
                conversation,
                agent_desk,
                agent_settings,
                gateway.outbox_lease_seconds,
            )
        )
    if not runners and not tasks and not duties:
        log.error(
            "nothing to run: set TELEGRAM_BOT_TOKEN or DESKBOT_XMPP_JID, or enable the web chat"
        )
        return
    # Last, so that /healthz answers once the web chat and the webhook are ready. Not logged:
    # the load balancer asks every few seconds, Prometheus scrapes /metrics as often.
    ops = create_ops(database)
    runners.append(await serve(ops, gateway.ops_host, gateway.ops_port, log_requests=False))
    window = timedelta(minutes=gateway.replay_window_minutes)
    duties.append(partial(Replayer(conversation, database, window).run, 5.0))
    duties.append(partial(Pruning(database, RetentionSettings().days).run, PASS_INTERVAL_S))
    leadership = Leadership(db_settings.url)
    tasks.append(asyncio.create_task(leadership.run(lambda: [duty() for duty in duties])))
    try:
        await asyncio.gather(*tasks)
    finally:
        for runner in runners:
            await runner.cleanup()
        await rasa.close()


@dataclass(frozen=True)
class TelegramTasks:
    delivery: asyncio.Task  # the outbox, sent by every replica
    reader: Callable[[], Coroutine[Any, Any, None]] | None  # long polling: the leader's duty


async def start_telegram(
    settings: TelegramSettings,
    conversation: Conversation,
    agent_desk: AgentDesk,
    agents_chat: int | None,
    runners: list,
    limiter: RateLimiter,
    lease_s: float,
) -> TelegramTasks:
    """Updates in (long polling, or a webhook every replica serves) and the outbox out."""
    bot = telegram.create_bot(settings)
    if agents_chat is None:
        log.warning(
            "no agents' Telegram group (DESKBOT_AGENTS_TELEGRAM_CHAT_ID): tickets are "
            "filed but no agent is told in chat"
        )
    dispatcher = telegram.create_dispatcher(conversation, agent_desk, agents_chat)
    delivery = TelegramDelivery(bot, agent_desk.database, limiter, lease_s=lease_s)
    delivery_task = asyncio.create_task(delivery.run())
    if settings.mode == "polling":
        return TelegramTasks(delivery_task, partial(telegram.run_polling, bot, dispatcher))
    app = telegram.create_webhook_app(bot, dispatcher, settings)
    runners.append(await serve(app, settings.webhook_host, settings.webhook_port))
    await telegram.register_webhook(bot, settings)
    log.info("Telegram: webhook on %s:%d", settings.webhook_host, settings.webhook_port)
    return TelegramTasks(delivery_task, None)


async def run_xmpp(
    settings: XmppSettings,
    conversation: Conversation,
    agent_desk: AgentDesk,
    agent_settings: AgentSettings,
    lease_s: float,
) -> None:
    """Connect the bot's XMPP account (it reconnects by itself) and deliver the outbox, until
    cancelled (this replica stopped leading)."""
    gateway = XmppGateway(
        settings, conversation, agent_desk, agent_settings.xmpp_room, agent_settings.xmpp_agents
    )
    gateway.start()
    log.info("XMPP: connecting as %s", settings.jid)
    try:
        await XmppDelivery(gateway, agent_desk.database, lease_s=lease_s).run()
    finally:
        await gateway.stop()


if __name__ == "__main__":
    try:
        configure_logging()
        settings = load_settings()
    except ValidationError as error:
        log.error("%s", explain(error))
        sys.exit(2)
    asyncio.run(main(*settings))
