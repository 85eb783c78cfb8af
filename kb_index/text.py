"""Language-aware normalisation for the lexical channel: tokens, stop words, Snowball stems."""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
RUSSIAN_STEM_PREFIX = 6
_STEMMERS = {"ru": snowballstemmer.stemmer("russian"), "en": snowballstemmer.stemmer("english")}

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


def fold(text: str) -> str:
    """Lower-case, NFKC, ё -> е, without format (zero-width) characters."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def terms(text: str) -> list[str]:
    """The stemmed content words of ``text``, in order."""
    return [_stem(token) for token in _TOKEN.findall(fold(text)) if token not in STOP_WORDS]


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    if _CYRILLIC.search(token):
        # Snowball leaves different stems for one Russian root (подключа-, подключен-, подключ-);
        # a capped prefix joins them.
        return _STEMMERS["ru"].stemWord(token)[:RUSSIAN_STEM_PREFIX]
    return _STEMMERS["en"].stemWord(token)


def word_overlap(a: set[str], b: set[str]) -> float:
    """The share of words two texts have in common (Jaccard over their stemmed words)."""
    return len(a & b) / len(a | b) if a and b else 0.0
