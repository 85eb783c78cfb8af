"""Messages typed while the conversation core was down, answered once it is back; and
messages whose gateway replica died while handling them.

Each pass asks Rasa again for the kept messages, oldest first, and stops at the first that
still gets no answer (the core is still down). A message kept longer than the window is not
answered out of the blue hours later: its sender is asked to write again. A message still in
hand two turn leases after it arrived was abandoned by a replica that died: typed words are
asked again like kept ones; an interrupted action (a button, a command, a file) cannot be, and
its sender is asked to do it again.
"""

import asyncio
import logging
from datetime import timedelta

from bot.conversation import TURN_LEASE, Conversation
from bot.periodic import Periodic
from servicedesk import deliveries, outbox
from servicedesk.db import Database
from servicedesk.db.models import utcnow
from servicedesk.deliveries import KeptMessage
from servicedesk.i18n import text as t
from servicedesk.identity import SenderId

log = logging.getLogger(__name__)
REPLAY_WINDOW = timedelta(hours=1)
QUOTED_CHARS = 80


class Replayer(Periodic):
    def __init__(
        self, conversation: Conversation, database: Database, window: timedelta = REPLAY_WINDOW
    ) -> None:
        super().__init__(database)
        self._conversation, self._window = conversation, window

    async def one_pass(self) -> int:
        """Returns how many kept messages were answered."""
        kept = await asyncio.to_thread(self._kept)
        answered = 0
        for message in kept:
            if self.stopping:
                break
            if not message.replayable:
                text = t("action_interrupted", message.last_language)
                await asyncio.to_thread(self._answer_instead, message, text, "interrupted")
            elif utcnow() - message.received_at > self._window:
                text = t("kept_message_expired", message.last_language, text=_quoted(message))
                await asyncio.to_thread(self._answer_instead, message, text, "expired")
            elif await self._conversation.replay(message):
                answered += 1
            else:
                break
        if answered:
            log.info("answered %d messages kept while the conversation core was down", answered)
        return answered

    def _kept(self) -> list[KeptMessage]:
        with self._db.unit_of_work() as session:
            return deliveries.unhandled(session, abandoned_before=utcnow() - 2 * TURN_LEASE)

    def _answer_instead(self, message: KeptMessage, text: str, outcome: str) -> None:
        """Tell the sender ``text`` instead of an answer, and close the message as ``outcome``."""
        sender = SenderId.parse(message.sender_id)
        with self._db.unit_of_work() as session:
            if deliveries.finish(session, message.id, outcome):
                key = f"replay:{message.id}:{outcome}"
                outbox.enqueue(session, sender.channel, sender.external_id, {"text": text}, key)


def _quoted(message: KeptMessage) -> str:
    cut = len(message.text) > QUOTED_CHARS
    return message.text[:QUOTED_CHARS] + ("…" if cut else "")
