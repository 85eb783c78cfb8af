"""KB editors' pages: the article list, writing with a preview, publishing, and history.

Publishing (or saving an article that is published) rebuilds the bot's live index at once.
"""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from console import publishing
from console.deps import DB, FormText
from console.markdown import to_html
from console.pages import flash, page
from console.security import Staff, check_csrf, require
from kb_index import KnowledgeSearch
from kb_index.settings import SearchSettings
from servicedesk import gaps, kb_articles
from servicedesk.db import Database
from servicedesk.db.models import ArticleStatus, StaffRole
from servicedesk.errors import DomainError
from servicedesk.identifiers import parse_id
from servicedesk.kb_articles import ArticleEdit, EditConflict
from servicedesk.language import WRITTEN
from servicedesk.scoreboard import scores as scoreboard_scores
from servicedesk.settings import TicketSettings

router = APIRouter(prefix="/articles")
MAX_GAP_QUESTIONS = 500
Editor = Annotated[Staff, Depends(require(StaffRole.EDITOR))]
Reviewer = Annotated[Staff, Depends(require(StaffRole.EDITOR, StaffRole.MANAGER))]
SORTABLE = ("id", "title", "suggested", "solved", "ticket", "trend", "edited")


@router.get("")
async def article_list(request: Request, staff: Editor, db: DB):
    rows = await asyncio.to_thread(_rows, db)
    return page(request, "articles.html", rows=rows)


@router.get("/scoreboard")
async def scoreboard(request: Request, staff: Reviewer, db: DB, sort: str = "suggested"):
    rows = await asyncio.to_thread(_scores, db)
    key = sort if sort in SORTABLE else "suggested"
    rows.sort(key=lambda r: (r[key] is None, r[key]), reverse=key not in ("id", "title"))
    return page(request, "scoreboard.html", rows=rows, sort=key)


@router.get("/new")
async def new_article(request: Request, staff: Editor, db: DB, gap: str = ""):
    """A blank article, or one for a gap cluster (its questions are kept until publishing)."""
    ids = _ids(gap)
    first = await asyncio.to_thread(_gap_texts, db, ids[:1]) if ids else []
    text, language = first[0] if first else ("", "en")
    edit = ArticleEdit(text[:200], "Other", language, "")
    return _form(request, None, edit, version=0, gap=",".join(map(str, ids)))


class ArticleForm(BaseModel):
    """The article form as posted (all text; checked by the domain when saving)."""

    title: str = ""
    category: str = ""
    language: str = ""
    keywords: str = ""
    body: str = ""
    action: str = "save"
    csrf_token: str = ""
    version: str = "0"
    article_id: str = ""
    gap: str = ""

    def edit(self) -> ArticleEdit:
        words = tuple(k.strip() for k in self.keywords.split(",") if k.strip())
        body = self.body.replace("\r\n", "\n")
        return ArticleEdit(self.title, self.category, self.language, body, words)


Posted = Annotated[ArticleForm, Form()]


@router.post("/new")
async def create_article(request: Request, staff: Editor, db: DB, form: Posted):
    check_csrf(request, form.csrf_token)
    edit, article_id, gap = form.edit(), form.article_id, form.gap
    if form.action == "preview":
        return _form(request, None, edit, 0, new_id=article_id, preview=True, gap=gap)
    try:
        await asyncio.to_thread(_create, db, article_id.strip(), edit, staff.actor)
    except DomainError as error:
        return _form(request, None, edit, 0, new_id=article_id, error=str(error), http_status=422)
    if _ids(gap):
        request.session.setdefault("gaps", {})[article_id.strip()] = _ids(gap)
    flash(request, f"Draft {article_id} saved.")
    return RedirectResponse(f"/articles/{article_id.strip()}", status_code=303)


@router.get("/{article_id}")
async def article_page(request: Request, article_id: str, staff: Editor, db: DB):
    found = await asyncio.to_thread(_load, db, article_id)
    if found is None:
        return page(request, "error.html", 404, message=f"No article {article_id}.")
    edit, version, status, history, sharing = found
    return _form(
        request, article_id, edit, version, status=status, history=history, sharing=sharing
    )


@router.post("/{article_id}")
async def save_article(request: Request, article_id: str, staff: Editor, db: DB, form: Posted):
    check_csrf(request, form.csrf_token)
    edit, based_on = form.edit(), _int(form.version)
    if form.action == "preview":
        return _form(request, article_id, edit, based_on, preview=True)
    try:
        status = await asyncio.to_thread(_save, db, article_id, edit, based_on, staff.actor)
    except EditConflict as conflict:
        message = (
            f"Not saved: someone else saved this article meanwhile (now version "
            f"{conflict.current_version}). Your text is kept below; open the article again "
            "in another tab to see theirs, merge, and save."
        )
        return _form(request, article_id, edit, based_on, error=message, http_status=409)
    except DomainError as error:
        return _form(
            request, article_id, edit, based_on, error=f"Not saved: {error}.", http_status=422
        )
    flash(request, "Saved." + (" The bot answers with it now." if status == "published" else ""))
    return RedirectResponse(f"/articles/{article_id}", status_code=303)


