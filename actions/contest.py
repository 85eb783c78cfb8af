"""The contest in chat: standings (hidden metrics stay hidden), /me, and /mute, /unmute."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction
from actions.context import language_of, say, sender_of
from servicedesk import broadcasts, contest_results
from servicedesk.i18n import text


class ActionContestStandings(EmployeeAction):
    """ "How is the contest going?" """

    def name(self) -> str:
        return "action_contest_standings"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        if sender is None:
            say(dispatcher, text("contest_none", language))
            return []
        with services.database().unit_of_work() as session:
            say(dispatcher, contest_results.standings_for(session, sender, language))
        return []


class ActionMyProfile(EmployeeAction):
    """/me: the employee's badges and their own activity."""

    def name(self) -> str:
        return "action_my_profile"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        if sender is None:
            say(dispatcher, text("me_no_badges", language))
            return []
        with services.database().unit_of_work() as session:
            mine = contest_results.activity_of(session, sender)
            badges = [b.title for b in contest_results.badges_of(session, sender)]
        lines = [
            text("me_header", language),
            text("me_activity", language, **mine.__dict__),
            text("me_badges", language) if badges else text("me_no_badges", language),
            *badges,
        ]
        say(dispatcher, "\n".join(lines))
        return []


class ActionMute(EmployeeAction):
    """/mute and /unmute: no broadcasts, or broadcasts again."""

    def name(self) -> str:
        return "action_mute"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        muted = tracker.get_intent_of_latest_message() == "mute"
        if sender is not None:
            with services.database().unit_of_work() as session:
                broadcasts.set_muted(session, sender, muted)
        say(dispatcher, text("muted" if muted else "unmuted", language))
        return []
