"""Agents' pages: the ticket queue with filters, and one ticket with its conversation and the
same steps as in chat (take, reply, resolve, junk), so replies reach the employee."""

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from console.deps import DB, FormText, RowNumber
from console.pages import flash, page
from console.security import Staff, check_csrf, require
from servicedesk import tickets, workflow
from servicedesk.db import Database
from servicedesk.db.models import StaffRole, TicketStatus
from servicedesk.errors import DomainError
from servicedesk.priority import Priority
from servicedesk.settings import TicketSettings
from servicedesk.tickets import TicketFilter

router = APIRouter(prefix="/tickets")
Reader = Annotated[Staff, Depends(require(StaffRole.AGENT, StaffRole.MANAGER))]
Worker = Annotated[Staff, Depends(require(StaffRole.AGENT))]
MAX_TEXT = 4000


@router.get("")
async def queue(
    request: Request,
    staff: Reader,
    db: DB,
    status: str = "",
    category: str = "",
    priority: str = "",
    assignee: str = "",
):
    wanted = TicketFilter(status or None, category or None, priority or None, assignee or None)
    rows = await asyncio.to_thread(_queue_rows, db, wanted)
    return page(
        request,
        "tickets.html",
        rows=rows,
        wanted=wanted,
        statuses=list(TicketStatus),
        categories=TicketSettings().categories,
        priorities=list(Priority),
    )


@router.get("/{number}")
async def ticket_page(
    request: Request,
    number: RowNumber,
    staff: Reader,
    db: DB,
):
    view = await asyncio.to_thread(_ticket_view, db, number)
    if view is None:
        return page(request, "error.html", 404, message=f"No ticket SD-{number}.")
    return page(request, "ticket.html", **view, can_act=staff.role != StaffRole.MANAGER)


@router.post("/{number}/take")
async def take(
    request: Request,
    number: RowNumber,
    staff: Worker,
    db: DB,
    csrf_token: FormText = "",
):
    step = partial(workflow.take, number=number, agent=staff.actor)
    return await _step(request, db, number, csrf_token, step, "Taken.")


@router.post("/{number}/reply")
async def reply(
    request: Request,
    number: RowNumber,
    staff: Worker,
    db: DB,
    body: FormText = "",
    csrf_token: FormText = "",
):
    problem = _text_problem(body, "the message")
    step = partial(workflow.agent_reply, number=number, agent=staff.actor, body=body.strip())
    return await _step(request, db, number, csrf_token, step, "Sent to the requester.", problem)


@router.post("/{number}/resolve")
async def resolve(
    request: Request,
    number: RowNumber,
    staff: Worker,
    db: DB,
    note: FormText = "",
    csrf_token: FormText = "",
):
    problem = _text_problem(note, "the resolution note")
    step = partial(workflow.resolve, number=number, agent=staff.actor, note=note.strip())
    message = "Resolved; the requester is asked to rate."
    return await _step(request, db, number, csrf_token, step, message, problem)


@router.post("/{number}/junk")
async def junk(
    request: Request,
    number: RowNumber,
    staff: Worker,
    db: DB,
    csrf_token: FormText = "",
):
    step = partial(workflow.junk, number=number, agent=staff.actor)
    return await _step(request, db, number, csrf_token, step, "Closed as junk.")


async def _step(
    request: Request,
    db: Database,
    number: RowNumber,
    token: str,
    step: Callable,
    done: str,
    problem: str | None = None,
) -> RedirectResponse:
    """Check the form's token, run one workflow step, and come back to the ticket."""
    check_csrf(request, token)
    if problem is None:
        problem = await asyncio.to_thread(_run, db, step)
    flash(request, problem or done)
    return RedirectResponse(f"/tickets/{number}", status_code=303)


def _run(db: Database, step: Callable) -> str | None:
    try:
        with db.unit_of_work() as session:
            step(session)
    except DomainError as error:
        return f"Not done: {error}."
    return None


def _text_problem(text: str, what: str) -> str | None:
    if not text.strip():
        return f"Not done: {what} is empty."
    if len(text) > MAX_TEXT:
        return f"Not done: {what} is longer than {MAX_TEXT} characters."
    return None


def _queue_rows(db: Database, wanted: TicketFilter) -> list[dict]:
    with db.unit_of_work() as session:
        return [_row(t) for t in tickets.find(session, wanted)]


def _row(ticket) -> dict:
    return {
        "reference": ticket.reference,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "category": ticket.category,
        "priority": ticket.priority,
        "assignee": ticket.assignee or "",
        "channel": ticket.channel,
        "created": ticket.created_at.strftime("%Y-%m-%d %H:%M"),
        "triage": ticket.needs_triage,
    }


def _ticket_view(db: Database, number: int) -> dict | None:
    with db.unit_of_work() as session:
        try:
            ticket = tickets.get(session, number)
        except DomainError:
            return None
        rating = tickets.rating_of(session, ticket)
        return {
            "ticket": _row(ticket)
            | {
                "description": ticket.description,
                "requester": ticket.requester.display_name or ticket.requester.external_id,
                "requester_id": f"{ticket.requester.channel}:{ticket.requester.external_id}",
                "language": ticket.language,
                "priority_cue": ticket.priority_cue or "",
                "resolution_note": ticket.resolution_note or "",
                "attachments": list(ticket.attachments),
                "suggested": list(ticket.suggested_articles),
                "open": ticket.status in tickets.OPEN_STATUSES,
            },
            "events": [
                {
                    "when": e.created_at.strftime("%Y-%m-%d %H:%M"),
                    "kind": e.kind,
                    "actor": e.actor,
                    "body": e.body,
                }
                for e in ticket.events
            ],
            "rating": {"stars": rating.stars, "comment": rating.comment or ""} if rating else None,
        }
