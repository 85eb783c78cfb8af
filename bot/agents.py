"""The agents' side of the gateway, channel-agnostic: who may act, and running their commands."""

import asyncio
import logging

from servicedesk import agent_commands, buttons, deliveries
from servicedesk.agent_commands import AgentAnswer
from servicedesk.db import Database
from servicedesk.notices import Desk

log = logging.getLogger(__name__)
REFUSED = "Only service desk agents can do that."


class AgentDesk:
    """Runs agent commands for one channel's agents' room, each delivery once."""

    def __init__(self, database: Database, desks: tuple[Desk, ...]) -> None:
        self.database, self._desks = database, desks

    async def run(
        self, channel: str, delivery_key: str, actor: str, command: str
    ) -> AgentAnswer | None:
        """The answer to ``command``; None for a delivery that was handled before."""
        return await asyncio.to_thread(self._run, channel, delivery_key, actor, command)

    async def card_command(self, room: str, token: str) -> str | None:
        """The command behind a card's button, if deskbot issued it to ``room``."""
        return await asyncio.to_thread(self._redeem, room, token)

    def refuse(self, channel: str, actor: str, command: str) -> AgentAnswer:
        log.warning("agent command refused for %s on %s: %.40s", actor, channel, command)
        return AgentAnswer(REFUSED)

    def _run(self, channel: str, key: str, actor: str, command: str) -> AgentAnswer | None:
        with self.database.unit_of_work() as session:
            if not deliveries.claim(session, channel, key, actor, command):
                return None
            answer = agent_commands.run(session, actor, command, self._desks)
            deliveries.set_status(session, channel, key, "handled")
            return answer

    def _redeem(self, room: str, token: str) -> str | None:
        with self.database.unit_of_work() as session:
            return buttons.redeem(session, token, room, consume=False)
