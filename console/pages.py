"""Rendering pages: the templates, with what every page needs (the person, the CSRF token)."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from console.security import csrf_token, signed_in

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    context |= {"staff": signed_in(request), "csrf_token": csrf_token(request)}
    context["flash"] = request.session.pop("flash", None)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def flash(request: Request, message: str) -> None:
    """A one-line message shown on the next page."""
    request.session["flash"] = message[:300]
