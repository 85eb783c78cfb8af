"""deskbot's own parts of Rasa's dialogue: a rule policy and a tracker store."""
