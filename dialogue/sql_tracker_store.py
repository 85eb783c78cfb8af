"""Rasa's SQL tracker store, keeping each conversation's current session in the Rasa server's
memory and reading from the database only the events stored since.

Rasa 3.6's SQLTrackerStore reads every event of the current session from the database at each
turn, parses its JSON and builds the events again, then counts them once more before saving. In
the scale-out topology the lock store (Redis) lets one Rasa server at a time handle a
conversation, so what a server stored last is almost always still the latest: this store
remembers the current session's events and the id of the last row among them, asks the
database only for rows after it (rows another server stored: a conversation moves between
servers when one dies or the load balancer sends it elsewhere), and stores a turn's new events
only if nothing was stored since, the check inside the insert (one statement); when
something was, or the conversation is not in memory, it falls back to Rasa's own query. The
database stays the only truth, and a server restarted with an empty memory goes on from it.
The trackers it returns are the ones SQLTrackerStore returns (tests/test_sql_tracker_store.py
compares them). It runs on PostgreSQL (a turn's events go in as arrays), and a pooled
connection PostgreSQL closed is replaced before a turn uses it, and a read or insert whose
connection it closes meanwhile is done again on a new one (ops/pooled_connections.py):
otherwise the turn fails, and Rasa's fail-safe store answers it from an empty in-memory
conversation, forgetting the employee's conversation mid-way.

In endpoints-cluster.yml: ``tracker_store: {type: dialogue.sql_tracker_store.CachedSQLTrackerStore,
...}`` with SQLTrackerStore's settings, and ``remembered_conversations`` (10,000 by default):
the least recently used beyond it are forgotten, and read again from the database when they
return.
"""

import itertools
import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from ops.pooled_connections import again_if_dropped, replace_closed_connections

REMEMBERED_CONVERSATIONS = 10_000
ROW_INDEX = "CREATE INDEX IF NOT EXISTS events_sender_id_id ON events (sender_id, id)"
# Rasa servers starting together on a new database create the index one after another:
# PostgreSQL's IF NOT EXISTS does not stop two concurrent creations from colliding.
ROW_INDEX_LOCK = "SELECT pg_advisory_xact_lock(7261839402)"


@dataclass(frozen=True)
class StoredSession:
    """A conversation's current session as the database holds it (``current_session`` of
    its rows)."""

    events: list[Event]
    last_row: int


class CachedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with each conversation's current session remembered between turns."""

    def __init__(
        self, *args: Any, remembered_conversations: int = REMEMBERED_CONVERSATIONS, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        replace_closed_connections(self.engine)
        # A remembered conversation's read and insert are single statements, sent outside a
        # transaction (no BEGIN and COMMIT around each).
        self._single_statements = sa.create_engine(self.engine.url, isolation_level="AUTOCOMMIT")
        replace_closed_connections(self._single_statements)
        self._capacity = int(remembered_conversations)
        self._sessions: OrderedDict[str, StoredSession] = OrderedDict()
        # The reads below ask for one sender's rows after an id.
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(ROW_INDEX_LOCK))
            connection.execute(sa.text(ROW_INDEX))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        known = self._sessions.pop(sender_id, None)
        stored = again_if_dropped(partial(self._read, sender_id, known))
        if stored is None:
            return None
        self._remember(sender_id, stored)
        return DialogueStateTracker.from_events(sender_id, stored.events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        known = self._sessions.pop(tracker.sender_id, None)
        stored = again_if_dropped(partial(self._store, tracker, known))
        if stored is not None:
            self._remember(tracker.sender_id, stored)

    def _read(self, sender_id: str, known: StoredSession | None) -> StoredSession | None:
        if known is None:
            return self._read_current_session(sender_id)
        return self._read_after(sender_id, known)

    def _store(
        self, tracker: DialogueStateTracker, known: StoredSession | None
    ) -> StoredSession | None:
        """Store ``tracker``'s new events. Returns the session as it now stands when it goes
        on from the remembered one, None when it was stored as Rasa's own store does. Done
        twice (a connection dropped after the insert), the second time stores nothing more:
        the first one's rows are after ``known``'s last."""
        sender_id = tracker.sender_id
        if known is not None and _goes_on_from(tracker, known):
            new_events = list(itertools.islice(tracker.events, len(known.events), None))
            last_row = known.last_row
            if new_events:
                with self._single_statements.connect() as connection:
                    last_row = _insert(connection, sender_id, new_events, after=known.last_row)
            if last_row is not None:
                return StoredSession(continued(known.events, new_events), last_row)
        # Not remembered, or another server stored since: as Rasa's own store saves.
        with self.session_scope() as session:
            already = self._event_query(session, sender_id, False).count()
            _insert(session, sender_id, list(itertools.islice(tracker.events, already, None)))
            session.commit()
        return None

    def _read_current_session(self, sender_id: str) -> StoredSession | None:
        """Rasa's own query: every row of the conversation's current session."""
        with self.session_scope() as session:
            rows = (
                self._event_query(session, sender_id, False)
                .with_entities(self.SQLEvent.id, self.SQLEvent.data)
                .all()
            )
        if not rows:
            return None
        return StoredSession(current_session(_events(rows)), rows[-1][0])

    def _read_after(self, sender_id: str, known: StoredSession) -> StoredSession:
        """The remembered session and the rows stored after its last one."""
        with self._single_statements.connect() as connection:
            rows = connection.execute(
                ROWS_AFTER, {"sender_id": sender_id, "after": known.last_row}
            ).all()
        last_row = rows[-1][0] if rows else known.last_row
        return StoredSession(continued(known.events, _events(rows)), last_row)

    def _remember(self, sender_id: str, stored: StoredSession) -> None:
        self._sessions[sender_id] = stored
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > self._capacity:
            self._sessions.popitem(last=False)


# The statements of a remembered conversation's turn, written out once so that they are parsed
# once: the new events go in as one array per column, whatever their number.
ROWS_AFTER = sa.text(
    "SELECT id, data FROM events WHERE sender_id = :sender_id AND id > :after ORDER BY id"
)
NEW_EVENT_COLUMNS = ("type_name", "timestamp", "intent_name", "action_name", "data")
_NEW_EVENTS = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "SELECT :sender_id, new.* FROM unnest(CAST(:type_names AS text[]), "
    "CAST(:timestamps AS float8[]), CAST(:intent_names AS text[]), "
    "CAST(:action_names AS text[]), CAST(:datas AS text[])) "
    "AS new (type_name, timestamp, intent_name, action_name, data)"
)
INSERT = sa.text(f"{_NEW_EVENTS} RETURNING id")
INSERT_UNLESS_STORED_AFTER = sa.text(
    f"{_NEW_EVENTS} WHERE NOT EXISTS "
    "(SELECT 1 FROM events WHERE sender_id = :sender_id AND id > :after) RETURNING id"
)


