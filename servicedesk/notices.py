"""Proactive messages about tickets, queued in the outbox: to the employee in their language,
and to the agents' desks (English, the service desk's working language)."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicedesk import outbox
from servicedesk.db.models import Ticket, User
from servicedesk.i18n import text
from servicedesk.payloads import payload
from servicedesk.settings import AgentSettings

CARD_DESCRIPTION_LIMIT = 1500
STARS = "★"


@dataclass(frozen=True)
class Desk:
    """One place where agents read tickets: a Telegram group, an XMPP room."""

    channel: str
    address: str


def desks_from(settings: AgentSettings) -> tuple[Desk, ...]:
    """The agents' desks that are configured."""
    desks = []
    if settings.telegram_chat_id is not None:
        desks.append(Desk("tg", str(settings.telegram_chat_id)))
    if settings.xmpp_room:
        desks.append(Desk("xmpp", settings.xmpp_room))
    return tuple(desks)


def to_requester(session: Session, ticket: Ticket, key: str, body: str, buttons=()) -> None:
    """Queue ``body`` for the ticket's requester in their own chat."""
    user: User = ticket.requester
    message = {"text": body, "buttons": [dict(b) for b in buttons]}
    outbox.enqueue(session, user.channel, user.external_id, message, key)


def to_desks(session: Session, desks: tuple[Desk, ...], key: str, body: str, buttons=()) -> None:
    """Queue ``body`` for every agents' desk; ``key`` is made unique per desk."""
    message = {"text": body, "buttons": [dict(b) for b in buttons]}
    for desk in desks:
        outbox.enqueue(session, desk.channel, desk.address, message, f"{key}@{desk.channel}")


def card(ticket: Ticket) -> str:
    """What agents see of a new ticket."""
    who = ticket.requester.display_name or "employee"
    lines = [
        f"🆕 {ticket.reference} · {ticket.category} · priority {ticket.priority}"
        + (f" («{ticket.priority_cue}»)" if ticket.priority_cue else ""),
        f"From: {who} ({ticket.requester.channel}:{ticket.requester.external_id}) · "
        f"{ticket.language}",
        _shorten(ticket.description, CARD_DESCRIPTION_LIMIT),
    ]
    if ticket.suggested_articles:
        tried = "; ".join(
            a.get("title", a.get("article_id", "?")) for a in ticket.suggested_articles
        )
        lines.append(f"Already suggested: {tried}")
    if ticket.attachments:
        lines.append(f"Files: {len(ticket.attachments)} (see /ticket {ticket.reference})")
    if ticket.needs_triage:
        lines.append("⚠ Category unsure: please triage.")
    return "\n".join(lines)


def card_buttons(ticket: Ticket) -> list[dict]:
    """[Take] [Resolve] [Junk]: their payloads are agent commands."""
    return [
        {"title": title, "payload": f"{verb} {ticket.reference}"}
        for title, verb in (("Take", "take"), ("Resolve", "resolve"), ("Junk", "junk"))
    ]


def reply_button(ticket: Ticket) -> dict:
    language = ticket.requester.language
    return {
        "title": text("button_reply", language, reference=ticket.reference),
        "payload": payload("reply_ticket", ticket=str(ticket.number)),
    }


def star_buttons(ticket: Ticket) -> list[dict]:
    return [
        {
            "title": STARS * stars,
            "payload": payload("rate", ticket=str(ticket.number), stars=str(stars)),
        }
        for stars in range(5, 0, -1)
    ]


def _shorten(body: str, limit: int) -> str:
    return body if len(body) <= limit else body[: limit - 1] + "…"
