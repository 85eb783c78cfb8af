"""Load the knowledge-base index when the action server starts, not on the first question."""

import os

from actions import services

if os.environ.get("DESKBOT_PRELOAD_INDEX", "1") == "1":
    services.knowledge_search()
