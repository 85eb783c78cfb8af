"""Language detection for replies and search weighting."""

import pytest

from servicedesk.language import detect, normalise


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        ("my printer won't print", None, "en"),
        ("не печатает принтер", None, "ru"),
        ("не работает VPN", None, "ru"),
        ("ok", "ru", "ru"),
        ("1", None, "en"),
        ("/affirm", "ru", "ru"),
        ("", "ru-RU", "ru"),
        ("да", "en", "en"),
    ],
)
def test_detect(text, fallback, expected):
    assert detect(text, fallback) == expected


@pytest.mark.parametrize(
    ("code", "expected"), [("ru-RU", "ru"), ("en", "en"), ("hu", "en"), (None, "en")]
)
def test_normalise(code, expected):
    assert normalise(code) == expected
