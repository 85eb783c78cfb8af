"""Numbered choices for XMPP: how buttons are written, and how an answer maps back; the
choices live in the database (SQLite and PostgreSQL), so another gateway process reads them."""

from bot.messages import Button, Reply
from bot.xmpp.choices import NoSuchChoice, OfferedChoices, render

SUGGESTIONS = [
    Reply("Here is what I found", (Button("Read: VPN", "t-read"),)),
    Reply("Did that solve it?", (Button("Solved", "t-yes"), Button("I still need help", "t-no"))),
]


def test_choices_are_numbered_across_the_replies():
    texts, offered = render(SUGGESTIONS)
    assert texts == [
        "Here is what I found\n1 - Read: VPN",
        "Did that solve it?\n2 - Solved · 3 - I still need help",
    ]
    assert [b.token for b in offered] == ["t-read", "t-yes", "t-no"]


def test_an_answer_by_number_or_by_title_picks_the_choice(database):
    choices = OfferedChoices(database)
    choices.offer("anna@corp", render(SUGGESTIONS)[1])
    assert choices.pick("anna@corp", " 3 ") == "t-no"
    assert choices.pick("anna@corp", "solved") == "t-yes"
    assert choices.pick("anna@corp", "my printer is broken") is None
    assert choices.pick("bob@corp", "2") is None, "choices belong to the person offered them"


def test_a_number_outside_the_choices_is_named(database):
    choices = OfferedChoices(database)
    choices.offer("anna@corp", render(SUGGESTIONS)[1])
    assert choices.pick("anna@corp", "0") == NoSuchChoice(0, 3)
    assert choices.pick("anna@corp", "42") == NoSuchChoice(42, 3)
    assert choices.pick("anna@corp", "9" * 40) is None, "a long number is just text"


def test_replies_without_buttons_withdraw_the_choices(database):
    choices = OfferedChoices(database)
    choices.offer("anna@corp", render(SUGGESTIONS)[1])
    choices.offer("anna@corp", render([Reply("Done: SD-1001")])[1])
    assert choices.pick("anna@corp", "1") is None


def test_another_gateway_process_reads_the_same_choices(database):
    OfferedChoices(database).offer("anna@corp", render(SUGGESTIONS)[1])
    elsewhere = OfferedChoices(database)
    assert elsewhere.pick("anna@corp", "2") == "t-yes"
    elsewhere.offer("anna@corp", render([Reply("Again?", (Button("Yes", "t-again"),))])[1])
    assert OfferedChoices(database).pick("anna@corp", "1") == "t-again"
