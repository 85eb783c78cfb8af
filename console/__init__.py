"""The web console for KB editors, agents and managers (FastAPI, server-rendered pages)."""
