"""A Rasa NLU component: the language the gateway chose for a message becomes its ``language``
entity, which nlu/domain.yml maps onto the ``language`` slot.

The gateway decides the language (servicedesk.language, with the employee's last language as the
fallback) and sends it in the message's metadata; Rasa no longer asks the action server for it
on every turn. A message without that metadata (``rasa shell``, a test) gets no entity and keeps
the slot as it was.
"""

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from servicedesk.language import SUPPORTED

ENTITY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class GatewayLanguage(GraphComponent):
    """Copies ``metadata["language"]`` into the entities."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "GatewayLanguage":
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            language = (message.get("metadata") or {}).get(ENTITY)
            if language in SUPPORTED:
                entity = {"entity": ENTITY, "value": language, "extractor": type(self).__name__}
                message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
