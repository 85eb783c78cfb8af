"""The channel-agnostic conversation core: every adapter hands its messages to ``Conversation``."""

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from bot.messages import Reply
from bot.proactive import BATCH, replies_of
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.sanitize import MAX_MESSAGE_CHARS, clean, truncate
from ops.metrics import TURN_SECONDS, TURNS
from servicedesk import buttons, deliveries, outbox, users
from servicedesk.db import Database
from servicedesk.db.models import utcnow
from servicedesk.deliveries import KeptMessage
from servicedesk.i18n import text as t
from servicedesk.identity import SenderId
from servicedesk.language import detect
from servicedesk.payloads import payload

log = logging.getLogger(__name__)

COMMAND_INTENTS = {
    "start": "greet",
    "help": "help",
    "me": "my_profile",
    "mute": "mute",
    "unmute": "unmute",
}
# How long a message may be in hand before the next one of its chat goes ahead anyway (its
# handler died), and how often the next one looks. One still in hand after two leases was
# abandoned (a live replica answers within one lease, its own wait included): it is
# answered again (bot.replay).
TURN_LEASE = timedelta(seconds=45)
TURN_POLL_S = 0.05
# Channels whose replies are kept in the outbox, in the transaction that marks their message
# handled, until the adapter has sent them: if the gateway dies in between, a delivery worker
# sends them once the lease ends, so no answer is lost. The web chat's page asks again under
# the same id instead.
KEPT_REPLY_CHANNELS = frozenset({"tg", "xmpp"})
# Channels whose replies of one turn are kept as one batch, sent together: XMPP numbers the
# choices across them.
BATCHED_REPLY_CHANNELS = frozenset({"xmpp"})
FILE_WITHOUT_WORDS = "describe_problem"  # a file with no caption: the actions keep the file


class Outcome(StrEnum):
    REPLIED = "replied"
    DUPLICATE = "duplicate"  # the same delivery was handled before: send nothing
    REJECTED = "rejected"  # button data the bot never issued to this person


@dataclass(frozen=True)
class Incoming:
    """One delivery from a channel, already reduced to core terms."""

    channel: str
    sender_id: str
    delivery_key: str
    text: str = ""
    button_token: str | None = None
    language_hint: str | None = None
    is_text: bool = True
    command: str | None = None  # "start", "help": the messenger's own commands
    display_name: str | None = None  # how the messenger names the sender, shown to agents
    attachments: tuple[str, ...] = ()  # the channel's file ids (a photo, a document)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    replies: list[Reply] = field(default_factory=list)
    # Nothing was done (the conversation core was down): what the employee was offered before,
    # buttons included, is still on offer.
    retry: bool = False


