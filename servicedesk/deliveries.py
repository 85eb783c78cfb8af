"""Inbound deliveries: handle each once, keep the ones that could not be handled."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicedesk import users
from servicedesk.db.models import Delivery, as_utc

MAX_KEPT_TEXT = 20_000
MAX_KEY = 100  # the delivery_key column's length
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


def claim(session: Session, channel: str, key: str, sender_id: str, text: str) -> bool:
    """Record an inbound delivery; False when the same delivery was already claimed.

    Args:
        channel: "tg", "web", ...
        key: the channel's own id of the delivery (a Telegram update_id).
        sender_id: who sent it.
        text: what they sent, kept so that nothing is lost if handling fails.
    """
    try:
        with session.begin_nested():
            session.add(
                Delivery(
                    channel=channel,
                    delivery_key=stored_key(key),
                    sender_id=sender_id,
                    text=text[:MAX_KEPT_TEXT],
                )
            )
    except IntegrityError:
        return False
    return True


def set_status(session: Session, channel: str, key: str, status: str) -> None:
    """Note how handling ended: "handled", KEPT, "not_answered" (the core was down; the
    employee was asked to try again), "rejected"."""
    delivery = session.scalar(
        select(Delivery).where(
            Delivery.channel == channel, Delivery.delivery_key == stored_key(key)
        )
    )
    if delivery is not None:
        delivery.status = status


def stored_key(key: str) -> str:
    """``key`` as the column holds it: as it is when it fits, else its start and a hash of the
    whole, so two long keys that differ only at the end stay two deliveries."""
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[: MAX_KEY - 65]}#{digest}"


def unhandled(session: Session, limit: int = 100) -> list[KeptMessage]:
    """Messages kept while the conversation core was down, oldest first."""
    rows = session.scalars(
        select(Delivery).where(Delivery.status == KEPT).order_by(Delivery.id).limit(limit)
    )
    return [
        KeptMessage(
            d.id,
            d.channel,
            d.sender_id,
            d.text,
            as_utc(d.received_at),
            users.last_language(session, d.sender_id),
        )
        for d in rows
    ]


def finish(session: Session, delivery_id: int, status: str) -> None:
    """Note how a kept message ended: "replayed", "expired"."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is not None:
        delivery.status = status
