"""Inbound deliveries: handle each once, keep the ones that could not be handled."""

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicedesk.db.models import Delivery

MAX_KEPT_TEXT = 20_000
MAX_KEY = 100  # the delivery_key column's length


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
    """Note how handling ended: "handled", "core_unavailable", "rejected"."""
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


def unhandled(session: Session, limit: int = 100) -> list[Delivery]:
    """Deliveries that arrived while the conversation core was down, oldest first."""
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.status == "core_unavailable")
            .order_by(Delivery.id)
            .limit(limit)
        )
    )
