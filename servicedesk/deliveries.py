"""Inbound deliveries: handle each once, keep the ones that could not be handled."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from servicedesk import users
from servicedesk.db.inserts import insert_unless_present
from servicedesk.db.models import Delivery, as_utc

MAX_KEPT_TEXT = 20_000
MAX_KEY = 100  # the delivery_key column's length
MAX_ORDINAL_DIGITS = 18  # fits a BIGINT
RECEIVED = "received"  # claimed, being handled
KEPT = "core_unavailable"  # a typed message that arrived while the conversation core was down


@dataclass(frozen=True)
class KeptMessage:
    """A typed message kept while the conversation core was down, to be answered later."""

    id: int
    channel: str
    sender_id: str
    text: str
    received_at: datetime
    last_language: str | None  # the language its sender last wrote in
    replayable: bool = True  # typed words; else an action (a button, a command, a file)


def claim(
    session: Session,
    channel: str,
    key: str,
    sender_id: str,
    text: str,
    replayable: bool = False,
) -> int | None:
    """Record an inbound delivery; its id, or None when the same delivery was already claimed.

    Args:
        channel: "tg", "web", ...
        key: the channel's own id of the delivery (a Telegram update_id).
        sender_id: who sent it.
        text: what they sent, kept so that nothing is lost if handling fails.
        replayable: ``text`` is typed words that can be asked again (not a button's record).
    """
    statement = _claim(session, channel, key, sender_id, text, replayable)
    return session.scalar(statement.returning(Delivery.id))


@dataclass(frozen=True)
class ClaimedTurn:
    """A delivery claimed for a turn, with what the turn needs to know before it starts."""

    id: int
    behind: bool  # an earlier message of the same chat is still being handled
    last_language: str | None  # the language its sender last wrote in


def claim_turn(
    session: Session,
    channel: str,
    key: str,
    sender_id: str,
    text: str,
    replayable: bool,
    in_hand_since: datetime,
) -> ClaimedTurn | None:
    """``claim``, answering in the same statement whether an earlier message of the chat,
    received after ``in_hand_since``, is still being handled (see ``earlier_in_hand``) and
    the language the sender last wrote in; None for a duplicate."""
    earlier = _earlier_in_hand(sender_id, (channel, stored_key(key)), _ordinal(key), in_hand_since)
    statement = _claim(session, channel, key, sender_id, text, replayable).returning(
        Delivery.id, earlier, users.language_of(sender_id)
    )
    row = session.execute(statement).first()
    return None if row is None else ClaimedTurn(row[0], bool(row[1]), row[2])


def _claim(session: Session, channel: str, key: str, sender_id: str, text: str, replayable: bool):
    """One statement: the unique (channel, delivery_key) turns a second claim into no row."""
    row = {
        "channel": channel,
        "delivery_key": stored_key(key),
        "sender_id": sender_id,
        "text": text[:MAX_KEPT_TEXT],
        "ordinal": _ordinal(key),
        "replayable": replayable,
    }
    return insert_unless_present(session, Delivery, row)


def earlier_in_hand(session: Session, delivery_id: int, since: datetime) -> bool:
    """Whether an earlier message of the same sender, received after ``since``, is still
    being handled: this one waits for it, so that one chat is answered in order however many
    replicas receive its messages. "Earlier" is the channel's own order (a Telegram update_id)
    where it has one, else the order of arrival."""
    mine = aliased(Delivery, name="mine")
    position = func.coalesce(mine.ordinal, mine.id)
    earlier = _earlier_in_hand(mine.sender_id, (mine.channel, mine.delivery_key), position, since)
    return bool(session.scalar(select(earlier).where(mine.id == delivery_id)))


def _earlier_in_hand(sender_id, not_this: tuple, position, since: datetime):
    """EXISTS: a message of ``sender_id`` other than ``not_this`` (channel, stored key),
    received after ``since`` and still being handled, that comes before ``position`` in the
    chat's order (its ordinal, else its id); with no position, any such message (the one
    asking has just arrived, after all of them). Each may be a value or a column of the
    enclosing statement."""
    other = aliased(Delivery, name="earlier")
    conditions = [
        other.sender_id == sender_id,
        other.status == RECEIVED,
        other.received_at > since,
        or_(other.channel != not_this[0], other.delivery_key != not_this[1]),
    ]
    if position is not None:
        conditions.append(func.coalesce(other.ordinal, other.id) < position)
    return exists(select(other.id).where(*conditions))


def set_status(session: Session, channel: str, key: str, status: str) -> None:
    """Note how handling ended: "handled", KEPT, "not_answered" (the core was down; the
    employee was asked to try again), "rejected"."""
    session.execute(
        update(Delivery)
        .where(Delivery.channel == channel, Delivery.delivery_key == stored_key(key))
        .values(status=status)
        .execution_options(synchronize_session=False)
    )


def _ordinal(key: str) -> int | None:
    """A numeric key (a Telegram update_id) is the channel's own order of deliveries."""
    if key.isascii() and key.isdigit() and len(key) <= MAX_ORDINAL_DIGITS:
        return int(key)
    return None


def stored_key(key: str) -> str:
    """``key`` as the column holds it: as it is when it fits, else its start and a hash of the
    whole, so two long keys that differ only at the end stay two deliveries."""
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[: MAX_KEY - 65]}#{digest}"


def unhandled(
    session: Session, abandoned_before: datetime | None = None, limit: int = 100
) -> list[KeptMessage]:
    """Messages kept while the conversation core was down and, with ``abandoned_before``,
    messages still in hand since before then (the replica handling them died), oldest first."""
    wanted = Delivery.status == KEPT
    if abandoned_before is not None:
        wanted = wanted | (
            (Delivery.status == RECEIVED) & (Delivery.received_at < abandoned_before)
        )
    rows = session.scalars(select(Delivery).where(wanted).order_by(Delivery.id).limit(limit))
    return [
        KeptMessage(
            d.id,
            d.channel,
            d.sender_id,
            d.text,
            as_utc(d.received_at),
            users.last_language(session, d.sender_id),
            d.status == KEPT or d.replayable,
        )
        for d in rows
    ]


def finish(session: Session, delivery_id: int, status: str) -> bool:
    """Note how a kept message ended: "replayed", "expired", "interrupted". False if it had
    ended already (another replica answered it first): call this before queueing the answer,
    whose transaction then waits for the other's and finds it done."""
    finished = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_((RECEIVED, KEPT)))
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return finished.rowcount == 1
