"""Gateway settings, one class per concern."""

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Where the conversation core (Rasa) is, and the local web chat."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: SecretStr | None = None  # the secret Rasa's gateway channel asks for
    rasa_timeout_s: float = 15.0
    # A message typed while Rasa was down is answered once it is back, if that is within
    # this many minutes; after that its sender is asked to write again.
    replay_window_minutes: int = Field(default=60, ge=1)
    # A delivery pass holds the messages it loaded this long; if its gateway dies, another
    # sends them after that (README, "delivery guarantee").
    outbox_lease_seconds: float = Field(default=120.0, ge=5)
    # The gateway's /healthz and /metrics (Prometheus), on loopback by default.
    ops_host: str = "127.0.0.1"
    ops_port: int = 8081
    # The anonymous web chat, for trying deskbot out. Unset: on only while no messenger (a
    # Telegram token, an XMPP account) is configured.
    webchat_enabled: bool | None = None
    webchat_host: str = "127.0.0.1"
    webchat_port: int = 8080
    # Origins the web chat also answers, e.g. "https://chat.corp.example.com" behind a proxy.
    webchat_origins: list[str] = []
    webchat_messages_per_minute: int = Field(default=20, ge=1)
    webchat_session_idle_hours: float = Field(default=72.0, gt=0)  # no message for this long
    webchat_session_max_days: float = Field(default=30.0, gt=0)

    def webchat_on(self, telegram: "TelegramSettings", xmpp: "XmppSettings") -> bool:
        """The web chat's setting, or by default whether no messenger is configured."""
        if self.webchat_enabled is not None:
            return self.webchat_enabled
        return telegram.bot_token is None and xmpp.jid is None


class TelegramSettings(BaseSettings):
    """The Telegram bot; without a token the Telegram adapter does not start."""

    model_config = SettingsConfigDict(
        env_prefix="TELEGRAM_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    # A Bot API server of your own (or the tests' loopback one); None means Telegram's cloud.
    api_base_url: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "/telegram/webhook"

    @field_validator("bot_token")
    @classmethod
    def _token_looks_like_botfathers(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and not _TOKEN.match(token.get_secret_value()):
            raise ValueError("expected the form 123456789:AAH... that @BotFather gives")
        return token

    @field_validator("webhook_secret")
    @classmethod
    def _secret_is_what_telegram_accepts(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not _WEBHOOK_SECRET.match(secret.get_secret_value()):
            raise ValueError("1-256 characters: letters, digits, _ and -")
        return secret


_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class XmppSettings(BaseSettings):
    """The XMPP (Jabber) adapter; without a JID it does not start."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_XMPP_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    jid: str | None = None  # the bot's account, e.g. deskbot@corp.example.com
    password: SecretStr | None = None
    # Where to connect; unset means the JID's domain by DNS (SRV records), port 5222.
    host: str | None = None
    port: int = 5222
    # Employees' domains; messages from any other domain get a polite refusal. Empty: the
    # bot's own domain.
    domains: list[str] = []
    nick: str = "deskbot"  # the bot's nickname in the agents' room
    # Only for a server on loopback without TLS (tests, a local demo).
    allow_plaintext: bool = False

    @field_validator("jid")
    @classmethod
    def _jid_is_bare(cls, jid: str | None) -> str | None:
        if jid is not None and not _BARE_JID.match(jid):
            raise ValueError("expected a bare JID such as deskbot@corp.example.com")
        return jid

    def employee_domains(self) -> set[str]:
        own = self.jid.split("@", 1)[1] if self.jid else ""
        return {d.lower() for d in self.domains} or {own.lower()}


_BARE_JID = re.compile(r"^[^@/\s]+@[^@/\s]+$")
