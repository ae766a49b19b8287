"""aiosonic, with its WebSocket client (no middlewares: that pattern is n/a)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import aiosonic
from aiosonic.connectors import PoolConfig

from bench.scenarios import HOSTS, Setup


class Adapter:
    name = "aiosonic"

    def __init__(self, setup: Setup | None = None) -> None:
        setup = setup or Setup()
        if setup.middleware:
            raise NotImplementedError("aiosonic has no middlewares")
        # Same footing as the others: connections kept alive for good; a pool as large as
        # the pattern allows (aiosonic's pools are per host when configured per host).
        size = setup.limit or 512
        configs = {":default": PoolConfig(size=size, max_conn_requests=None)}
        if setup.limit_per_host:
            for i in range(1, HOSTS + 1):
                configs[f"http://127.0.0.{i}"] = PoolConfig(size=setup.limit_per_host, max_conn_requests=None)
        self.connector = aiosonic.TCPConnector(pool_configs=configs)
        self.client = aiosonic.HTTPClient(self.connector, handle_cookies=bool(setup.cookies))
        if setup.cookies:
            jar = SimpleCookie()
            for name, value in setup.cookies.items():
                jar[name] = value
            self.client.cookies_map["127.0.0.1"] = jar

    async def get(self, url: str) -> int:
        resp = await self.client.get(url)
        return len(await resp.content())

    async def get_headers(self, url: str, headers: dict[str, str]) -> int:
        resp = await self.client.get(url, headers=headers)
        return len(await resp.content())

    async def post(self, url: str, body: bytes) -> int:
        resp = await self.client.post(url, data=body)
        return len(await resp.content())

    async def post_json(self, url: str, doc: object) -> int:
        resp = await self.client.post(url, json=doc)
        return len(await resp.content())

    async def ws_open(self, url: str):
        return await aiosonic.WebSocketClient().connect(url, start_keepalive=False, max_msg_size=8 << 20)

    async def ws_echo(self, ws, payload) -> int:
        if isinstance(payload, str):
            await ws.send_text(payload)
            return len(await ws.receive_text())
        await ws.send_bytes(payload)
        return len(await ws.receive_bytes())

    async def close(self) -> None:
        await self.connector.cleanup()
