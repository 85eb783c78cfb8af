"""Console settings (prefix DESKBOT_CONSOLE_)."""

import os
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
        """``secret_key``, or the key in ``secret_file``, made by the first console process to
        start; every console on this machine signs with it, so a session cookie one of them
        set is good at the others."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.secret_file.exists():
            self.secret_file.parent.mkdir(parents=True, exist_ok=True)
            create_once(self.secret_file, secrets.token_urlsafe(48))
        return self.secret_file.read_text().strip()


def create_once(path: Path, text: str) -> None:
    """Write ``text`` to a new file ``path`` readable by its owner only, unless a file of that
    name exists already, which is then left as it is, also when another process makes it at
    the same moment (the text is written aside and linked in, which fails on a taken name)."""
    staging = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        os.link(staging, path)
    except FileExistsError:
        pass
    finally:
        staging.unlink()
