"""The outbox on SQLite and PostgreSQL: once per key, due order, backoff, retry_after."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from servicedesk import outbox
from servicedesk.db.models import OutboxMessage, as_utc, utcnow

PAYLOAD = {"text": "SD-1001 was resolved", "buttons": []}


def test_the_same_key_queues_one_message(database):
    with database.unit_of_work() as session:
        first = outbox.enqueue(session, "tg", "501", PAYLOAD, "rating-request:1001")
        again = outbox.enqueue(session, "tg", "501", {"text": "other"}, "rating-request:1001")
        assert first.id == again.id and again.payload == PAYLOAD
        assert [m.id for m in outbox.due(session, "tg")] == [first.id]


def test_several_messages_are_queued_in_order_and_a_key_seen_before_queues_nothing(database):
    with database.unit_of_work() as session:
        known = outbox.enqueue(session, "tg", "501", PAYLOAD, "b")
    with database.unit_of_work() as session:
        pairs = [({"text": "a"}, "a"), ({"text": "not b"}, "b"), ({"text": "c"}, "c")]
        queued = outbox.enqueue_all(session, "tg", "501", pairs, held_s=60)
        assert [m.idempotency_key for m in queued] == ["a", "b", "c"]
        assert [m.payload["text"] for m in queued] == ["a", PAYLOAD["text"], "c"]
        assert queued[1].id == known.id
        assert outbox.enqueue_all(session, "tg", "501", []) == []
        assert outbox.due(session, "tg") == [queued[1]]  # the new ones are held
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_due_respects_channel_order_and_time(database):
    with database.unit_of_work() as session:
        a = outbox.enqueue(session, "tg", "1", PAYLOAD, "a")
        b = outbox.enqueue(session, "tg", "2", PAYLOAD, "b")
        outbox.enqueue(session, "xmpp", "ann@corp.example.com", PAYLOAD, "c")
        outbox.mark_failed(session, a.id, "timeout")
        assert [m.id for m in outbox.due(session, "tg")] == [b.id]
        later = utcnow() + timedelta(minutes=1)
        assert [m.id for m in outbox.due(session, "tg", now=later)] == [a.id, b.id]


def test_a_sent_message_is_never_due_again(database):
    with database.unit_of_work() as session:
        message = outbox.enqueue(session, "tg", "1", PAYLOAD, "k")
        outbox.mark_sent(session, message.id)
        assert outbox.due(session, "tg", now=utcnow() + timedelta(days=1)) == []


def test_retry_after_from_the_messenger_wins_over_backoff(database):
    with database.unit_of_work() as session:
        message = outbox.enqueue(session, "tg", "1", PAYLOAD, "k")
        outbox.mark_failed(session, message.id, "429 Too Many Requests", retry_after_s=30)
        assert outbox.due(session, "tg", now=utcnow() + timedelta(seconds=20)) == []
        assert outbox.due(session, "tg", now=utcnow() + timedelta(seconds=31))


def test_backoff_grows_and_gives_up(database):
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert outbox.backoff(30) == outbox.MAX_DELAY_S
    with database.unit_of_work() as session:
        message = outbox.enqueue(session, "tg", "1", PAYLOAD, "k")
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.mark_failed(session, message.id, "chat not found")
        assert (message.status, message.attempts) == ("failed", outbox.MAX_ATTEMPTS)
        assert outbox.due(session, "tg", now=utcnow() + timedelta(days=1)) == []


def test_a_claimed_message_is_leased_until_it_is_marked_or_the_lease_runs_out(database):
    with database.unit_of_work() as session:
        a = outbox.enqueue(session, "tg", "1", PAYLOAD, "a")
        b = outbox.enqueue(session, "tg", "2", PAYLOAD, "b")
        assert [m.id for m in outbox.claim(session, "tg", lease_s=60)] == [a.id, b.id]
        assert outbox.claim(session, "tg") == [], "leased: no other worker gets them"
        outbox.mark_sent(session, a.id)
        after_the_lease = utcnow() + timedelta(seconds=61)
        assert [m.id for m in outbox.due(session, "tg", now=after_the_lease)] == [b.id]
        outbox.release(session, [a.id, b.id])
        assert [m.id for m in outbox.due(session, "tg")] == [b.id]


def test_a_lease_is_renewed_only_for_the_messages_the_worker_still_holds(database):
    with database.unit_of_work() as session:
        sent, taken, held = (outbox.enqueue(session, "tg", "1", PAYLOAD, k).id for k in "abc")
    with database.without_transaction() as session:
        held_until = outbox.claim(session, "tg", lease_s=60)[0].next_attempt_at
        outbox.mark_sent(session, sent)
        # Its lease ran out and another worker claimed it, with a lease of its own.
        later = utcnow() + timedelta(seconds=61)
        assert [m.id for m in outbox.claim(session, "tg", 1, lease_s=60, now=later)] == [taken]
        renewed, until = outbox.renew(session, [sent, taken, held], held_until, lease_s=120)
    assert renewed == {held}
    with database.unit_of_work() as session:
        assert as_utc(session.get(OutboxMessage, held).next_attempt_at) == as_utc(until)
        assert outbox.due(session, "tg", now=held_until + timedelta(seconds=1)) == []


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_workers_claiming_at_once_get_disjoint_messages(database):
    with database.unit_of_work() as session:
        for n in range(20):
            outbox.enqueue(session, "tg", str(n), PAYLOAD, f"k{n}")
    first_claimed, second_done = threading.Event(), threading.Event()
    claimed: dict[str, list[int]] = {}

    def first() -> None:
        with database.unit_of_work() as session:
            claimed["first"] = [m.id for m in outbox.claim(session, "tg", limit=12)]
            first_claimed.set()
            second_done.wait(10)  # still uncommitted while the second worker claims

    def second() -> None:
        first_claimed.wait(10)
        with database.unit_of_work() as session:
            claimed["second"] = [m.id for m in outbox.claim(session, "tg", limit=50)]
        second_done.set()

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(20)
    assert len(claimed["first"]) == 12 and len(claimed["second"]) == 8
    assert not set(claimed["first"]) & set(claimed["second"])
