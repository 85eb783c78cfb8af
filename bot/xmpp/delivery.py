"""Deliver the outbox's XMPP messages: to employees (with numbered choices) and to the room."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.messages import Reply
from bot.outbox_loop import OutboxLoop
from bot.proactive import as_replies
from bot.xmpp.client import CHANNEL, XmppGateway
from servicedesk import outbox
from servicedesk.db import Database

log = logging.getLogger(__name__)
PACE_S = 0.05  # at most about 20 messages a second, well within a server's usual limits


class XmppDelivery(OutboxLoop):
    """One ``deliver_due`` pass sends what is due while connected; ``run`` repeats it.

    A message for an employee who is offline is stored by their server and handed over when
    they come back; while deskbot itself is disconnected, messages wait in the outbox.
    """

    def __init__(
        self,
        gateway: XmppGateway,
        database: Database,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lease_s: float = outbox.LEASE_S,
    ) -> None:
        super().__init__(database, sleep, lease_s)
        self._gateway = gateway

    async def deliver_due(self) -> int:
        if not self._gateway.is_connected():
            return 0
        sent, leased, waiting = 0, await asyncio.to_thread(self._load_due), []
        for done, (message_id, recipient, replies) in enumerate(leased):
            if self.stopping:
                waiting += [m[0] for m in leased[done:]]
                break
            if self._gateway.room is not None and recipient == self._gateway.room.bare:
                if not self._gateway.in_room.is_set():
                    waiting.append(message_id)
                    continue
                self._gateway.send_to_room(replies[0].text)
            else:
                await self._gateway.send_replies(recipient, replies)
            await asyncio.to_thread(self._sent, message_id, CHANNEL)
            sent += 1
            await self._sleep(PACE_S)
        await asyncio.to_thread(self._release, waiting)
        return sent

    def _load_due(self) -> list[tuple[int, str, list[Reply]]]:
        room = self._gateway.room.bare if self._gateway.room is not None else None
        with self._db.unit_of_work() as session:
            return [
                (m.id, m.recipient, _as_replies(session, m.recipient, m.payload, room))
                for m in self._claim(session, CHANNEL)
            ]


def _as_replies(session, recipient: str, payload: dict, room: str | None) -> list[Reply]:
    """An employee's replies (one, or a turn's batch, numbered together), or the room's one."""
    if recipient != room:
        return as_replies(session, f"{CHANNEL}:{recipient}", payload)
    commands = [b["payload"] for b in payload.get("buttons") or []]  # a card's are commands
    body = str(payload.get("text") or "")
    return [Reply(body + ("\nCommands: " + " · ".join(commands) if commands else ""))]
