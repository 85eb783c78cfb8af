"""``python -m launcher.action_server``: rasa_sdk's action server, patient with a slow start.

Sanic gives each worker 30 s to report that it started and shuts the server down otherwise;
loading the embedding model on a busy two-core machine can take longer. The allowance is a
class constant in Sanic, counted in tenths of a second.
"""

from rasa_sdk.__main__ import main
from sanic.worker.manager import WorkerManager
from sanic.worker.process import WorkerProcess

START_ALLOWANCE_TENTHS = 1800  # three minutes

if __name__ == "__main__":
    WorkerManager.THRESHOLD = WorkerProcess.THRESHOLD = START_ALLOWANCE_TENTHS
    main()
