"""One adapter for every client with aiohttp's API (aiohttp itself, cyhttp)."""

from __future__ import annotations

from types import ModuleType


def session_adapter(lib: ModuleType, label: str) -> type:
    class Adapter:
        name = label

        def __init__(self) -> None:
            self.session = lib.ClientSession(connector=lib.TCPConnector(limit=0))

        async def get(self, url: str) -> int:
            async with self.session.get(url) as resp:
                return len(await resp.read())

        async def post(self, url: str, body: bytes) -> int:
            async with self.session.post(url, data=body) as resp:
                return len(await resp.read())

        async def ws_open(self, url: str):
            return await self.session.ws_connect(url)

        async def ws_echo(self, ws, payload) -> int:
            if isinstance(payload, str):
                await ws.send_str(payload)
            else:
                await ws.send_bytes(payload)
            msg = await ws.receive()
            return len(msg.data)

        async def close(self) -> None:
            await self.session.close()

    return Adapter
