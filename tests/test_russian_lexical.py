"""The lexical channel on chat-style Russian: slang, the wrong keyboard layout and typos."""

import pytest

from kb_index.articles import Article
from kb_index.lexical import LexicalIndex
from kb_index.spelling import correct, one_edit_away, russian_layout
from kb_index.text import is_dictionary_word, terms

ARTICLES = [
    Article("print", "Принтер не печатает", "Printing", "ru", "Очистите очередь печати."),
    Article("mail", "Outlook не получает письма", "Email", "ru", "Выключите автономную работу."),
    Article("teams", "Не работает микрофон в Teams", "Software", "ru", "Выберите устройство."),
    Article("lock", "Учётная запись заблокирована", "Access", "ru", "Подождите 15 минут."),
]


@pytest.fixture(scope="module")
def index():
    return LexicalIndex(ARTICLES)


def best(index: LexicalIndex, query: str) -> str:
    return ARTICLES[int(index.score_all(query).coverage.argmax())].id


@pytest.mark.parametrize(
    ("slang", "formal"),
    [
        ("аутлук", "outlook"),
        ("в тимсе", "teams"),
        ("учетка", "учётная запись"),
        ("вай фай", "wifi"),
        ("ВПН", "vpn"),
    ],
)
def test_chat_words_mean_what_articles_say(slang, formal):
    assert terms(slang) == terms(formal)


def test_a_russian_message_typed_on_the_english_layout_is_read_in_russian(index):
    assert russian_layout("ghbynth yt gtxfnftn") == "принтер не печатает"
    assert index.query_terms("ghbynth yt gtxfnftn") == set(terms("принтер печатает"))
    assert best(index, "ghbynth yt gtxfnftn") == "print"


def test_an_english_query_stays_english(index):
    assert index.query_terms("outlook inbox") == set(terms("outlook inbox"))


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("не прихадят писма в аутлуке", "mail"),
        ("микрафон не работает", "teams"),
        ("учетнаяя запись заблакирована", "lock"),
    ],
)
def test_misspelt_words_find_their_article(index, query, article):
    assert best(index, query) == article


def test_real_words_are_not_corrected_into_known_ones(index):
    # "найти" is one letter from "сайт"-like stems in many knowledge bases; it is a real word.
    assert is_dictionary_word("найти")
    assert not is_dictionary_word("прихадят")
    assert "найт" in index.query_terms("где найти")


def test_correction_picks_the_most_frequent_known_term_one_edit_away():
    frequency = {"принте": 5, "приняте": 1}.get
    assert correct("пренте", lambda t: frequency(t) or 0) == "принте"
    assert correct("абв", lambda t: 9) is None  # too short to correct
    assert correct("zzzzzz", lambda t: 0) is None


def test_one_edit_covers_deletion_transposition_substitution_insertion():
    edits = one_edit_away("кот")
    assert {"кт", "окт", "кит", "коот"} <= edits
    assert "кот" not in edits
