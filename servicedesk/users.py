"""Employees, one row per channel identity."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk.db.models import User, utcnow
from servicedesk.identity import SenderId


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
    user = session.scalar(
        select(User).where(User.channel == sender.channel, User.external_id == sender.external_id)
    )
    if user is None:
        user = User(channel=sender.channel, external_id=sender.external_id)
        session.add(user)
    if language:
        user.language = language
    if name:
        user.display_name = name[:200]
    user.last_seen_at = utcnow()
    session.flush()
    return user


def assign_department(session: Session, sender: SenderId, department: str) -> User:
    """Put an employee in a department (for announcements to one department)."""
    user = touch_user(session, sender)
    user.department = department.strip()[:100] or None
    return user
