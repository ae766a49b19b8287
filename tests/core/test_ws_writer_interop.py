"""ws_writer interoperability: the websockets library and a live aiohttp server read our frames."""

from __future__ import annotations

from types import ModuleType

import pytest
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode

from tests.conftest import twin_fixture
from tests.core.test_ws_writer import ws_parse

twin = twin_fixture("ws_writer")


# --- interoperability: an independent frame parser and a real aiohttp peer -----------------


@pytest.mark.parametrize("compress, notakeover", [(0, False), (15, False), (15, True), (10, False)])
def test_websockets_library_decodes(twin: ModuleType, compress: int, notakeover: bool) -> None:
    writer = twin.FrameWriter(compress=compress, notakeover=notakeover)
    out = b"".join(
        [
            writer.frame(1, "héllo wörld".encode()),
            writer.frame(2, bytes(70_000)),
            writer.frame(2, b"frag-1 ", fin=False),
            writer.frame(9, b"ping!"),
            writer.frame(0, b"frag-2 ", fin=False),
            writer.frame(0, b"frag-3"),
            writer.frame(2, b""),
            writer.close_frame(1001, "going"),
        ]
    )
    ext = PerMessageDeflate(False, notakeover, compress, compress) if compress else None
    frames = ws_parse(out, masked=True, ext=ext)
    summary = [(f.opcode, f.fin, bytes(f.data)) for f in frames]
    assert summary == [
        (Opcode.TEXT, True, "héllo wörld".encode()),
        (Opcode.BINARY, True, bytes(70_000)),
        (Opcode.BINARY, False, b"frag-1 "),
        (Opcode.PING, True, b"ping!"),
        (Opcode.CONT, False, b"frag-2 "),
        (Opcode.CONT, True, b"frag-3"),
        (Opcode.BINARY, True, b""),
        (Opcode.CLOSE, True, b"\x03\xe9going"),
    ]


# --- a real aiohttp.web WebSocket server on 127.0.0.1 reads our frames ----------------------


async def _aiohttp_echo_session(twin: ModuleType, offer: str) -> tuple[str, list[Frame]]:
    import asyncio
    import hashlib

    from aiohttp import WSMsgType, web

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=True, autoping=True)
        await ws.prepare(request)
        async for msg in ws:  # echo a digest of what the server decoded, uncompressed
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                data = msg.data.encode() if msg.type == WSMsgType.TEXT else msg.data
                digest = hashlib.sha256(data).hexdigest()[:16]
                await ws.send_str(f"{msg.type.name}:{len(data)}:{digest}")
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\n{offer}\r\n"
            ).encode()
        )
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode()
        assert head.startswith("HTTP/1.1 101"), head
        agreed = next(
            (line.split(":", 1)[1].strip() for line in head.split("\r\n")
             if line.lower().startswith("sec-websocket-extensions:")),
            "",
        )
        compress = 15 if agreed.startswith("permessage-deflate") else 0
        # Resetting our own compressor is always allowed (the server may keep its window).
        ours = twin.FrameWriter(compress=compress, notakeover="no_context" in offer)
        for frame in (
            ours.frame(1, "héllo wörld".encode()),
            ours.frame(2, bytes(range(256)) * 400),
            ours.frame(2, b"frag-1 ", fin=False),
            ours.frame(9, b"ping!"),
            ours.frame(0, b"frag-2 " * 30, fin=False),
            ours.frame(0, b"frag-3"),
            ours.frame(1, b""),
            ours.close_frame(1000, "done"),
        ):
            writer.write(frame)
        await writer.drain()
        received = b""
        for _ in range(100):  # read until the server closes (bounded in count and time)
            chunk = await asyncio.wait_for(reader.read(65536), 10)
            if not chunk:
                break
            received += chunk
        writer.close()
        # The server deflates its replies too when the extension was agreed.
        server_ext = (
            PerMessageDeflate("server_no_context_takeover" in agreed, False, 15, 15)
            if compress
            else None
        )
        return agreed, ws_parse(received, masked=False, ext=server_ext)
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    "offer",
    [
        "",
        "Sec-WebSocket-Extensions: permessage-deflate\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n",
    ],
    ids=["plain", "deflate", "deflate-notakeover"],
)
async def test_aiohttp_server_reads_our_frames(twin: ModuleType, offer: str) -> None:
    import hashlib

    agreed, frames = await _aiohttp_echo_session(twin, offer)
    assert agreed.startswith("permessage-deflate") == bool(offer)

    def line(kind: str, data: bytes) -> bytes:
        return f"{kind}:{len(data)}:{hashlib.sha256(data).hexdigest()[:16]}".encode()

    assert [(f.opcode, bytes(f.data)) for f in frames] == [
        (Opcode.TEXT, line("TEXT", "héllo wörld".encode())),
        (Opcode.TEXT, line("BINARY", bytes(range(256)) * 400)),
        (Opcode.PONG, b"ping!"),
        (Opcode.TEXT, line("BINARY", b"frag-1 " + b"frag-2 " * 30 + b"frag-3")),
        (Opcode.TEXT, line("TEXT", b"")),
        (Opcode.CLOSE, b"\x03\xe8"),
    ]
