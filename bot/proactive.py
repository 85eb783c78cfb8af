"""An outbox message as a reply, its buttons issued only when it is about to go out."""

from sqlalchemy.orm import Session

from bot.messages import Button, Reply
from servicedesk import buttons

# An outbox payload holding several replies that go out together, {"batch": [payload, ...]}:
# XMPP numbers the choices across the replies of one turn.
BATCH = "batch"


def as_replies(session: Session, sender_id: str, payload: dict) -> list[Reply]:
    """An outbox payload's replies: one, or a ``BATCH``'s."""
    return [as_reply(session, sender_id, one) for one in payload.get(BATCH) or [payload]]


def as_reply(session: Session, sender_id: str, payload: dict) -> Reply:
    """``payload`` is the outbox's {"text", "buttons": [{"title", "payload"}]}."""
    offered = payload.get("buttons") or []
    tokens = buttons.issue(session, sender_id, [b["payload"] for b in offered])
    return Reply(
        str(payload.get("text") or ""),
        tuple(Button(b["title"], t) for b, t in zip(offered, tokens, strict=True)),
    )
