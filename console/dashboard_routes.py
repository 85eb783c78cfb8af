"""Managers' dashboard: self-service share, tickets by category and channel, satisfaction and
response times, each table also as CSV."""

import asyncio
import csv
import io
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console import charts
from console.deps import DB
from console.pages import page
from console.security import Staff, require
from servicedesk import analytics
from servicedesk.db import Database
from servicedesk.db.models import StaffRole, Ticket

router = APIRouter(prefix="/dashboard")
Manager = Annotated[Staff, Depends(require(StaffRole.MANAGER))]


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list]


@router.get("")
async def dashboard(request: Request, staff: Manager, db: DB):
    tables, figures = await asyncio.to_thread(_compute, db)
    return page(request, "dashboard.html", tables=tables, charts=_charts(tables), **figures)


@router.get("/{name}.csv")
async def export(name: str, staff: Manager, db: DB):
    tables, _ = await asyncio.to_thread(_compute, db)
    if name not in tables:
        return Response("no such table", status_code=404, media_type="text/plain")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(tables[name].header)
    writer.writerows(tables[name].rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="deskbot-{name}.csv"'},
    )


def _compute(db: Database) -> tuple[dict[str, Table], dict]:
    with db.unit_of_work() as session:
        shares = analytics.self_service_by_week(session)
        categories = analytics.tickets_by_week(session, Ticket.category)
        channels = analytics.tickets_by_week(session, Ticket.channel)
        rated = analytics.satisfaction(session)
        times = analytics.response_times(session)
    tables = {
        "self-service": Table(
            "Self-service share by week",
            ["week", "solved by the knowledge base", "requests", "share", "no feedback"],
            [[w.week, w.solved_by_kb, w.requests, _pct(w.share), w.undecided] for w in shares],
        ),
        "categories": _crosstab("Tickets by category and week", "category", categories),
        "channels": _crosstab("Tickets by channel and week", "channel", channels),
        "satisfaction": Table(
            "Ratings by stars",
            ["stars", "ratings"],
            [[stars, count] for stars, count in sorted(rated.distribution.items(), reverse=True)],
        ),
        "response-times": Table(
            "Response times (hours)",
            ["measure", "median hours", "tickets"],
            [
                [
                    "filed to first response",
                    _hours(times.median_first_response_h),
                    times.responded,
                ],
                ["filed to resolution", _hours(times.median_resolution_h), times.resolved],
            ],
        ),
    }
    figures = {
        "ratings": rated.ratings,
        "average": f"{rated.average:.2f}" if rated.average is not None else "–",
        "happy": _pct(rated.share_4_5),
        "overall_share": _pct(_overall(shares)),
    }
    return tables, figures


def _charts(tables: dict[str, Table]) -> dict:
    share_rows = [r for r in tables["self-service"].rows if r[3] != "–"]
    totals: dict[str, int] = {}
    for row in tables["categories"].rows:
        totals[row[0]] = sum(row[1:])
    stars = tables["satisfaction"].rows
    return {
        "share": charts.bars(
            [r[0] for r in share_rows], [r[1] / r[2] for r in share_rows], "%", top=1
        ),
        "categories": charts.bars(list(totals), list(totals.values())),
        "stars": charts.bars([f"{'★' * r[0]}" for r in stars], [r[1] for r in stars]),
    }


def _crosstab(title: str, name: str, by_week: dict[str, dict[str, int]]) -> Table:
    """Rows per value (category, channel), a column per week."""
    weeks = list(by_week)
    values = sorted({v for counts in by_week.values() for v in counts})
    rows = [[v] + [by_week[w].get(v, 0) for w in weeks] for v in values]
    return Table(title, [name] + weeks, rows)


def _overall(shares: list[analytics.WeekShare]) -> float | None:
    requests = sum(w.requests for w in shares)
    return sum(w.solved_by_kb for w in shares) / requests if requests else None


def _pct(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "–"


def _hours(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "–"
