"""ClientWebSocketResponse: aiohttp 3.14's client WebSocket API over the engine.

How this works: ``ws_connect`` (ws_connect.py) hands us a ``WSProtocol`` (frames in,
messages out, already installed on the transport), a sans-IO ``FrameWriter`` and the
101 response that still holds the pooled connection.  Sending is synchronous framing
plus ``transport.write`` and a drain: no lock is needed because a frame is built and
written in one step.  ``receive()`` answers pings (autoping), runs the close
handshake (autoclose), and turns an engine ``WSProtocolError`` into a close with its
code plus an ERROR message carrying the exception, as aiohttp does.  The heartbeat
is one timer: ping after ``heartbeat`` seconds of silence, fail with 1006 and
``ServerTimeoutError`` if nothing arrives within ``heartbeat / 2`` after the ping.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Callable

from .._core.errors import WSProtocolError
from .._core.ws_types import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)
from .._http.errors import PeerDisconnectedError
from .._http.ws_protocol import WSProtocol
from .error_map import client_error
from .exceptions import (
    ClientConnectionResetError,
    ClientError,
    ServerTimeoutError,
    WSMessageTypeError,
)
from .timeouts import DEFAULT_WS_CLIENT_TIMEOUT, ClientWSTimeout, timeout_at

__all__ = ("ClientWebSocketResponse", "WSMsgType", "WSMessage", "WSCloseCode")

_END = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED})
_TIMEOUT_ERRORS = (asyncio.TimeoutError, TimeoutError)


class ClientWebSocketResponse:
    """One client WebSocket connection (``async with session.ws_connect(url) as ws``)."""

    def __init__(
        self,
        protocol_handler: WSProtocol,
        writer: Any,
        protocol: str | None,
        response: Any,
        timeout: ClientWSTimeout = DEFAULT_WS_CLIENT_TIMEOUT,
        autoclose: bool = True,
        autoping: bool = True,
        loop: asyncio.AbstractEventLoop | None = None,
        *,
        heartbeat: float | None = None,
        compress: int = 0,
        client_notakeover: bool = False,
    ) -> None:
        self._proto = protocol_handler
        self._writer = writer  # engine FrameWriter (sans-IO)
        self._frame = writer.frame  # bound once: the send hot path calls it per message
        self._protocol = protocol
        self._response = response
        self._timeout = timeout
        self._receive_timeout = timeout.ws_receive  # read once per receive(): kept at hand
        self._autoclose = autoclose
        self._autoping = autoping
        self._loop = loop or asyncio.get_running_loop()
        self._compress = compress
        self._client_notakeover = client_notakeover
        self._closed = False
        self._closing = False  # the peer's CLOSE (or our close()) is under way
        self._close_sent = False
        self._peer_closed = False  # the peer's CLOSE frame was received
        self._close_code: int | None = None
        self._exception: BaseException | None = None
        self._waiting = False
        self._close_wait: asyncio.Future[None] | None = None
        self._heartbeat = heartbeat
        self._hb_handle: asyncio.TimerHandle | None = None
        self._ping_at: float | None = None
        self._last_rx = self._loop.time()
        if heartbeat is not None and heartbeat > 0:
            protocol_handler.on_data = self._on_data
            self._hb_handle = self._loop.call_at(self._last_rx + heartbeat, self._on_heartbeat)

    # -- heartbeat -------------------------------------------------------------------

    def _on_data(self) -> None:
        # One clock read per chunk; the timer re-arms itself lazily from this stamp.
        self._last_rx = self._loop.time()

    def _on_heartbeat(self) -> None:
        self._hb_handle = None
        if self._closed or self._closing:
            return
        heartbeat = self._heartbeat
        assert heartbeat is not None
        now = self._loop.time()
        if self._ping_at is not None:
            if self._last_rx < self._ping_at:
                self._fail_heartbeat(
                    ServerTimeoutError(f"No PONG received after {heartbeat / 2} seconds")
                )
                return
            self._ping_at = None
        due = self._last_rx + heartbeat
        if now < due:
            self._hb_handle = self._loop.call_at(due, self._on_heartbeat)
            return
        try:
            self._proto.write(self._writer.frame(WSMsgType.PING, b""))
        except Exception as exc:
            self._fail_heartbeat(client_error(exc))
            return
        self._ping_at = now
        self._hb_handle = self._loop.call_at(now + heartbeat / 2, self._on_heartbeat)

    def _cancel_heartbeat(self) -> None:
        handle = self._hb_handle
        if handle is not None:
            self._hb_handle = None
            handle.cancel()
        self._proto.on_data = None

    def _fail_heartbeat(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._set_closed()
        self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        self._exception = exc
        self._response.close()
        if self._waiting and not self._closing:
            self._proto.push_front(WSMessage(WSMsgType.ERROR, exc, None))

    def _set_closed(self) -> None:
        self._closed = True
        self._cancel_heartbeat()

    def _set_closing(self) -> None:
        self._closing = True
        self._cancel_heartbeat()

    # -- properties --------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def close_code(self) -> int | None:
        return self._close_code

    @property
    def protocol(self) -> str | None:
        return self._protocol

    @property
    def compress(self) -> int:
        return self._compress

    @property
    def client_notakeover(self) -> bool:
        return self._client_notakeover

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Extra info from the connection's transport (peername, sslcontext, ...)."""
        conn = self._response.connection  # None once the WebSocket is closed
        transport = conn.transport if conn is not None else None
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    def exception(self) -> BaseException | None:
        return self._exception

    # -- sending -------------------------------------------------------------------------

    async def _send(self, opcode: int, payload: Any, compress: int | None = None) -> None:
        if self._close_sent and opcode != WSMsgType.CLOSE:
            raise ClientConnectionResetError("Cannot write to closing transport")
        if not compress or opcode >= WSMsgType.CLOSE:
            flag = None  # the connection's default (aiohttp: 0 / None mean "as negotiated")
        else:
            # aiohttp takes window bits per frame; a frame can only be deflated when the
            # extension was negotiated, otherwise RSV1 would be a protocol violation.
            flag = bool(self._compress)
        proto = self._proto
        try:
            if proto.write(self._writer.frame(opcode, payload, compress=flag)):
                await proto.drain()  # only when the transport paused writing
        except OSError as exc:
            raise client_error(exc) from exc

    @staticmethod
    async def _drain(proto: Any) -> None:
        try:
            await proto.drain()
        except OSError as exc:
            raise client_error(exc) from exc

    async def ping(self, message: bytes = b"") -> None:
        await self._send(WSMsgType.PING, message)

    async def pong(self, message: bytes = b"") -> None:
        await self._send(WSMsgType.PONG, message)

    async def send_frame(self, message: bytes, opcode: WSMsgType, compress: int | None = None) -> None:
        """Send one frame (``opcode`` TEXT/BINARY/PING/PONG/CLOSE) over the websocket."""
        await self._send(opcode, message, compress)

    async def send_str(self, data: str, compress: int | None = None) -> None:
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        if compress or self._close_sent:
            await self._send(WSMsgType.TEXT, data.encode("utf-8"), compress)
            return
        # Hot path: _send and WSProtocol.write inlined; await only a paused transport.
        # (encode() without arguments is UTF-8 too, and skips parsing the codec name.)
        frame = self._frame(1, data.encode())
        proto = self._proto
        transport = proto.transport
        if transport is None or transport.is_closing():
            raise ClientConnectionResetError("Cannot write to closing transport")
        transport.write(frame)
        if proto._writing_paused:  # FlowControlMixin's flag, set by the transport
            await self._drain(proto)

    async def send_bytes(self, data: bytes, compress: int | None = None) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        if compress or self._close_sent:
            await self._send(WSMsgType.BINARY, data, compress)
            return
        frame = self._frame(2, data)  # hot path, as in send_str
        proto = self._proto
        transport = proto.transport
        if transport is None or transport.is_closing():
            raise ClientConnectionResetError("Cannot write to closing transport")
        transport.write(frame)
        if proto._writing_paused:
            await self._drain(proto)

    async def send_json(
        self, data: Any, compress: int | None = None, *, dumps: Callable[[Any], str] = json.dumps
    ) -> None:
        await self.send_str(dumps(data), compress=compress)

    async def send_json_bytes(
        self, data: Any, compress: int | None = None, *, dumps: Callable[[Any], bytes]
    ) -> None:
        """JSON from a bytes-returning encoder (orjson...), sent as a BINARY frame."""
        await self.send_bytes(dumps(data), compress=compress)

    # -- closing -------------------------------------------------------------------------

    async def close(self, *, code: int = WSCloseCode.OK, message: bytes = b"") -> bool:
        """Close handshake: send CLOSE, wait (``ws_close``) for the peer's; True if we closed."""
        if self._waiting and not self._closing:
            # A receive() is parked in another task: wake it with CLOSING first.
            self._close_wait = self._loop.create_future()
            self._set_closing()
            self._proto.push_front(WS_CLOSING_MESSAGE)
            await self._close_wait
        if self._closed:
            return False
        frame = self._writer.close_frame(code, message)  # ValueError for an invalid code
        self._set_closed()
        try:
            self._close_sent = True
            if self._proto.write(frame):
                await self._proto.drain()
        except asyncio.CancelledError:
            self._abort(WSCloseCode.ABNORMAL_CLOSURE)
            raise
        except Exception as exc:
            if self._peer_closed:
                # The peer closed properly and hung up before our reply went out.
                self._response.close()
                return True
            self._exception = client_error(exc)
            self._abort(WSCloseCode.ABNORMAL_CLOSURE)
            return True
        if self._peer_closed or self._proto.failed or self._close_code is not None:
            # The peer already closed, the connection is being failed (§7.1.7), or it
            # already broke (a receive timed out: 1006): nothing more to wait for, as aiohttp.
            if self._close_code is None:
                self._close_code = code
            self._response.close()
            return True
        while True:
            try:
                async with timeout_at(self._loop, self._when(self._timeout.ws_close)):
                    msg = await self._proto.read()
            except asyncio.CancelledError:
                self._abort(WSCloseCode.ABNORMAL_CLOSURE)
                raise
            except Exception as exc:
                self._exception = client_error(exc)
                self._abort(WSCloseCode.ABNORMAL_CLOSURE)
                return True
            if msg.type is WSMsgType.CLOSE:
                self._peer_closed = True
                self._close_code = msg.data
                self._response.close()
                return True

    def _when(self, delay: float | None) -> float | None:
        return None if not delay or delay <= 0 else self._loop.time() + delay

    def _abort(self, code: int) -> None:
        self._close_code = code
        self._response.close()

    # -- receiving -----------------------------------------------------------------------

    async def receive(self, timeout: float | None = None) -> WSMessage:
        proto = self._proto
        while True:
            if self._waiting:
                raise RuntimeError("Concurrent call to receive() is not allowed")
            if self._closed:
                return WS_CLOSED_MESSAGE
            if self._closing:
                await self.close()
                return WS_CLOSED_MESSAGE
            # A message already queued is taken without a future, a timer or a suspension
            # (so _waiting, which close() in another task looks at, need not be set).
            # The queue is tested in place: the round trip finds it empty every time.
            msg = proto.pop() if proto._queue else None
            if msg is None:
                self._waiting = True
                try:
                    receive_timeout = timeout or self._receive_timeout
                    if receive_timeout:  # a timer only when there is a timeout
                        async with timeout_at(self._loop, self._when(receive_timeout)):
                            msg = await self._read_next(proto)
                    else:
                        while msg is None:  # read() inlined: no coroutine per message
                            if proto._error is None and proto._waiter is None:
                                # wait()'s usual case, without the call (~30 ns a message)
                                waiter = proto._waiter = self._loop.create_future()
                            else:
                                waiter = proto.wait()  # raises the final error, or a misuse
                            try:
                                msg = await waiter
                            except BaseException:
                                proto.reclaim(waiter)
                                raise
                            if msg is None:
                                msg = proto.pop()
                                if msg is None and self._closed:
                                    msg = WS_CLOSED_MESSAGE  # see _read_next
                except (asyncio.CancelledError, *_TIMEOUT_ERRORS):
                    self._after_receive()
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                    raise
                except WSProtocolError as exc:
                    self._after_receive()
                    self._close_code = exc.code
                    await self.close(code=exc.code)
                    self._close_code = exc.code
                    return WSMessage(WSMsgType.ERROR, exc, None)
                except (ClientError, PeerDisconnectedError):
                    # The connection was lost without a close handshake.
                    self._after_receive()
                    self._set_closed()
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                    self._response.close()
                    return WS_CLOSED_MESSAGE
                except Exception as exc:
                    self._after_receive()
                    exc = client_error(exc)
                    self._exception = exc
                    self._set_closing()
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                    await self.close()
                    return WSMessage(WSMsgType.ERROR, exc, None)
                self._waiting = False
                if self._close_wait is not None:
                    self._after_receive()
            msg_type = msg[0]
            # Plain int comparisons: TEXT (1) and BINARY (2) are the hot path.
            if msg_type <= 2 or msg_type >= 0x101:  # data, CLOSED, ERROR: hand over as is
                return msg
            if msg_type == 8:  # CLOSE
                self._set_closing()
                self._peer_closed = True
                self._close_code = msg[1]
                if not self._closed and self._autoclose:
                    await self.close()
            elif msg_type == 0x100:  # CLOSING (close() from another task woke us)
                self._set_closing()
            elif self._autoping:
                if msg_type == 9:  # PING
                    await self.pong(msg[1])
                continue  # PONG (or an answered PING) is not shown with autoping
            return msg

    async def _read_next(self, proto: WSProtocol) -> WSMessage:
        """``proto.read()``, ended with CLOSED when a close() in another task took the
        reading over while we waited (several tasks closing at once, as aiohttp answers)."""
        msg = proto.pop()
        while msg is None:
            waiter = proto.wait()
            try:
                msg = await waiter
            except BaseException:
                proto.reclaim(waiter)
                raise
            if msg is None:
                msg = proto.pop()
                if msg is None and self._closed:
                    return WS_CLOSED_MESSAGE
        return msg

    def _after_receive(self) -> None:
        # Let a close() parked on our wake-up proceed (it runs after we return).
        self._waiting = False
        close_wait = self._close_wait
        if close_wait is not None:
            self._close_wait = None
            if not close_wait.done():
                close_wait.set_result(None)

    async def receive_str(self, *, timeout: float | None = None) -> str:
        msg = await self.receive(timeout)
        if msg.type is not WSMsgType.TEXT:
            raise WSMessageTypeError(f"Received message {msg.type}:{msg.data!r} is not WSMsgType.TEXT")
        return msg.data  # type: ignore[no-any-return]

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        msg = await self.receive(timeout)
        if msg.type is not WSMsgType.BINARY:
            raise WSMessageTypeError(f"Received message {msg.type}:{msg.data!r} is not WSMsgType.BINARY")
        return msg.data  # type: ignore[no-any-return]

    async def receive_json(
        self, *, loads: Callable[[Any], Any] = json.loads, timeout: float | None = None
    ) -> Any:
        data = await self.receive_str(timeout=timeout)
        return loads(data)

    def __aiter__(self) -> ClientWebSocketResponse:
        return self

    async def __anext__(self) -> WSMessage:
        msg = await self.receive()
        if msg.type in _END:
            raise StopAsyncIteration
        return msg

    async def __aenter__(self) -> ClientWebSocketResponse:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
