"""The domain package on SQLite and PostgreSQL: searches, feedback, deliveries, buttons."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from servicedesk import buttons, deliveries, self_service
from servicedesk.db.models import Base, Delivery, utcnow
from servicedesk.errors import NotYourSearch, UnknownSearch
from servicedesk.identity import InvalidSenderId, SenderId
from servicedesk.self_service import SuggestedArticle
from servicedesk.users import assign_department, last_language, note_language, touch_user
from tests.support.statements import statements_of

ALICE, BOB = SenderId("tg", "1"), SenderId("xmpp", "bob@corp.example.com")
PRINTER = [SuggestedArticle("en-print-001", "Printer does not print", 0.8)]


def test_migrations_create_every_table(database):
    tables = set(inspect(database.engine).get_table_names())
    assert {"users", "search_queries", "deliveries", "issued_buttons"} <= tables


def test_a_search_with_suggestions_waits_for_feedback_then_helps(database):
    with database.unit_of_work() as session:
        search = self_service.record_search(session, ALICE, "printer", "en", PRINTER)
        assert search.outcome == "pending"
        search_id = search.id
    with database.unit_of_work() as session:
        updated = self_service.record_feedback(session, ALICE, search_id, helped=True)
        assert (updated.outcome, updated.results[0]["article_id"]) == ("helped", "en-print-001")
        assert updated.resolved_at is not None


def test_a_search_without_suggestions_is_no_answer(database):
    with database.unit_of_work() as session:
        search = self_service.record_search(session, ALICE, "coffee machine", "en", [])
        assert search.outcome == "no_answer"


def test_a_new_search_abandons_the_pending_one(database):
    with database.unit_of_work() as session:
        first = self_service.record_search(session, ALICE, "printer", "en", PRINTER)
        self_service.record_search(session, ALICE, "vpn", "en", PRINTER)
        session.refresh(first)
        assert first.outcome == "abandoned"


def test_nobody_gives_feedback_on_another_persons_search(database):
    with database.unit_of_work() as session:
        search_id = self_service.record_search(session, ALICE, "printer", "en", PRINTER).id
    with pytest.raises(NotYourSearch), database.unit_of_work() as session:
        self_service.record_feedback(session, BOB, search_id, helped=True)
    with pytest.raises(UnknownSearch), database.unit_of_work() as session:
        self_service.record_feedback(session, ALICE, 999_999, helped=True)


def test_asking_for_a_ticket_takes_the_search_that_did_not_help(database):
    with database.unit_of_work() as session:
        search_id = self_service.record_search(session, ALICE, "printer", "en", PRINTER).id
        self_service.record_feedback(session, ALICE, search_id, helped=True)
        assert self_service.search_to_escalate(session, ALICE) is None
        self_service.record_search(session, ALICE, "vpn", "en", PRINTER)
        escalated = self_service.search_to_escalate(session, ALICE)
        assert (escalated.text, escalated.outcome) == ("vpn", "needs_ticket")
        assert self_service.search_to_escalate(session, ALICE).text == "vpn", "asked twice"
        assert self_service.search_to_escalate(session, BOB) is None


def test_a_delivery_is_claimed_once_and_kept(database):
    with database.unit_of_work() as session:
        assert deliveries.claim(session, "tg", "42", "tg:1", "hello")
        assert not deliveries.claim(session, "tg", "42", "tg:1", "hello")
        assert deliveries.claim(session, "web", "42", "web:abc", "hello")
        deliveries.set_status(session, "tg", "42", "core_unavailable")
    with database.unit_of_work() as session:
        [kept] = deliveries.unhandled(session)
        assert (kept.text, kept.sender_id) == ("hello", "tg:1")


def test_a_message_waits_only_for_earlier_ones_of_its_chat_still_in_hand(database):
    long_ago = utcnow() - timedelta(hours=1)
    with database.unit_of_work() as session:
        later = deliveries.claim(session, "tg", "1002", "tg:5", "second")  # arrived first
        earlier = deliveries.claim(session, "tg", "1001", "tg:5", "first")
        elsewhere = deliveries.claim(session, "tg", "1000", "tg:6", "another chat")
        web_first = deliveries.claim(session, "web", "s:b", "web:s", "typed first")
        web_second = deliveries.claim(session, "web", "s:a", "web:s", "typed second")
    now = utcnow()
    with database.unit_of_work() as session:
        assert deliveries.earlier_in_hand(session, later, long_ago)  # update 1001 comes first
        assert not deliveries.earlier_in_hand(session, earlier, long_ago)
        assert not deliveries.earlier_in_hand(session, elsewhere, long_ago)
        assert not deliveries.earlier_in_hand(session, later, now)  # 1001's handler died
        assert deliveries.earlier_in_hand(session, web_second, long_ago)  # by arrival
        assert not deliveries.earlier_in_hand(session, web_first, long_ago)
        deliveries.set_status(session, "tg", "1001", "handled")
    with database.unit_of_work() as session:
        assert not deliveries.earlier_in_hand(session, later, long_ago)


def test_a_turns_claim_answers_in_one_statement_what_the_separate_reads_answer(database):
    """claim_turn tells, from the claim's own statement, whether an earlier message of the
    chat is still in hand and the sender's last language."""
    long_ago = utcnow() - timedelta(hours=1)
    with database.unit_of_work() as session:
        touch_user(session, SenderId.parse("tg:5"), "ru")
    said = statements_of(database)
    with database.without_transaction() as session:
        first = deliveries.claim_turn(session, "tg", "1002", "tg:5", "a", True, long_ago)
        before_it = deliveries.claim_turn(session, "tg", "1001", "tg:5", "b", True, long_ago)
        after_both = deliveries.claim_turn(session, "tg", "1003", "tg:5", "c", True, long_ago)
        again = deliveries.claim_turn(session, "tg", "1003", "tg:5", "c", True, long_ago)
        web_first = deliveries.claim_turn(session, "web", "s:b", "web:s", "d", True, long_ago)
        web_second = deliveries.claim_turn(session, "web", "s:a", "web:s", "e", True, long_ago)
        lease_over = deliveries.claim_turn(session, "tg", "1004", "tg:5", "f", True, utcnow())
    assert len(said) == 7, said
    assert again is None
    assert first.behind is False  # nothing else of the chat in hand
    assert before_it.behind is False  # update 1001 comes before 1002
    assert after_both.behind is True
    assert (web_first.behind, web_second.behind) == (False, True)  # by arrival
    assert lease_over.behind is False  # the others arrived before its window
    assert {first.last_language, before_it.last_language, lease_over.last_language} == {"ru"}
    assert web_first.last_language is None  # never seen
    with database.without_transaction() as session:  # as the separate reads tell it
        assert not deliveries.earlier_in_hand(session, before_it.id, long_ago)
        assert deliveries.earlier_in_hand(session, after_both.id, long_ago)
        assert deliveries.earlier_in_hand(session, web_second.id, long_ago)


