"""The managers' dashboard in headless Chromium, on seeded data whose figures are known, on
SQLite and PostgreSQL; and the analytics behind it."""

import csv
import io
from datetime import UTC, datetime, timedelta

from servicedesk.db.models import Rating, SearchQuery, Ticket, TicketEvent
from servicedesk.identity import SenderId
from servicedesk.users import touch_user
from tests.support.console import account, sign_in, snap, start_console

MONDAY_W45 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MONDAY_W46 = MONDAY_W45 + timedelta(days=7)
HOUR = timedelta(hours=1)


def seed(database) -> None:
    """Two weeks: W45 has 3 of 6 requests solved by the KB (one search left without feedback),
    W46 has 2 of 3; two rated tickets (5 and 3 stars) and a junk ticket that counts nowhere."""
    with database.unit_of_work() as session:
        ann = touch_user(session, SenderId("tg", "51"), "en")
        bob = touch_user(session, SenderId("xmpp", "bob@corp.example.com"), "en")
        outcomes = {
            MONDAY_W45: ["helped"] * 3 + ["needs_ticket", "no_answer", "abandoned"],
            MONDAY_W46: ["helped", "helped", "needs_ticket"],
        }
        searches = []
        for day, kinds in outcomes.items():
            for n, outcome in enumerate(kinds):
                search = SearchQuery(
                    user_id=ann.id, text=f"q{n}", language="en", outcome=outcome, created_at=day
                )
                session.add(search)
                searches.append(search)
        session.flush()
        printer = _ticket(session, ann, "Printing", "tg", MONDAY_W45, None, 1)
        vpn = _ticket(session, bob, "Network & VPN", "xmpp", MONDAY_W46, searches[-1].id, 2)
        _ticket(session, ann, "Other", "tg", MONDAY_W46, None, 3, status="junk")
        _events(session, printer, ("taken", "agent", HOUR), ("resolved", "agent", 4 * HOUR))
        _events(
            session,
            vpn,
            ("replied", "xmpp:bob@corp.example.com", HOUR / 2),
            ("replied", "agent", 2 * HOUR),
            ("resolved", "agent", 8 * HOUR),
        )
        session.add_all(
            [
                Rating(ticket_id=printer.id, user_id=ann.id, stars=5),
                Rating(ticket_id=vpn.id, user_id=bob.id, stars=3),
            ]
        )


def _ticket(session, user, category, channel, filed, search_id, n, status="new") -> Ticket:
    ticket = Ticket(
        requester_id=user.id,
        subject=category,
        description=category,
        category=category,
        priority="normal",
        status=status,
        channel=channel,
        language="en",
        search_id=search_id,
        filing_key=f"seed-{n}",
        number=5000 + n,
        created_at=filed,
    )
    session.add(ticket)
    session.flush()
    return ticket


def _events(session, ticket, *steps) -> None:
    for kind, actor, after in steps:
        session.add(
            TicketEvent(
                ticket_id=ticket.id, kind=kind, actor=actor, created_at=ticket.created_at + after
            )
        )
        if kind == "resolved":
            ticket.status, ticket.resolved_at = "resolved", ticket.created_at + after


async def test_a_manager_sees_the_figures_of_the_database(database, browser):
    seed(database)
    console = await start_console(database)
    try:
        page = await browser.new_page()
        await sign_in(page, console.url, account(database, "maria", "manager"))
        await page.click("nav >> text=Dashboard")
        await snap(page, "08-dashboard")

        assert await page.text_content("#overall-share") == "55.6%"  # 5 of 9 requests
        assert await page.text_content("#happy") == "50.0%"
        assert await page.text_content("#average") == "4.00"
        shares = await _table(page, "self-service")
        assert shares == [
            ["2026-W45", "3", "6", "50.0%", "1"],
            ["2026-W46", "2", "3", "66.7%", "0"],
        ]
        assert await _table(page, "categories") == [
            ["Network & VPN", "0", "1"],
            ["Printing", "1", "0"],
        ]
        assert await _table(page, "channels") == [["tg", "1", "0"], ["xmpp", "0", "1"]]
        assert await _table(page, "response-times") == [
            ["filed to first response", "1.5", "2"],
            ["filed to resolution", "6.0", "2"],
        ]
        exported = await page.request.get(f"{console.url}/dashboard/satisfaction.csv")
        rows = list(csv.reader(io.StringIO(await exported.text())))
        assert rows == [
            ["stars", "ratings"],
            ["5", "1"],
            ["4", "0"],
            ["3", "1"],
            ["2", "0"],
            ["1", "0"],
        ]
        agent = await (await browser.new_context()).new_page()
        await sign_in(agent, console.url, account(database, "nikolai", "agent"))
        assert (await agent.goto(f"{console.url}/dashboard")).status == 403
        assert (await agent.goto(f"{console.url}/dashboard/self-service.csv")).status == 403
    finally:
        await console.stop()


async def _table(page, name: str) -> list[list[str]]:
    rows = await page.query_selector_all(f"#table-{name} tbody tr")
    return [
        [(await c.text_content()).strip() for c in await r.query_selector_all("td")] for r in rows
    ]
