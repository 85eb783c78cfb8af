"""deskbot's domain: users, knowledge-base search log, self-service outcomes, delivery bookkeeping.

Actions, the messenger gateway and (later) the console import this package; it knows nothing
about Rasa, Telegram or XMPP.
"""
