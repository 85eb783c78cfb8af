"""``python -m launcher.action_server``: rasa_sdk's action server, served in one process.

rasa_sdk serves its app through Sanic's worker manager: a main process that watches the worker
through a third process (a multiprocessing manager), asking it for the worker's state ten times
a second even while nobody writes. deskbot's action server runs one worker (its state lives in
the database; more capacity is more replicas behind the load balancer), so the same app, with
its listeners and routes, is served by Sanic's single-process mode instead, without the
watcher. That also drops the watcher's 30 s allowance for a worker to start, which loading the
embedding model on a busy two-core machine can exceed.
"""

from rasa_sdk.__main__ import main
from sanic import Sanic

from actions import preload


def serve_in_this_process(cls, primary=None, app_loader=None, factory=None) -> None:
    """``Sanic.serve`` as rasa_sdk calls it, serving the prepared app in this process."""
    cls.serve_single(primary)


if __name__ == "__main__":
    Sanic.serve = classmethod(serve_in_this_process)
    preload()  # before the server answers its first health check
    main()
