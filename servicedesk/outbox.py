"""The outbox of proactive messages: queued in the same transaction as the change that causes
them, delivered by the gateway with retries, each exactly once (by idempotency key)."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicedesk.db.inserts import insert_unless_present
from servicedesk.db.models import OutboxMessage, utcnow

MAX_ATTEMPTS = 8
BASE_DELAY_S = 2.0
MAX_DELAY_S = 600.0
LEASE_S = 120.0  # a delivery pass leases what it loads for this long


def enqueue(
    session: Session,
    channel: str,
    recipient: str,
    payload: dict,
    key: str,
    held_s: float = 0.0,
) -> OutboxMessage:
    """Queue a message; the same ``key`` queues it once, however often this is called. A
    message ``held_s`` is leased to the caller from the start: it sends it itself and marks it
    sent, and a delivery worker sends it only if that has not happened when the lease ends."""
    [message] = enqueue_all(session, channel, recipient, [(payload, key)], held_s)
    return message


def enqueue_all(
    session: Session,
    channel: str,
    recipient: str,
    messages: Sequence[tuple[dict, str]],
    held_s: float = 0.0,
) -> list[OutboxMessage]:
    """``enqueue`` for several (payload, key) pairs, in one statement when they are new."""
    if not messages:
        return []
    rows = [
        {"idempotency_key": key, "channel": channel, "recipient": recipient, "payload": payload}
        | ({"next_attempt_at": utcnow() + timedelta(seconds=held_s)} if held_s else {})
        for payload, key in messages
    ]
    insert = insert_unless_present(session, OutboxMessage, rows).returning(OutboxMessage)
    queued = {m.idempotency_key: m for m in session.scalars(insert)}  # the new ones
    keys = [key for _, key in messages]
    if before := [key for key in keys if key not in queued]:
        known = select(OutboxMessage).where(OutboxMessage.idempotency_key.in_(before))
        queued |= {m.idempotency_key: m for m in session.scalars(known)}
    return [queued[key] for key in keys]


def due(session: Session, channel: str, limit: int = 50, now: datetime | None = None):
    """Pending messages of ``channel`` whose next attempt is due, oldest first."""
    return list(session.scalars(_due(channel, now or utcnow()).limit(limit)))


def claim(
    session: Session,
    channel: str,
    limit: int = 50,
    lease_s: float = LEASE_S,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Due messages of ``channel``, oldest first, leased to the caller: no other delivery
    worker gets them until the caller marks them sent or failed, releases them, or the lease
    runs out (the caller died; they are due again, and may then be sent a second time).

    One statement, so it needs no transaction around it. On PostgreSQL, rows another worker
    is claiming at the same moment are passed over, not waited for (``FOR UPDATE SKIP
    LOCKED``); SQLite serialises its writers instead.
    """
    now = now or utcnow()
    due = _due(channel, now).with_only_columns(OutboxMessage.id).limit(limit)
    due = due.with_for_update(skip_locked=True).cte("due")
    leased = (
        update(OutboxMessage)
        .where(OutboxMessage.id == due.c.id)
        .values(next_attempt_at=now + timedelta(seconds=lease_s))
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(leased), key=lambda message: message.id)


def renew(
    session: Session,
    message_ids: Iterable[int],
    held_until: datetime,
    lease_s: float = LEASE_S,
    now: datetime | None = None,
) -> tuple[set[int], datetime]:
    """Extend the lease of messages a delivery worker still holds: those still pending whose
    lease is the one it was given (``held_until``), in one statement. Returns the renewed ids
    and the new lease's end; a message missing was sent, failed, or, its lease having run
    out, taken by another worker."""
    until = (now or utcnow()) + timedelta(seconds=lease_s)
    renewed = session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(message_ids)),
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at == held_until,
        )
        .values(next_attempt_at=until)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return set(renewed), until


def release(session: Session, message_ids: Iterable[int]) -> None:
    """Give leased messages that were not attempted back at once."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == "pending")
        .values(next_attempt_at=utcnow())
    )


def _due(channel: str, now: datetime):
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
    )


def collect(session: Session, channel: str, recipient: str, received: int, limit: int = 20):
    """Pending messages for one recipient who collects them (the web chat).

    The collector says which messages it has received (every id up to ``received``): those
    are marked sent; the rest stay pending and are served again until acknowledged.
    """
    pending = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.recipient == recipient,
            OutboxMessage.status == "pending",
        )
        .order_by(OutboxMessage.id)
    )
    received_ids = pending.where(OutboxMessage.id <= received).with_only_columns(OutboxMessage.id)
    mark_all_sent(session, session.scalars(received_ids))
    return list(session.scalars(pending.where(OutboxMessage.id > received).limit(limit)))


def mark_sent(session: Session, message_id: int) -> None:
    mark_all_sent(session, [message_id])


def mark_all_sent(session: Session, message_ids: Iterable[int]) -> None:
    """Mark pending messages sent, in one statement."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == "pending")
        .values(status="sent", sent_at=utcnow(), attempts=OutboxMessage.attempts + 1)
    )


def mark_parts_sent(session: Session, message_id: int, parts: int) -> None:
    """The first ``parts`` of a message sent in several went out: sent again, it starts after
    them."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
        .values(parts_sent=parts)
    )


def mark_failed(
    session: Session, message_id: int, error: str, retry_after_s: float | None = None
) -> OutboxMessage:
    """Schedule another attempt: after ``retry_after_s`` when the messenger said so (Telegram's
    429), otherwise with exponential backoff; give up after MAX_ATTEMPTS."""
    message = session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.last_error = error[:1000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        return message
    delay = retry_after_s if retry_after_s is not None else backoff(message.attempts)
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return message


def mark_undeliverable(session: Session, message_id: int, error: str) -> None:
    """Give up on a message at once: its recipient can never receive it (not an address of
    its channel), so retrying only holds up the others."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status="failed", last_error=error[:1000], attempts=OutboxMessage.attempts + 1)
    )


def backoff(attempts: int) -> float:
    """2 s, 4 s, 8 s, ... capped at 10 minutes."""
    return min(BASE_DELAY_S * 2 ** (attempts - 1), MAX_DELAY_S)
