"""People on the loopback Prosody: an employee chatting with deskbot, an agent in the room."""

import asyncio
import contextlib

import slixmpp

from bot.xmpp.client import allow_plaintext

QUIET_S = 0.8


class XmppPerson:
    """A real XMPP client (slixmpp) that writes to deskbot and collects what comes back."""

    def __init__(self, jid: str, password: str, port: int, bot_jid: str) -> None:
        self.jid, self.port, self.bot_jid = jid, port, bot_jid
        self.client = slixmpp.ClientXMPP(jid, password)
        allow_plaintext(self.client)
        self.client.register_plugin("xep_0045")
        self.inbox: list[str] = []
        self.client.add_event_handler("message", self._on_message)
        self.client.add_event_handler("groupchat_message", self._on_groupchat)
        self.room_log: list[tuple[str, str]] = []  # (nick, body) in the agents' room

    async def connect(self) -> "XmppPerson":
        started = asyncio.get_running_loop().create_future()
        self.client.add_event_handler(
            "session_start", lambda _e: started.done() or started.set_result(True)
        )
        self.client.connect("127.0.0.1", self.port)
        await asyncio.wait_for(started, 20)
        self.client.send_presence()
        await self.client.get_roster()
        return self

    async def disconnect(self) -> None:
        with contextlib.suppress(Exception):
            self.client.disconnect()
            await asyncio.wait_for(self.client.disconnected, 5)

    async def say(self, body: str, expect: bool = True) -> list[str]:
        """Write to deskbot; its replies once they stop coming."""
        start = len(self.inbox)
        self.client.send_message(mto=self.bot_jid, mbody=body, mtype="chat")
        return await self._settle(lambda: self.inbox, start) if expect else []

    async def wait_for(self, contains: str, timeout: float = 30) -> str:
        return await _wait(lambda: [m for m in self.inbox if contains in m], timeout, contains)

    async def join(self, room: str, nick: str) -> None:
        await self.client.plugin["xep_0045"].join_muc_wait(room, nick, maxstanzas=0)
        self.room, self.nick = room, nick

    async def command(self, body: str) -> list[str]:
        """Write in the agents' room; deskbot's answers there."""
        start = len(self._bot_in_room())
        self.client.send_message(mto=self.room, mbody=body, mtype="groupchat")
        return [b for _, b in await self._settle(self._bot_in_room, start)]

    async def wait_in_room(self, contains: str, timeout: float = 30) -> str:
        return await _wait(
            lambda: [b for _, b in self._bot_in_room() if contains in b], timeout, contains
        )

    def _bot_in_room(self) -> list[tuple[str, str]]:
        return [(n, b) for n, b in self.room_log if n == "deskbot"]

    @staticmethod
    async def _settle(items, start: int, timeout: float = 30) -> list:
        """Wait for the first new item, then until nothing new arrives for QUIET_S."""
        await _wait(lambda: items()[start:], timeout, "a reply")
        seen = -1
        while seen != len(items()):
            seen = len(items())
            await asyncio.sleep(QUIET_S)
        return items()[start:]

    def _on_message(self, msg) -> None:
        if msg["type"] in ("chat", "normal") and msg["body"]:
            self.inbox.append(msg["body"])

    def _on_groupchat(self, msg) -> None:
        if msg["body"] and not msg["delay"]["stamp"]:
            self.room_log.append((msg["mucnick"], msg["body"]))


async def _wait(found, timeout: float, what: str):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        items = found()
        if items:
            return items[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing like {what!r} arrived")
