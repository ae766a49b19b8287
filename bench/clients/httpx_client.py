"""httpx (HTTP only)."""

from __future__ import annotations

import httpx


class Adapter:
    name = "httpx"
    ws_open = None

    def __init__(self) -> None:
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
        self.client = httpx.AsyncClient(limits=limits, timeout=60)

    async def get(self, url: str) -> int:
        resp = await self.client.get(url)
        return len(resp.content)

    async def post(self, url: str, body: bytes) -> int:
        resp = await self.client.post(url, content=body)
        return len(resp.content)

    async def close(self) -> None:
        await self.client.aclose()
