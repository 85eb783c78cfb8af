"""deskbot's Rasa actions: thin adapters from the dialogue to the domain package.

Run with ``python -m launcher.action_server`` (rasa_sdk's server in one process).

The knowledge-base index and the classifier are loaded before the server answers, not on the
first question (``preload``; DESKBOT_PRELOAD_INDEX=0 leaves them to the first question). Under
rasa_sdk's own multi-process server this happens when the Sanic worker that serves requests
imports this package, not in Sanic's manager process: loading the model there would fix
multiprocessing's start method to "fork" before Sanic asks for "spawn".
"""

import os


def preload() -> None:
    if os.environ.get("DESKBOT_PRELOAD_INDEX", "1") == "1":
        from actions import services

        services.knowledge_search()
        services.classifier()


if os.environ.get("SANIC_WORKER_NAME"):
    preload()
