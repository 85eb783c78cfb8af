"""Ticket drafts: what the employee's request will say, before they confirm filing it."""

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk.db.models import DraftStatus, SearchQuery, TicketDraft, as_utc, utcnow
from servicedesk.errors import InvalidTransition, UnknownDraft
from servicedesk.identity import SenderId
from servicedesk.users import touch_user

LIFETIME = timedelta(minutes=30)
MAX_DESCRIPTION = 10_000
MAX_ATTACHMENTS = 20


def propose(
    session: Session, sender: SenderId, language: str, search: SearchQuery | None
) -> TicketDraft:
    """The draft to propose to ``sender``: their open one (keeping its files) or a new one,
    filled from the search that did not help, if any."""
    draft = open_draft(session, sender) or _new(session, sender, language)
    if search is not None and not draft.description:
        draft.description = search.text[:MAX_DESCRIPTION]
        draft.search_id, draft.suggested_articles = search.id, list(search.results)
    draft.proposed, draft.language, draft.updated_at = True, language, utcnow()
    session.flush()
    return draft


def add_details(session: Session, draft: TicketDraft, details: str) -> TicketDraft:
    """Append what the employee added (or make it the description if there was none)."""
    combined = f"{draft.description}\n{details}" if draft.description else details
    draft.description, draft.updated_at = combined[:MAX_DESCRIPTION], utcnow()
    session.flush()
    return draft


def add_attachments(
    session: Session, sender: SenderId, language: str, file_ids: Sequence[str]
) -> TicketDraft:
    """Keep files the employee sent with their open draft, or with a new one waiting for text."""
    draft = open_draft(session, sender) or _new(session, sender, language)
    kept = list(dict.fromkeys([*draft.attachments, *file_ids]))  # each file once, in order
    draft.attachments = kept[:MAX_ATTACHMENTS]
    draft.updated_at = utcnow()
    session.flush()
    return draft


def open_draft(session: Session, sender: SenderId) -> TicketDraft | None:
    """The sender's open draft, unless it was left alone for longer than LIFETIME."""
    user = touch_user(session, sender)
    draft = session.scalar(
        select(TicketDraft)
        .where(TicketDraft.user_id == user.id, TicketDraft.status == DraftStatus.OPEN)
        .order_by(TicketDraft.id.desc())
        .limit(1)
    )
    if draft is None or utcnow() - as_utc(draft.updated_at) > LIFETIME:
        return None
    return draft


def own_draft(session: Session, sender: SenderId, draft_id: int) -> TicketDraft:
    """The draft ``draft_id`` if it is ``sender``'s.

    Raises:
        UnknownDraft: no such draft, or someone else's.
    """
    draft = session.get(TicketDraft, draft_id)
    if draft is None or draft.user_id != touch_user(session, sender).id:
        raise UnknownDraft(draft_id)
    return draft


def mark_filed(session: Session, draft: TicketDraft, ticket_id: int) -> None:
    draft.status, draft.ticket_id, draft.updated_at = DraftStatus.FILED, ticket_id, utcnow()
    session.flush()


def cancel(session: Session, draft: TicketDraft) -> None:
    """Drop an open draft; a filed one stays filed.

    Raises:
        InvalidTransition: the draft was filed already.
    """
    if draft.status == DraftStatus.FILED:
        raise InvalidTransition("the ticket was filed already")
    draft.status, draft.updated_at = DraftStatus.CANCELLED, utcnow()
    session.flush()


def _new(session: Session, sender: SenderId, language: str) -> TicketDraft:
    draft = TicketDraft(user_id=touch_user(session, sender).id, language=language)
    session.add(draft)
    session.flush()
    return draft
