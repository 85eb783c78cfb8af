"""Gateway settings, one class per concern."""

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Where the conversation core (Rasa) is, and the local web chat."""

    model_config = SettingsConfigDict(env_prefix="DESKBOT_", env_file=".env", extra="ignore")

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 15.0
    webchat_enabled: bool = True
    webchat_host: str = "127.0.0.1"
    webchat_port: int = 8080


class TelegramSettings(BaseSettings):
    """The Telegram bot; without a token the Telegram adapter does not start."""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", env_file=".env", extra="ignore")

    bot_token: SecretStr | None = None
    # A Bot API server of your own (or the tests' loopback one); None means Telegram's cloud.
    api_base_url: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "/telegram/webhook"