@router.post("/{article_id}/status")
async def change_status(
    request: Request,
    article_id: str,
    staff: Editor,
    db: DB,
    status: FormText = "",
    version: FormText = "0",
    csrf_token: FormText = "",
):
    check_csrf(request, csrf_token)
    if status not in set(ArticleStatus):
        flash(request, "Not changed: unknown status.")
        return RedirectResponse(f"/articles/{article_id}", status_code=303)
    try:
        search = await asyncio.to_thread(
            _set_status, db, article_id, ArticleStatus(status), _int(version), staff.actor
        )
    except DomainError as error:
        flash(request, f"Not changed: {error}.")
        return RedirectResponse(f"/articles/{article_id}", status_code=303)
    message = f"Now {status}. The bot answers from {len(search.articles)} published articles."
    gap = request.session.get("gaps", {}).get(article_id)
    if status == ArticleStatus.PUBLISHED and gap:
        questions = await asyncio.to_thread(_gap_texts, db, gap)
        found = publishing.answered_by(search, questions, article_id)
        message += f" Gap closed: {found} of {len(questions)} questions now find this article."
    flash(request, message)
    return RedirectResponse(f"/articles/{article_id}", status_code=303)


def _form(
    request, article_id, edit, version, status="draft", history=(), http_status=200, **extra
):
    preview = to_html(edit.body) if extra.pop("preview", False) else None
    return page(
        request,
        "article.html",
        http_status,
        article_id=article_id,
        edit=edit,
        version=version,
        article_status=status,
        history=history,
        preview=preview,
        categories=TicketSettings().categories,
        languages=WRITTEN,
        statuses=list(ArticleStatus),
        **extra,
    )


def _scores(db: Database) -> list[dict]:
    with db.unit_of_work() as session:
        return [
            {
                "id": s.article_id,
                "title": s.title,
                "status": s.status,
                "suggested": s.suggested,
                "solved": s.solved_rate,
                "ticket": s.ticket_rate,
                "trend": s.trend,
                "edited": s.last_edit.strftime("%Y-%m-%d") if s.last_edit else "",
                "flags": s.flags,
            }
            for s in scoreboard_scores(session)
        ]


def _ids(raw: str) -> list[int]:
    """Question ids from a form field ("12,15,31"); anything else is dropped."""
    ids = (parse_id(p) for p in raw.split(","))
    return [i for i in ids if i is not None][:MAX_GAP_QUESTIONS]


def _gap_texts(db: Database, ids: list[int]) -> list[tuple[str, str]]:
    with db.unit_of_work() as session:
        return gaps.texts_of(session, ids)


def _int(raw: str) -> int:
    """A version number from the form; -1 (no version) when it is none."""
    number = parse_id(raw)
    return -1 if number is None else number


def _rows(db: Database) -> list[dict]:
    with db.unit_of_work() as session:
        return [
            {
                "id": a.id,
                "title": a.title,
                "category": a.category,
                "language": a.language,
                "status": a.status,
                "version": a.version,
                "updated": a.updated_at.strftime("%Y-%m-%d %H:%M"),
                "by": a.updated_by,
            }
            for a in kb_articles.listing(session)
        ]


def _load(db: Database, article_id: str):
    with db.unit_of_work() as session:
        article = kb_articles.get(session, article_id)
        if article is None:
            return None
        edit = ArticleEdit(
            article.title,
            article.category,
            article.language,
            article.body,
            tuple(article.keywords),
        )
        history = [
            {
                "version": v.version,
                "status": v.status,
                "author": v.author,
                "when": v.created_at.strftime("%Y-%m-%d %H:%M"),
                "title": v.title,
            }
            for v in kb_articles.history(session, article_id)
        ]
        sharing = kb_articles.sharing_title(session, article_id, article.title)
        return edit, article.version, article.status, history, sharing


def _create(db: Database, article_id: str, edit: ArticleEdit, author: str) -> None:
    kb_articles.validate(edit, TicketSettings().categories)
    with db.unit_of_work() as session:
        kb_articles.create(session, article_id, edit, author)


def _save(db: Database, article_id: str, edit: ArticleEdit, based_on: int, author: str) -> str:
    """Save the edit; a published article's edit is kept only if the bot's index takes it."""
    kb_articles.validate(edit, TicketSettings().categories)
    settings = SearchSettings()
    with publishing.one_at_a_time(db, settings) as session:
        status = kb_articles.save(session, article_id, edit, based_on, author).status
        if status == ArticleStatus.PUBLISHED:
            publishing.publish_from(session, settings)
        return status


def _set_status(
    db: Database, article_id: str, status, based_on: int, author: str
) -> KnowledgeSearch:
    """Change the status and rebuild the bot's index; neither is kept without the other."""
    settings = SearchSettings()
    with publishing.one_at_a_time(db, settings) as session:
        kb_articles.set_status(session, article_id, status, based_on, author)
        return publishing.publish_from(session, settings)
