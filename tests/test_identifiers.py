"""Row numbers from outside: only whole numbers the database can hold."""

import pytest
from rasa_sdk import Tracker

from actions.context import id_entity, search_id_of
from servicedesk.identifiers import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1042", 1042),
        (" 7 ", 7),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (10**20, None),
        ("1e20", None),
        (1e20, None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, no id is written so
        ("0", None),
        ("-3", None),
        ("", None),
        (None, None),
        (True, None),
        ("12abc", None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def tracker_with(entities: list[dict], slots: dict | None = None) -> Tracker:
    return Tracker(
        "tg:1", slots or {}, {"text": "", "entities": entities}, [], False, None, {}, ""
    )


@pytest.mark.parametrize("value", [10**20, 1e20, "1e20", "²", -1, None])
def test_a_forged_ticket_or_search_in_a_payload_names_nothing(value):
    forged = tracker_with(
        [{"entity": "ticket", "value": value}, {"entity": "search_id", "value": value}]
    )
    assert id_entity(forged, "ticket") is None
    assert search_id_of(forged) is None


def test_a_real_ticket_and_search_in_a_payload_are_read():
    real = tracker_with([{"entity": "ticket", "value": "1042"}], {"search_id": "17"})
    assert (id_entity(real, "ticket"), search_id_of(real)) == (1042, 17)
