"""Console sign-ins, kept server-side: a session counts only while it was not ended, is younger
than its lifetime, and its account is still active with the role it signed in with."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from servicedesk.db.models import ConsoleSession, StaffUser, as_utc, utcnow

MAX_TOKEN_CHARS = 100


def start(session: Session, account: StaffUser) -> str:
    """A new session for ``account``; returns the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(ConsoleSession(id=_digest(token), staff_id=account.id, role=account.role))
    return token


def holder(session: Session, token: object, lifetime: timedelta) -> StaffUser | None:
    """The account whose live session ``token`` is, or None."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
        return None
    row = session.get(ConsoleSession, _digest(token))
    if row is None or row.ended_at is not None or utcnow() - as_utc(row.created_at) > lifetime:
        return None
    account = session.get(StaffUser, row.staff_id)
    if account is None or not account.active or account.role != row.role:
        return None
    return account


def end(session: Session, token: object) -> None:
    """Sign-out: the session stops counting at once."""
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_CHARS:
        row = session.get(ConsoleSession, _digest(token))
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()


def end_all(session: Session, account: StaffUser) -> None:
    """Every session of ``account`` ends (its access was withdrawn or changed)."""
    session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.staff_id == account.id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
