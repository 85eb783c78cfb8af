"""KB editors' gap review: clusters of questions the knowledge base did not answer well."""

import asyncio
from functools import partial

from fastapi import APIRouter, Request

from console import publishing
from console.article_routes import Editor
from console.deps import DB
from console.pages import page
from kb_index.clusters import cluster
from kb_index.settings import SearchSettings
from servicedesk import gaps
from servicedesk.db import Database

router = APIRouter(prefix="/gaps")
EXAMPLES = 5


@router.get("")
async def gap_review(request: Request, staff: Editor, db: DB):
    found = await asyncio.to_thread(_clusters, db)
    return page(request, "gaps.html", clusters=[_view(c) for c in found])


def _clusters(db: Database) -> list[gaps.GapCluster]:
    with db.unit_of_work() as session:
        queries = gaps.gap_queries(session)
    group = partial(cluster, embedder=publishing.encoders(SearchSettings()).multilingual)
    return gaps.clusters(queries, group)


def _view(found: gaps.GapCluster) -> dict:
    return {
        "size": len(found.queries),
        "people": found.people,
        "languages": ", ".join(found.languages),
        "first": found.first.strftime("%Y-%m-%d"),
        "last": found.last.strftime("%Y-%m-%d"),
        "examples": [q.text for q in found.queries[:EXAMPLES]],
        "suggested": found.suggested[:3],
        "ids": ",".join(str(i) for i in found.ids),
    }
