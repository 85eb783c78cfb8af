"""The agents' chat commands, the same in every channel:

    queue · ticket SD-1042 · take SD-1042 · reply SD-1042 <text>
    resolve SD-1042 <note> (or close) · junk SD-1042 · help

A channel adapter turns its own gestures (a button on a card, a reply to a card) into these
words and shows the answer; it never touches tickets itself.
"""

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicedesk import tickets, workflow
from servicedesk.db.models import Ticket
from servicedesk.errors import DomainError, InvalidTransition, UnknownTicket
from servicedesk.notices import Desk
from servicedesk.references import parse_reference

NOTE_PROMPT = "✍ Resolution note for {reference}"
QUEUE_LIMIT = 20
MAX_BODY = 4000
HELP = (
    "Commands: /queue · /ticket SD-1042 · /take SD-1042 · /reply SD-1042 <text> · "
    "/close SD-1042 <resolution note> · /junk SD-1042. Reply to a ticket card to write to "
    "the employee."
)
_COMMAND = re.compile(r"^/?(?P<verb>[a-z]+)(?:@\S+)?\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class AgentAnswer:
    text: str
    note_wanted_for: str | None = None  # a reference: the channel should ask for the note


def run(session: Session, agent: str, command: str, desks: tuple[Desk, ...]) -> AgentAnswer:
    """Carry out one agent command; domain refusals come back as plain answers."""
    match = _COMMAND.match(command.strip())
    verb = match.group("verb").lower() if match else ""
    handler = _HANDLERS.get(verb)
    if handler is None:
        return AgentAnswer(HELP)
    rest = match.group("rest").strip()
    try:
        return handler(session, agent, rest, desks)
    except UnknownTicket as error:
        return AgentAnswer(f"No ticket SD-{error}.")
    except InvalidTransition as error:
        return AgentAnswer(f"Not done: {error}.")
    except DomainError as error:
        return AgentAnswer(f"Not done: {type(error).__name__}.")


def _queue(session: Session, _agent: str, _rest: str, _desks) -> AgentAnswer:
    waiting = tickets.queue(session, QUEUE_LIMIT)
    if not waiting:
        return AgentAnswer("The queue is empty.")
    lines = [f"Open tickets ({len(waiting)}):"] + [_line(t) for t in waiting]
    return AgentAnswer("\n".join(lines))


def _ticket(session: Session, _agent: str, rest: str, _desks) -> AgentAnswer:
    ticket = tickets.get(session, _number(rest))
    lines = [_line(ticket), ticket.description]
    if ticket.attachments:
        lines.append("Files: " + ", ".join(ticket.attachments))
    lines += [f"· {e.created_at:%Y-%m-%d %H:%M} {e.kind} by {e.actor}" for e in ticket.events]
    return AgentAnswer("\n".join(lines))


def _take(session: Session, agent: str, rest: str, _desks) -> AgentAnswer:
    ticket = workflow.take(session, _number(rest), agent)
    return AgentAnswer(f"{ticket.reference} taken by {agent}.")


def _reply(session: Session, agent: str, rest: str, _desks) -> AgentAnswer:
    number, body = _number(rest), _after_reference(rest)
    if not body:
        return AgentAnswer("Write the message after the ticket: /reply SD-1042 <text>.")
    ticket = workflow.agent_reply(session, number, agent, body[:MAX_BODY])
    return AgentAnswer(f"Sent to the requester of {ticket.reference}.")


def _resolve(session: Session, agent: str, rest: str, _desks) -> AgentAnswer:
    number, note = _number(rest), _after_reference(rest)
    if not note:
        ticket = tickets.get(session, number)
        if ticket.status not in tickets.OPEN_STATUSES:
            raise InvalidTransition(f"{ticket.reference} is {ticket.status}")
        prompt = NOTE_PROMPT.format(reference=ticket.reference)
        return AgentAnswer(f"{prompt}: reply to this message with the note.", ticket.reference)
    ticket = workflow.resolve(session, number, agent, note[:MAX_BODY])
    return AgentAnswer(f"{ticket.reference} resolved by {agent}; the requester is asked to rate.")


def _junk(session: Session, agent: str, rest: str, _desks) -> AgentAnswer:
    ticket = workflow.junk(session, _number(rest), agent)
    return AgentAnswer(f"{ticket.reference} closed as junk by {agent}.")


def _help(_session: Session, _agent: str, _rest: str, _desks) -> AgentAnswer:
    return AgentAnswer(HELP)


_HANDLERS = {
    "queue": _queue,
    "ticket": _ticket,
    "take": _take,
    "reply": _reply,
    "resolve": _resolve,
    "close": _resolve,
    "junk": _junk,
    "help": _help,
}


VERBS = frozenset(_HANDLERS)


def is_command(text: str) -> bool:
    """Whether ``text`` starts with an agent command's verb ("take SD-1042", "/queue")."""
    match = _COMMAND.match(text.strip())
    return bool(match) and match.group("verb").lower() in VERBS


def _number(rest: str) -> int:
    number = parse_reference(rest)
    if number is None:
        raise InvalidTransition("name the ticket, e.g. SD-1042")
    return number


def _after_reference(rest: str) -> str:
    return re.sub(r"^\s*SD[-\s]?\d+\s*[:,-]?", "", rest, count=1, flags=re.IGNORECASE).strip()


def _line(ticket: Ticket) -> str:
    assignee = f" · {ticket.assignee}" if ticket.assignee else ""
    return (
        f"{ticket.reference} · {ticket.priority} · {ticket.category} · {ticket.status}"
        f"{assignee} · {ticket.subject}"
    )
