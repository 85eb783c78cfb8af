"""A Rasa NLU component, last in the pipeline: a message that describes a problem or asks a
question goes to the knowledge-base search whatever else the classifier read in it; a command
needs clear evidence (servicedesk.routing). The reading it replaced is kept in the parse data
as ``searched_instead_of``, so the search can offer it as a button."""

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from servicedesk.routing import INSTEAD_OF, route


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SearchFirst(GraphComponent):
    """Turns an unproven command into ``describe_problem``."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SearchFirst":
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if not intent.get("name") or not message.get(TEXT):
                continue
            confidence = float(intent.get("confidence") or 0.0)
            routed = route(intent["name"], confidence, message.get(TEXT))
            if routed.instead_of:
                replaced = {"name": routed.instead_of, "confidence": confidence}
                message.set(INTENT, {"name": routed.intent, "confidence": confidence}, True)
                message.set(INSTEAD_OF, replaced, add_to_output=True)
        return messages
