"""Articles in the database: the seed import, versions, conflicts, and export to Markdown."""

import threading
from pathlib import Path

import pytest

from kb_index.articles import load_directory
from servicedesk import kb_articles
from servicedesk.db import Database
from servicedesk.db.migrate import upgrade
from servicedesk.db.models import ArticleStatus
from servicedesk.kb_articles import ArticleEdit, EditConflict, InvalidArticleEdit
from tests.conftest import _postgres_database

ROOT = Path(__file__).resolve().parent.parent
SEED = load_directory(ROOT / "data" / "kb")
EDIT = ArticleEdit("Whiteboard pen", "Hardware", "en", "Wipe the sensor.", ("whiteboard",))


def test_the_seed_is_imported_once_and_published(database):
    with database.unit_of_work() as session:
        assert kb_articles.import_seed(session, SEED) == len(SEED)
        assert kb_articles.import_seed(session, SEED) == 0
        assert [a.id for a in kb_articles.published(session)] == [a.id for a in SEED]


def test_consoles_starting_together_on_postgresql_import_the_seed_once():
    with _postgres_database() as url:
        upgrade(url)
        first, second = Database(url), Database(url)
        imported: list[int] = []
        try:
            with first.unit_of_work() as session:
                imported.append(kb_articles.import_seed(session, SEED))
                # The other console starts while this import is not yet committed.
                other = threading.Thread(target=_import_seed, args=(second, imported))
                other.start()
                other.join(timeout=1.0)
                assert other.is_alive(), "the other import waits for this one"
            other.join(timeout=30)
            assert imported == [len(SEED), 0]
        finally:
            first.dispose()
            second.dispose()


def _import_seed(database: Database, imported: list[int]) -> None:
    with database.unit_of_work() as session:
        imported.append(kb_articles.import_seed(session, SEED))


def test_saving_makes_versions_and_a_stale_save_is_refused(database):
    with database.unit_of_work() as session:
        kb_articles.create(session, "en-board-001", EDIT, "tanya")
    with database.unit_of_work() as session:
        kb_articles.save(session, "en-board-001", EDIT, 1, "tanya")
    with pytest.raises(EditConflict) as conflict, database.unit_of_work() as session:
        kb_articles.save(session, "en-board-001", EDIT, 1, "vera")
    assert conflict.value.current_version == 2
    with database.unit_of_work() as session:
        kb_articles.set_status(session, "en-board-001", ArticleStatus.PUBLISHED, 2, "tanya")
        history = kb_articles.history(session, "en-board-001")
        assert [(v.version, v.status, v.author) for v in history] == [
            (3, "published", "tanya"),
            (2, "draft", "tanya"),
            (1, "draft", "tanya"),
        ]
        assert [a.id for a in kb_articles.published(session)] == ["en-board-001"]


@pytest.mark.parametrize(
    ("article_id", "edit"),
    [
        ("x", EDIT),
        ("EN BOARD", EDIT),
        ("en-board-002", ArticleEdit("", "Hardware", "en", "body")),
        ("en-board-002", ArticleEdit("t", "Hardware", "en", " ")),
        ("en-board-002", ArticleEdit("t", "Hardware", "de", "body")),
        ("en-board-002", ArticleEdit("t", "Hardware", "en", "b" * 100_001)),
    ],
)
def test_bad_articles_are_refused(database, article_id, edit):
    with pytest.raises(InvalidArticleEdit), database.unit_of_work() as session:
        kb_articles.create(session, article_id, edit, "tanya")


def test_export_writes_markdown_that_reads_back(database, tmp_path):
    with database.unit_of_work() as session:
        kb_articles.import_seed(session, SEED[:3])
        assert kb_articles.export_markdown(session, tmp_path) == 3
    assert load_directory(tmp_path) == SEED[:3]