class Conversation:
    """Dedupe, sanitise, ask Rasa, and turn its answers into replies with issued buttons."""

    def __init__(
        self, rasa: RasaClient, database: Database, reply_lease_s: float = outbox.LEASE_S
    ) -> None:
        self._rasa = rasa
        self._db = database
        self._reply_lease_s = reply_lease_s

    async def handle(self, incoming: Incoming) -> Result:
        """Handle one delivery exactly once (counted in the turn metrics)."""
        started = time.perf_counter()
        result = await self._handle(incoming)
        outcome = "not_answered" if result.retry else str(result.outcome)
        TURNS.labels(incoming.channel, outcome).inc()
        TURN_SECONDS.labels(incoming.channel).observe(time.perf_counter() - started)
        return result

    async def _handle(self, incoming: Incoming) -> Result:
        recorded = _recorded_text(incoming)
        claimed = await self._claim(incoming, recorded)
        if claimed is None:
            log.info("duplicate delivery %s:%s ignored", incoming.channel, incoming.delivery_key)
            return Result(Outcome.DUPLICATE)
        if claimed.behind:
            await self._wait_for_turn(claimed.id)
        # The employee's words decide; a button, a command or a short "ok" keeps the language
        # they last wrote in (the messenger's own setting before they have written anything).
        words = incoming.text if incoming.is_text and incoming.button_token is None else ""
        language = detect(words, fallback=claimed.last_language or incoming.language_hint)
        if incoming.button_token is not None:
            return await self._handle_button(incoming, language)
        command = incoming.command or _typed_command(incoming.text)
        if command in COMMAND_INTENTS:
            return await self._ask_rasa(
                incoming, payload(COMMAND_INTENTS[command], language=language), language
            )
        if not incoming.is_text and not incoming.attachments:
            return await self._answer_locally(incoming, "text_only", language, "handled")
        message, cut = truncate(clean(incoming.text))
        if not message and incoming.attachments:
            message = payload(FILE_WITHOUT_WORDS, language=language)
        if not message:
            return await self._answer_locally(incoming, "empty_message", language, "handled")
        notice = [Reply(t("message_truncated", language, limit=MAX_MESSAGE_CHARS))] if cut else []
        replayable = not incoming.attachments
        result = await self._ask_rasa(incoming, message, language, replayable)
        return Result(result.outcome, notice + result.replies)

    async def replay(self, kept: KeptMessage) -> bool:
        """Ask again for a typed message kept while the conversation core was down; its answers
        go out through the outbox. False while the core is still down."""
        language = detect(kept.text, fallback=kept.last_language)
        message, _ = truncate(clean(kept.text))
        try:
            answers = await self._rasa.send(kept.sender_id, message, {"language": language})
        except RasaUnavailable:
            return False
        await asyncio.to_thread(self._queue_answers, kept, answers, language)
        return True

    async def _handle_button(self, incoming: Incoming, language: str) -> Result:
        pressed = await asyncio.to_thread(self._redeem, incoming)
        if pressed is None:
            log.warning("button data not issued to %s ignored", incoming.channel)
            await self._set_status(incoming, "rejected")
            return Result(Outcome.REJECTED)
        return await self._ask_rasa(incoming, pressed, language)

    async def _ask_rasa(
        self, incoming: Incoming, message: str, language: str, replayable: bool = False
    ) -> Result:
        """Rasa's answers as replies. When Rasa is down, a ``replayable`` message is kept and
        answered once it is back (``replay``); anything else (a button, a command, a file) is
        to be tried again, and a button stays usable."""
        metadata: dict[str, Any] = {
            "language": language,  # becomes the dialogue's language (nlu_features/language.py)
            "language_code": incoming.language_hint,
            "display_name": incoming.display_name,
            "attachments": list(incoming.attachments),
        }
        try:
            answers = await self._rasa.send(incoming.sender_id, message, metadata)
        except RasaUnavailable:
            if replayable:
                return await self._answer_locally(
                    incoming, "core_unavailable", language, deliveries.KEPT
                )
            if incoming.button_token is not None:
                await asyncio.to_thread(self._release, incoming)
            answer = await self._answer_locally(
                incoming, "core_unavailable_retry", language, "not_answered"
            )
            return replace(answer, retry=True)
        replies = await asyncio.to_thread(self._to_replies, incoming, answers, language)
        return Result(Outcome.REPLIED, replies)

    async def _answer_locally(
        self, incoming: Incoming, key: str, language: str, status: str
    ) -> Result:
        """Answer without the conversation core, noting how the delivery ended."""
        await self._set_status(incoming, status)
        return Result(Outcome.REPLIED, [Reply(t(key, language))])

    def _to_replies(
        self, incoming: Incoming, answers: list[dict[str, Any]], language: str
    ) -> list[Reply]:
        """Issue the replies' buttons, keep them until sent (``KEPT_REPLY_CHANNELS``), mark
        the delivery handled and remember the language the employee wrote in, in one
        transaction."""
        messages = [_as_outbox_message(answer) for answer in answers]
        with self._db.unit_of_work() as session:
            replies = replies_of(session, incoming.sender_id, messages)
            if incoming.channel in KEPT_REPLY_CHANNELS:
                kept = self._keep(session, incoming, _rows(incoming.channel, messages))
                if incoming.channel in BATCHED_REPLY_CHANNELS:
                    kept *= len(replies)  # the batch's one row keeps every reply
                replies = [replace(r, kept_as=k) for r, k in zip(replies, kept, strict=True)]
            deliveries.set_status(session, incoming.channel, incoming.delivery_key, "handled")
            users.note_language(session, incoming.sender_id, language)
            return replies

    def _keep(self, session, incoming: Incoming, rows: list[dict[str, Any]]) -> list[int]:
        """The ids of the outbox rows holding the replies for this gateway to send."""
        recipient = SenderId.parse(incoming.sender_id).external_id
        keys = [f"reply:{incoming.channel}:{incoming.delivery_key}:{n}" for n in range(len(rows))]
        held = outbox.enqueue_all(
            session,
            incoming.channel,
            recipient,
            list(zip(rows, keys, strict=True)),
            held_s=self._reply_lease_s,
        )
        return [message.id for message in held]

    async def sent(self, replies: list[Reply]) -> None:
        """The adapter sent these replies (each as soon as it went out, where the messenger
        confirms it): their outbox rows are done. A connection the database drops meanwhile
        is replaced: the record of a reply that went out must not be lost."""
        kept = sorted({reply.kept_as for reply in replies if reply.kept_as is not None})
        if kept:
            mark = partial(outbox.mark_all_sent, message_ids=kept)
            await asyncio.to_thread(self._db.single_statement, mark)

    async def parts_sent(self, reply: Reply, parts: int) -> None:
        """The adapter sent the first ``parts`` of a reply it sends in several."""
        if reply.kept_as is not None:
            mark = partial(outbox.mark_parts_sent, message_id=reply.kept_as, parts=parts)
            await asyncio.to_thread(self._db.single_statement, mark)

    def _queue_answers(
        self, kept: KeptMessage, answers: list[dict[str, Any]], language: str
    ) -> None:
        """The answers to a kept message, queued for its sender, in one transaction."""
        sender = SenderId.parse(kept.sender_id)
        messages = [_as_outbox_message(answer) for answer in answers]
        with self._db.unit_of_work() as session:
            if not deliveries.finish(session, kept.id, "replayed"):
                return  # another replica answered it first
            rows = _rows(sender.channel, messages)
            keyed = [(row, f"replay:{kept.id}:{n}") for n, row in enumerate(rows)]
            outbox.enqueue_all(session, sender.channel, sender.external_id, keyed)
            users.note_language(session, kept.sender_id, language)

    def _redeem(self, incoming: Incoming) -> str | None:
        with self._db.unit_of_work() as session:
            return buttons.redeem(session, incoming.button_token or "", incoming.sender_id)

    def _release(self, incoming: Incoming) -> None:
        with self._db.unit_of_work() as session:
            buttons.release(session, incoming.button_token or "", incoming.sender_id)

    async def _claim(self, incoming: Incoming, recorded: str) -> deliveries.ClaimedTurn | None:
        """Claim the delivery (None for a duplicate), with the language the employee
        last wrote in, if known, and whether an earlier message of the chat is still in hand.
        One statement: no transaction around it."""

        def claim() -> deliveries.ClaimedTurn | None:
            with self._db.without_transaction() as session:
                return deliveries.claim_turn(
                    session,
                    incoming.channel,
                    incoming.delivery_key,
                    incoming.sender_id,
                    recorded,
                    _replayable(incoming),
                    in_hand_since=utcnow() - TURN_LEASE,
                )

        return await asyncio.to_thread(claim)

    async def _wait_for_turn(self, delivery_id: int) -> None:
        """Wait while an earlier message of the same chat is being handled (by this replica or
        another). One whose handler died stops counting ``TURN_LEASE`` after it arrived."""

        def behind() -> bool:
            with self._db.without_transaction() as session:
                return _behind(session, delivery_id)

        while True:
            await asyncio.sleep(TURN_POLL_S)
            if not await asyncio.to_thread(behind):
                return

    async def _set_status(self, incoming: Incoming, status: str) -> None:
        def set_status() -> None:
            with self._db.without_transaction() as session:
                deliveries.set_status(session, incoming.channel, incoming.delivery_key, status)

        await asyncio.to_thread(set_status)


