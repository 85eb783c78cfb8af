"""Signing in and out."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from console.deps import DB, FormText, Throttle
from console.pages import page
from console.security import Staff, check_csrf, sign_in, signed_in
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
    wait = limiter.wait_s(*keys)
    if wait > 0:
        message = f"Too many failed attempts. Try again in {int(wait) + 1} seconds."
        return page(request, "login.html", 429, error=message, username=username)
    staff = await asyncio.to_thread(_authenticate, db, username, password)
    if staff is None:
        limiter.failed(*keys)
        return page(request, "login.html", 401, error=GENERIC_FAILURE, username=username)
    limiter.succeeded(*keys)
    sign_in(request, staff)
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request, csrf_token: FormText = ""):
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
async def home(request: Request):
    staff = signed_in(request)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    return page(request, "home.html")


def _authenticate(db: Database, username: str, password: str) -> Staff | None:
    with db.unit_of_work() as session:
        user = staff_accounts.authenticate(session, username, password)
        return Staff(user.id, user.username, user.role) if user else None
