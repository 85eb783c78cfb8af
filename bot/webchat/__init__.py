"""A local web chat, so that deskbot can be tried without a Telegram token."""
