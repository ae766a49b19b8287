"""WebSocket client hot paths against raw loopback peers: write-side flow control
(send waits on a paused transport, and fails instead of hanging when the peer goes),
queued messages taken without waiting, a timed-out receive leaving the socket usable,
and the shared FlowControlMixin on its own.

The peers shrink their socket buffers (and the client's) so a few hundred KiB fill
the pipe; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

import cyhttp
from cyhttp._client.error_map import client_error
from cyhttp._client.exceptions import ClientConnectionResetError, ClientOSError
from cyhttp._http.errors import ConnectionLostError, TransportClosingError
from cyhttp._client.ws_connect import ws_connect
from cyhttp._http.flow import FlowControlMixin
from cyhttp._http.ws_protocol import (
    HANDOFF_MAX,
    BufferedWSProtocol,
    WSProtocol,
    protocol_class,
)

from .._ws_peers import close_frame, frame, raw_server, read_close, read_frame

TEXT, BINARY = 0x1, 0x2
CHUNK = 64 * 1024
SENDS = 64  # 4 MiB offered: far more than the shrunken buffers hold


def _shrink(sock: socket.socket | None, opt: int) -> None:
    assert sock is not None
    sock.setsockopt(socket.SOL_SOCKET, opt, 16 * 1024)


async def _until(cond, what: str, steps: int = 500) -> None:
    for _ in range(steps):  # bounded: up to ~5 s
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def _payload(i: int) -> bytes:
    return bytes((i & 0xFF,)) * CHUNK


async def _start_sender(ws, sent: list[int]) -> asyncio.Task[None]:
    async def sender() -> None:
        for i in range(SENDS):
            await ws.send_bytes(_payload(i))
            sent.append(i)

    return asyncio.ensure_future(sender())


async def test_send_waits_while_the_transport_is_paused_then_completes() -> None:
    go = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        _shrink(writer.get_extra_info("socket"), socket.SO_RCVBUF)
        writer.transport.pause_reading()
        await go.wait()
        writer.transport.resume_reading()  # StreamReader only resumes what it paused itself
        got = 0
        for i in range(SENDS):
            opcode, fin, data = await read_frame(reader)
            assert (opcode, fin, data) == (BINARY, True, _payload(i))
            got += 1
        code = await read_close(reader)
        writer.write(close_frame(1000))
        return got, code

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        _shrink(ws.get_extra_info("socket"), socket.SO_SNDBUF)
        proto: WSProtocol = ws._proto
        sent: list[int] = []
        task = await _start_sender(ws, sent)
        try:
            await _until(lambda: proto._writing_paused or task.done(), "the transport to pause writing")
            assert not task.done(), "4 MiB went out without the transport ever pausing"
            parked = len(sent)
            await asyncio.sleep(0.05)
            assert len(sent) == parked  # the sender is parked in drain(), not buffering on
            go.set()
            await asyncio.wait_for(task, 10)
        finally:
            go.set()
            task.cancel()
        assert sent == list(range(SENDS))
        assert not proto._writing_paused
        assert await asyncio.wait_for(ws.close(), 5) is True
        await asyncio.wait_for(srv.done.wait(), 10)
        assert srv.errors == []
        assert srv.results == [(SENDS, 1000)]


async def test_send_parked_on_a_paused_transport_fails_when_the_peer_goes() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        _shrink(writer.get_extra_info("socket"), socket.SO_RCVBUF)
        writer.transport.pause_reading()
        for _ in range(500):  # bounded: the test aborts us once the client is parked
            await asyncio.sleep(0.01)
            if srv.abort:
                writer.transport.abort()
                return "aborted"
        return "not aborted"

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        srv.abort = False  # type: ignore[attr-defined]
        ws = await ws_connect(s, srv.url)
        _shrink(ws.get_extra_info("socket"), socket.SO_SNDBUF)
        proto: WSProtocol = ws._proto
        sent: list[int] = []
        task = await _start_sender(ws, sent)
        try:
            await _until(lambda: proto._writing_paused or task.done(), "the transport to pause writing")
            assert not task.done()
            srv.abort = True  # type: ignore[attr-defined]
            with pytest.raises(ClientConnectionResetError):
                await asyncio.wait_for(task, 5)
        finally:
            task.cancel()
        assert len(sent) < SENDS
        with pytest.raises(ClientConnectionResetError):
            await ws.send_bytes(b"after")
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is cyhttp.WSMsgType.CLOSED


async def test_queued_messages_in_order_and_receive_usable_after_a_timeout() -> None:
    count = 100

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        writer.write(b"".join(frame(TEXT, str(i).encode()) for i in range(count)))  # one chunk
        await writer.drain()
        opcode, _, data = await read_frame(reader)  # the client asks for more after its timeout
        writer.write(frame(BINARY, data[::-1]))
        await writer.drain()
        return await read_close(reader)

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        await _until(lambda: ws._proto.queued_bytes > 0, "the first messages")
        got = [await asyncio.wait_for(ws.receive_str(), 5) for _ in range(count)]
        assert got == [str(i) for i in range(count)]
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.05)
        with pytest.raises(asyncio.TimeoutError):  # twice: each timed-out waiter is replaced
            await ws.receive(timeout=0.02)
        await ws.send_bytes(b"more")
        assert await asyncio.wait_for(ws.receive_bytes(), 5) == b"erom"
        assert ws._proto.queued_bytes == 0
        await asyncio.wait_for(ws.close(), 5)
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1000]


class _FlowProbe(FlowControlMixin, asyncio.Protocol):
    """A bare protocol using only the mixin (as protocol.py's ResponseHandler can)."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: BaseException | None) -> None:
        self.transport = None
        self._wake_drain(exc)


async def _probe_pair(on_server):
    """A loopback connection whose server side is handed to ``on_server`` (not read)."""
    accepted: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
    accepted = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _shrink(writer.get_extra_info("socket"), socket.SO_RCVBUF)
        writer.transport.pause_reading()
        accepted.set_result((reader, writer))
        await on_server(reader, writer)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    transport, probe = await loop.create_connection(_FlowProbe, "127.0.0.1", port)
    _shrink(transport.get_extra_info("socket"), socket.SO_SNDBUF)
    reader, writer = await asyncio.wait_for(accepted, 5)
    return server, transport, probe, reader, writer


async def _fill(transport: asyncio.Transport, probe: _FlowProbe) -> None:
    for _ in range(SENDS):  # bounded: 4 MiB
        if probe._writing_paused:
            return
        transport.write(b"x" * CHUNK)
        await asyncio.sleep(0)
    raise AssertionError("the transport never paused writing")


async def test_flow_mixin_drain_waits_for_resume() -> None:
    done = asyncio.Event()

    async def on_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await done.wait()

    server, transport, probe, reader, writer = await _probe_pair(on_server)
    try:
        await probe.drain()  # not paused: returns at once
        await _fill(transport, probe)
        drains = [asyncio.ensure_future(probe.drain()) for _ in range(3)]  # one shared waiter
        await asyncio.sleep(0.02)
        assert not any(d.done() for d in drains)
        drains[0].cancel()  # a cancelled writer does not cancel the others (shield)
        writer.transport.resume_reading()
        for _ in range(1000):  # bounded: read until the client's buffer drained
            if all(d.done() for d in drains[1:]):
                break
            await asyncio.wait_for(reader.read(1 << 20), 5)
        await asyncio.wait_for(asyncio.gather(*drains[1:]), 5)
        assert drains[0].cancelled() and not probe._writing_paused
    finally:
        done.set()
        transport.close()
        writer.close()
        server.close()
        await server.wait_closed()


async def test_flow_mixin_drain_raises_its_error_when_the_connection_is_lost() -> None:
    async def on_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0)

    server, transport, probe, reader, writer = await _probe_pair(on_server)
    try:
        await _fill(transport, probe)
        drain = asyncio.ensure_future(probe.drain())
        await asyncio.sleep(0.01)
        writer.transport.abort()
        # The mixin is role-neutral: it raises _http's own error (WSProtocol overrides it),
        # which the client's one boundary names as aiohttp does.
        with pytest.raises(ConnectionLostError) as lost:
            await asyncio.wait_for(drain, 5)
        assert type(client_error(lost.value)) is ClientOSError
        await _until(lambda: probe.transport is None, "connection_lost")
        with pytest.raises(ConnectionLostError) as lost:
            await probe.drain()
        assert type(client_error(lost.value)) is ClientOSError
    finally:
        transport.close()
        writer.close()
        server.close()
        await server.wait_closed()
    assert WSProtocol._drain_error is TransportClosingError
    assert type(client_error(TransportClosingError("Connection lost"))) is ClientConnectionResetError


