"""Employees, one row per channel identity."""

from datetime import timedelta

from sqlalchemy import null, select
from sqlalchemy.orm import Session

from servicedesk.db.models import User, as_utc, utcnow
from servicedesk.identity import SenderId

# How exact a user's last visit is kept: a visit within this of the noted one writes nothing
# (every turn touches its user twice; the web chat's idle limit counts in hours).
LAST_SEEN_PRECISION = timedelta(minutes=1)


def touch_user(
    session: Session, sender: SenderId, language: str | None = None, name: str | None = None
) -> User:
    """Find or create the user behind ``sender`` and note their language and last visit.

    Args:
        session: the unit of work.
        sender: channel identity.
        language: the language they just wrote in, if known.
        name: how the messenger names them, if known (shown to agents).
    Returns:
        The persistent user.
    """
    user = find(session, sender)
    if user is None:
        user = User(channel=sender.channel, external_id=sender.external_id)
        session.add(user)
    if language:
        user.language = language
    if name:
        user.display_name = name[:200]
    now = utcnow()
    if user.last_seen_at is None or now - as_utc(user.last_seen_at) >= LAST_SEEN_PRECISION:
        user.last_seen_at = now
    session.flush()
    return user


def find(session: Session, sender: SenderId) -> User | None:
    """The user behind ``sender``, if deskbot knows them."""
    return session.scalar(
        select(User).where(User.channel == sender.channel, User.external_id == sender.external_id)
    )


def last_language(session: Session, sender_id: str) -> str | None:
    """The language the employee last wrote in; None for someone not seen before."""
    return session.scalar(select(language_of(sender_id)))


def language_of(sender_id: str):
    """``last_language`` as a scalar subquery, to read within another statement."""
    sender = SenderId.parse_or_none(sender_id)
    if sender is None:
        return null()
    return (
        select(User.language)
        .where(User.channel == sender.channel, User.external_id == sender.external_id)
        .scalar_subquery()
    )


def note_language(session: Session, sender_id: str, language: str) -> None:
    """Remember the language the employee just wrote in (for their next short message)."""
    sender = SenderId.parse_or_none(sender_id)
    if sender is not None:
        touch_user(session, sender, language)


def assign_department(session: Session, sender: SenderId, department: str) -> User:
    """Put an employee in a department (for announcements to one department)."""
    user = touch_user(session, sender)
    user.department = department.strip()[:100] or None
    return user
