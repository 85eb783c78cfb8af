"""Console accounts: argon2-hashed passwords and one role each."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk import console_sessions
from servicedesk.db.models import StaffRole, StaffUser, utcnow
from servicedesk.errors import DomainError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("deskbot-no-such-user")


class InvalidAccount(DomainError):
    """A username, password or role the console does not accept."""


def create(session: Session, username: str, password: str, role: str) -> StaffUser:
    """Create a console account.

    Raises:
        InvalidAccount: a malformed or taken username, a short password, an unknown role.
    """
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidAccount("usernames are 2-64 of a-z, 0-9, '.', '_' and '-'")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidAccount(f"passwords are at least {MIN_PASSWORD_LENGTH} characters")
    if role not in set(StaffRole):
        raise InvalidAccount(f"roles are {', '.join(StaffRole)}")
    if session.scalar(select(StaffUser).where(StaffUser.username == username)):
        raise InvalidAccount(f"{username} exists already")
    user = StaffUser(username=username, password_hash=_HASHER.hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, username: str, role: str) -> StaffUser:
    """Give an account another role; its open sessions end (it signs in again).

    Raises:
        InvalidAccount: no such account, or an unknown role.
    """
    if role not in set(StaffRole):
        raise InvalidAccount(f"roles are {', '.join(StaffRole)}")
    account = _named(session, username)
    account.role = role
    console_sessions.end_all(session, account)
    return account


def deactivate(session: Session, username: str) -> StaffUser:
    """Withdraw an account: it can no longer sign in and its open sessions end.

    Raises:
        InvalidAccount: no such account.
    """
    account = _named(session, username)
    account.active = False
    console_sessions.end_all(session, account)
    return account


def _named(session: Session, username: str) -> StaffUser:
    account = session.scalar(
        select(StaffUser).where(StaffUser.username == (username or "").strip().lower())
    )
    if account is None:
        raise InvalidAccount(f"there is no account {username!r}")
    return account


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The active account with this username and password, or None (whatever was wrong)."""
    user = session.scalar(
        select(StaffUser).where(StaffUser.username == (username or "").strip().lower())
    )
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _HASHER.verify(stored, (password or "")[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
