"""What an employee's next free text is for, when deskbot asked them something open-ended."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk.db.models import AwaitedInput, User, as_utc, utcnow
from servicedesk.identity import SenderId
from servicedesk.users import touch_user

LIFETIME = timedelta(minutes=30)


class Awaited(StrEnum):
    TICKET_DETAILS = "details"  # ref: the draft
    TICKET_REPLY = "reply"  # ref: the ticket number
    RATING_COMMENT = "comment"  # ref: the ticket number


@dataclass(frozen=True)
class Expectation:
    kind: Awaited
    ref: int


def expect(session: Session, sender: SenderId, kind: Awaited, ref: int) -> None:
    """The next free text of ``sender`` is for ``kind``; this replaces any earlier expectation."""
    user = touch_user(session, sender)
    awaited = session.get(AwaitedInput, user.id) or AwaitedInput(user_id=user.id)
    awaited.kind, awaited.ref, awaited.expires_at = kind, ref, utcnow() + LIFETIME
    session.add(awaited)
    session.flush()


def current(session: Session, sender: SenderId) -> Expectation | None:
    """What ``sender``'s next text is for, unless that lapsed (one statement: it is asked at
    every turn)."""
    awaited = session.scalar(
        select(AwaitedInput)
        .join(User, User.id == AwaitedInput.user_id)
        .where(User.channel == sender.channel, User.external_id == sender.external_id)
    )
    if awaited is None or as_utc(awaited.expires_at) <= utcnow():
        return None
    return Expectation(Awaited(awaited.kind), awaited.ref)


def clear(session: Session, sender: SenderId, kind: Awaited | None = None) -> None:
    """Forget the expectation (only if it is of ``kind``, when given)."""
    awaited = session.get(AwaitedInput, touch_user(session, sender).id)
    if awaited is not None and (kind is None or awaited.kind == kind):
        session.delete(awaited)
        session.flush()
