"""deskbot's own Rasa dialogue policies."""
