"""The Telegram adapter (aiogram 3): native updates in, core replies out."""
