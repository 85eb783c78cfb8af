"""Who is signed in, what their role lets them open, and CSRF tokens on every form."""

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request

from servicedesk.db.models import StaffRole

CSRF_FIELD = "csrf_token"


class NotSignedIn(Exception):
    """The page needs a signed-in person."""


class Forbidden(Exception):
    """The signed-in person's role does not allow this page or action."""


class BadCsrfToken(Exception):
    """A form came back without the token the console put into it."""


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str

    @property
    def actor(self) -> str:
        """How ticket events name this person."""
        return f"{self.username} (console)"


SESSION_TOKEN = "sid"  # the cookie's key for the server-side session's token


def sign_in(request: Request, token: str) -> None:
    """Put a new server-side session's token into the cookie, with a new CSRF token."""
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update({SESSION_TOKEN: token, "csrf": secrets.token_urlsafe(32)})


def session_token(request: Request) -> object:
    return request.session.get(SESSION_TOKEN)


def signed_in(request: Request) -> Staff | None:
    """Who holds this request's live session (looked up once per request, see console.app)."""
    return getattr(request.state, "staff", None)


def csrf_token(request: Request) -> str:
    """The session's token for forms (made on first use, also before signing in)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise BadCsrfToken


def require(*roles: StaffRole):
    """A dependency: the signed-in person, if their role is one of ``roles`` (admins always)."""
    allowed = {str(r) for r in roles} | {str(StaffRole.ADMIN)}

    def dependency(request: Request) -> Staff:
        staff = signed_in(request)
        if staff is None:
            raise NotSignedIn
        if staff.role not in allowed:
            raise Forbidden
        return staff

    return dependency
