"""Console settings (prefix DESKBOT_CONSOLE_)."""

import secrets
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    """Where the console listens and how it signs its session cookies."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_CONSOLE_", env_file=".env", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = 8090
    # Signs the session cookie. Unset: a random key kept in secret_file, so sessions survive
    # a restart of this machine's console.
    secret_key: SecretStr | None = None
    secret_file: Path = Path("var/console-secret")
    # Send cookies over HTTPS only; turn on whenever the console is served through HTTPS.
    secure_cookies: bool = False
    session_hours: int = 8

    def signing_key(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.secret_file.exists():
            self.secret_file.parent.mkdir(parents=True, exist_ok=True)
            self.secret_file.write_text(secrets.token_urlsafe(48))
            self.secret_file.chmod(0o600)
        return self.secret_file.read_text().strip()
