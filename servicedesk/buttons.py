"""Buttons the bot issued. A messenger carries only the short token; the payload stays here.

This keeps callback data under Telegram's 64 bytes whatever the payload, and lets the gateway
refuse button data it never issued, or issued to someone else.
"""

import secrets
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from servicedesk.db.models import IssuedButton, utcnow

TOKEN_BYTES = 12  # 16 url-safe characters


def issue(session: Session, sender_id: str, payloads: Sequence[str]) -> list[str]:
    """Issue one token per payload for ``sender_id``; returns the tokens in order."""
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in payloads]
    if tokens:  # one statement for them all
        now = utcnow()
        rows = [
            {"token": t, "sender_id": sender_id, "payload": p, "issued_at": now}
            for t, p in zip(tokens, payloads, strict=True)
        ]
        session.execute(insert(IssuedButton).values(rows))
    return tokens


def release(session: Session, token: str, sender_id: str) -> None:
    """Make a redeemed button usable again (what it asked for could not be done)."""
    button = session.get(IssuedButton, token)
    if button is not None and button.sender_id == sender_id:
        button.used_at = None


def redeem(session: Session, token: str, sender_id: str, consume: bool = True) -> str | None:
    """The payload behind ``token`` if it was issued to ``sender_id`` and not used yet.

    Args:
        consume: mark the button used (an employee's choice is made once; a ticket card's
            buttons stay usable, since the ticket's state decides what they may still do).
    """
    if not token or len(token) > 64:
        return None
    button = session.get(IssuedButton, token)
    if button is None or button.sender_id != sender_id or button.used_at is not None:
        return None
    if consume:
        button.used_at = utcnow()
    return button.payload
