"""httpx (HTTP only; no per-host limit, so the 20-host pattern is n/a).

Its pass-through "middleware" is a transport wrapper: httpx's way to wrap every request."""

from __future__ import annotations

import httpx

from bench.scenarios import Setup


class _Passthrough(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class Adapter:
    name = "httpx"
    ws_open = None

    def __init__(self, setup: Setup | None = None) -> None:
        setup = setup or Setup()
        if setup.limit_per_host:
            raise NotImplementedError("httpx has no per-host connection limit")
        size = setup.limit or 512
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        kwargs = {}
        if setup.middleware:
            kwargs["transport"] = _Passthrough(httpx.AsyncHTTPTransport(limits=limits))
        cookies = httpx.Cookies()
        for name, value in setup.cookies.items():
            cookies.set(name, value, domain="127.0.0.1")
        self.client = httpx.AsyncClient(limits=limits, timeout=60, cookies=cookies, **kwargs)

    async def get(self, url: str) -> int:
        resp = await self.client.get(url)
        return len(resp.content)

    async def get_headers(self, url: str, headers: dict[str, str]) -> int:
        resp = await self.client.get(url, headers=headers)
        return len(resp.content)

    async def post(self, url: str, body: bytes) -> int:
        resp = await self.client.post(url, content=body)
        return len(resp.content)

    async def post_json(self, url: str, doc: object) -> int:
        resp = await self.client.post(url, json=doc)
        return len(resp.content)

    async def close(self) -> None:
        await self.client.aclose()
