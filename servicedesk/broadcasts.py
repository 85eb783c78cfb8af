"""Messages to many employees at once, through the outbox: every recipient once, muted
employees never. Delivery honours each messenger's rate limits."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk import outbox
from servicedesk.db.models import Broadcast, User
from servicedesk.errors import DomainError
from servicedesk.identity import SenderId
from servicedesk.users import touch_user

BROADCAST_CHANNELS = ("tg", "xmpp")  # not the web chat: its sessions are anonymous
MAX_BODY = 3500


class InvalidBroadcast(DomainError):
    """An empty or oversized message, or an unknown channel."""


def recipients(
    session: Session, channel: str | None = None, department: str | None = None
) -> list[User]:
    """Employees who take broadcasts, optionally of one channel or one department."""
    query = select(User).where(User.muted.is_(False), User.channel.in_(BROADCAST_CHANNELS))
    if channel:
        query = query.where(User.channel == channel)
    if department:
        query = query.where(User.department == department)
    return list(session.scalars(query.order_by(User.id)))


def send(
    session: Session,
    body: str,
    by: str,
    kind: str = "announcement",
    channel: str | None = None,
    department: str | None = None,
) -> Broadcast:
    """Queue ``body`` for every recipient; returns the broadcast with its recipient count.

    Raises:
        InvalidBroadcast: an empty or oversized message, or an unknown channel.
    """
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise InvalidBroadcast(f"a broadcast is 1-{MAX_BODY} characters")
    if channel and channel not in BROADCAST_CHANNELS:
        raise InvalidBroadcast(f"channels are {', '.join(BROADCAST_CHANNELS)}")
    broadcast = Broadcast(
        kind=kind, body=body, channel=channel, department=department, created_by=by
    )
    session.add(broadcast)
    session.flush()
    people = recipients(session, channel, department)
    for person in people:
        key = f"broadcast:{broadcast.id}:{person.id}"
        outbox.enqueue(session, person.channel, person.external_id, {"text": body}, key)
    broadcast.recipients = len(people)
    return broadcast


def set_muted(session: Session, sender: SenderId, muted: bool) -> None:
    """/mute and /unmute."""
    touch_user(session, sender).muted = muted
