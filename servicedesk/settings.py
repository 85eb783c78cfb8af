"""Typed settings for the domain package, read from the environment (prefix DESKBOT_DB_)."""

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/deskbot.sqlite3"


class DatabaseSettings(BaseSettings):
    """Where deskbot keeps its data."""

    model_config = SettingsConfigDict(env_prefix="DESKBOT_DB_", env_file=".env", extra="ignore")

    url: str = DEFAULT_DATABASE_URL
    echo: bool = False
