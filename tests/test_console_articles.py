"""KB editors in headless Chromium: write an article with a preview, publish it, and the bot
answers with it at once; and the editors' bad input (huge bodies, markup, two editors)."""

import threading

import psycopg
import pytest
from sqlalchemy import select

from console import publishing
from kb_index import live
from kb_index.settings import SearchSettings
from servicedesk import kb_articles
from servicedesk.db.models import ArticleStatus, KbArticle
from servicedesk.kb_articles import ArticleEdit
from tests.support.console import (
    account,
    csrf_token,
    fill_article,
    sign_in,
    signed_in_http,
    snap,
)
from tests.support.gateway import Employee, buttons, texts
from tests.support.postgres import libpq_url, waiting_for_a_lock

BODY = """Interactive whiteboard pens stop writing when the **pen tray sensor** is dirty.

1. Put the pen back in the tray and take it out again.
2. Wipe the tray sensor with a dry cloth.
3. Restart the whiteboard from its *Settings* menu.

<script>window.pwned = 1</script>
"""


async def test_an_editor_publishes_an_article_and_the_bot_answers_with_it(
    gateway, telegram, console, browser, stack_db
):
    page = await browser.new_page()
    await sign_in(page, console.url, account(stack_db, "tanya", "editor"))
    await page.click("nav >> text=Articles")
    await snap(page, "09-articles")
    await page.click("text=New article")
    await fill_article(
        page,
        "en-board-001",
        "Interactive whiteboard pen does not write",
        "whiteboard, smartboard, pen",
        BODY,
    )
    await page.click("button[value=preview]")
    await snap(page, "10-article-preview")
    assert await page.text_content(".preview strong") == "pen tray sensor"
    assert "<script>window.pwned = 1</script>" in await page.text_content(".preview")
    assert await page.evaluate("window.pwned") is None

    await page.click("button[value=save]")
    assert await page.text_content("#article-status") == "draft"
    await page.click("button[value=published]")
    await snap(page, "11-article-published")

    assert (await page.text_content(".flash")).startswith("Now published. The bot answers from")
    replies = await Employee(telegram, 9501).say("the smartboard pen does not write anymore")
    assert "Here is what I found" in texts(replies)[0]
    assert "Read: Interactive whiteboard pen does not…" in buttons(replies)


async def test_a_5_mb_body_gets_a_clear_error(console, stack_db):
    editor = account(stack_db, "ulyana", "editor")
    async with await signed_in_http(console.url, editor) as http:
        token = await csrf_token(http, f"{console.url}/articles/new")
        huge = await _post_new(http, console.url, token, "en-huge-001", "x" * 5_000_000)
        assert huge.status == 413
        assert "An article body may be at most 100,000 characters." in await huge.text()
        just_over = await _post_new(http, console.url, token, "en-huge-002", "y" * 100_001)
        assert just_over.status == 422
        assert "the body is 100,001 characters; the limit is 100,000" in await just_over.text()
    with stack_db.unit_of_work() as session:
        assert session.get(KbArticle, "en-huge-001") is None
        assert session.get(KbArticle, "en-huge-002") is None


async def _post_new(http, console_url: str, token: str, article_id: str, body: str):
    form = {"article_id": article_id, "title": "Huge", "category": "Other", "language": "en"}
    form |= {"body": body, "action": "save", "csrf_token": token}
    return await http.post(f"{console_url}/articles/new", data=form)


async def test_two_editors_saving_the_same_article(console, browser, stack_db):
    first, second = await browser.new_page(), await (await browser.new_context()).new_page()
    await sign_in(first, console.url, account(stack_db, "vera", "editor"))
    await sign_in(second, console.url, account(stack_db, "wanda", "editor"))
    for page in (first, second):
        await page.goto(f"{console.url}/articles/en-print-002")

    await first.fill("input[name=title]", "Add a network printer (updated by Vera)")
    await first.click("button[value=save]")
    await second.fill("input[name=title]", "Add a printer (Wanda's take)")
    await second.click("button[value=save]")
    await snap(second, "12-article-conflict")

    assert "someone else saved this article meanwhile" in await second.text_content(".error")
    assert await second.input_value("input[name=title]") == "Add a printer (Wanda's take)"
    with stack_db.unit_of_work() as session:
        article = session.scalar(select(KbArticle).where(KbArticle.id == "en-print-002"))
        assert article.title == "Add a network printer (updated by Vera)"


async def test_a_publication_the_index_cannot_take_is_not_kept(console, stack_db, monkeypatch):
    editor = account(stack_db, "valentina", "editor")
    with stack_db.unit_of_work() as session:
        kb_articles.create(
            session, "en-doomed-001", ArticleEdit("Doomed", "Hardware", "en", "b" * 300), editor
        )

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(live, "publish", disk_full)
    async with await signed_in_http(console.url, editor) as http:
        token = await csrf_token(http, f"{console.url}/articles/en-doomed-001")
        response = await http.post(
            f"{console.url}/articles/en-doomed-001/status",
            data={"status": "published", "version": "1", "csrf_token": token},
        )
        text = await response.text()

    assert "Not changed: the bot" in text and "index could not be rebuilt" in text
    assert "No space left on device" in text
    with stack_db.unit_of_work() as session:
        assert session.get(KbArticle, "en-doomed-001").status == "draft"


async def test_an_editor_is_told_which_articles_share_the_title_the_bot_lists_once(
    console, browser, stack_db
):
    with stack_db.unit_of_work() as session:
        for article_id, title in [
            ("en-badge-001", "Reset the badge reader"),
            ("en-badge-002", "  reset the BADGE reader?"),
            ("en-badge-003", "Reset the badge reader at the side door"),
        ]:
            edit = ArticleEdit(title, "Hardware", "en", "Hold the button for ten seconds.", ())
            kb_articles.create(session, article_id, edit, "test")
    page = await browser.new_page()
    await sign_in(page, console.url, account(stack_db, "xenia", "editor"))

    await page.goto(f"{console.url}/articles/en-badge-002")
    await snap(page, "12b-article-same-title")
    notice = await page.text_content("#same-title")
    assert notice.startswith("Same title as en-badge-001: the bot suggests only one of these")
    assert await page.get_attribute("#same-title a", "href") == "/articles/en-badge-001"
    await page.goto(f"{console.url}/articles/en-badge-003")
    assert await page.query_selector("#same-title") is None

    with stack_db.unit_of_work() as session:
        kb_articles.set_status(session, "en-badge-001", ArticleStatus.ARCHIVED, 1, "test")
    await page.goto(f"{console.url}/articles/en-badge-002")
    assert await page.query_selector("#same-title") is None  # an archived one is not listed


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_publication_waits_for_one_by_a_console_on_another_machine(database, tmp_path):
    """The file lock beside the index holds only on one machine; on PostgreSQL the database's
    lock makes a console wait for another machine's publication to be committed."""
    url = libpq_url(database.url)
    other_machine = psycopg.connect(url)
    other_machine.execute("SELECT pg_advisory_xact_lock(%s)", (publishing.PUBLISH_LOCK_KEY,))
    settings = SearchSettings(live_index_dir=tmp_path / "kb-live-index")
    inside = threading.Event()

    def publish() -> None:
        with publishing.one_at_a_time(database, settings):
            inside.set()

    publisher = threading.Thread(target=publish)
    publisher.start()
    try:
        waiting = waiting_for_a_lock(url, other_machine.info.backend_pid)
        assert waiting is not None and not inside.is_set()
    finally:
        other_machine.commit()  # its publication is done
        other_machine.close()
        publisher.join(timeout=30)
    assert inside.is_set()
