"""A real Prosody server on loopback for the XMPP tests, with a config of its own.

It serves the corporate domain (with a multi-user chat component) and a foreign domain, listens
on a free port for clients only, and keeps its data in a folder owned by the prosody user.
"""

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.stack import free_port

CORP = "corp.example.com"
FOREIGN = "outside.example.org"
CONFERENCE = f"conference.{CORP}"

CONFIG = """\
pidfile = "{work}/prosody.pid"
daemonize = false  -- the tests hold the process
data_path = "{work}/data"
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
modules_enabled = {{ "roster"; "saslauth"; "disco"; "offline"; "ping"; "posix" }}
modules_disabled = {{ "s2s"; "tls" }}
log = {{ info = "{work}/prosody.log"; error = "{work}/prosody.err" }}

VirtualHost "{corp}"
VirtualHost "{foreign}"

Component "{conference}" "muc"
  muc_room_locking = false
  muc_room_default_public_jids = false
"""


@dataclass
class Prosody:
    work: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def config(self) -> Path:
        return self.work / "prosody.cfg.lua"

    def start(self) -> None:
        with open(self.work / "stdout.log", "ab") as log:
            self.process = subprocess.Popen(
                ["runuser", "-u", "prosody", "--", "prosody", "--config", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prosody exited: {self._log_tail()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"prosody did not listen on {self.port}: {self._log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def register(self, user: str, host: str, password: str) -> str:
        subprocess.run(
            ["prosodyctl", "--config", str(self.config), "register", user, host, password],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return f"{user}@{host}"

    def _log_tail(self) -> str:
        for name in ("prosody.err", "prosody.log", "stdout.log"):
            path = self.work / name
            if path.exists() and path.stat().st_size:
                return path.read_text(errors="replace")[-2000:]
        return "(no log)"


def start_prosody(work: Path) -> Prosody:
    """Write the config into ``work`` (handed to the prosody user) and start the server."""
    if shutil.which("prosody") is None:
        raise RuntimeError("prosody is not installed: run the suite with `make test`")
    prosody_user = pwd.getpwnam("prosody")
    (work / "data").mkdir(parents=True, exist_ok=True)
    server = Prosody(work, free_port())
    server.config.write_text(
        CONFIG.format(
            work=work, port=server.port, corp=CORP, foreign=FOREIGN, conference=CONFERENCE
        )
    )
    for path in (work, work / "data", server.config):
        os.chown(path, prosody_user.pw_uid, prosody_user.pw_gid)
    os.chmod(work, 0o755)
    server.start()
    return server
