"""Load the knowledge-base index when the action server starts, not on the first question.

Only in the Sanic worker that serves requests: loading the model in the manager process would
fix multiprocessing's start method to "fork" before Sanic asks for "spawn". Should the worker
not be recognised, the index simply loads on the first question instead.
"""

import os

from actions import services

if os.environ.get("SANIC_WORKER_NAME") and os.environ.get("DESKBOT_PRELOAD_INDEX", "1") == "1":
    services.knowledge_search()