def _rows(channel: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outbox payloads that hold a turn's replies on ``channel``: one a reply, or, on a
    channel that sends them together, one batch of them all."""
    if channel in BATCHED_REPLY_CHANNELS and messages:
        return [{BATCH: messages}]
    return messages


def _as_outbox_message(answer: dict[str, Any]) -> dict[str, Any]:
    """A Rasa answer (a domain response, or an action's custom {text, buttons}) as the outbox
    holds a message: {"text", "buttons": [{"title", "payload"}]}."""
    custom = answer.get("custom")
    answer = custom if isinstance(custom, dict) else answer
    offered = [b for b in answer.get("buttons") or [] if isinstance(b, dict) and b.get("payload")]
    return {
        "text": str(answer.get("text") or ""),
        "buttons": [{"title": str(b.get("title", "")), "payload": b["payload"]} for b in offered],
    }


def _typed_command(text: str) -> str | None:
    """ "/mute" typed where the messenger has no commands of its own (XMPP, the web chat)."""
    words = text.strip()
    return words[1:].lower() if words.startswith("/") and words[1:].isalpha() else None


def _behind(session, delivery_id: int) -> bool:
    """Whether an earlier message of the delivery's chat is still in hand (within the lease)."""
    return deliveries.earlier_in_hand(session, delivery_id, utcnow() - TURN_LEASE)


def _replayable(incoming: Incoming) -> bool:
    """Typed words, which can be asked again if their handling is cut short."""
    return (
        incoming.is_text
        and incoming.button_token is None
        and incoming.command is None
        and _typed_command(incoming.text) is None
        and not incoming.attachments
    )


def _recorded_text(incoming: Incoming) -> str:
    if incoming.button_token is not None:
        return f"[button {incoming.button_token[:32]}]"
    if incoming.attachments:
        return f"[files {' '.join(incoming.attachments)[:200]}] {incoming.text}".strip()
    return incoming.text if incoming.is_text else "[non-text message]"
