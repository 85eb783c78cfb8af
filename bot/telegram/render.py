"""Core replies as Telegram messages: escaped, split under 4,096 characters, with keyboards."""

import html
from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Reply

TELEGRAM_TEXT_LIMIT = 4096
BUTTON_TEXT_LIMIT = 64


@dataclass(frozen=True)
class TelegramMessage:
    html: str
    keyboard: InlineKeyboardMarkup | None


def render(reply: Reply) -> list[TelegramMessage]:
    """One reply as one or more messages; the keyboard goes with the last one."""
    chunks = [html.escape(part, quote=False) for part in split(reply.text)] or ["…"]
    keyboard = _keyboard(reply) if reply.buttons else None
    return [
        TelegramMessage(chunk, keyboard if last else None)
        for last, chunk in ((i == len(chunks) - 1, c) for i, c in enumerate(chunks))
    ]


def split(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Pieces of ``text`` whose escaped form fits ``limit``, cut at a line or word break if any."""
    pieces, rest = [], text.strip()
    while rest:
        end = _fitting_prefix(rest, limit)
        if end < len(rest):
            end = _break_before(rest, end)
        pieces.append(rest[:end].strip())
        rest = rest[end:].strip()
    return [p for p in pieces if p]


def _fitting_prefix(text: str, limit: int) -> int:
    size = 0
    for index, char in enumerate(text):
        size += len(html.escape(char, quote=False))
        if size > limit:
            return index
    return len(text)


def _break_before(text: str, end: int) -> int:
    for separator in ("\n", " "):
        cut = text.rfind(separator, end // 2, end)
        if cut > 0:
            return cut
    return end


def _keyboard(reply: Reply) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.title[:BUTTON_TEXT_LIMIT] or "…", callback_data=b.token)]
            for b in reply.buttons
        ]
    )
