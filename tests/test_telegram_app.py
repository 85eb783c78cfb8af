"""The Telegram app keeps aiogram's reply models alive between garbage collections."""

import gc

from aiogram.methods import GetUpdates, SendChatAction, SendMessage
from aiogram.methods.base import Response

from bot.telegram.app import response_models


def test_reply_models_are_built_once_and_kept():
    kept = response_models()
    gc.collect()
    for method in (SendMessage, SendChatAction, GetUpdates):
        model = Response[method.__returning__]
        assert any(model is k for k in kept), method.__name__
    assert response_models() is kept
