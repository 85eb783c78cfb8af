"""Payloads of the conversation core: what a button sends back, e.g. ``/rate{"stars":"5"}``."""

import json


def payload(intent: str, **entities: str) -> str:
    """A Rasa payload for ``intent`` with ``entities``."""
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"
