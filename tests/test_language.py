"""Language detection for replies and search weighting."""

import pytest

from servicedesk.language import detect, normalise, written_language


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("forgot my password again", "en"),
        ("забыл пароль опять", "ru"),
        ("J'ai oublié mon mot de passe", "fr"),
        ("mon vpn ne marche pas", "fr"),
        ("imprimante bloquée", "fr"),
        ("Elfelejtettem a jelszavamat", "hu"),
        ("nem működik a nyomtató", "hu"),
        ("Hogyan telepítsem a Zoomot?", "hu"),
        ("vpn", "en"),
        ("", "en"),
    ],
)
def test_written_language_tells_french_and_hungarian_from_english(text, expected):
    assert written_language(text) == expected


def test_written_language_keeps_the_conversation_language_for_short_russian_texts():
    assert written_language("ok", "ru") == "ru"