@pytest.mark.parametrize("timeout", [None, 5.0], ids=["no-timeout", "timeout"])
async def test_message_handed_to_a_cancelled_receive_is_not_lost(timeout: float | None) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        code = await read_close(reader)
        writer.write(close_frame(1000))
        return code

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        proto: WSProtocol = ws._proto
        receiver = asyncio.ensure_future(ws.receive(timeout=timeout))
        await _until(lambda: proto._waiter is not None, "receive() to park")
        # Bytes arrive and the receiver is cancelled in the same loop iteration: the
        # message already given to its future must come back to the queue.
        proto.data_received(frame(TEXT, b"kept") + frame(TEXT, b"next")[:3])
        receiver.cancel()
        with pytest.raises(asyncio.CancelledError):
            await receiver
        assert proto.queued_bytes == len("kept")
        proto.data_received(frame(TEXT, b"next")[3:])
        assert await asyncio.wait_for(ws.receive_str(), 5) == "kept"
        assert await asyncio.wait_for(ws.receive_str(), 5) == "next"
        assert proto.queued_bytes == 0
        await asyncio.wait_for(ws.close(), 5)
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1000]


async def test_buffered_reads_keep_interleaved_connections_apart() -> None:
    # asyncio's loop → BufferedWSProtocol: every connection of the thread reads through
    # one shared buffer, so interleaved arrivals must never leak into each other.
    sizes = [1, 125, 126, 65535, 65536, 65537, 200_000, 3]

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        opcode, _, tag = await read_frame(reader)
        for n in sizes:
            writer.write(frame(BINARY, tag * n))
            await writer.drain()
            await asyncio.sleep(0)
        return await read_close(reader)

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        sockets = [await ws_connect(s, srv.url) for _ in range(4)]
        assert all(type(ws._proto) is BufferedWSProtocol for ws in sockets)
        for i, ws in enumerate(sockets):
            await ws.send_bytes(bytes((65 + i,)))

        async def drain_one(i: int, ws) -> None:
            for n in sizes:
                assert await asyncio.wait_for(ws.receive_bytes(), 10) == bytes((65 + i,)) * n

        await asyncio.gather(*(drain_one(i, ws) for i, ws in enumerate(sockets)))
        for ws in sockets:
            await asyncio.wait_for(ws.close(), 5)
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1000] * 4


