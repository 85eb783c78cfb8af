"""deskbot's Prometheus metrics. Each process counts what it does (the gateway its turns and
deliveries, the action server its searches, tickets and ratings); what the database holds
(the outbox's backlog) is read at scrape time by ``DatabaseCollector``."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select

from servicedesk.db import Database
from servicedesk.db.models import OutboxMessage, as_utc, utcnow

TURNS = Counter(
    "deskbot_turns", "Messages handled, by channel and outcome", ["channel", "outcome"]
)
TURN_SECONDS = Histogram(
    "deskbot_turn_seconds",
    "Time to answer one message, Rasa included",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
SEARCH_SECONDS = Histogram(
    "deskbot_search_seconds",
    "Time of one knowledge-base search",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1),
)
NO_GOOD_MATCH = Counter("deskbot_no_good_match", "Searches that found no good match")
TICKETS_FILED = Counter("deskbot_tickets_filed", "Tickets filed from the chat")
RATINGS = Counter("deskbot_ratings", "Ratings given, by stars", ["stars"])
DELIVERED = Counter(
    "deskbot_outbox_delivered", "Proactive messages delivered, by channel", ["channel"]
)
DELIVERY_FAILURES = Counter(
    "deskbot_delivery_failures", "Proactive messages not delivered, by channel and cause",
    ["channel", "cause"],
)  # fmt: skip


class DatabaseCollector(Collector):
    """The outbox's backlog per channel and the age of its oldest pending message."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def collect(self):
        backlog = GaugeMetricFamily(
            "deskbot_outbox_backlog", "Proactive messages waiting", labels=["channel"]
        )
        oldest = GaugeMetricFamily(
            "deskbot_outbox_oldest_seconds",
            "Age of the oldest waiting message",
            labels=["channel"],
        )
        query = (
            select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status == "pending")
            .group_by(OutboxMessage.channel)
        )
        with self._db.unit_of_work() as session:
            rows = session.execute(query).all()
        for channel, count, first in rows:
            backlog.add_metric([channel], count)
            oldest.add_metric([channel], (utcnow() - as_utc(first)).total_seconds())
        yield backlog
        yield oldest


def exposition(database: Database | None = None) -> bytes:
    """This process's metrics in Prometheus' text format, with the database's if given."""
    if database is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(database))
    return generate_latest(REGISTRY) + generate_latest(registry)
