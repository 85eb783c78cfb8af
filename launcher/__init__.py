"""Start deskbot's processes on loopback: used by ``make run`` and by the end-to-end tests."""
