"""An outbox message as a reply, its buttons issued only when it is about to go out."""

from sqlalchemy.orm import Session

from bot.messages import Button, Reply
from servicedesk import buttons

# An outbox payload holding several replies that go out together, {"batch": [payload, ...]}:
# XMPP numbers the choices across the replies of one turn.
BATCH = "batch"


def as_replies(session: Session, sender_id: str, payload: dict) -> list[Reply]:
    """An outbox payload's replies: one, or a ``BATCH``'s."""
    return replies_of(session, sender_id, payload.get(BATCH) or [payload])


def as_reply(session: Session, sender_id: str, payload: dict) -> Reply:
    """``payload`` is the outbox's {"text", "buttons": [{"title", "payload"}]}."""
    [reply] = replies_of(session, sender_id, [payload])
    return reply


def replies_of(session: Session, sender_id: str, payloads: list[dict]) -> list[Reply]:
    """The replies of outbox payloads, all their buttons issued in one statement."""
    offered = [payload.get("buttons") or [] for payload in payloads]
    wanted = [button["payload"] for buttons_offered in offered for button in buttons_offered]
    tokens = iter(buttons.issue(session, sender_id, wanted))
    return [
        Reply(str(payload.get("text") or ""), tuple(Button(b["title"], next(tokens)) for b in o))
        for payload, o in zip(payloads, offered, strict=True)
    ]
