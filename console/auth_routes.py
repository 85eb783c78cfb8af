"""Signing in and out."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from console.deps import DB, FormText, Throttle
from console.pages import page
from console.security import check_csrf, session_token, sign_in, signed_in
from servicedesk import console_sessions
from servicedesk import staff as staff_accounts
from servicedesk.db import Database

router = APIRouter()
GENERIC_FAILURE = "Wrong username or password."


@router.get("/login")
async def login_page(request: Request):
    return page(request, "login.html")


@router.post("/login")
async def login(
    request: Request,
    db: DB,
    limiter: Throttle,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
):
    check_csrf(request, csrf_token)
    # Per username: a key per client address would lock out everyone behind one proxy.
    keys = (f"user:{username.strip().lower()[:64]}",)
    wait = await limiter.wait_s(*keys)
    if wait > 0:
        message = f"Too many failed attempts. Try again in {int(wait) + 1} seconds."
        return page(request, "login.html", 429, error=message, username=username)
    # Counted as failed before the password is checked, so that attempts made in parallel
    # cannot all pass the throttle while the first ones are being checked.
    await limiter.failed(*keys)
    token = await asyncio.to_thread(_authenticate, db, username, password)
    if token is None:
        return page(request, "login.html", 401, error=GENERIC_FAILURE, username=username)
    await limiter.succeeded(*keys)
    sign_in(request, token)
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request, db: DB, csrf_token: FormText = ""):
    check_csrf(request, csrf_token)
    await asyncio.to_thread(_end_session, db, session_token(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
async def home(request: Request):
    staff = signed_in(request)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    return page(request, "home.html")


def _authenticate(db: Database, username: str, password: str) -> str | None:
    """A new session's token for this username and password, or None."""
    with db.unit_of_work() as session:
        user = staff_accounts.authenticate(session, username, password)
        return console_sessions.start(session, user) if user else None


def _end_session(db: Database, token: object) -> None:
    with db.unit_of_work() as session:
        console_sessions.end(session, token)
