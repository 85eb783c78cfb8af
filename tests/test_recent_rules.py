"""deskbot's rule policy predicts what Rasa's RulePolicy predicts, from the last states only."""

from tests.support.rasa_env import run_in_rasa_env

# Runs in the Rasa environment: both policies trained on deskbot's rules and stories and loaded
# back as the Rasa server loads them, then asked for the next action at every step of long
# conversations through every intent, with slots set, an undone message and a restart.
COMPARE = """
import json, tempfile
from pathlib import Path
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import (
    ActionExecuted, Restarted, SlotSet, UserUttered, UserUtteranceReverted)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter
from dialogue.recent_rules import RecentRulePolicy, longest_rule, recent_states

importer = TrainingDataImporter.load_from_dict(
    domain_path="nlu/domain.yml", training_data_paths=["nlu/data"])
domain = importer.get_domain()
trackers = TrainingDataGenerator(
    importer.get_stories(), domain, augmentation_factor=0).generate()
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
context = ExecutionContext(GraphSchema({}), "test")
resource = Resource("rule_policy")
trained = RecentRulePolicy.create(
    RecentRulePolicy.get_default_config() | {"enable_fallback_prediction": False},
    storage, resource, context)
trained.train(trackers, domain)
config = trained.config
recent = RecentRulePolicy.load(config, storage, resource, context)
rasa_own = RulePolicy.load(config, storage, resource, context)

intents = [i for i in domain.intents if i in {
    "greet", "describe_problem", "affirm", "deny", "read_article", "request_ticket",
    "check_status", "rate", "mute", "unmute", "goodbye", "nlu_fallback", "help"}]
actions = {"describe_problem": "action_suggest_articles", "affirm": "action_record_feedback",
    "deny": "action_record_feedback", "read_article": "action_show_article",
    "request_ticket": "action_escalate", "check_status": "action_check_status",
    "rate": "action_rate", "mute": "action_mute", "unmute": "action_mute",
    "nlu_fallback": "action_suggest_articles"}
events, asked, followed, differ, states_differ = [ActionExecuted("action_listen")], 0, 0, [], 0
for turn in range(60):
    intent = intents[turn % len(intents)]
    events += [UserUttered("x", {"name": intent, "confidence": 1.0})]
    if turn == 17:
        events += [UserUtteranceReverted(), ActionExecuted("action_listen")]
        continue
    if turn == 40:
        events += [Restarted(), ActionExecuted("action_session_start"),
                   ActionExecuted("action_listen")]
        continue
    for action in (actions.get(intent, "action_respond"), "action_listen"):
        tracker = DialogueStateTracker.from_events("alice", events, domain.slots)
        for policy_states in (True, False):
            full = rasa_own._prediction_states(tracker, domain, policy_states)
            mine = recent._prediction_states(tracker, domain, policy_states)
            states_differ += mine != full[-len(mine):]
        got = recent.predict_action_probabilities(tracker, domain)
        want = rasa_own.predict_action_probabilities(tracker, domain)
        asked += 1
        predicted = domain.action_names_or_texts[want.max_confidence_index]
        followed += predicted == action
        if (got.probabilities, got.is_no_user_prediction, got.events) != (
                want.probabilities, want.is_no_user_prediction, want.events):
            differ.append(turn)
        events += [ActionExecuted(action)]
        if action != "action_listen" and turn % 3 == 0:
            events += [SlotSet("language", ["en", "ru"][turn % 2])]
full_length = len(rasa_own._prediction_states(tracker, domain))
print(json.dumps({
    "asked": asked,
    "followed": followed,
    "differ": differ,
    "states_differ": states_differ,
    "longest_rule": longest_rule(recent.lookup),
    "recent_length": len(recent._prediction_states(tracker, domain)),
    "full_length": full_length,
    "training_reads_every_state": trained.recent_states_count is None,
}))
"""


def test_predictions_are_rasas_own_at_every_step_of_long_conversations():
    found = run_in_rasa_env(COMPARE, timeout=600)

    assert found["asked"] > 100
    assert found["differ"] == []
    assert found["states_differ"] == 0
    assert 1 < found["longest_rule"] < 10
    assert found["recent_length"] == found["longest_rule"]
    assert found["followed"] == found["asked"]  # each step is the action the rules give
    assert found["full_length"] > 30  # the conversation is far longer than any rule
    assert found["training_reads_every_state"] is True
