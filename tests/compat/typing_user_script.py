"""An aiohttp user's program, type-checked by tests/compat/test_typing.py (never run).

Written as aiohttp users write it, with ``import cyhttp as aiohttp``. Every line marked
``# expect-error`` holds a planted mistake that mypy --strict and pyright must report on
that line; no other line may be reported. A line marked ``# gap: <why>`` holds a mistake
the checkers cannot see yet (aiohttp's own types catch it): it must stay unreported
until the reason is fixed, then its marker becomes ``# expect-error``. (The file name
does not match ``test_*.py``, so pytest does not collect it.)
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import cyhttp as aiohttp


async def on_request_start(
    session: aiohttp.ClientSession, ctx: SimpleNamespace, params: aiohttp.TraceRequestStartParams
) -> None:
    print(params.method, params.url, params.headers.get("User-Agent"))


async def on_request_end(
    session: aiohttp.ClientSession, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams
) -> None:
    print(params.response.status)


def make_tracing() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.on_request_end.append(on_request_end)
    trace.on_request_start.append(on_request_end)  # expect-error
    return trace


async def fetch_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url, params={"q": "x"}) as resp:
        resp.raise_for_status()
        status: int = resp.status
        print(status, resp.reason, resp.headers.get("Content-Type"), resp.url.host)
        print(resp.status + "x")  # expect-error
        resp.headers["X-Mine"] = "1"  # expect-error
        return await resp.json()


async def fetch_text(session: aiohttp.ClientSession, url: str) -> str:
    resp = await session.get(url)
    text: str = await resp.text()
    body: bytes = await resp.read()
    print(len(body))
    forgot: str = resp.text()  # expect-error
    print(forgot)
    resp.release()
    return text


async def post_things(session: aiohttp.ClientSession, url: str) -> None:
    form = aiohttp.FormData()
    form.add_field("name", "value")
    form.add_field("file", b"\x00\x01", filename="a.bin", content_type="application/octet-stream")
    form.add_field(1, "value")  # expect-error
    async with session.post(url, data=form) as resp:
        print(resp.status)
    async with session.post(url, json={"a": 1}, auth=aiohttp.BasicAuth("user", "pass")) as resp:
        print(await resp.text())
    aiohttp.BasicAuth("user", 1234)  # expect-error
    await session.get(123)  # expect-error


async def websocket(session: aiohttp.ClientSession, url: str) -> None:
    async with session.ws_connect(url, heartbeat=30.0) as ws:
        await ws.send_str("hello")
        await ws.send_str(5)  # expect-error
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                print(msg.data)
            elif msg.type == aiohttp.WSMsgType.CLOSED:
                break
            elif msg.type == aiohttp.WSMsgType.EROR:  # expect-error
                break
        await ws.send_bytes(b"bye")
        await ws.close()
    ws2: aiohttp.ClientWebSocketResponse = await session.ws_connect(url, protocols=["chat"])
    await ws2.send_bytes("not bytes")  # expect-error
    await ws2.close()


async def gaps(session: aiohttp.ClientSession, url: str) -> None:
    await session.get(url, timeout=5)  # gap: the verbs take **kwargs: Any
    await session.get(url, allow_redirect=False)  # expect-error
    await aiohttp.ClientSession(timeout=30).close()  # gap: ClientSession(timeout: Any)


async def main() -> None:
    timeout = aiohttp.ClientTimeout(total=30, connect=5)
    aiohttp.ClientTimeout(total="5")  # expect-error
    connector = aiohttp.TCPConnector(limit=10, limit_per_host=2, ttl_dns_cache=300)
    aiohttp.TCPConnector(limit="3")  # expect-error
    jar = aiohttp.CookieJar(unsafe=True)
    aiohttp.CookieJar(unsafe="yes")  # expect-error
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=jar, trace_configs=[make_tracing()],
        headers={"User-Agent": "crawler/1.0"}, raise_for_status=False,
    ) as session:
        try:
            print(await fetch_json(session, "http://example.com/api"))
            print(await fetch_text(session, "http://example.com/"))
        except aiohttp.ClientResponseError as exc:
            print(exc.status, exc.message)
        except aiohttp.ClientError as exc:
            print("failed:", exc)
        except asyncio.TimeoutError:
            print("timed out")
        await post_things(session, "http://example.com/upload")
        await websocket(session, "ws://example.com/ws")
        await gaps(session, "http://example.com/")
    aiohttp.ClientSesion()  # expect-error


if __name__ == "__main__":
    asyncio.run(main())
