"""An employee's row: found or created, language and last visit noted, a visit within a
minute of the noted one written no more."""

from datetime import timedelta

from servicedesk import users
from servicedesk.db.models import as_utc, utcnow
from servicedesk.identity import SenderId
from tests.support.statements import statements_of

ANNA = SenderId("tg", "4242")


def _touch(database, **noted):
    with database.unit_of_work() as session:
        return users.touch_user(session, ANNA, **noted)


def test_a_visit_within_a_minute_of_the_last_writes_nothing(database):
    first = _touch(database, language="en")
    said = statements_of(database)

    again = _touch(database, language="en")

    assert not [s for s in said if s.lstrip().upper().startswith("UPDATE")]
    assert as_utc(again.last_seen_at) == as_utc(first.last_seen_at)


def test_a_visit_a_minute_later_or_a_new_language_is_noted(database):
    _touch(database, language="en")
    with database.unit_of_work() as session:
        users.find(session, ANNA).last_seen_at = utcnow() - users.LAST_SEEN_PRECISION
    later = _touch(database)
    assert utcnow() - as_utc(later.last_seen_at) < timedelta(seconds=5)

    russian = _touch(database, language="ru")
    assert russian.language == "ru"
    with database.unit_of_work() as session:
        assert users.last_language(session, str(ANNA)) == "ru"
