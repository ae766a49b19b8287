"""aiosonic, with its WebSocket client."""

from __future__ import annotations

import aiosonic
from aiosonic.connectors import PoolConfig


class Adapter:
    name = "aiosonic"

    def __init__(self) -> None:
        # Same footing as the others: a pool large enough, connections kept alive for good.
        config = PoolConfig(size=512, max_conn_requests=None)
        self.connector = aiosonic.TCPConnector(pool_configs={":default": config})
        self.client = aiosonic.HTTPClient(self.connector)

    async def get(self, url: str) -> int:
        resp = await self.client.get(url)
        return len(await resp.content())

    async def post(self, url: str, body: bytes) -> int:
        resp = await self.client.post(url, data=body)
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
