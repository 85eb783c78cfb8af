"""The gateway's XMPP adapter against the loopback Prosody, as ``python -m bot`` runs it."""

import asyncio
import contextlib
from dataclasses import dataclass

from pydantic import SecretStr

from bot.agents import AgentDesk
from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import XmppSettings
from bot.xmpp.client import XmppGateway
from bot.xmpp.delivery import XmppDelivery
from servicedesk import outbox
from servicedesk.db import Database
from servicedesk.notices import Desk
from tests.support.prosody import CORP, Prosody
from tests.support.stack import AGENTS_ROOM

BOT_JID = f"deskbot@{CORP}"
AGENT_JIDS = [f"agent1@{CORP}", f"agent2@{CORP}"]


@dataclass
class RunningXmppGateway:
    gateway: XmppGateway
    delivery: asyncio.Task
    rasa: RasaClient

    async def stop(self) -> None:
        self.delivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.delivery
        await self.gateway.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.gateway.disconnected, 5)
        await self.rasa.close()

    async def wait_ready(self, timeout: float = 20) -> None:
        await asyncio.wait_for(self.gateway.in_room.wait(), timeout)


async def start_xmpp_gateway(
    prosody: Prosody, rasa: RasaClient, database: Database, reply_lease_s: float = outbox.LEASE_S
):
    settings = XmppSettings(
        jid=BOT_JID,
        password=SecretStr("bot-secret"),
        host="127.0.0.1",
        port=prosody.port,
        domains=[CORP],
        allow_plaintext=True,
    )
    agent_desk = AgentDesk(database, (Desk("xmpp", AGENTS_ROOM),))
    gateway = XmppGateway(
        settings, Conversation(rasa, database, reply_lease_s), agent_desk, AGENTS_ROOM, AGENT_JIDS
    )
    gateway.start()
    delivery = asyncio.create_task(XmppDelivery(gateway, database).run(interval_s=0.2))
    running = RunningXmppGateway(gateway, delivery, rasa)
    await running.wait_ready()
    return running
