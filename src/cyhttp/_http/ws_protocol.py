"""WSProtocol: the asyncio Protocol of a connection after a WebSocket upgrade.

How this works: after a valid 101 the handshake code calls
``transport.set_protocol(WSProtocol(...))`` and feeds it the bytes that followed the
101 head.  Every chunk goes into the engine's ``FrameReader``; complete messages
land in a deque that ``ClientWebSocketResponse.receive()`` empties with ``pop()``,
parking on ``wait()``'s future only when the deque is empty (``read()`` wraps both).
When a receive() is parked and a chunk completes exactly one message (the round-trip
case), the message skips the deque and becomes the future's result; a cancelled
receiver gives it back with ``reclaim()``, so a timeout can never lose a message.
A protocol error from the engine is queued *after* the messages the same bytes
completed, so the reader sees everything that was valid first; after an error the
remaining bytes are ignored (the connection is failed, RFC 6455 §7.1.7).

Flow control: queued payload bytes are counted; above ``high_water`` the transport
stops reading, and it resumes once the consumer brings the queue to ``low_water``.
The engine only ever holds one partial message (bounded by ``max_msg_size``), so a
slow consumer costs at most high_water + max_msg_size + one socket read.  Write side:
``write()`` reports whether the transport paused writing, so a sender awaits
``drain()`` (FlowControlMixin) only then.

The HTTP ``ResponseHandler`` this replaces still owns the connector's bookkeeping
(its ``closed`` future, its ``transport``): ``connection_lost`` is forwarded to it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Callable

from .._core.errors import WSProtocolError
from .._core.ws_types import WSMessage
from .errors import PeerDisconnectedError, TransportClosingError
from .flow import BufferedReadMixin, FlowControlMixin, reads_buffered, set_reading

__all__ = ("WSProtocol", "BufferedWSProtocol", "protocol_class")

HIGH_WATER = 1 << 18  # 256 KiB of delivered-but-unread payload
LOW_WATER = HIGH_WATER // 4
HANDOFF_MAX = 1 << 16  # larger messages always go through the queue (see data_received)


class WSProtocol(FlowControlMixin, asyncio.Protocol):
    """Frames in → WSMessage queue out; write-side drain; read-side flow control."""

    _drain_error = TransportClosingError

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        reader: Any,
        transport: asyncio.Transport,
        http_protocol: Any = None,
        *,
        high_water: int = HIGH_WATER,
        low_water: int | None = None,
    ) -> None:
        self._loop = loop
        self._reader = reader  # engine FrameReader
        self.transport: asyncio.Transport | None = transport
        self._http_protocol = http_protocol
        self._queue: deque[WSMessage] = deque()
        self._queued = 0
        self._high = high_water
        self._low = high_water // 4 if low_water is None else low_water
        self._paused = False
        self._waiter: asyncio.Future[WSMessage | None] | None = None
        self._error: BaseException | None = None  # delivered after the queue drains
        self._failed = False  # engine error seen: ignore further bytes
        self._eof = False
        self._on_data: Callable[[], None] | None = None
        # One flag for the rare cases (a heartbeat hook, failed, at EOF), so a chunk on
        # the hot path pays one attribute test instead of three.
        self._gated = False

    @property
    def on_data(self) -> Callable[[], None] | None:
        """The heartbeat hook, called once per received chunk (None: no hook)."""
        return self._on_data

    @on_data.setter
    def on_data(self, hook: Callable[[], None] | None) -> None:
        self._on_data = hook
        self._gated = hook is not None or self._failed or self._eof

    # -- inbound -------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._gated:
            on_data = self._on_data
            if on_data is not None:
                on_data()
            if self._failed or self._eof:
                return
        try:
            messages = self._reader.feed(data)
        except WSProtocolError as exc:
            self._failed = self._gated = True
            self._push(getattr(exc, "messages", None) or [])
            self._set_error(exc)
            return
        if messages:
            waiter = self._waiter
            if waiter is not None and len(messages) == 1 and not self._queue:
                # The usual round trip: a receive() is parked and this is its only
                # message.  Hand it over in the future itself: no queue, no counting.
                # Only small ones: measured on asyncio, 1 MiB messages passed this way
                # cost 3x the CPU (glibc trims and re-grows the heap around them, with
                # page faults) and the queue's bookkeeping is noise at that size.
                msg = messages[0]
                if msg[0] != 8 and len(msg[1]) <= HANDOFF_MAX:  # CLOSE carries an int
                    self._waiter = None
                    if not waiter.done():
                        waiter.set_result(msg)
                        return
            self._push(messages)

    def feed_tail(self, data: bytes) -> None:
        """The bytes that followed the 101 head (they arrived with it)."""
        if data:
            self.data_received(data)

    def _push(self, messages: list[WSMessage]) -> None:
        # Batched: one size sum, one pause check and one wake-up per chunk, not per message.
        size = self._queued
        for msg in messages:
            try:
                size += len(msg[1])
            except TypeError:  # CLOSE carries its int code, ERROR an exception
                pass
        self._queue.extend(messages)
        self._queued = size
        if size > self._high and not self._paused:
            self._paused = True
            set_reading(self.transport, False)
        self._wake()

    def push_front(self, msg: WSMessage) -> None:
        """Put a message ahead of the queue (close() wakes a parked receive())."""
        self._queue.appendleft(msg)
        self._wake()

    def _set_error(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # The consumer's side, split so that receive() pays for no coroutine when a message
    # is already queued, and for no queueing when it was parked waiting (see read()).

    def pop(self) -> WSMessage | None:
        """The next queued message, or None when the queue is empty."""
        queue = self._queue
        if not queue:
            return None
        msg = queue.popleft()
        try:
            queued = self._queued = self._queued - len(msg[1])  # the same rule as _push
        except TypeError:
            return msg
        if self._paused and queued <= self._low:
            self._resume()
        return msg

    def wait(self) -> asyncio.Future[WSMessage | None]:
        """A future resolved with the next message itself, or with None when pop() may
        have something; raises the final error instead.  A cancelled awaiter must pass
        it to ``reclaim()`` (as read() does)."""
        if self._error is not None:
            raise self._error
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            raise RuntimeError("read() called while another read() is waiting")
        # A waiter cancelled with its task (a timeout) is simply replaced.
        waiter = self._waiter = self._loop.create_future()
        return waiter

    def reclaim(self, waiter: asyncio.Future[WSMessage | None]) -> None:
        """The task awaiting ``waiter`` was cancelled: a message already handed to it
        goes back to the front of the queue instead of being lost."""
        if self._waiter is waiter:
            self._waiter = None
        if waiter.done() and not waiter.cancelled():
            msg = waiter.result()
            if msg is not None:
                self._queue.appendleft(msg)
                try:
                    self._queued += len(msg[1])
                except TypeError:
                    pass

    async def read(self) -> WSMessage:
        """Next message; raises the engine error or PeerDisconnectedError at the end."""
        msg = self.pop()
        while msg is None:
            waiter = self.wait()
            try:
                msg = await waiter
            except BaseException:
                self.reclaim(waiter)
                raise
            if msg is None:
                msg = self.pop()
        return msg

    def _resume(self) -> None:
        self._paused = False
        set_reading(self.transport, True)

    @property
    def failed(self) -> bool:
        """An engine error was seen: the connection is to be failed, not closed politely."""
        return self._failed

    @property
    def reading_paused(self) -> bool:
        return self._paused

    @property
    def queued_bytes(self) -> int:
        return self._queued

    # -- lifecycle -----------------------------------------------------------------

    def eof_received(self) -> bool | None:
        return None  # let the transport close; connection_lost ends the queue

    def connection_lost(self, exc: BaseException | None) -> None:
        self.transport = None
        self._eof = self._gated = True
        err = PeerDisconnectedError("Connection lost")
        if exc is not None:
            err.__cause__ = exc
        self._set_error(err)
        self._wake_drain(exc)
        http_protocol = self._http_protocol
        if http_protocol is not None:
            self._http_protocol = None
            try:
                http_protocol.connection_lost(exc)  # sets its `closed` future for the connector
            except Exception:  # pragma: no cover - the HTTP handler must not break our close
                pass

    def close(self) -> None:
        transport = self.transport
        if transport is not None:
            transport.close()

    # -- outbound (pause_writing / resume_writing / drain: FlowControlMixin) -------------

    def write(self, data: bytes) -> bool:
        """Hand one frame to the transport; True when the writer should ``await drain()``."""
        transport = self.transport
        if transport is None or transport.is_closing():
            raise TransportClosingError("Cannot write to closing transport")
        transport.write(data)
        return self._writing_paused


class BufferedWSProtocol(BufferedReadMixin, WSProtocol, asyncio.BufferedProtocol):
    """WSProtocol reading through ``recv_into`` on asyncio's own loops (see BufferedReadMixin).

    The thread's shared buffer is looked up once, here: a ``threading.local`` attribute
    costs ~35 ns a read, twice per chunk, on a path that costs ~10 µs a message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._view = super().get_buffer(-1)  # made in the loop's thread, used only there

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(self._view[:nbytes].tobytes())


def protocol_class(loop: asyncio.AbstractEventLoop) -> type[WSProtocol]:
    """The WS protocol for ``loop``: buffered reads on asyncio's loops, plain elsewhere."""
    return BufferedWSProtocol if reads_buffered(loop) else WSProtocol
