"""Buffer as the storage of an ``asyncio.BufferedProtocol``: the loop reads straight
into ``get_write_buffer`` over a real 127.0.0.1 connection, both twins.

(The engine never imports asyncio; this test only proves the loop's calling pattern
works: get_buffer -> recv_into -> buffer_updated with the view still alive.)
"""

from __future__ import annotations

import asyncio
import socket
from types import ModuleType

from tests.conftest import twin_fixture

twin = twin_fixture("buffer")

PAYLOAD = bytes(range(256)) * 4096 + b"line one\r\nline two\r\n"  # 1 MiB + two lines


class Reading(asyncio.BufferedProtocol):
    def __init__(self, buf, reserve: int) -> None:
        self.buf = buf
        self.reserve = reserve
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        if self.reserve:
            self.buf.reserve(self.reserve)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.buf.get_write_buffer(sizehint)

    def buffer_updated(self, nbytes: int) -> None:
        self.buf.commit(nbytes)

    def eof_received(self) -> None:
        if not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _serve_once(payload: bytes) -> tuple[asyncio.base_events.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for i in range(0, len(payload), 50_000):  # many writes: many reads on the client
            writer.write(payload[i : i + 50_000])
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_loop_reads_into_buffer(twin: ModuleType) -> None:
    for reserve in (0, len(PAYLOAD)):
        server, port = await _serve_once(PAYLOAD)
        try:
            buf = twin.Buffer()
            loop = asyncio.get_running_loop()
            transport, proto = await loop.create_connection(
                lambda: Reading(buf, reserve), "127.0.0.1", port
            )
            await asyncio.wait_for(proto.done, 30)
            transport.close()
        finally:
            server.close()
            await server.wait_closed()
        assert buf.total_bytes == len(PAYLOAD)
        assert buf.readexactly(1 << 20) == PAYLOAD[: 1 << 20]
        assert buf.readuntil(b"\r\n") == b"line one\r\n"
        assert buf.readline() == b"line two\r\n"
        assert buf.read_all() == b""


def test_socket_recv_into_window(twin: ModuleType) -> None:
    a, b = socket.socketpair()
    with a, b:
        a.settimeout(10)
        b.settimeout(10)
        buf = twin.Buffer()
        for round_ in range(20):
            chunk = bytes([round_]) * 3000
            a.sendall(chunk)
            got = 0
            while got < len(chunk):  # bounded by the socket timeout
                view = buf.get_write_buffer(1024)
                n = b.recv_into(view)
                buf.commit(n)
                del view
                got += n
        assert buf.total_bytes == 60_000
        assert buf.read_all() == b"".join(bytes([r]) * 3000 for r in range(20))
