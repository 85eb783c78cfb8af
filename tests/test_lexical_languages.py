"""The lexical channel in every language employees write: each language's stems and stop words,
chosen by the language of the text."""

import pytest

from kb_index.articles import Article
from kb_index.lexical import LexicalIndex
from kb_index.text import stop_words, terms

ARTICLES = [
    Article("fr-print", "L'imprimante n'imprime plus", "Printing", "fr", "Videz la file."),
    Article("fr-vpn", "Connexion au VPN impossible", "Network", "fr", "Redémarrez le client."),
    Article("hu-print", "A nyomtató nem nyomtat", "Printing", "hu", "Ürítse ki a sort."),
    Article("hu-vpn", "Nem sikerül a VPN kapcsolat", "Network", "hu", "Indítsa újra."),
    Article("en-print", "The printer does not print", "Printing", "en", "Clear the queue."),
]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Les imprimantes sont bloquées", "fr", ["imprim", "bloqu"]),
        ("A nyomtatók nem nyomtatnak", "hu", ["nyomtató", "nyomtat"]),
        ("the printers are not printing", "en", ["printer", "print"]),
        ("принтеры не печатают", "ru", ["принте", "печата"]),
    ],
)
def test_each_language_has_its_own_stems_and_stop_words(text, language, expected):
    assert terms(text, language) == expected


def test_french_read_as_english_keeps_its_stop_words_and_endings():
    assert terms("Les imprimantes sont bloquées", "en") == ["les", "imprimant", "sont", "bloqué"]


def test_french_and_hungarian_chat_words_are_stop_words_there_and_only_there():
    assert {"bonjour", "merci", "vous"} <= stop_words("fr")
    assert {"szia", "köszönöm", "nem"} <= stop_words("hu")
    assert "szia" not in stop_words("fr") and "bonjour" not in stop_words("en")


def test_the_hungarian_list_is_read_with_its_real_letters():
    assert "ő" in stop_words("hu") and "õ" not in stop_words("hu")


@pytest.mark.parametrize(
    ("query", "language", "article"),
    [
        ("mon imprimante n'imprime pas", "fr", "fr-print"),
        ("impossible de me connecter au vpn", "fr", "fr-vpn"),
        ("nem nyomtat a nyomtató", "hu", "hu-print"),
        ("my printer will not print", "en", "en-print"),
    ],
)
def test_a_query_meets_the_articles_of_its_language(query, language, article):
    index = LexicalIndex(ARTICLES)
    coverage = index.score_all(query, language).coverage
    assert ARTICLES[int(coverage.argmax())].id == article
