"""A simulated month of ~50 employees, three of them cheaters: the honest heavy users lead and
no cheater reaches a top-3 place. On SQLite and PostgreSQL."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from servicedesk import contest_scoring, contests
from servicedesk.contests import InvalidContest, NominationSpec
from servicedesk.db.models import Rating, SearchQuery, Ticket
from servicedesk.identity import SenderId
from servicedesk.users import touch_user

START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 30
THINGS = [
    "vpn client",
    "outlook calendar",
    "second monitor",
    "teams camera",
    "docking station",
    "shared drive",
    "excel macro",
    "sap login",
    "badge printer",
    "wifi in room 4",
    "laptop battery",
    "mobile mail app",
    "password manager",
    "crm export",
    "zoom audio",
    "scanner on floor 2",
    "onedrive sync",
    "jira board",
    "headset microphone",
    "keyboard layout",
]
PROBLEMS = [
    "keeps crashing",
    "asks for a password every hour",
    "is very slow",
    "shows error 0x80",
    "does not start",
    "lost all settings",
    "cannot connect",
    "freezes after the update",
]
NOMINATIONS = [
    NominationSpec("Most self-sufficient employee", "self_service"),
    NominationSpec("Most helpful feedback", "article_feedback"),
    NominationSpec(
        "All-round",
        "weighted",
        {"self_service": 2, "article_feedback": 1, "ratings": 1, "bot_tickets": 1},
    ),
]


class Month:
    """Writes a month of activity straight into the database, as the bot would have."""

    def __init__(self, session, rng: random.Random) -> None:
        self.session, self.rng, self.serial = session, rng, 0

    def person(self, name: str) -> int:
        return touch_user(self.session, SenderId("tg", name), "en").id

    def topic(self) -> str:
        return f"the {self.rng.choice(THINGS)} {self.rng.choice(PROBLEMS)}"

    def search(self, user: int, at: datetime, text: str, outcome: str) -> int:
        search = SearchQuery(
            user_id=user, text=text, language="en", outcome=outcome, created_at=at, results=[]
        )
        self.session.add(search)
        self.session.flush()
        return search.id

    def ticket(self, user: int, at: datetime, text: str, status="resolved", rated=False) -> None:
        self.serial += 1
        ticket = Ticket(
            requester_id=user,
            subject=text[:100],
            description=text,
            category="Other",
            priority="normal",
            status=status,
            channel="tg",
            language="en",
            filing_key=f"sim-{self.serial}",
            number=90_000 + self.serial,
            created_at=at,
            resolved_at=at + timedelta(hours=2) if status == "resolved" else None,
        )
        self.session.add(ticket)
        self.session.flush()
        if rated:
            self.session.add(
                Rating(
                    ticket_id=ticket.id, user_id=user, stars=5, created_at=at + timedelta(hours=3)
                )
            )


def simulate(session) -> dict[str, set[int]]:
    rng, month = random.Random(2026), None
    month = Month(session, rng)
    heavy = {month.person(f"heavy-{n}") for n in range(5)}
    regular = {month.person(f"regular-{n}") for n in range(42)}
    junk_flooder, repeater, fake_solver = (month.person(n) for n in ("flood", "repeat", "fake"))
    for day in range(DAYS):
        morning = START + timedelta(days=day, hours=9)
        for user in heavy:
            if rng.random() < 0.7:
                for n in range(rng.randint(3, 4)):
                    month.search(
                        user, morning + timedelta(minutes=40 * n), month.topic(), "helped"
                    )
                problem = month.topic()
                month.search(user, morning + timedelta(hours=4), problem, "needs_ticket")
                month.ticket(user, morning + timedelta(hours=4, minutes=5), problem, rated=True)
        for user in regular:
            if rng.random() < 0.2:
                problem = month.topic()
                if rng.random() < 0.6:
                    month.search(user, morning + timedelta(hours=2), problem, "helped")
                else:
                    month.search(user, morning + timedelta(hours=2), problem, "needs_ticket")
                    month.ticket(
                        user,
                        morning + timedelta(hours=2, minutes=5),
                        problem,
                        rated=rng.random() < 0.5,
                    )
        for n in range(8):  # junk, closed as junk by the agents
            month.ticket(
                junk_flooder, morning + timedelta(minutes=20 * n), f"test {n} {day}", "junk"
            )
        for n in range(10):  # the same request again and again, always "solved"
            at = morning + timedelta(minutes=30 * n)
            month.search(repeater, at, "how do I reset my password", "helped")
        for n in range(6):  # "solved", and then a ticket on the same topic anyway
            problem, at = month.topic(), morning + timedelta(minutes=50 * n)
            month.search(fake_solver, at, problem, "helped")
            month.ticket(fake_solver, at + timedelta(minutes=30), problem)
    return {"heavy": heavy, "cheaters": {junk_flooder, repeater, fake_solver}}


def test_honest_heavy_users_lead_and_no_cheater_places(database):
    with database.unit_of_work() as session:
        people = simulate(session)
        contest = contests.create(
            session, "October self-service", START, START + timedelta(days=DAYS), NOMINATIONS, "m"
        )
        ranked = contest_scoring.standings(session, contest)
        assert len(ranked) == 3
        for nomination in contest.nominations:
            board = ranked[nomination.id]
            best_cheater = next(
                n for n, s in enumerate(board, 1) if s.user_id in people["cheaters"]
            )
            print(
                f"{nomination.title}: top 4 {[s.points for s in board[:4]]}, "
                f"best cheater place {best_cheater} ({board[best_cheater - 1].points} points)"
            )
            places = {s.user_id for s in contest_scoring.podium(ranked[nomination.id])}
            assert len(places) == 3, nomination.title
            assert places <= people["heavy"], nomination.title
            assert not places & people["cheaters"], nomination.title
        reasons = {
            e.excluded
            for e in contest_scoring.audited_events(session, contest)
            if e.user_id in people["cheaters"] and e.excluded
        }
    assert reasons == {
        "closed as junk",
        "repeats an earlier request",
        "a ticket on the same topic followed",
        "over the daily cap of 5",
    }


def test_a_disqualified_leader_leaves_the_podium(database):
    with database.unit_of_work() as session:
        simulate(session)
        contest = contests.create(
            session, "October", START, START + timedelta(days=DAYS), NOMINATIONS[:1], "m"
        )
        nomination = contest.nominations[0].id
        leader = contest_scoring.standings(session, contest)[nomination][0].user_id
        contests.disqualify(session, contest.id, leader, "audit: shared account", "manager")
        after = contest_scoring.standings(session, contest)[nomination]
    assert leader not in {s.user_id for s in after}


@pytest.mark.parametrize(
    ("starts", "ends", "specs", "message"),
    [
        (START + timedelta(days=10), START + timedelta(days=40), NOMINATIONS, "overlap"),
        (START + timedelta(days=60), START + timedelta(days=50), NOMINATIONS, "end after"),
        (
            START + timedelta(days=60),
            START + timedelta(days=90),
            [NominationSpec("X", "karma")],
            "unknown metric",
        ),
        (
            START + timedelta(days=60),
            START + timedelta(days=90),
            [NominationSpec("X", "weighted", {"karma": 1})],
            "weights",
        ),
        (START + timedelta(days=60), START + timedelta(days=90), [], "at least one nomination"),
    ],
)
def test_bad_contests_are_rejected_with_a_clear_message(database, starts, ends, specs, message):
    with database.unit_of_work() as session:
        contests.create(session, "October", START, START + timedelta(days=DAYS), NOMINATIONS, "m")
    with pytest.raises(InvalidContest, match=message), database.unit_of_work() as session:
        contests.create(session, "Another", starts, ends, specs, "m")