def test_uvloop_keeps_the_plain_protocol() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> tuple[type, list[bytes]]:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
            for _ in range(3):
                _, _, data = await read_frame(reader)
                writer.write(frame(BINARY, data * 2))
            return await read_close(reader)

        async with raw_server(script) as srv, cyhttp.ClientSession() as s:
            ws = await ws_connect(s, srv.url)
            got = []
            for payload in (b"a", b"b" * 70000, b"c"):
                await ws.send_bytes(payload)
                got.append(await asyncio.wait_for(ws.receive_bytes(), 5))
            await asyncio.wait_for(ws.close(), 5)
            return type(ws._proto), got

    kind, got = uvloop.run(main())
    assert kind is WSProtocol
    assert got == [b"aa", b"b" * 140000, b"cc"]
    loop = asyncio.new_event_loop()
    try:
        assert protocol_class(loop) is BufferedWSProtocol
    finally:
        loop.close()


async def test_handoff_limit_small_messages_skip_the_queue_large_ones_do_not() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        code = await read_close(reader)
        writer.write(close_frame(1000))
        return code

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        proto: WSProtocol = ws._proto
        for size, queued in ((HANDOFF_MAX, 0), (HANDOFF_MAX + 1, HANDOFF_MAX + 1)):
            receiver = asyncio.ensure_future(ws.receive_bytes())
            await _until(lambda: proto._waiter is not None, "receive() to park")
            proto.data_received(frame(BINARY, b"h" * size))
            assert proto.queued_bytes == queued  # just under: handed over; just over: queued
            assert await asyncio.wait_for(receiver, 5) == b"h" * size
            assert proto.queued_bytes == 0
        await asyncio.wait_for(ws.close(), 5)
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1000]


async def test_data_received_gate_hook_failed_and_eof() -> None:
    # data_received tests one flag for its rare cases: the heartbeat hook still runs per
    # chunk, bytes after an engine error are ignored (hook or not), and at EOF too.
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> object:
        return await read_close(reader)

    async with raw_server(script) as srv, cyhttp.ClientSession() as s:
        ws = await ws_connect(s, srv.url)
        proto = ws._proto
        calls: list[int] = []
        proto.on_data = lambda: calls.append(1)
        assert proto.on_data is not None
        proto.data_received(frame(TEXT, b"one"))
        assert calls == [1] and proto.pop().data == "one"
        proto.on_data = None
        proto.data_received(frame(TEXT, b"two"))
        assert calls == [1] and proto.pop().data == "two"
        proto.data_received(b"\x83\x00")  # reserved opcode 3: an engine error
        assert proto.failed
        proto.on_data = lambda: calls.append(2)
        proto.on_data = None  # clearing the hook must not reopen a failed protocol
        proto.data_received(frame(TEXT, b"after"))
        assert proto.pop() is None and calls == [1]
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is cyhttp.WSMsgType.ERROR
        await asyncio.wait_for(srv.done.wait(), 5)
        assert srv.results == [1002]

    quiet = WSProtocol(asyncio.get_running_loop(), None, None)  # type: ignore[arg-type]
    quiet.connection_lost(None)
    quiet.data_received(b"ignored at EOF")  # no reader is even consulted
    assert quiet.pop() is None and quiet.queued_bytes == 0
