"""Managers run a contest in headless Chromium on a simulated month: define it, audit the
leaders, disqualify, preview, announce once; and send an announcement. SQLite and PostgreSQL."""

from sqlalchemy import func, select

from servicedesk.db.models import OutboxMessage
from tests.support.console import (
    account,
    csrf_token,
    sign_in,
    signed_in_http,
    snap,
    start_console,
)
from tests.test_contest_simulation import simulate


def contest_messages(db) -> int:
    with db.unit_of_work() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("contest:%"))
        )


async def test_a_manager_runs_a_contest_from_definition_to_announcement(database, browser):
    with database.unit_of_work() as session:
        people = simulate(session)
    console = await start_console(database)
    try:
        page = await browser.new_page()
        await sign_in(page, console.url, account(database, "zoya", "manager"))
        await page.click("nav >> text=Contests")
        await page.fill("input[name=title]", "October self-service")
        await page.fill("input[name=starts]", "2026-10-01")
        await page.fill("input[name=ends]", "2026-10-31")
        await page.fill("input[name=nomination_1]", "Most self-sufficient employee")
        await page.select_option("select[name=metric_1]", "self_service")
        await page.fill("input[name=nomination_2]", "All-round")
        await page.select_option("select[name=metric_2]", "weighted")
        await page.fill(
            "input[name=weights_2]", "self_service=2, article_feedback=1, bot_tickets=1"
        )
        await page.click("button:text('Create')")
        await snap(page, "17-contest")

        leaders = page.locator("section.nomination").first.locator("ol.leaders > li")
        assert await leaders.count() == 10
        first_name = await leaders.first.locator("b").text_content()
        assert first_name.startswith("tg:heavy-"), "an honest heavy user leads"
        top3 = [await leaders.nth(i).locator("b").text_content() for i in range(3)]
        assert not {"tg:flood", "tg:repeat", "tg:fake"} & set(top3)
        await leaders.first.locator("summary").click()
        assert "counted" in await leaders.first.locator("details").text_content()

        await leaders.first.locator("input[name=reason]").fill("audit: shared account")
        await leaders.first.locator("button:text('Disqualify')").click()
        new_first = (
            await page.locator("section.nomination")
            .first.locator("ol.leaders > li b")
            .first.text_content()
        )
        assert new_first != first_name
        assert first_name not in await page.text_content("#preview")

        await page.click("button:text('Announce to everyone')")
        await snap(page, "18-contest-announced")
        announced = await page.text_content(".flash")
        assert announced == f"Announced to {len(people['heavy']) + 42 + 3} employees."
        await page.click("button:text('Announce to everyone')")
        assert await page.text_content(".flash") == "Already announced; nothing was sent again."
        assert contest_messages(database) == 50

        await page.click("nav >> text=Contests")
        await page.fill("input[name=title]", "Overlapping")
        await page.fill("input[name=starts]", "2026-10-15")
        await page.fill("input[name=ends]", "2026-11-15")
        await page.fill("input[name=nomination_1]", "Anything")
        await page.select_option("select[name=metric_1]", "ratings")
        await page.click("button:text('Create')")
        assert "the dates overlap «October self-service»" in await page.text_content(".error")

        await page.click("nav >> text=Announcements")
        await page.fill("textarea[name=body]", "Planned outage on Saturday 08:00-10:00.")
        await page.click("button[value=preview]")
        assert await page.text_content("#recipients") == "50 employees would get it."
        await page.click("button[value=send]")
        await snap(page, "19-announcement-sent")
        assert await page.text_content(".flash") == "Sent to 50 employees (muted ones excluded)."
    finally:
        await console.stop()


async def test_a_forged_contest_form_with_an_unknown_metric_is_rejected(database):
    console = await start_console(database)
    try:
        manager = account(database, "yuri", "manager")
        async with await signed_in_http(console.url, manager) as http:
            token = await csrf_token(http, f"{console.url}/contests")
            response = await http.post(
                f"{console.url}/contests",
                data={
                    "title": "Karma",
                    "starts": "2027-01-01",
                    "ends": "2027-02-01",
                    "nomination_1": "Most karma",
                    "metric_1": "karma",
                    "csrf_token": token,
                },
            )
            assert response.status == 422
            assert "unknown metric «karma»" in await response.text()
    finally:
        await console.stop()
