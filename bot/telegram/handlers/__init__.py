"""Employees' routers, combined in order: commands, buttons, text, anything else."""

from aiogram import F, Router

from bot.telegram.handlers import buttons, commands, other, text


def build_router() -> Router:
    root = Router(name="telegram")
    root.message.filter(F.chat.type == "private")
    root.callback_query.filter(F.message.chat.type == "private")
    root.include_routers(commands.build(), buttons.build(), text.build(), other.build())
    return root
