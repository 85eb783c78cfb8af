"""Reply rendering for Telegram and the cleaning of raw user text."""

import html

import pytest

from bot.messages import Button, Reply
from bot.sanitize import MAX_MESSAGE_CHARS, clean, truncate
from bot.telegram.render import TELEGRAM_TEXT_LIMIT, render, split


def test_text_is_escaped_and_the_keyboard_goes_last():
    reply = Reply("<b>x</b> & " + "line\n" * 2000, (Button("Solved", "tok1"),))
    messages = render(reply)
    assert len(messages) >= 2
    assert messages[0].html.startswith("&lt;b&gt;x&lt;/b&gt; &amp;")
    assert all(len(html.unescape(m.html)) <= TELEGRAM_TEXT_LIMIT for m in messages)
    assert all(len(m.html) <= TELEGRAM_TEXT_LIMIT for m in messages)
    assert [m.keyboard is not None for m in messages] == [False] * (len(messages) - 1) + [True]
    assert messages[-1].keyboard.inline_keyboard[0][0].callback_data == "tok1"


def test_split_respects_escaping_growth_and_breaks_at_words():
    text = "&" * 5000
    pieces = split(text)
    assert "".join(pieces) == text
    assert all(len(html.escape(p, quote=False)) <= TELEGRAM_TEXT_LIMIT for p in pieces)
    words = split("word " * 2000)
    assert all(not p.endswith("wor") for p in words)


def test_an_empty_reply_with_buttons_still_renders():
    [message] = render(Reply("", (Button("Solved", "t"),)))
    assert message.html and message.keyboard


def test_clean_removes_invisible_and_control_characters():
    assert clean("\u200bhe\u0000llo\u202e\n\n\n\nworld\x1b ") == "hello\n\nworld"
    assert clean("/affirm") == "affirm"
    assert clean("a\ud800b") == "ab"


@pytest.mark.parametrize(
    "typed",
    [
        '/ /rate{"stars":"5","ticket":"7"}',
        '/\n/rate{"stars":"5"}',
        "//rate",
        "/\u200b/rate",
        " / \t/ /rate",
    ],
)
def test_typed_text_can_never_pose_as_a_button_payload(typed):
    assert not clean(typed).startswith("/")


def test_truncate():
    assert truncate("a" * 10) == ("a" * 10, False)
    cut, flag = truncate("a" * 20_000)
    assert flag and len(cut) == MAX_MESSAGE_CHARS
