"""The bot's XMPP account: 1:1 chats with employees, commands from agents in their room."""

import asyncio
import logging
import uuid

import slixmpp
from slixmpp import JID

from bot.agents import AgentDesk
from bot.conversation import Conversation, Incoming, Outcome
from bot.messages import Reply
from bot.settings import XmppSettings
from bot.xmpp.choices import NoSuchChoice, OfferedChoices, render
from servicedesk.agent_commands import AgentAnswer, is_command
from servicedesk.i18n import text
from servicedesk.language import detect

log = logging.getLogger(__name__)
CHANNEL = "xmpp"
MAX_BACKOFF_S = 60.0


class XmppGateway(slixmpp.ClientXMPP):
    """Translates XMPP stanzas into core events and back; reconnects when the server drops."""

    def __init__(
        self,
        settings: XmppSettings,
        conversation: Conversation,
        agent_desk: AgentDesk,
        room: str | None,
        agents: list[str],
    ) -> None:
        password = settings.password.get_secret_value() if settings.password else ""
        super().__init__(settings.jid, password)
        if settings.allow_plaintext:
            self.enable_plaintext, self.enable_starttls, self.enable_direct_tls = (
                True,
                False,
                False,
            )
        self._settings, self._conversation, self._agent_desk = settings, conversation, agent_desk
        self.room = JID(room) if room else None
        self._agents = {a.lower() for a in agents}
        self._domains = settings.employee_domains()
        self.choices = OfferedChoices(agent_desk.database)
        self.in_room = asyncio.Event()
        self._backoff, self._stopping = 1.0, False
        for plugin in ("xep_0030", "xep_0045", "xep_0199", "xep_0203"):
            self.register_plugin(plugin)
        if settings.allow_plaintext:
            allow_plaintext(self)  # after the plugins: registering them resets this plugin
        self.add_event_handler("session_start", self._on_session_start)
        self.add_event_handler("message", self._on_message)
        self.add_event_handler("groupchat_message", self._on_groupchat)
        # After a drop deskbot reconnects itself; failed attempts slixmpp retries on its own.
        self.add_event_handler("disconnected", self._on_disconnected)

    def start(self) -> None:
        self.connect(self._settings.host, self._settings.port)

    async def stop(self) -> None:
        self._stopping = True
        self.disconnect()

    async def send_replies(
        self, person: str, replies: list[Reply], keep_choices: bool = False
    ) -> None:
        """Send replies as text with numbered choices, and remember the choices (or keep the
        ones offered before, when nothing was done)."""
        texts, offered = render(replies)
        if not keep_choices:
            await asyncio.to_thread(self.choices.offer, person, offered)
        for body in texts:
            self.send_message(mto=person, mbody=body, mtype="chat")

    def send_to_room(self, body: str) -> None:
        self.send_message(mto=self.room, mbody=body, mtype="groupchat")

    async def _on_session_start(self, _event) -> None:
        self._backoff = 1.0
        self.send_presence()
        await self.get_roster()
        if self.room is not None:
            await self.plugin["xep_0045"].join_muc_wait(
                self.room, self._settings.nick, maxstanzas=0
            )
            self.in_room.set()
        log.info("XMPP: connected as %s", self.boundjid.bare)

    def _on_disconnected(self, _reason) -> None:
        self.in_room.clear()
        if self._stopping:
            return
        delay, self._backoff = self._backoff, min(self._backoff * 2, MAX_BACKOFF_S)
        log.warning("XMPP: connection lost; reconnecting in %.0f s", delay)
        asyncio.get_running_loop().call_later(delay, self.start)

    async def _on_message(self, msg) -> None:
        if msg["type"] not in ("chat", "normal") or not msg["body"]:
            return
        person = msg["from"].bare
        if person.split("@")[-1].lower() not in self._domains:
            log.warning("XMPP: message from a foreign domain refused")
            refusal = text("foreign_domain", detect(msg["body"]), domains=", ".join(self._domains))
            self.send_message(mto=person, mbody=refusal, mtype="chat")
            return
        await self._employee_says(person, msg["body"], msg["id"])

    async def _employee_says(self, person: str, body: str, stanza_id: str) -> None:
        choice = await asyncio.to_thread(self.choices.pick, person, body)
        language = detect(body)
        if isinstance(choice, NoSuchChoice):
            number, offered = choice.number, choice.offered
            reply = text("no_such_choice", language, number=number, offered=offered)
            self.send_message(mto=person, mbody=reply, mtype="chat")
            return
        incoming = Incoming(
            channel=CHANNEL,
            sender_id=f"{CHANNEL}:{person}",
            delivery_key=f"{person}:{stanza_id or uuid.uuid4().hex}",
            text="" if choice else body,
            button_token=choice,
        )
        result = await self._conversation.handle(incoming)
        if result.outcome is Outcome.REJECTED:
            self.send_message(mto=person, mbody=text("stale_button", language), mtype="chat")
        elif result.outcome is Outcome.REPLIED:
            await self.send_replies(person, result.replies, keep_choices=result.retry)
            await self._conversation.sent(result.replies)

    async def _on_groupchat(self, msg) -> None:
        nick, body = msg["mucnick"], msg["body"] or ""
        if self.room is None or msg["from"].bare != self.room.bare or nick == self._settings.nick:
            return
        if msg["delay"]["stamp"] or not is_command(body):
            return  # room history, or agents talking among themselves
        real = self.plugin["xep_0045"].get_jid_property(self.room, nick, "jid")
        actor = f"{nick} (xmpp:{JID(real).bare})" if real else nick
        if real is None or JID(real).bare.lower() not in self._agents:
            answer = self._agent_desk.refuse(CHANNEL, actor, body)
        else:
            key = f"room:{msg['id'] or uuid.uuid4().hex}"
            answer = await self._agent_desk.run(CHANNEL, key, actor, body)
        if answer is not None:
            self.send_to_room(_for_room(answer))


def allow_plaintext(client: slixmpp.ClientXMPP) -> None:
    """Connect and log in without TLS: only for a server on loopback (tests, a local demo)."""
    client.enable_plaintext, client.enable_starttls, client.enable_direct_tls = True, False, False
    mechanisms = client.plugin["feature_mechanisms"]
    mechanisms.unencrypted_plain = mechanisms.unencrypted_scram = True


def _for_room(answer: AgentAnswer) -> str:
    if answer.note_wanted_for:
        return f"Add the resolution note: resolve {answer.note_wanted_for} <note>"
    return answer.text
