"""Managers' contest pages: define a contest, audit the leaders, disqualify, preview and
announce; and general announcements to everyone, one channel or one department."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select

from console.deps import DB, FormText, RowNumber
from console.pages import flash, page
from console.security import Staff, check_csrf, require
from servicedesk import broadcasts, contest_results, contest_scoring, contests
from servicedesk.contests import METRICS, InvalidContest, NominationSpec
from servicedesk.db import Database
from servicedesk.db.models import Contest, StaffRole, User, as_utc, utcnow
from servicedesk.errors import DomainError
from servicedesk.identifiers import parse_id

router = APIRouter()
Manager = Annotated[Staff, Depends(require(StaffRole.MANAGER))]
LEADERS = 10


class ContestForm(BaseModel):
    title: str = ""
    starts: str = ""
    ends: str = ""
    csrf_token: str = ""
    nomination_1: str = ""
    metric_1: str = ""
    weights_1: str = ""
    nomination_2: str = ""
    metric_2: str = ""
    weights_2: str = ""
    nomination_3: str = ""
    metric_3: str = ""
    weights_3: str = ""

    def nominations(self) -> list[NominationSpec]:
        specs = []
        for n in (1, 2, 3):
            title, metric = getattr(self, f"nomination_{n}"), getattr(self, f"metric_{n}")
            if title.strip() or metric:
                specs.append(
                    NominationSpec(title, metric, _weights(getattr(self, f"weights_{n}")))
                )
        return specs


@router.get("/contests")
async def contest_list(request: Request, staff: Manager, db: DB):
    rows = await asyncio.to_thread(_contest_rows, db)
    return page(request, "contests.html", rows=rows, metrics=METRICS, form=ContestForm())


@router.post("/contests")
async def create_contest(
    request: Request, staff: Manager, db: DB, form: Annotated[ContestForm, Form()]
):
    check_csrf(request, form.csrf_token)
    try:
        contest_id = await asyncio.to_thread(_create, db, form, staff.actor)
    except (InvalidContest, ValueError) as error:
        rows = await asyncio.to_thread(_contest_rows, db)
        return page(
            request,
            "contests.html",
            422,
            rows=rows,
            metrics=METRICS,
            form=form,
            error=f"Not created: {error}.",
        )
    flash(request, "Contest created. Employees see its name and end date, not what counts.")
    return RedirectResponse(f"/contests/{contest_id}", status_code=303)


@router.get("/contests/{contest_id}")
async def contest_page(request: Request, contest_id: RowNumber, staff: Manager, db: DB):
    view = await asyncio.to_thread(_contest_view, db, contest_id)
    if view is None:
        return page(request, "error.html", 404, message="No such contest.")
    return page(request, "contest.html", **view)


@router.post("/contests/{contest_id}/disqualify")
async def disqualify(
    request: Request,
    contest_id: RowNumber,
    staff: Manager,
    db: DB,
    user_id: FormText = "",
    reason: FormText = "",
    csrf_token: FormText = "",
):
    check_csrf(request, csrf_token)
    employee = parse_id(user_id)
    if employee is None or not reason.strip():
        flash(request, "Not done: name the person and the reason.")
    else:
        await asyncio.to_thread(_disqualify, db, contest_id, employee, reason, staff.actor)
        flash(request, "Disqualified; the standings are recalculated without them.")
    return RedirectResponse(f"/contests/{contest_id}", status_code=303)


@router.post("/contests/{contest_id}/announce")
async def announce(
    request: Request, contest_id: RowNumber, staff: Manager, db: DB, csrf_token: FormText = ""
):
    check_csrf(request, csrf_token)
    try:
        done = await asyncio.to_thread(_announce, db, contest_id, staff.actor)
    except DomainError as error:
        flash(request, f"Not announced: {error}.")
    else:
        flash(
            request,
            f"Announced to {done.recipients} employees."
            if done.first_time
            else "Already announced; nothing was sent again.",
        )
    return RedirectResponse(f"/contests/{contest_id}", status_code=303)


@router.get("/broadcasts")
async def broadcast_page(request: Request, staff: Manager):
    return page(request, "broadcast.html", channels=broadcasts.BROADCAST_CHANNELS)


@router.post("/broadcasts")
async def send_broadcast(
    request: Request,
    staff: Manager,
    db: DB,
    body: FormText = "",
    channel: FormText = "",
    department: FormText = "",
    action: FormText = "preview",
    csrf_token: FormText = "",
):
    check_csrf(request, csrf_token)
    context = {"channels": broadcasts.BROADCAST_CHANNELS, "body": body, "channel": channel}
    context["department"] = department
    if action == "preview":
        count = await asyncio.to_thread(_recipient_count, db, channel, department)
        return page(request, "broadcast.html", **context, recipients=count)
    try:
        sent = await asyncio.to_thread(_send, db, body, channel, department, staff.actor)
    except DomainError as error:
        return page(request, "broadcast.html", 422, **context, error=f"Not sent: {error}.")
    flash(request, f"Sent to {sent} employees (muted ones excluded).")
    return RedirectResponse("/broadcasts", status_code=303)


def _weights(raw: str) -> dict[str, float]:
    """ "self_service=2, ratings=1" -> {"self_service": 2.0, "ratings": 1.0}."""
    weights = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, value = part.partition("=")
        weights[name.strip()] = float(value)
    return weights


def _date(raw: str) -> datetime:
    return datetime.strptime(raw.strip(), "%Y-%m-%d").replace(tzinfo=UTC)


def _create(db: Database, form: ContestForm, by: str) -> int:
    with db.unit_of_work() as session:
        contest = contests.create(
            session, form.title, _date(form.starts), _date(form.ends), form.nominations(), by
        )
        return contest.id


def _contest_rows(db: Database) -> list[dict]:
    with db.unit_of_work() as session:
        found = session.scalars(select(Contest).order_by(Contest.starts_at.desc()))
        return [_summary(c) for c in found]


def _summary(contest: Contest) -> dict:
    now = utcnow()
    if contest.announced_at:
        state = "announced"
    elif now < as_utc(contest.starts_at):
        state = "upcoming"
    else:
        state = "running" if now < as_utc(contest.ends_at) else "ended"
    return {
        "id": contest.id,
        "title": contest.title,
        "starts": f"{as_utc(contest.starts_at):%Y-%m-%d}",
        "ends": f"{as_utc(contest.ends_at):%Y-%m-%d}",
        "state": state,
    }


def _contest_view(db: Database, contest_id: int) -> dict | None:
    with db.unit_of_work() as session:
        contest = session.get(Contest, contest_id)
        if contest is None:
            return None
        ranked = contest_scoring.standings(session, contest)
        names = {
            u.id: u.display_name or f"{u.channel}:{u.external_id}" for u in session.query(User)
        }
        nominations = [
            {
                "title": n.title,
                "metric": METRICS[n.metric] + (f" {n.weights}" if n.weights else ""),
                "leaders": [
                    {
                        "user_id": s.user_id,
                        "name": names.get(s.user_id, s.user_id),
                        "points": f"{s.points:g}",
                        "events": [
                            {
                                "when": f"{e.at:%Y-%m-%d %H:%M}",
                                "metric": e.metric,
                                "text": e.text[:120],
                                "excluded": e.excluded or "",
                            }
                            for e in s.events
                        ],
                    }
                    for s in ranked[n.id][:LEADERS]
                ],
            }
            for n in contest.nominations
        ]
        preview = contest_results.results_text(session, contest, "en")
        return {"contest": _summary(contest), "nominations": nominations, "preview": preview}


def _disqualify(db: Database, contest_id: int, user_id: int, reason: str, by: str) -> None:
    with db.unit_of_work() as session:
        contests.disqualify(session, contest_id, user_id, reason.strip()[:500], by)


def _announce(db: Database, contest_id: int, by: str) -> contest_results.Announcement:
    with db.unit_of_work() as session:
        return contest_results.announce(session, contest_id, by)


def _recipient_count(db: Database, channel: str, department: str) -> int:
    with db.unit_of_work() as session:
        return len(broadcasts.recipients(session, channel or None, department or None))


def _send(db: Database, body: str, channel: str, department: str, by: str) -> int:
    with db.unit_of_work() as session:
        return broadcasts.send(
            session, body, by, "announcement", channel or None, department or None
        ).recipients
