"""Routing: questions and described problems reach the search; commands need evidence."""

import pytest

from nlu_quality.routing import report
from servicedesk.routing import COMMAND_WORDS, Route, route


@pytest.mark.parametrize(
    ("intent", "confidence", "text", "expected"),
    [
        # A command said plainly and confidently stays a command.
        ("mute", 0.97, "mute announcements", Route("mute")),
        ("my_profile", 0.95, "/me", Route("my_profile")),
        # A ticket number or a star rating is evidence, at any length or confidence.
        ("check_status", 0.5, "what about SD-1042, it has been a week now", Route("check_status")),
        ("reopen_ticket", 0.6, "sd 77 is broken again", Route("reopen_ticket")),
        ("rate", 0.55, "the agent fixed my laptop quickly, 5 stars", Route("rate")),
        # Unsure, or too long for a command: searched, the command remembered.
        (
            "reopen_ticket",
            0.7,
            "forgot my password again",
            Route("describe_problem", "reopen_ticket"),
        ),
        (
            "check_status",
            0.95,
            "Опять отправил заявку на монетизацию, сейчас сколько ждать?",
            Route("describe_problem", "check_status"),
        ),
        (
            "out_of_scope",
            0.93,
            "Какую музыку можно использовать в видео, чтобы получать доход от просмотров?",
            Route("describe_problem", "out_of_scope"),
        ),
        (
            "greet",
            0.9,
            "hi there, my outlook keeps asking for my password all day",
            Route("describe_problem", "greet"),
        ),
        # A short, confident greeting or out-of-scope message stays what it is.
        ("greet", 0.99, "hello", Route("greet")),
        ("out_of_scope", 0.96, "tell me a joke", Route("out_of_scope")),
        # Small talk asked as a question is searched first; a command asked plainly is not.
        ("out_of_scope", 0.96, "Как вывести деньги?", Route("describe_problem", "out_of_scope")),
        ("bot_challenge", 0.97, "are you a bot?", Route("describe_problem", "bot_challenge")),
        ("check_status", 0.95, "where are my tickets?", Route("check_status")),
        # Asking for a ticket or a person is a command like the others.
        ("request_ticket", 0.97, "open a ticket", Route("request_ticket")),
        (
            "request_ticket",
            0.6,
            "please open a ticket for the broken projector in room 4",
            Route("describe_problem", "request_ticket"),
        ),
        ("human_handoff", 0.95, "talk to a human", Route("human_handoff")),
        # Answers to deskbot's own questions are never second-guessed.
        (
            "deny",
            0.5,
            "no that did not help at all, the printer still prints nothing",
            Route("deny"),
        ),
        ("describe_problem", 0.4, "vpn", Route("describe_problem")),
    ],
)
def test_route(intent, confidence, text, expected):
    assert route(intent, confidence, text) == expected


def test_the_word_limit_is_counted_in_words_not_characters():
    words = " ".join(["mute"] * COMMAND_WORDS)
    assert route("mute", 0.99, words) == Route("mute")
    assert route("mute", 0.99, words + " please") == Route("describe_problem", "mute")


def test_a_star_needs_a_rating_digit_not_any_number():
    assert route("rate", 0.5, "rate ticket 2024 was great").instead_of == "rate"


def test_the_routing_report_counts_what_reaches_the_search_and_what_keeps_the_rest():
    texts = ["printer jammed", "my tickets", "hello", "reopen SD-7", "vpn?"]
    parsed = [
        {"intent": {"name": "describe_problem"}},
        {"intent": {"name": "check_status"}},
        {"intent": {"name": "greet"}},
        {"intent": {"name": "reopen_ticket"}},
        {"intent": {"name": "describe_problem"}, "searched_instead_of": {"name": "greet"}},
    ]

    result = report(texts, parsed)

    assert result["queries"] == 5 and result["reach_search"] == 0.4
    assert [(r["intent"], r["queries"]) for r in result["kept_by"]] == [
        ("check_status", 1),
        ("greet", 1),
        ("reopen_ticket", 1),
    ]
    assert result["kept_by"][0]["examples"] == ["my tickets"]
    assert result["searched_instead_of"] == {"greet": 1}


def test_an_empty_dataset_reports_nothing_reached():
    assert report([], []) == {
        "queries": 0,
        "reach_search": 0.0,
        "kept_by": [],
        "searched_instead_of": {},
    }
