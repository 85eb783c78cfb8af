"""Rasa's RulePolicy, reading only as many of the latest dialogue states as its longest rule.

For each prediction, Rasa 3.6's RulePolicy builds the state of every turn of the conversation,
then matches every rule against every one of those states, parsing each rule from JSON again
for each state. So a prediction cost more the longer the employee had been talking. A rule of n
states only looks at the conversation's last n states: further back, RulePolicy's own matcher
(``_is_rule_applicable``) accepts every rule.

A policy loaded from a trained model therefore builds the last states only, as many as its
longest rule has, and parses each rule once. It predicts exactly what RulePolicy predicts
(tests/test_recent_rules.py compares them); the events are still replayed from the start of the
conversation, since a state holds the slots as they were at that turn. When no rule applies,
the key reported as the prediction's source is built from those last states, not from the
whole conversation. Training is RulePolicy's own: its checks for contradicting rules read every
state.

In a pipeline: ``- name: dialogue.recent_rules.RecentRulePolicy``, with RulePolicy's options.
"""

import json
from functools import cache
from typing import Any

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RecentRulePolicy(RulePolicy):
    """RulePolicy whose predictions read only the states its longest rule can match."""

    recent_states_count: int | None = None  # None: every state, as RulePolicy (training)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RecentRulePolicy":
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        policy.recent_states_count = longest_rule(policy.lookup)
        return policy

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        if self.recent_states_count is None:
            return super()._prediction_states(
                tracker, domain, use_text_for_last_user_input, rule_only_data
            )
        # What RulePolicy's featurizer does for a rule policy (no rule-only turns ignored, no
        # history cut), on the last states only.
        states = recent_states(tracker, domain, self.recent_states_count)
        self.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    @staticmethod
    @cache
    def _rule_key_to_state(rule_key: str) -> list[State]:
        """RulePolicy's parse of a rule key, once per key (callers only read it)."""
        return json.loads(rule_key)


def longest_rule(lookup: dict[str, Any]) -> int:
    """How many states the longest rule (or unhappy-path rule) of ``lookup`` has; at least 1."""
    keys = [*lookup.get(RULES, {}), *lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
    return max((len(RecentRulePolicy._rule_key_to_state(key)) for key in keys), default=1)


def recent_states(tracker: DialogueStateTracker, domain: Domain, count: int) -> list[State]:
    """The last ``count`` of ``domain.states_for_tracker_history(tracker)``: one state before
    each action of the conversation and one after the last, with the slots of that moment."""
    events = tracker.applied_events()
    states_in_all = 1 + sum(isinstance(event, ActionExecuted) for event in events)
    first = states_in_all - count
    replay, states, index = tracker.init_copy(), [], 0
    for event in events:
        if isinstance(event, ActionExecuted):
            if index >= first:
                states.append(_state(replay, domain))
            index += 1
        replay.update(event)
    states.append(_state(replay, domain))
    return states


def _state(tracker: DialogueStateTracker, domain: Domain) -> State:
    return domain._clean_state(domain.get_active_state(tracker))
