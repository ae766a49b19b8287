"""One adapter for every client with aiohttp's API (aiohttp itself, cyhttp)."""

from __future__ import annotations

from types import ModuleType

from yarl import URL

from bench.scenarios import Setup


async def _passthrough(req, handler):
    return await handler(req)


def session_adapter(lib: ModuleType, label: str) -> type:
    class Adapter:
        name = label

        def __init__(self, setup: Setup | None = None) -> None:
            setup = setup or Setup()
            connector = lib.TCPConnector(limit=setup.limit or 0, limit_per_host=setup.limit_per_host or 0)
            kwargs = {}
            if setup.cookies:
                jar = lib.CookieJar(unsafe=True)  # the bench server is an IP address
                jar.update_cookies(setup.cookies, URL("http://127.0.0.1/"))
                kwargs["cookie_jar"] = jar
            if setup.middleware:
                kwargs["middlewares"] = (_passthrough,)
            self.session = lib.ClientSession(connector=connector, **kwargs)

        async def get(self, url: str) -> int:
            async with self.session.get(url) as resp:
                return len(await resp.read())

        async def get_headers(self, url: str, headers: dict[str, str]) -> int:
            async with self.session.get(url, headers=headers) as resp:
                return len(await resp.read())

        async def post(self, url: str, body: bytes) -> int:
            async with self.session.post(url, data=body) as resp:
                return len(await resp.read())

        async def post_json(self, url: str, doc: object) -> int:
            async with self.session.post(url, json=doc) as resp:
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
