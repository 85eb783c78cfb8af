"""The console served for real (uvicorn on a free loopback port) and a headless Chromium."""

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, async_playwright
from pydantic import SecretStr

from console.app import create_app
from console.settings import ConsoleSettings
from servicedesk import staff
from servicedesk.db import Database
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"


@dataclass
class RunningConsole:
    url: str
    app: FastAPI
    server: uvicorn.Server
    task: asyncio.Task

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)


async def start_console(database: Database) -> RunningConsole:
    port = free_port()
    settings = ConsoleSettings(secret_key=SecretStr("test-signing-key-" + "x" * 32))
    app = create_app(database, settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    return RunningConsole(f"http://127.0.0.1:{port}", app, server, task)


def account(database: Database, username: str, role: str) -> str:
    """A console account (made once per name); returns the username."""
    with database.unit_of_work() as session:
        try:
            staff.create(session, username, PASSWORD, role)
        except staff.InvalidAccount:
            pass  # made by an earlier test
    return username


@contextlib.asynccontextmanager
async def chromium():
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Page, console_url: str, username: str, password: str = PASSWORD) -> None:
    await page.goto(f"{console_url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def csrf_token(http: aiohttp.ClientSession, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    html = await (await http.get(url)).text()
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


async def signed_in_http(console_url: str, username: str) -> aiohttp.ClientSession:
    """An HTTP client (no browser) signed in to the console as ``username``."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    token = await csrf_token(http, f"{console_url}/login")
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    await http.post(f"{console_url}/login", data=form)
    return http


async def fill_article(page: Page, article_id: str, title: str, keywords: str, body: str) -> None:
    """Fill the new-article form (a Hardware article in English)."""
    await page.fill("input[name=article_id]", article_id)
    await page.fill("input[name=title]", title)
    await page.select_option("select[name=category]", "Hardware")
    await page.fill("input[name=keywords]", keywords)
    await page.fill("textarea[name=body]", body)


async def snap(page: Page, name: str) -> Path:
    """Save a screenshot of the page under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
