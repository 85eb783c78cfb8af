"""``python -m launcher.rasa_server run ...``: Rasa's own command line, with each action server
reply validated against a response schema that is checked once, not on every reply.

Rasa 3.6 validates a reply with ``jsonschema.validate``, which first checks the schema itself;
for the same, fixed schema that check took about 30 % of the Rasa server's time in the
whole-turn benchmark (docs/BENCHMARKS.md). Replies are still validated against that schema,
and an invalid one is refused exactly as before.

Rasa 3.6 also finds an event's class by its type name by walking every subclass of ``Event``
(``Event.resolve_by_type``), once for each event of a tracker it rebuilds from JSON and of an
action server reply: three quarters of the in-memory tracker store's time for a conversation
of ten turns (docs/BENCHMARKS.md). The launcher remembers each name's class after Rasa's own
walk has found it; an unknown name still goes through Rasa's walk and its answer.

Rasa also serialises the whole tracker, every event of the conversation, into each call to the
action server, which parses it again. deskbot's actions read the slots and the latest message,
never the event history, so the launcher sends the events of the current turn only (from the
employee's latest message); everything else in the call is Rasa's own.

Rasa interprets a message (the NLU pipeline: the intent classifier's encoder pass, most of a
turn's CPU time) on the server's event loop, so while one message is read, no other
conversation moves on. The launcher runs that step in a worker thread; ONNX Runtime lets go of
the GIL while it computes, so the loop meanwhile predicts actions and calls the action server
for other conversations, on the other core. Each conversation is still handled one message at
a time (Rasa's lock store), and the pipeline's components keep no state between messages.

In the scale-out topology a server started with another model than the running ones refuses to
start (``launcher/model_agreement.py``).

Rasa's HTTP API answers only with the gateway's secret (``--auth-token``, from the environment),
and its one channel asks for the same secret (``launcher/gateway_channel.py``).

The server also keeps NumPy's BLAS to one thread, as the intent classifier keeps ONNX Runtime
(nlu_features.onnx_layers). It runs one small message at a time; extra BLAS threads made the
classifier's pass no faster and spun on the cores the gateway and the action server need
(docs/BENCHMARKS.md).
"""

import asyncio
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads BLAS
from typing import Any

import rasa
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.__main__ import main
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor, structlogger
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from launcher.model_agreement import ModelMismatch, check_from_environment


def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


RESPONSE_VALIDATOR = _response_validator()


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` without re-checking the schema."""
    error = best_match(RESPONSE_VALIDATOR.iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


_walk_event_classes = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, remembering the class found for each type name."""
    event_class = _event_classes.get(type_name)
    if event_class is None:
        event_class = _walk_event_classes(type_name, default)
        if event_class is not None and event_class.type_name == type_name:
            _event_classes[type_name] = event_class
    return event_class


def action_call(
    action: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """Rasa's ``RemoteAction._action_call_format`` with the current turn's events only."""
    call = {
        "next_action": action.name(),
        "sender_id": tracker.sender_id,
        "tracker": current_turn_state(tracker),
        "version": rasa.__version__,
    }
    if not action._is_selective_domain_enabled() or (
        domain.does_custom_action_explicitly_need_domain(action.name())
    ):
        call["domain"] = domain.as_dict()
    return call


def current_turn_state(tracker: DialogueStateTracker) -> dict[str, Any]:
    """The tracker's state, with the events from the latest user message on."""
    state = tracker.current_state(EventVerbosity.NONE)
    turn: list[Event] = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    state["events"] = [event.as_dict() for event in reversed(turn)]
    return state


_parse_message = MessageProcessor.parse_message


async def parse_message_in_thread(
    processor: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    """Rasa's ``MessageProcessor.parse_message``, with the NLU pipeline run in a worker thread."""
    if processor.http_interpreter:
        return await _parse_message(processor, message, tracker, only_output_properties)
    tracker = tracker or DialogueStateTracker.from_events(message.sender_id, [])
    parsed = await asyncio.to_thread(
        processor._parse_message_with_graph, message, tracker, only_output_properties
    )
    processor._update_full_retrieval_intent(parsed)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=parsed["text"],
        parse_data_intent=parsed["intent"],
        parse_data_entities=parsed["entities"],
    )
    processor._check_for_unseen_features(parsed)
    return parsed


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = action_call
    Event.resolve_by_type = staticmethod(resolve_event_type)
    MessageProcessor.parse_message = parse_message_in_thread


def with_auth_token(argv: list[str]) -> list[str]:
    """Rasa's command line with ``--auth-token`` from DESKBOT_RASA_TOKEN, so that its HTTP API
    (conversations, trackers, models) answers only callers with the secret. It is added here,
    in the process, so that the secret never shows in the process list."""
    token = os.environ.get("DESKBOT_RASA_TOKEN")
    if not token:
        raise SystemExit("DESKBOT_RASA_TOKEN is not set: Rasa's HTTP API will not run open")
    return [*argv, f"--auth-token={token}"]  # one word: a token may begin with "-"


if __name__ == "__main__":
    try:
        check_from_environment(sys.argv)
    except ModelMismatch as refusal:
        print(f"ERROR {refusal}", file=sys.stderr, flush=True)
        sys.exit(3)
    install()
    sys.argv = with_auth_token(sys.argv)
    sys.exit(main())