def test_messages_whose_replica_died_are_found_again_and_only_typed_words_replayed(database):
    with database.unit_of_work() as session:
        typed = deliveries.claim(session, "tg", "2001", "tg:7", "vpn is down", replayable=True)
        pressed = deliveries.claim(session, "tg", "2002", "tg:7", "[button abc]")
        deliveries.claim(session, "tg", "2003", "tg:8", "just arrived", replayable=True)
        for delivery_id in (typed, pressed):
            session.get(Delivery, delivery_id).received_at = utcnow() - timedelta(minutes=5)
    with database.unit_of_work() as session:
        assert deliveries.unhandled(session) == []  # without a cut-off: kept messages only
        found = deliveries.unhandled(session, abandoned_before=utcnow() - timedelta(minutes=1))
    assert [(m.id, m.text, m.replayable) for m in found] == [
        (typed, "vpn is down", True),
        (pressed, "[button abc]", False),
    ]


def test_a_kept_message_is_finished_once_when_two_replicas_answer_it_at_once(database):
    with database.unit_of_work() as session:
        kept = deliveries.claim(session, "tg", "3001", "tg:9", "wifi is down", replayable=True)
        deliveries.set_status(session, "tg", "3001", deliveries.KEPT)
    with ThreadPoolExecutor(1) as other_replica, database.unit_of_work() as session:
        assert deliveries.finish(session, kept, "replayed")
        second = other_replica.submit(_finish, database, kept, "expired")
        time.sleep(0.3)  # the other's update waits for this transaction
        assert not second.done()
    assert second.result(timeout=30) is False
    with database.unit_of_work() as session:
        assert session.get(Delivery, kept).status == "replayed"


def _finish(database, delivery_id: int, status: str) -> bool:
    with database.unit_of_work() as session:
        return deliveries.finish(session, delivery_id, status)


def test_long_delivery_keys_that_differ_only_at_the_end_are_two_deliveries(database):
    session_id = "s" * 64
    first, second = f"{session_id}:{'a' * 35}1", f"{session_id}:{'a' * 35}2"
    with database.unit_of_work() as session:
        assert deliveries.claim(session, "web", first, "web:s", "one")
        assert deliveries.claim(session, "web", second, "web:s", "two")
        assert not deliveries.claim(session, "web", second, "web:s", "two")
        deliveries.set_status(session, "web", second, "core_unavailable")
    with database.unit_of_work() as session:
        assert [d.text for d in deliveries.unhandled(session)] == ["two"]
    assert len(deliveries.stored_key(first)) == deliveries.MAX_KEY


def test_a_button_is_redeemed_once_and_only_by_its_owner(database):
    long_payload = '/read_article{"article_id":"' + "x" * 300 + '"}'
    with database.unit_of_work() as session:
        token, other = buttons.issue(session, "tg:1", [long_payload, "/affirm"])
    assert len(token.encode()) <= 64
    with database.unit_of_work() as session:
        assert buttons.redeem(session, token, "tg:2") is None
        assert buttons.redeem(session, "forged", "tg:1") is None
        assert buttons.redeem(session, "x" * 100, "tg:1") is None
        assert buttons.redeem(session, token, "tg:1") == long_payload
        assert buttons.redeem(session, token, "tg:1") is None
        assert buttons.redeem(session, other, "tg:1") == "/affirm"


@pytest.mark.parametrize("raw", ["", "tg:", "default", "sms:123", "tg:" + "9" * 300])
def test_sender_ids_outside_a_channel_are_refused(raw):
    with pytest.raises(InvalidSenderId):
        SenderId.parse(raw)


def test_sender_ids_round_trip():
    assert str(SenderId.parse("xmpp:ann@corp.example.com")) == "xmpp:ann@corp.example.com"


def test_the_migrations_build_exactly_the_models(database):
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_an_employee_has_no_language_until_they_write(database):
    with database.unit_of_work() as session:
        assign_department(session, ALICE, "Finance")  # an admin's row, before any message
        assert last_language(session, str(ALICE)) is None
        note_language(session, str(ALICE), "ru")
    with database.unit_of_work() as session:
        assert last_language(session, str(ALICE)) == "ru"
        assign_department(session, ALICE, "Sales")
        assert last_language(session, str(ALICE)) == "ru"
