"""WebSocket client: what the session path brings (TLS, auth, cookies, headers, schemes)
and permessage-deflate parameter negotiation against the ``websockets`` server."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme
import websockets.asyncio.server as ws_server
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

import cyhttp
from cyhttp import BasicAuth, WSMsgType
from cyhttp._client.ws_connect import ws_connect

from .._ws_peers import close_frame, good_101, raw_server, read_close, read_frame_raw


async def _echo(ws: ws_server.ServerConnection) -> None:
    async for data in ws:
        await ws.send(data)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


async def test_wss_with_trustme(ca: trustme.CA) -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = await ws_server.serve(_echo, "127.0.0.1", 0, ssl=server_ctx, ping_interval=None)
    port = next(iter(server.sockets)).getsockname()[1]
    try:
        async with cyhttp.ClientSession() as s:
            async with ws_connect(s, f"wss://localhost:{port}/", ssl=client_ctx, compress=15) as ws:
                assert ws.get_extra_info("sslcontext") is not None
                for n in (0, 126, 70000):
                    await ws.send_bytes(b"s" * n)
                    assert await asyncio.wait_for(ws.receive_bytes(), 10) == b"s" * n
            assert ws.close_code == 1000
            # An untrusted certificate fails the TLS handshake before any WebSocket work.
            with pytest.raises(cyhttp.ClientConnectorError):
                await asyncio.wait_for(ws_connect(s, f"wss://localhost:{port}/"), 10)
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 10)


@pytest.fixture
async def deflate_server() -> AsyncIterator[tuple[str, list[str]]]:
    seen: list[str] = []

    async def handler(ws: ws_server.ServerConnection) -> None:
        seen.append(ws.request.headers.get("Sec-WebSocket-Extensions", ""))
        seen.append(ws.response.headers.get("Sec-WebSocket-Extensions", ""))
        await _echo(ws)

    factory = ServerPerMessageDeflateFactory(
        server_no_context_takeover=True, client_no_context_takeover=True,
        server_max_window_bits=10, client_max_window_bits=11,
    )
    server = await ws_server.serve(
        handler, "127.0.0.1", 0, extensions=[factory], compression=None, ping_interval=None,
    )
    port = next(iter(server.sockets)).getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}/", seen
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 10)


async def test_deflate_parameters_negotiated(deflate_server: tuple[str, list[str]]) -> None:
    url, seen = deflate_server
    async with cyhttp.ClientSession() as s, ws_connect(s, url, compress=15) as ws:
        assert ws.compress == 11 and ws.client_notakeover is True  # the client's window (aiohttp)
        # Several messages: no context takeover either way must still round-trip.
        for i in range(5):
            text = ("repeat me " * 200) + str(i)
            await ws.send_str(text)
            assert await asyncio.wait_for(ws.receive_str(), 10) == text
        await ws.send_bytes(bytes(range(256)) * 300)
        assert await asyncio.wait_for(ws.receive_bytes(), 10) == bytes(range(256)) * 300
    offered, answered = seen
    assert offered == "permessage-deflate; client_max_window_bits"
    assert "server_max_window_bits=10" in answered and "client_max_window_bits=11" in answered


async def test_session_auth_cookies_headers_http_scheme() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        return await read_close(reader)

    async with raw_server(script) as srv:
        async with cyhttp.ClientSession(headers={"X-Session": "s"}, cookies={"sid": "42"}) as s:
            with pytest.warns(DeprecationWarning):
                ws = await ws_connect(
                    s, f"http://127.0.0.1:{srv.port}/path", auth=BasicAuth("user", "pass"),
                    headers={"X-Req": "r"},
                )
            await ws.close()
        head = srv.heads[0].decode()
        assert head.startswith("GET /path HTTP/1.1\r\n")
        assert "Authorization: Basic dXNlcjpwYXNz" in head
        assert "X-Session: s" in head and "X-Req: r" in head
        assert "sid=42" in head


async def test_deprecated_float_timeouts_warn() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        return await read_close(reader)

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        with pytest.warns(DeprecationWarning):
            ws = await ws_connect(s, srv.url, timeout=0.2, receive_timeout=0.05)
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        assert await ws.close() is True  # the raw peer never answers: cut off after 0.2 s
        assert ws.close_code == 1006


async def test_peer_close_then_hang_up_is_a_clean_close() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(close_frame(1001, b"going"))
        await writer.drain()
        return None  # hang up at once, before the client's reply

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        await asyncio.wait_for(srv.done.wait(), 5)
        await asyncio.sleep(0.05)  # let the EOF reach the client too
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 1001, "going")
        assert ws.closed and ws.close_code == 1001 and ws.exception() is None


async def test_per_frame_compress_argument() -> None:
    """compress=<bits> per frame deflates only when the extension was negotiated."""
    frames: list[tuple[int, bool, bytes]] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        for _ in range(3):
            b0, data = await read_frame_raw(reader)
            frames.append((b0 & 0x40, b0 & 0x0F, data))
        return await read_close(reader)

    ext = b"Sec-WebSocket-Extensions: permessage-deflate\r\n"

    async with raw_server(script, lambda k, h: good_101(k, ext)) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, compress=15)
        await ws.send_bytes(b"a" * 100)              # default: deflated
        await ws.send_bytes(b"b" * 100, compress=0)  # 0 = the default too (aiohttp)
        await ws.send_str("c" * 100, compress=9)
        await ws.close()
        await asyncio.wait_for(srv.done.wait(), 5)
    assert [f[0] for f in frames] == [0x40, 0x40, 0x40]

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        frames.clear()
        ws = await ws_connect(s, srv.url)
        await ws.send_bytes(b"a" * 100, compress=15)  # not negotiated: sent plain
        await ws.send_bytes(b"b")
        await ws.send_str("c")
        await ws.close()
        await asyncio.wait_for(srv.done.wait(), 5)
    assert frames == [(0, 2, b"a" * 100), (0, 2, b"b"), (0, 1, b"c")]
