"""deskbot's Rasa actions: thin adapters from the dialogue to the domain package.

Run with ``python -m rasa_sdk --actions actions``.

The knowledge-base index is loaded when the Sanic worker that serves requests imports this
package, not on the first question. Not in Sanic's manager process: loading the model there
would fix multiprocessing's start method to "fork" before Sanic asks for "spawn".
"""

import os

if os.environ.get("SANIC_WORKER_NAME") and os.environ.get("DESKBOT_PRELOAD_INDEX", "1") == "1":
    from actions import services

    services.knowledge_search()
    services.classifier()
