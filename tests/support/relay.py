"""A TCP relay on loopback in front of a real server, which a test can cut (connections
refused, open ones dropped) and restore on the same port: a dependency going down and coming
back, without restarting it. ``delay_s`` holds each new connection back that long: a slow
network path to the dependency."""

import asyncio
import contextlib

from tests.support.stack import free_port


class Relay:
    def __init__(self, target_port: int, delay_s: float = 0.0) -> None:
        self.target_port, self.port, self.delay_s = target_port, free_port(), delay_s
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.close()

    async def _relay(self, client_in, client_out) -> None:
        await asyncio.sleep(self.delay_s)
        try:
            server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_out.close()
            return
        self._open |= {client_out, server_out}
        await asyncio.gather(_pipe(client_in, server_out), _pipe(server_in, client_out))
        self._open -= {client_out, server_out}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
