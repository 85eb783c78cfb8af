"""Language-aware normalisation for the lexical channel: tokens, stop words, Snowball stems."""

import re
import unicodedata
from functools import cache, lru_cache

import pymorphy3
import snowballstemmer
from stop_words import get_stop_words

from kb_index.slang import JOINED, SLANG

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
RUSSIAN_STEM_PREFIX = 6
_STEMMERS = {
    code: snowballstemmer.stemmer(name)
    for code, name in (("en", "english"), ("ru", "russian"), ("fr", "french"), ("hu", "hungarian"))
}
# Latin-script words are stemmed as the language of their text says; Cyrillic ones as Russian.
LATIN_DEFAULT = "en"

STOP_WORDS = frozenset(
    """
    a an the and or but if of to in on at for with from by is are was were be been am do does
    did doing i me my we our you your it its this that these those there here what which who
    how why when can could would should will shall may might must have has had not no yes please
    hi hello hey thanks thank help anyone somebody guys just so very really still get got any
    t s d m ll re ve don won isn doesn didn wasn aren couldn wouldn can cannot need needs want
    нужен нужна нужно нужны надо хочу хотел хотела требуется
    и в во не что он она оно они на я с со как а то все всё она так его но да ты к у же вы за
    бы по только ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли
    если уже или ни быть был была были него до вас нибудь опять уж вам ведь там потом себя
    ничего ей может тут где есть надо ней для мы тебя их чем сам чтобы без будто чего раз тоже
    себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой
    тем чтоб нее сейчас куда зачем всех никогда можно при наконец два об другой хоть после над
    больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой
    перед иногда лучше чуть том нельзя такой им более всегда конечно всю между привет
    здравствуйте добрый день пожалуйста подскажите помогите спасибо коллеги ребята очень
    """.split()
)
# Greetings and pleas of French and Hungarian chat, beside their stop-word lists.
_CHAT_WORDS = {
    "fr": "bonjour salut merci svp stp aide besoin veux voudrais",
    "hu": "szia sziasztok helló jó napot köszönöm kérem segítség segítsetek",
}


def fold(text: str) -> str:
    """Lower-case, NFKC, ё -> е, without format (zero-width) characters."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


_JOINED = re.compile(r"\b(" + "|".join(re.escape(k) for k in JOINED) + r")\b")


@cache
def stop_words(language: str) -> frozenset[str]:
    """English and Russian stop words, and those of ``language`` when it is another."""
    if language not in _CHAT_WORDS:
        return STOP_WORDS
    # The package's Hungarian list spells ő and ű as õ and û (Latin-1).
    listed = [w.replace("õ", "ő").replace("û", "ű") for w in get_stop_words(language)]
    return STOP_WORDS | {fold(w) for w in listed} | set(_CHAT_WORDS[language].split())


def tokens(text: str) -> list[str]:
    """The folded words of ``text``, two-word spellings ("вай фай") joined."""
    return _TOKEN.findall(_JOINED.sub(lambda m: JOINED[m.group(1)], fold(text)))


def terms(text: str, language: str = LATIN_DEFAULT) -> list[str]:
    """The stemmed content words of ``text`` written in ``language``, in order, chat words
    replaced by what they mean."""
    return [term for token in tokens(text) for term in token_terms(token, language)]


def token_terms(token: str, language: str = LATIN_DEFAULT) -> tuple[str, ...]:
    """The terms one folded word stands for: none for a stop word, usually its stem."""
    if token in stop_words(language):
        return ()
    stem = _stem(token, language)
    return _slang_terms().get(stem, (stem,))


@lru_cache(maxsize=1)
def _slang_terms() -> dict[str, tuple[str, ...]]:
    return {
        _stem(word): tuple(_stem(t) for t in _TOKEN.findall(fold(meaning)) if t not in STOP_WORDS)
        for word, meaning in SLANG.items()
    }


@lru_cache(maxsize=200_000)
def _stem(token: str, language: str = LATIN_DEFAULT) -> str:
    if _CYRILLIC.search(token):
        # Snowball leaves different stems for one Russian root (подключа-, подключен-, подключ-);
        # a capped prefix joins them.
        return _STEMMERS["ru"].stemWord(token)[:RUSSIAN_STEM_PREFIX]
    return _STEMMERS.get(language, _STEMMERS[LATIN_DEFAULT]).stemWord(token)


def is_dictionary_word(token: str) -> bool:
    """Whether a folded word is a real word; only Russian words are checked (others are)."""
    return not _CYRILLIC.search(token) or _russian_dictionary().word_is_known(token)


@lru_cache(maxsize=1)
def _russian_dictionary() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def word_overlap(a: set[str], b: set[str]) -> float:
    """The share of words two texts have in common (Jaccard over their stemmed words)."""
    return len(a & b) / len(a | b) if a and b else 0.0