def _insert(
    connection: Any, sender_id: str, events: list[Event], after: int | None = None
) -> int | None:
    """Store ``events`` in one statement (SQLTrackerStore stores them one by one); the id of
    the last row, None when nothing was stored. With ``after``, only if the conversation has
    no row after that one: the check and the insert are one statement."""
    if not events:
        return None
    rows = [_row(event) for event in events]
    columns = {f"{name}s": [row[name] for row in rows] for name in NEW_EVENT_COLUMNS}
    parameters = {"sender_id": sender_id, "after": after, **columns}
    statement = INSERT if after is None else INSERT_UNLESS_STORED_AFTER
    return max(connection.execute(statement, parameters).scalars(), default=None)


def _events(rows: Iterable[Any]) -> list[Event]:
    """Events from (id, data) rows."""
    return [Event.from_parameters(json.loads(data)) for _, data in rows]


def _goes_on_from(tracker: DialogueStateTracker, known: StoredSession) -> bool:
    """Whether ``tracker``'s events begin with the remembered session's. A tracker built from
    them holds the very same event objects; comparing two events by value costs far more."""
    count = len(known.events)
    if count == 0:
        return True
    if len(tracker.events) < count:
        return False
    ours, theirs = tracker.events[count - 1], known.events[-1]
    return ours is theirs or ours == theirs


def _row(event: Event) -> dict[str, Any]:
    """The columns SQLTrackerStore.save stores for ``event`` (but its conversation's)."""
    data = event.as_dict()
    return {
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def current_session(events: Iterable[Event]) -> list[Event]:
    """The events SQLTrackerStore reads as the current session: those stamped no earlier than
    the latest SessionStarted, or all when there is none."""
    events = list(events)
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    if not starts:
        return events
    return _stamped_since(events, max(starts))


def continued(session: list[Event], later: list[Event]) -> list[Event]:
    """``current_session(session + later)`` for a ``session`` that is a current session
    already, looking through ``later`` only (a long conversation is not read again at every
    turn)."""
    if not later:
        return session
    if any(isinstance(event, SessionStarted) for event in later):
        return current_session(session + later)
    starts = (event.timestamp for event in session if isinstance(event, SessionStarted))
    start = next(starts, None)  # a current session holds at most its own start
    return session + (later if start is None else _stamped_since(later, start))


def _stamped_since(events: list[Event], start: float) -> list[Event]:
    return [event for event in events if event.timestamp is not None and event.timestamp >= start]
