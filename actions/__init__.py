"""deskbot's Rasa actions: thin adapters from the dialogue to the domain package.

Run with ``python -m rasa_sdk --actions actions``.
"""
