"""KB editors close a gap in headless Chromium: the largest cluster of unanswered questions,
an article written for it and published, and the count of its questions now answered."""

import re

from sqlalchemy import select

from servicedesk.db.models import SearchQuery
from servicedesk.identity import SenderId
from servicedesk.users import touch_user
from tests.support.console import account, fill_article, sign_in, snap

DESK_QUESTIONS = [
    "my standing desk shows error E01",
    "standing desk controller shows error E01 and it will not move",
    "the electric standing desk is stuck with E01 on the display",
    "standing desk error E01 again",
    "my height adjustable desk shows E01",
]
BODY = """An electric standing desk shows **E01** when its controller lost its height.

1. Hold the *down* button until the desk reaches its lowest point and beeps.
2. Release, then hold *down* again for 5 seconds to reset the controller.
"""


HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


def seed_gap(db) -> None:
    with db.unit_of_work() as session:
        for n, text in enumerate(DESK_QUESTIONS):
            user = touch_user(session, SenderId("tg", f"96{n:02d}"), "en")
            outcome = "no_answer" if n % 2 else "needs_ticket"
            session.add(SearchQuery(user_id=user.id, text=text, language="en", outcome=outcome))
        prankster = touch_user(session, SenderId("tg", "9690"), "en")
        session.add(
            SearchQuery(user_id=prankster.id, text=HOSTILE, language="en", outcome="no_answer")
        )


async def test_an_editor_closes_the_largest_gap(console, browser, stack_db):
    seed_gap(stack_db)
    page = await browser.new_page()
    await sign_in(page, console.url, account(stack_db, "xenia", "editor"))

    await page.click("nav >> text=Gaps")
    await snap(page, "13-gaps")
    assert HOSTILE in await page.text_content("main"), "the query is shown as text"
    assert await page.evaluate("window.pwned") is None
    largest = page.locator("section.gap").first
    heading = await largest.locator("h2").text_content()
    assert heading.startswith("5 people · 5 questions · en")
    assert "standing desk" in (await largest.locator("ul").text_content()).lower()
    await largest.locator("button").click()
    await snap(page, "14-article-for-gap")
    assert "Written for a gap of 5 questions." in await page.text_content("form.article")

    await fill_article(
        page,
        "en-desk-001",
        "Standing desk shows error E01",
        "standing desk, E01, electric desk, height",
        BODY,
    )
    await page.click("button[value=save]")
    await page.click("button[value=published]")
    await snap(page, "15-gap-closed")

    flash = await page.text_content(".flash")
    closed = re.search(r"Gap closed: (\d+) of 5 questions now find this article\.", flash)
    assert closed, flash
    assert int(closed.group(1)) >= 4
    with stack_db.unit_of_work() as session:
        asked = session.scalars(select(SearchQuery.text).where(SearchQuery.text.contains("E01")))
        assert len(asked.all()) == 5
