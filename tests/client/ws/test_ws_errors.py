"""WebSocket client against raw asyncio peers: bad frames, bad handshakes, timeouts, heartbeat.

Each raw peer completes (or botches) the handshake and then sends exactly the bytes a
case needs.  Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import struct
import zlib

import pytest

import cyhttp
from cyhttp import ClientWSTimeout, WSCloseCode, WSMsgType, WSServerHandshakeError
from cyhttp._client.exceptions import ServerTimeoutError
from cyhttp._client.ws_connect import ws_connect
from cyhttp._core.errors import WSInvalidUTF8, WSMessageTooBig, WSProtocolError

from .._ws_peers import (
    close_frame,
    deflate,
    frame,
    good_101,
    raw_server,
    read_close,
    read_frame,
)

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
DEFLATE_101 = b"Sec-WebSocket-Extensions: permessage-deflate\r\n"


def _send_then_read_close(data: bytes):
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(read_close(reader), 5)

    return script


BOMB = deflate(b"\0" * (100 * 1024 * 1024))  # ~100 KiB on the wire, 100 MiB inflated

BAD_FRAMES = [
    ("control-126", frame(PING, b"x" * 126), 1002, WSProtocolError),
    ("fragmented-ping", frame(PING, b"x", fin=False), 1002, WSProtocolError),
    ("opcode-3", frame(0x3, b"x"), 1002, WSProtocolError),
    ("opcode-11", frame(0xB, b""), 1002, WSProtocolError),
    ("rsv1-without-deflate", frame(TEXT, b"x", rsv=4), 1002, WSProtocolError),
    ("rsv2", frame(TEXT, b"x", rsv=2), 1002, WSProtocolError),
    ("invalid-utf8", frame(TEXT, b"ab\xff"), 1007, WSInvalidUTF8),
    ("invalid-utf8-split", frame(TEXT, b"\xe2\x82", fin=False) + frame(0x0, b"\x28"), 1007, WSInvalidUTF8),
    ("close-999", close_frame(999), 1002, WSProtocolError),
    ("close-1005", close_frame(1005), 1002, WSProtocolError),
    ("close-1006", close_frame(1006), 1002, WSProtocolError),
    ("close-5000", close_frame(5000), 1002, WSProtocolError),
    ("close-1-byte", frame(CLOSE, b"\x03"), 1002, WSProtocolError),
    ("close-bad-reason", close_frame(1000, b"\xff"), 1007, WSInvalidUTF8),
    ("masked-server-frame", frame(TEXT, b"hi", mask=b"abcd"), 1002, WSProtocolError),
    ("continuation-first", frame(0x0, b"x"), 1002, WSProtocolError),
    ("too-big", frame(BINARY, b"x" * 2048), 1009, WSMessageTooBig),
    ("too-big-by-header", frame(BINARY, b"", length=1 << 40), 1009, WSMessageTooBig),
    ("length-top-bit", struct.pack("!BBQ", 0x82, 127, 1 << 63), 1002, WSProtocolError),
]


@pytest.mark.parametrize(("data", "code", "exc_type"), [c[1:] for c in BAD_FRAMES], ids=[c[0] for c in BAD_FRAMES])
async def test_bad_frame_closes_with_code(data: bytes, code: int, exc_type: type) -> None:
    async with raw_server(_send_then_read_close(data)) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, max_msg_size=1024)
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is WSMsgType.ERROR
        assert type(msg.data) is exc_type
        assert msg.data.code == code
        assert ws.close_code == code
        assert ws.closed
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.errors == []
        assert srv.results == [code]  # the server saw our CLOSE with that code
        assert (await ws.receive()).type is WSMsgType.CLOSED


async def test_valid_messages_before_error_are_delivered() -> None:
    data = frame(TEXT, b"one") + frame(BINARY, b"two") + frame(0x3, b"")
    async with raw_server(_send_then_read_close(data)) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        assert await ws.receive_str() == "one"
        assert await ws.receive_bytes() == b"two"
        msg = await ws.receive()
        assert msg.type is WSMsgType.ERROR and msg.data.code == 1002
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1002]


@pytest.mark.parametrize("bomb", [BOMB, None], ids=["single-frame", "fragments"])
async def test_deflate_bomb(bomb: bytes | None) -> None:
    if bomb is None:  # the same bomb in 4 fragments: the inflated total is what counts
        quarter = len(BOMB) // 4
        parts = [BOMB[i * quarter:(i + 1) * quarter] for i in range(3)] + [BOMB[3 * quarter:]]
        data = frame(BINARY, parts[0], fin=False, rsv=4) + b"".join(
            frame(0x0, p, fin=(i == 3)) for i, p in enumerate(parts[1:])
        )
    else:
        data = frame(BINARY, bomb, rsv=4)

    async with raw_server(_send_then_read_close(data), lambda k, h: good_101(k, DEFLATE_101)) as srv:
        async with cyhttp.ClientSession() as s:
            ws = await ws_connect(s, srv.url, compress=15, max_msg_size=1024 * 1024)
            assert ws.compress == 15
            msg = await asyncio.wait_for(ws.receive(), 10)
            assert msg.type is WSMsgType.ERROR
            assert isinstance(msg.data, WSMessageTooBig) and msg.data.code == 1009
            assert ws.close_code == 1009
            await asyncio.wait_for(srv.done.wait(), 5)
            assert srv.results == [1009]


async def test_compressed_message_from_raw_peer_with_small_window() -> None:
    payload = b"abc" * 5000
    ext = b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_no_context_takeover\r\n"

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(frame(BINARY, deflate(payload, 10), rsv=4))
        await writer.drain()
        opcode, fin, data = await read_frame(reader)
        first = opcode, fin
        writer.write(close_frame(1000))
        await read_close(reader)
        return first, data

    async with raw_server(script, lambda k, h: good_101(k, ext)) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, compress=10)
        # compress: the client's own window bits (aiohttp's meaning); the server's 10 only
        # bounds what it sends us
        assert ws.compress == 15 and ws.client_notakeover is True
        assert await ws.receive_bytes() == payload
        await ws.send_bytes(b"hello" * 100)
        msg = await ws.receive()
        assert msg.type is WSMsgType.CLOSE and msg.data == 1000
        await asyncio.wait_for(srv.done.wait(), 5)
        (first, data), = srv.results
        assert first == (BINARY, True)
        assert zlib.decompressobj(-15).decompress(data + b"\x00\x00\xff\xff") == b"hello" * 100
        assert b"server_max_window_bits=10" in srv.heads[0]


# -- handshake failures ------------------------------------------------------------


async def _idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)


def _resp(text: bytes):
    return lambda key, head: text.replace(b"{ACCEPT}", good_101(key).split(b"Accept: ")[1].split(b"\r\n")[0])


HANDSHAKES = [
    ("status-200", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "Invalid response status"),
    ("wrong-accept", b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     b"Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 101, "Invalid challenge response"),
    ("missing-accept", b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 101,
     "Invalid challenge response"),
    ("missing-upgrade", b"HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n",
     101, "Invalid upgrade header"),
    ("wrong-upgrade", b"HTTP/1.1 101 OK\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
     b"Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n", 101, "Invalid upgrade header"),
    ("missing-connection", b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n",
     101, "Invalid connection header"),
    ("unoffered-protocol", b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     b"Sec-WebSocket-Accept: {ACCEPT}\r\nSec-WebSocket-Protocol: other\r\n\r\n", 101, "Invalid protocol"),
    ("unoffered-extension", b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     b"Sec-WebSocket-Accept: {ACCEPT}\r\nSec-WebSocket-Extensions: x-foo\r\n\r\n", 101, "Extension not offered"),
    ("status-404", b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!", 404, "Invalid response status"),
]


@pytest.mark.parametrize(("response", "status", "message"), [h[1:] for h in HANDSHAKES], ids=[h[0] for h in HANDSHAKES])
async def test_handshake_failure(response: bytes, status: int, message: str) -> None:
    async with raw_server(_idle, _resp(response)) as srv, cyhttp.ClientSession() as s:
        with pytest.raises(WSServerHandshakeError) as info:
            await asyncio.wait_for(ws_connect(s, srv.url, protocols=("chat",)), 5)
        assert info.value.status == status
        assert info.value.message.startswith(message)


EXT_FAILURES = [
    "permessage-deflate; server_max_window_bits=8",
    "permessage-deflate; server_max_window_bits=16",
    "permessage-deflate; client_max_window_bits=x",
    "permessage-deflate; bogus",
    "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    "permessage-deflate, permessage-deflate",
    "permessage-deflate; server_max_window_bits=12",  # we asked for at most 10
]


@pytest.mark.parametrize("ext", EXT_FAILURES)
async def test_bad_extension_answer(ext: str) -> None:
    extra = b"Sec-WebSocket-Extensions: " + ext.encode() + b"\r\n"
    async with raw_server(_idle, lambda k, h: good_101(k, extra)) as srv, cyhttp.ClientSession() as s:
        with pytest.raises(WSServerHandshakeError) as info:
            await asyncio.wait_for(ws_connect(s, srv.url, compress=10), 5)
        assert info.value.status == 101


async def test_extension_answer_without_offer_is_refused() -> None:
    async with raw_server(_idle, lambda k, h: good_101(k, DEFLATE_101)) as srv, cyhttp.ClientSession() as s:
        with pytest.raises(WSServerHandshakeError):
            await asyncio.wait_for(ws_connect(s, srv.url), 5)


async def test_request_headers() -> None:
    async with raw_server(_idle) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(
            s, srv.url, protocols=("a", "b"), origin="http://example.com", headers={"X-Test": "1"},
            params={"q": "1"}, compress=12,
        )
        await ws.close(code=1000)
    head = srv.heads[0].decode()
    assert head.startswith("GET /ws?q=1 HTTP/1.1\r\n")
    for line in ("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                 "Sec-WebSocket-Protocol: a,b", "Origin: http://example.com", "X-Test: 1",
                 "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_max_window_bits=12"):
        assert line in head
    with pytest.raises(ValueError):
        async with cyhttp.ClientSession() as s:
            await ws_connect(s, srv.url, compress=8)


async def test_tail_after_101_is_not_lost() -> None:
    """Frames that arrive in the same packet as the 101 head are delivered."""

    def respond(key: bytes, head: bytes) -> bytes:
        return good_101(key) + frame(TEXT, b"early") + frame(BINARY, b"bird")

    async with raw_server(_idle, respond) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        assert await ws.receive_str() == "early"
        assert await ws.receive_bytes() == b"bird"
        await ws.close()


# -- timeouts, heartbeat, lost connections --------------------------------------------


async def test_close_timeout_when_server_never_answers() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        code = await read_close(reader)
        await reader.read()  # never answer; wait for the client to cut us off
        return code

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, timeout=ClientWSTimeout(ws_close=0.2))
        assert await asyncio.wait_for(ws.close(code=4000, message=b"bye"), 5) is True
        assert ws.closed and ws.close_code == 1006
        assert isinstance(ws.exception(), asyncio.TimeoutError)
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [4000]


async def test_heartbeat_without_pong() -> None:
    pings: list[int] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        while True:  # read and ignore everything (never pong); ends at EOF
            try:
                opcode, _, _ = await read_frame(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return pings
            pings.append(opcode)
            if len(pings) > 100:
                return pings

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, heartbeat=0.1)
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is WSMsgType.ERROR
        assert isinstance(msg.data, ServerTimeoutError)
        assert isinstance(ws.exception(), ServerTimeoutError)
        assert ws.close_code == 1006 and ws.closed
        await asyncio.wait_for(srv.done.wait(), 5)
        assert pings == [PING]
        assert (await ws.receive()).type is WSMsgType.CLOSED


async def test_heartbeat_with_data_keeps_alive_and_pongs_reset() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        seen = []
        for _ in range(200):
            opcode, _, data = await read_frame(reader)
            seen.append(opcode)
            if opcode == PING:
                writer.write(frame(PONG, data))
            elif opcode == CLOSE:
                writer.write(close_frame(1000))
                return seen
        return seen

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, heartbeat=0.05)
        await asyncio.sleep(0.4)  # several heartbeats, each answered
        assert not ws.closed and ws.exception() is None
        assert await ws.close() is True
        assert ws.close_code == 1000
        await asyncio.wait_for(srv.done.wait(), 5)
        (seen,) = srv.results
        assert seen.count(PING) >= 2 and seen[-1] == CLOSE


async def test_server_ping_is_answered_and_autoping_off() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(frame(PING, b"p1"))
        answer = await read_frame(reader)
        writer.write(frame(PONG, b"unsolicited") + close_frame(1001, b"bye"))
        await read_close(reader)
        return answer

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        msg = await ws.receive()
        assert msg.type is WSMsgType.CLOSE and msg.data == 1001 and msg.extra == "bye"
        assert ws.close_code == 1001 and ws.closed
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [(PONG, True, b"p1")]

    async def script2(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(frame(PING, b"p2") + frame(PONG, b"q"))
        return await read_close(reader)

    async with raw_server(script2) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, autoping=False)
        m1, m2 = await ws.receive(), await ws.receive()
        assert (m1.type, m1.data, m2.type, m2.data) == (WSMsgType.PING, b"p2", WSMsgType.PONG, b"q")
        await ws.close()


async def test_autoclose_off_returns_close_then_close_replies() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(close_frame(4001, b"done"))
        return await read_close(reader)

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, autoclose=False)
        msg = await ws.receive()
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4001, "done")
        assert not ws.closed
        assert await ws.close() is True
        assert ws.close_code == 4001
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1000]


async def test_connection_lost_without_close() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(frame(TEXT, b"last"))
        await writer.drain()
        return None  # the peer closes the TCP connection

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        assert await ws.receive_str() == "last"
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is WSMsgType.CLOSED
        assert ws.close_code == 1006 and ws.closed
        with pytest.raises(Exception):
            await ws.send_str("too late")


async def test_receive_timeout_and_concurrent_close() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        code = await read_close(reader)
        writer.write(close_frame(1000))
        return code

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, timeout=ClientWSTimeout(ws_receive=0.05, ws_close=2))
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        receiver = asyncio.ensure_future(ws.receive(timeout=5))
        await asyncio.sleep(0.01)
        with pytest.raises(RuntimeError):
            await ws.receive()
        assert await asyncio.wait_for(ws.close(code=4002), 5) is True
        msg = await asyncio.wait_for(receiver, 5)
        assert msg.type is WSMsgType.CLOSING
        # the timed-out receive already broke the connection (1006): close() does not wait
        # for the peer's CLOSE, as aiohttp
        assert ws.closed and ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
        assert await ws.close() is False
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [4002]


async def test_invalid_close_code_from_user() -> None:
    async with raw_server(_idle) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url, timeout=ClientWSTimeout(ws_close=0.2))
        with pytest.raises(ValueError):
            await ws.close(code=1006)
        assert not ws.closed
        await ws.close()


async def test_flow_control_slow_consumer_pauses_reading() -> None:
    chunk = b"z" * 65536
    count = 256  # 16 MiB offered; the client must not buffer it all

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        data = frame(BINARY, chunk)
        for _ in range(count):
            writer.write(data)
        await writer.drain()
        return await read_close(reader)

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        proto = ws._proto
        for _ in range(200):  # bounded: up to ~2 s for the peer to fill the pipe
            if proto.reading_paused:
                break
            await asyncio.sleep(0.01)
        assert proto.reading_paused
        await asyncio.sleep(0.05)
        assert proto.queued_bytes <= proto._high + 2 * len(chunk) + (1 << 20)
        for _ in range(count):
            assert await asyncio.wait_for(ws.receive_bytes(), 5) == chunk
        assert not proto.reading_paused
        await ws.close()
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1000]


async def test_session_close_closes_websocket() -> None:
    async with raw_server(_idle) as srv:
        s = cyhttp.ClientSession()
        ws = await ws_connect(s, srv.url)
        await s.close()
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is WSMsgType.CLOSED
        assert ws.closed
