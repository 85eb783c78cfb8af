"""The article scoreboard: figures per article on both databases, and the page in Chromium."""

from datetime import timedelta

from servicedesk import scoreboard
from servicedesk.db.models import SearchQuery, utcnow
from servicedesk.identity import SenderId
from servicedesk.users import touch_user
from tests.support.console import account, sign_in, snap

UNHELPFUL = {"article_id": "en-zz-unhelpful", "title": "Seeded unhelpful article", "score": 0.5}
HELPFUL = {"article_id": "en-zz-helpful", "title": "Seeded helpful article", "score": 0.6}


def seed(db) -> None:
    """The unhelpful article: 6 suggestions, 1 solved, 4 tickets, 1 without feedback; 4 of them
    in the last 28 days. The helpful one: 3 suggestions, all solved, all long ago."""
    now = utcnow()
    with db.unit_of_work() as session:
        user = touch_user(session, SenderId("tg", "9700"), "en")
        outcomes = [
            "helped",
            "needs_ticket",
            "needs_ticket",
            "needs_ticket",
            "needs_ticket",
            "abandoned",
        ]
        for n, outcome in enumerate(outcomes):
            age = timedelta(days=3) if n < 4 else timedelta(days=40)
            session.add(
                SearchQuery(
                    user_id=user.id,
                    text=f"u{n}",
                    language="en",
                    results=[UNHELPFUL],
                    outcome=outcome,
                    created_at=now - age,
                )
            )
        for n in range(3):
            session.add(
                SearchQuery(
                    user_id=user.id,
                    text=f"h{n}",
                    language="en",
                    results=[HELPFUL],
                    outcome="helped",
                    created_at=now - timedelta(days=100),
                )
            )


def test_scores_per_article(database):
    seed(database)
    with database.unit_of_work() as session:
        board = {s.article_id: s for s in scoreboard.scores(session)}
    bad, good = board["en-zz-unhelpful"], board["en-zz-helpful"]
    assert (bad.suggested, bad.solved, bad.needed_ticket) == (6, 1, 4)
    assert bad.solved_rate == 0.2 and bad.ticket_rate == 0.8
    assert (bad.recent, bad.earlier, bad.trend) == (4, 2, 2)
    assert bad.flags == ["popular but unhelpful: rework"]
    assert (good.suggested, good.solved_rate, good.trend, good.flags) == (3, 1.0, 0, [])


async def test_the_scoreboard_page_sorts_and_flags(console, browser, stack_db):
    seed(stack_db)
    page = await browser.new_page()
    await sign_in(page, console.url, account(stack_db, "yana", "manager"))
    await page.click("nav >> text=Scoreboard")
    await page.click("th >> text=Still needed a ticket")
    await snap(page, "16-scoreboard")

    flagged = page.locator("#scoreboard tr.flagged", has_text="en-zz-unhelpful")
    cells = [c.strip() for c in await flagged.locator("td").all_text_contents()]
    assert cells[2:6] == ["6", "20%", "80%", "+2"]
    assert cells[-1] == "popular but unhelpful: rework"
    assert page.url.endswith("sort=ticket")
