"""Loopback peers and a request double for driving ``connector.connect()`` directly.

``FakeRequest`` is a double of the *request* (the attributes the connector contract
lists), not of any connector internal; the peers are real sockets on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from yarl import URL

from cyhttp._client.reqinfo import ConnectionKey
from cyhttp._client.timeouts import ClientTimeout


@dataclasses.dataclass
class FakeRequest:
    url: URL
    ssl: Any = True
    server_hostname: str | None = None
    proxy: URL | None = None
    proxy_auth: Any = None
    proxy_headers: Any = None

    @property
    def host(self) -> str:
        return self.url.raw_host or ""

    @property
    def port(self) -> int | None:
        return self.url.port

    def is_ssl(self) -> bool:
        return self.url.scheme in ("https", "wss")

    @property
    def connection_key(self) -> ConnectionKey:
        return ConnectionKey(self.host, self.port, self.is_ssl(), self.ssl, self.proxy, self.proxy_auth, None)


NO_TIMEOUT = ClientTimeout()


class CountingServer:
    """A TCP server that holds connections open and counts them (now and at peak)."""

    def __init__(self) -> None:
        self.open = 0
        self.peak = 0
        self.accepted = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.accepted += 1
        self.peak = max(self.peak, self.open)
        self.writers.append(writer)
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            pass
        finally:
            self.open -= 1
            self.writers.remove(writer)
            writer.close()

    async def start(self, host: str = "127.0.0.1") -> CountingServer:
        self.server = await asyncio.start_server(self._handle, host, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def url(self, path: str = "/") -> URL:
        return URL(f"http://127.0.0.1:{self.port}{path}")

    async def close_all_connections(self) -> None:
        for w in list(self.writers):
            w.close()
        await self.settle()

    async def settle(self, expect_open: int | None = None) -> None:
        """Let the loop run until the server saw pending opens/closes (bounded: ≤ 2 s)."""
        if expect_open is None:
            for _ in range(5):
                await asyncio.sleep(0.005)
            return
        for _ in range(400):
            if self.open == expect_open:
                return
            await asyncio.sleep(0.005)
        raise AssertionError(f"server open={self.open}, expected {expect_open}")

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in list(self.writers):
            w.close()
        await self.server.wait_closed()
