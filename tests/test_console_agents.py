"""The console in real headless Chromium: an agent resolves a ticket and the employee hears of
it in the loopback Telegram; and the console's answers to hostile or mistaken use."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from console.throttle import LoginThrottle
from servicedesk import contests, tickets
from servicedesk.contests import NominationSpec
from servicedesk.db.models import Contest, Ticket
from servicedesk.identity import SenderId
from servicedesk.priority import assess
from servicedesk.tickets import CategoryDecision, FilingRequest
from tests.support.console import PASSWORD, account, csrf_token, sign_in, signed_in_http, snap
from tests.support.gateway import Employee, buttons

PRINTING = CategoryDecision("Printing", 0.9, needs_triage=False)


def filed(db, user_id: int, text: str, key: str) -> int:
    request = FilingRequest(SenderId("tg", str(user_id)), text, "en", PRINTING, assess(text), key)
    with db.unit_of_work() as session:
        return tickets.file_ticket(session, request).number


async def test_an_agent_resolves_a_ticket_and_the_employee_is_asked_to_rate(
    gateway, telegram, stack_db, console, browser
):
    number = filed(stack_db, 9401, "the plotter on floor 5 smears every page", "console-e2e")
    agent = account(stack_db, "olga", "agent")
    page = await browser.new_page()

    await sign_in(page, console.url, agent)
    await snap(page, "01-home-agent")
    await page.click("text=Ticket queue")
    await page.select_option("select[name=status]", "new")
    await page.click("text=Filter")
    await snap(page, "02-queue")
    await page.click(f"text=SD-{number}")
    await snap(page, "03-ticket")
    await page.click("button:text('Take')")
    assert await page.text_content("#status") == "in_progress"
    await page.fill("textarea[name=note]", "Cleaned the fuser; prints are clean again")
    await page.click("button:text('Resolve')")
    await snap(page, "04-ticket-resolved")

    assert "Resolved; the requester is asked to rate." in await page.text_content(".flash")
    assert await page.text_content("#status") == "resolved"
    employee = Employee(telegram, 9401)
    request = await employee.wait_for("was resolved: Cleaned the fuser")
    assert buttons([request]) == ["★★★★★", "★★★★", "★★★", "★★", "★"]
    with stack_db.unit_of_work() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert [e.kind for e in ticket.events] == ["created", "taken", "resolved"]
        assert ticket.assignee == "olga (console)"


async def test_a_wrong_password_gets_a_generic_error_and_repeats_are_slowed(
    console, browser, stack_db
):
    account(stack_db, "pavel", "agent")
    # The throttle's clock stands still, so the wait it imposes does not run out while a slow
    # machine loads the pages.
    stopped = time.monotonic()
    console.app.state.throttle = LoginThrottle(clock=lambda: stopped)
    page = await browser.new_page()

    await sign_in(page, console.url, "pavel", "not the password")
    first = await page.text_content(".error")
    await snap(page, "05-login-wrong-password")
    await sign_in(page, console.url, "nobody-at-all", "not the password")
    assert await page.text_content(".error") == first == "Wrong username or password."
    for _ in range(3):
        await sign_in(page, console.url, "pavel", "still wrong")
    slowed = await page.text_content(".error")
    assert slowed.startswith("Too many failed attempts. Try again in")
    await sign_in(page, console.url, "pavel", PASSWORD)
    assert (await page.text_content(".error")).startswith("Too many failed attempts")


async def test_a_form_posted_without_its_csrf_token_is_refused(console, stack_db):
    agent = account(stack_db, "quentin", "agent")
    number = filed(stack_db, 9402, "monitor flickers", "console-csrf")
    async with await signed_in_http(console.url, agent) as http:
        forged = await http.post(f"{console.url}/tickets/{number}/junk", data={})
        assert forged.status == 403
        assert "did not come from the console" in await forged.text()
        wrong = await http.post(
            f"{console.url}/tickets/{number}/junk", data={"csrf_token": "guessed"}
        )
        assert wrong.status == 403
        no_token_login = await http.post(
            f"{console.url}/login", data={"username": agent, "password": PASSWORD}
        )
        assert no_token_login.status == 403
    with stack_db.unit_of_work() as session:
        assert tickets.get(session, number).status == "new"


async def test_an_editor_cannot_open_the_agents_pages(console, browser, stack_db):
    editor = account(stack_db, "rita", "editor")
    page = await browser.new_page()
    await sign_in(page, console.url, editor)

    response = await page.goto(f"{console.url}/tickets")

    assert response.status == 403
    assert "Your role does not open this page." in await page.text_content(".error")
    await snap(page, "06-editor-forbidden")
    anonymous = await (await browser.new_context()).new_page()
    await anonymous.goto(f"{console.url}/tickets")
    assert anonymous.url.endswith("/login")


async def test_script_in_an_employees_words_is_shown_as_text(console, browser, stack_db):
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">'
    number = filed(stack_db, 9403, hostile, "console-xss")
    page = await browser.new_page()
    await sign_in(page, console.url, account(stack_db, "sergei", "agent"))

    await page.goto(f"{console.url}/tickets/{number}")
    await snap(page, "07-ticket-with-markup")

    assert hostile in await page.text_content("pre.description")
    assert await page.evaluate("window.pwned") is None
    await page.goto(f"{console.url}/tickets")
    assert await page.evaluate("window.pwned") is None


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/1e20",
        "/tickets/99999999999999999999",
        "/tickets/2147483648",
        "/tickets/-1",
        "/tickets/%C2%B2",  # "²"
        "/contests/1e20",
        "/contests/99999999999999999999",
    ],
)
async def test_a_number_in_a_path_that_names_no_row_gets_a_not_found_page(console, stack_db, path):
    manager, agent = account(stack_db, "rosa", "manager"), account(stack_db, "sergei", "agent")
    who = manager if path.startswith("/contests") else agent
    async with await signed_in_http(console.url, who) as http:
        response = await http.get(f"{console.url}{path}")
        assert response.status == 404
        assert "There is no such page." in await response.text()


def far_contest(db) -> int:
    """A contest years ahead, made once, that no other test's dates overlap."""
    with db.unit_of_work() as session:
        found = session.scalar(select(Contest).where(Contest.title == "Forged forms"))
        if found is None:
            starts = datetime(2031, 1, 1, tzinfo=UTC)
            nominations = [NominationSpec("Most solved", "self_service")]
            found = contests.create(
                session, "Forged forms", starts, starts + timedelta(days=30), nominations, "rosa"
            )
        return found.id


@pytest.mark.parametrize("user_id", ["²", "99999999999999999999", "1e20", "-4"])
async def test_a_forged_person_to_disqualify_is_refused_with_words(console, stack_db, user_id):
    manager = account(stack_db, "rosa", "manager")
    contest = far_contest(stack_db)
    async with await signed_in_http(console.url, manager) as http:
        token = await csrf_token(http, f"{console.url}/contests")
        response = await http.post(
            f"{console.url}/contests/{contest}/disqualify",
            data={"user_id": user_id, "reason": "gaming", "csrf_token": token},
        )
        assert response.status == 200  # the contest page, after the redirect
        assert "Not done: name the person and the reason." in await response.text()


@pytest.mark.parametrize("version", ["²", "99999999999999999999"])
async def test_a_forged_article_version_is_refused_with_words(console, stack_db, version):
    editor = account(stack_db, "tamara", "editor")
    async with await signed_in_http(console.url, editor) as http:
        token = await csrf_token(http, f"{console.url}/articles/en-print-001")
        response = await http.post(
            f"{console.url}/articles/en-print-001/status",
            data={"status": "draft", "version": version, "csrf_token": token},
        )
        assert response.status < 500
        assert "Not changed" in await response.text()
