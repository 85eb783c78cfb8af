"""Priority rules on urgency cues, English and Russian."""

import pytest

from servicedesk.priority import Priority, assess

CASES = [
    ("my printer won't print", Priority.NORMAL),
    ("URGENT: outlook keeps crashing", Priority.HIGH),
    ("I can't work, my laptop won't boot", Priority.HIGH),
    ("cannot work without VPN, client call at 3", Priority.HIGH),
    ("need this asap for the board meeting deadline", Priority.HIGH),
    ("the whole department has no network", Priority.CRITICAL),
    ("everyone on the 3rd floor lost wifi", Priority.CRITICAL),
    ("nobody can log in to CRM", Priority.CRITICAL),
    ("not urgent, but the mouse is a bit sticky", Priority.LOW),
    ("no rush: could I get a second monitor", Priority.LOW),
    ("срочно! не работает почта", Priority.HIGH),
    ("не могу работать, ноутбук не включается", Priority.HIGH),
    ("у всех в отделе нет интернета", Priority.CRITICAL),
    ("ничего не работает с утра", Priority.CRITICAL),
    ("весь отдел без принтера", Priority.CRITICAL),
    ("не срочно, нужна новая мышка", Priority.LOW),
    ("когда будет время, поставьте visio", Priority.LOW),
    ("не печатает принтер", Priority.NORMAL),
    ("", Priority.NORMAL),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_priority_rules(text, expected):
    assert assess(text).priority is expected


def test_the_deciding_cue_is_reported():
    assert assess("Срочно нужен доступ").cue.lower() == "срочно"
    assert assess("printer jammed").cue is None


def test_words_that_merely_contain_a_cue_do_not_count():
    assert assess("our asapi integration fails").priority is Priority.NORMAL
    assert assess("устроил разгорячённый спор").priority is Priority.NORMAL
