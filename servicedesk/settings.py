"""Typed settings for the domain package, read from the environment."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/deskbot.sqlite3"


class DatabaseSettings(BaseSettings):
    """Where deskbot keeps its data."""

    model_config = SettingsConfigDict(env_prefix="DESKBOT_DB_", env_file=".env", extra="ignore")

    url: str = DEFAULT_DATABASE_URL
    echo: bool = False


DEFAULT_CATEGORIES = [
    "Hardware",
    "Software",
    "Access & accounts",
    "Network & VPN",
    "Email & calendar",
    "Printing",
    "Phones & mobile",
    "Other",
]


class TicketSettings(BaseSettings):
    """The ticket catalogue (prefix DESKBOT_TICKETS_); categories as a JSON list."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_TICKETS_", env_file=".env", extra="ignore"
    )

    categories: list[str] = DEFAULT_CATEGORIES
    # Labelled example requests that teach the classifier, besides the KB articles.
    examples_file: Path = Path("data/classifier/examples.yml")


class AgentSettings(BaseSettings):
    """Where agents work tickets in chat (prefix DESKBOT_AGENTS_)."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_AGENTS_", env_file=".env", extra="ignore"
    )

    # The agents' Telegram group (a negative id such as -1001234567890); unset: tickets are
    # still filed, and agents see them in the console.
    telegram_chat_id: int | None = None
    # The agents' XMPP multi-user chat room (e.g. helpdesk@conference.corp.example.com) and the
    # bare JIDs of the agents who may act there.
    xmpp_room: str | None = None
    xmpp_agents: list[str] = []


class RetentionSettings(BaseSettings):
    """How long what employees wrote is kept (prefix DESKBOT_RETENTION_): message bodies,
    searches and sent messages older than ``days`` are blanked; counts stay."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_RETENTION_", env_file=".env", extra="ignore"
    )

    days: int = Field(default=180, ge=1)
