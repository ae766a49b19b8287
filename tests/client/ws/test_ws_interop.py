"""WebSocket client interop against two independent servers: aiohttp.web and ``websockets``.

Both peers run the same small protocol on ``/ws``: echo every data message, and on
the text commands below do something server-initiated:
  ``close:<code>``  close with that code and reason "srv"
  ``ping``          ping us, then say "pong-ok" once our pong arrived
  ``frag``          (websockets only) send a fragmented text message
  ``info``          reply with the negotiated protocol / whether deflate is on
Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import websockets.asyncio.server as ws_server
from aiohttp import web
from websockets.exceptions import ConnectionClosed

import cyhttp
from cyhttp import ClientWSTimeout, WSMsgType
from cyhttp._client.ws_connect import ws_connect

SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20]
BIG = 16 * 1024 * 1024


class Peer:
    def __init__(self, kind: str, url: str, closes: list[tuple[int | None, str]]) -> None:
        self.kind = kind
        self.url = url
        self.closes = closes  # (code, reason) the server saw from us


async def _aiohttp_peer() -> AsyncIterator[Peer]:
    closes: list[tuple[int | None, str]] = []

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("chat", "superchat"), max_msg_size=0, autoping=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                cmd = msg.data
                if cmd.startswith("close:"):
                    await ws.close(code=int(cmd[6:]), message=b"srv")
                    break
                if cmd == "ping":
                    await ws.ping(b"srv-ping")
                    continue
                if cmd == "info":
                    await ws.send_str(json.dumps({"protocol": ws.ws_protocol, "compress": ws.compress}))
                    continue
                await ws.send_str(cmd)
            elif msg.type is aiohttp.WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            elif msg.type is aiohttp.WSMsgType.PING:
                await ws.pong(msg.data)
            elif msg.type is aiohttp.WSMsgType.PONG:
                if msg.data == b"srv-ping":
                    await ws.send_str("pong-ok")
        closes.append((ws.close_code, ""))
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Peer("aiohttp", f"ws://127.0.0.1:{port}/ws", closes)
    finally:
        await asyncio.wait_for(runner.cleanup(), 10)


async def _websockets_peer() -> AsyncIterator[Peer]:
    closes: list[tuple[int | None, str]] = []

    async def handler(ws: ws_server.ServerConnection) -> None:
        try:
            async for data in ws:
                if isinstance(data, str):
                    if data.startswith("close:"):
                        await ws.close(code=int(data[6:]), reason="srv")
                        break
                    if data == "ping":
                        waiter = await ws.ping(b"srv-ping")
                        await asyncio.wait_for(waiter, 5)
                        await ws.send("pong-ok")
                        continue
                    if data == "frag":
                        await ws.send(["frag", "ment", "€d"])
                        continue
                    if data == "info":
                        exts = [type(e).__name__ for e in ws.protocol.extensions]
                        await ws.send(json.dumps({"protocol": ws.subprotocol, "compress": bool(exts)}))
                        continue
                await ws.send(data)
        except ConnectionClosed:
            pass
        rcvd = ws.protocol.close_rcvd
        closes.append((rcvd.code if rcvd else None, rcvd.reason if rcvd else ""))

    def select(conn: ws_server.ServerConnection, offered: list[str]) -> str | None:
        # websockets refuses a client that offers no subprotocol by default; we want None.
        return next((p for p in offered if p in ("chat", "superchat")), None)

    server = await ws_server.serve(
        handler, "127.0.0.1", 0, max_size=None, select_subprotocol=select,
        ping_interval=None, compression="deflate",
    )
    port = next(iter(server.sockets)).getsockname()[1]
    try:
        yield Peer("websockets", f"ws://127.0.0.1:{port}/ws", closes)
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 10)


@pytest.fixture(params=["aiohttp", "websockets"])
async def peer(request: pytest.FixtureRequest) -> AsyncIterator[Peer]:
    factory = _aiohttp_peer if request.param == "aiohttp" else _websockets_peer
    async for p in factory():
        yield p


@pytest.fixture
async def session() -> AsyncIterator[cyhttp.ClientSession]:
    async with cyhttp.ClientSession() as s:
        yield s


def _payload(n: int) -> bytes:
    return (bytes(range(256)) * (n // 256 + 1))[:n]


@pytest.mark.parametrize("compress", [0, 15], ids=["plain", "deflate"])
async def test_echo_sizes(peer: Peer, session: cyhttp.ClientSession, compress: int) -> None:
    async with ws_connect(session, peer.url, compress=compress, max_msg_size=0) as ws:
        assert bool(ws.compress) == bool(compress)  # websockets asks for a 12-bit window
        for n in SIZES:
            data = _payload(n)
            await ws.send_bytes(data)
            assert await asyncio.wait_for(ws.receive_bytes(), 10) == data
            text = data.decode("latin-1")
            await ws.send_str(text)
            assert await asyncio.wait_for(ws.receive_str(), 10) == text
        assert not ws.closed
    assert ws.closed and ws.close_code == 1000
    for _ in range(100):
        if peer.closes:
            break
        await asyncio.sleep(0.01)
    assert peer.closes[0][0] == 1000


@pytest.mark.parametrize("compress", [0, 15], ids=["plain", "deflate"])
async def test_echo_16mib(peer: Peer, session: cyhttp.ClientSession, compress: int) -> None:
    data = _payload(BIG)
    async with ws_connect(session, peer.url, compress=compress, max_msg_size=BIG) as ws:
        await ws.send_bytes(data)
        assert await asyncio.wait_for(ws.receive_bytes(), 60) == data


async def test_max_msg_size_against_real_peer(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url, max_msg_size=1000) as ws:
        await ws.send_bytes(b"x" * 1000)
        assert len(await ws.receive_bytes()) == 1000
        await ws.send_bytes(b"x" * 1001)
        msg = await asyncio.wait_for(ws.receive(), 10)
        assert msg.type is WSMsgType.ERROR and msg.data.code == 1009
        assert ws.close_code == 1009 and ws.closed


async def test_text_json_and_iteration(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url) as ws:
        await ws.send_json({"a": [1, "ü"]})
        assert await ws.receive_json() == {"a": [1, "ü"]}
        await ws.send_str("héllo €")
        await ws.send_bytes(b"\x00\x01")
        await ws.send_str("close:4001")
        got = []
        async for msg in ws:
            got.append((msg.type, msg.data))
        assert got == [(WSMsgType.TEXT, "héllo €"), (WSMsgType.BINARY, b"\x00\x01")]
        assert ws.closed and ws.close_code == 4001


async def test_decode_text_false(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url, decode_text=False) as ws:
        await ws.send_str("héllo")
        msg = await ws.receive()
        assert msg.type is WSMsgType.TEXT and msg.data == "héllo".encode()


async def test_server_closes_with_code(peer: Peer, session: cyhttp.ClientSession) -> None:
    ws = await ws_connect(session, peer.url)
    await ws.send_str("close:4010")
    msg = await asyncio.wait_for(ws.receive(), 10)
    assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4010, "srv")
    assert ws.closed and ws.close_code == 4010
    assert (await ws.receive()).type is WSMsgType.CLOSED
    assert await ws.close() is False


async def test_client_closes_with_code(peer: Peer, session: cyhttp.ClientSession) -> None:
    ws = await ws_connect(session, peer.url, timeout=ClientWSTimeout(ws_close=5))
    assert await ws.close(code=4000, message=b"bye") is True
    # websockets echoes our code in its CLOSE; aiohttp.web answers with 1000.
    assert ws.closed and ws.close_code == (4000 if peer.kind == "websockets" else 1000)
    for _ in range(200):
        if peer.closes:
            break
        await asyncio.sleep(0.01)
    assert peer.closes[0][0] == 4000
    if peer.kind == "websockets":
        assert peer.closes[0][1] == "bye"
    with pytest.raises(cyhttp.ClientConnectionResetError):
        await ws.send_str("after close")


async def test_ping_pong(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url, autoping=False) as ws:
        await ws.ping(b"hi")
        msg = await asyncio.wait_for(ws.receive(), 10)
        assert (msg.type, msg.data) == (WSMsgType.PONG, b"hi")
    async with ws_connect(session, peer.url) as ws:  # autoping answers the server's ping
        await ws.send_str("ping")
        assert await asyncio.wait_for(ws.receive_str(), 10) == "pong-ok"
        await ws.pong(b"unsolicited")  # allowed by RFC 6455 §5.5.3
        await ws.send_str("still")
        assert await asyncio.wait_for(ws.receive_str(), 10) == "still"


async def test_heartbeat_with_real_pongs(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url, heartbeat=0.05) as ws:
        await asyncio.sleep(0.3)
        assert not ws.closed and ws.exception() is None
        await ws.send_str("alive")
        assert await asyncio.wait_for(ws.receive_str(), 10) == "alive"


async def test_protocols(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url, protocols=("x-none", "superchat", "chat")) as ws:
        assert ws.protocol in ("superchat", "chat")
        await ws.send_str("info")
        assert (await ws.receive_json())["protocol"] == ws.protocol
    async with ws_connect(session, peer.url, protocols=("x-none",)) as ws:
        assert ws.protocol is None
    async with ws_connect(session, peer.url) as ws:
        assert ws.protocol is None


async def test_fragmented_message_from_websockets(session: cyhttp.ClientSession) -> None:
    async for p in _websockets_peer():
        async with ws_connect(session, p.url, compress=15) as ws:
            await ws.send_str("frag")
            assert await asyncio.wait_for(ws.receive_str(), 10) == "fragment€d"
        async with ws_connect(session, p.url) as ws:
            await ws.send_str("frag")
            assert await asyncio.wait_for(ws.receive_str(), 10) == "fragment€d"


async def test_extra_info_and_properties(peer: Peer, session: cyhttp.ClientSession) -> None:
    async with ws_connect(session, peer.url, compress=15) as ws:
        peername = ws.get_extra_info("peername")
        assert peername[0] == "127.0.0.1"
        assert ws.get_extra_info("nonexistent", "dflt") == "dflt"
        # websockets' default answer: server_max_window_bits=12
        assert ws.compress == (15 if peer.kind == "aiohttp" else 12)
        assert ws.client_notakeover is False
        assert ws.exception() is None and ws.close_code is None
        await ws.send_str("info")
        assert (await ws.receive_json())["compress"]
    assert ws.get_extra_info("peername", "gone") == "gone"


async def test_flow_control_with_real_peer(peer: Peer, session: cyhttp.ClientSession) -> None:
    chunk = _payload(65536)
    async with ws_connect(session, peer.url) as ws:
        for _ in range(64):  # 4 MiB echoed back while we do not read
            await ws.send_bytes(chunk)
        proto = ws._proto
        for _ in range(200):
            if proto.reading_paused:
                break
            await asyncio.sleep(0.01)
        assert proto.reading_paused
        for _ in range(64):
            assert await asyncio.wait_for(ws.receive_bytes(), 10) == chunk
        assert not proto.reading_paused


async def test_connection_slot_held_and_freed(peer: Peer) -> None:
    """The upgraded connection stays out of the pool and counts against the limit."""
    connector = cyhttp.TCPConnector(limit=1)
    async with cyhttp.ClientSession(connector=connector) as s:
        ws = await ws_connect(s, peer.url)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws_connect(s, peer.url), 0.2)
        await ws.close()
        ws2 = await asyncio.wait_for(ws_connect(s, peer.url), 5)
        await ws2.send_str("ok")
        assert await ws2.receive_str() == "ok"
        await ws2.close()
