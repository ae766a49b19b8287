"""StreamReader: the response body as an asyncio byte stream, over the engine Buffer.

How this works: the connection's protocol pushes body bytes in with ``feed_data`` and
ends the stream with ``feed_eof`` (or ``set_exception``).  Readers take bytes out of
one contiguous engine ``Buffer``; when a reader needs more than is buffered it parks
on a single future that the next feed wakes.  Flow control: above the high-water mark
(2 × ``limit``) the protocol is asked to pause reading; once a read brings the buffer
below the low-water mark (``limit``) it is asked to resume.  A reader that has to wait
always resumes the transport first, so a reader that needs more than the high-water
mark (``readexactly(n)``, ``read()``) can never deadlock against flow control.
An optional absolute ``deadline`` (the request's total timeout) bounds every wait.

HTTP chunk boundaries and ``readchunk`` live in ``streams_chunks.HttpChunkSplits``.
"""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final, Generic, TypeVar

from .._core.buffer import Buffer
from .._core.errors import BufferLimitError
from .log import internal_logger
from .stream_chunks import HttpChunkSplits, ReadFlow

__all__ = ("StreamReader", "EmptyStreamReader", "EMPTY_PAYLOAD", "EofStream", "DEFAULT_LIMIT")

DEFAULT_LIMIT: Final = 2**16

_T = TypeVar("_T")


class EofStream(Exception):
    """Raised by data queues at end of stream (kept for aiohttp compatibility)."""


class StreamReader(HttpChunkSplits):
    """An asyncio byte stream with aiohttp's reader API (``content`` of a response)."""

    __slots__ = (
        "_loop", "_protocol", "_buffer", "_eof", "_exception", "_waiter",
        "_eof_waiter", "_eof_callbacks", "_low_water", "_high_water", "_paused",
        "_deadline", "_size_hint", "_eof_only", "_splits", "_split_head", "_raw_bytes", "__weakref__",
    )

    def __init__(
        self,
        protocol: ReadFlow | None,
        limit: int = DEFAULT_LIMIT,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        deadline: float | None = None,
        size_hint: int | None = None,
    ) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._protocol: ReadFlow | None = protocol
        self._buffer = Buffer()
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._eof_waiter: asyncio.Future[None] | None = None
        self._eof_callbacks: list[Callable[[], None]] | None = None
        self._low_water = limit
        self._high_water = limit * 2
        self._paused = False
        self._eof_only = False  # read() to EOF waits: new bytes alone wake nobody
        self._deadline = deadline
        # Content-Length of the body, when known: lets read() size the buffer once.
        self._size_hint = size_hint
        self._splits: array[int] | None = None  # HTTP chunk ends (see the module docstring)
        self._split_head = 0
        self._raw_bytes = -1  # bytes as they came off the wire, when decoded (-1: not decoded)

    def __repr__(self) -> str:
        info = [type(self).__name__]
        if len(self._buffer):
            info.append(f"{len(self._buffer)} bytes")
        if self._eof:
            info.append("eof")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return "<{}>".format(" ".join(info))

    # -- producer side (the protocol) ----------------------------------------

    def get_read_buffer_limits(self) -> tuple[int, int]:
        return (self._low_water, self._high_water)

    def feed_data(self, data: bytes) -> None:
        if data:
            self._buffer.feed(data)
            self._arrived()

    def _arrived(self) -> None:
        """New bytes are in: wake a parked reader (unless it waits for EOF only) and pause
        the transport above the high-water mark."""
        if not self._eof_only:
            self._wake()
        if not self._paused and len(self._buffer) > self._high_water and self._protocol is not None:
            self._paused = True
            self._protocol.pause_reading()

    def room(self) -> int:
        """How many more bytes may arrive before flow control pauses the transport."""
        return self._high_water - len(self._buffer)

    def get_write_buffer(self, sizehint: int) -> memoryview:
        """A window in the buffer for the protocol to read the next bytes into (zero-copy)."""
        return self._buffer.get_write_buffer(sizehint)

    def commit(self, nbytes: int) -> None:
        """``nbytes`` arrived in the last write window: what ``feed_data`` does after copying."""
        self._buffer.commit(nbytes)
        if nbytes:
            self._arrived()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()
        waiter = self._eof_waiter
        if waiter is not None:
            self._eof_waiter = None
            if not waiter.done():
                waiter.set_result(None)
        callbacks = self._eof_callbacks
        if callbacks:
            self._eof_callbacks = None
            for cb in callbacks:
                try:
                    cb()
                except Exception:  # one bad callback neither stops the others nor the feed
                    internal_logger.exception("Exception in eof callback")

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        if exc_cause is not None and exc.__cause__ is None:
            exc.__cause__ = exc_cause
        self._exception = exc
        self._eof_callbacks = None
        # (every released response passes here: plain attribute access, no getattr loop)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_exception(exc)
        waiter = self._eof_waiter
        if waiter is not None:
            self._eof_waiter = None
            if not waiter.done():
                waiter.set_exception(exc)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the stream reached EOF (now, if it already has)."""
        if self._eof:
            try:
                callback()
            except Exception:
                internal_logger.exception("Exception in eof callback")
            return
        if self._eof_callbacks is None:
            self._eof_callbacks = []
        self._eof_callbacks.append(callback)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- state ------------------------------------------------------------------

    def exception(self) -> BaseException | None:
        return self._exception

    def is_eof(self) -> bool:
        """True once the producer signalled EOF (bytes may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """True once EOF was signalled and every byte was read."""
        return self._eof and not len(self._buffer)

    @property
    def total_bytes(self) -> int:
        return self._buffer.total_bytes

    @property
    def total_raw_bytes(self) -> int:
        """Body bytes received from the network, before any Content-Encoding was decoded."""
        raw = self._raw_bytes
        return self._buffer.total_bytes if raw < 0 else raw

    def count_raw(self, nbytes: int) -> None:
        """``nbytes`` of encoded body arrived (their decoded bytes are fed separately)."""
        self._raw_bytes = max(self._raw_bytes, 0) + nbytes

    async def wait_eof(self) -> None:
        if self._eof:
            return
        assert self._eof_waiter is None
        self._eof_waiter = self._loop.create_future()
        try:
            await self._eof_waiter
        finally:
            self._eof_waiter = None

    # -- waiting ------------------------------------------------------------------

    async def _wait(self, func_name: str) -> None:
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already waiting for incoming data"
            )
        # The reader needs more than is buffered: never leave the transport paused.
        protocol = self._protocol
        if self._paused:
            self._paused = False
            total = self._buffer.total_bytes
            if protocol is not None:  # always, while paused
                protocol.resume_reading()
            if self._eof or self._exception is not None or self._buffer.total_bytes != total:
                return  # resuming delivered what had waited (the caller looks again)
        if protocol is not None and not getattr(protocol, "connected", True):
            # The connection was closed under the stream (its session closed): nothing
            # more can arrive, so waiting would hang (aiohttp's message).
            raise RuntimeError("Connection closed.")
        waiter = self._waiter = self._loop.create_future()
        deadline = self._deadline
        if deadline is None:
            try:
                await waiter
            finally:
                self._waiter = None
            return
        handle = self._loop.call_at(deadline, self._on_deadline, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            handle.cancel()

    def _check_deadline(self) -> None:
        """The request's total timeout passed while the body is still coming: reads that
        find bytes buffered (and so never wait) end with TimeoutError too, as aiohttp's."""
        if not self._eof and self._loop.time() >= self._deadline:  # type: ignore[operator]
            raise asyncio.TimeoutError

    @staticmethod
    def _on_deadline(waiter: asyncio.Future[None]) -> None:
        if not waiter.done():
            waiter.set_exception(asyncio.TimeoutError())

    def _after_read(self) -> None:
        if self._paused and len(self._buffer) < self._low_water:
            self._paused = False
            protocol = self._protocol
            if protocol is not None:  # always, while paused
                protocol.resume_reading()

    # -- readers ------------------------------------------------------------------

    async def read(self, n: int = -1) -> bytes:
        if self._exception is not None:
            raise self._exception
        if self._deadline is not None:
            self._check_deadline()
        if n == 0:
            return b""
        buffer = self._buffer
        if n < 0:
            # Read to EOF: lift flow control (the whole body is wanted anyway) and
            # size the buffer once when the length is known.
            self._high_water = 1 << 62
            hint = self._size_hint
            if hint is not None and not self._eof:
                missing = hint - buffer.total_bytes
                if missing > 0:
                    buffer.reserve(missing)
            # One wake-up at EOF instead of one (and a deadline timer) per arriving chunk.
            self._eof_only = True
            try:
                while not self._eof:
                    await self._wait("read")
                    if self._exception is not None:
                        raise self._exception
            finally:
                self._eof_only = False
            data = buffer.read_all()
            self._after_read()
            return data
        while not len(buffer) and not self._eof:
            await self._wait("read")
            if self._exception is not None:
                raise self._exception
        data = buffer.read(n)
        self._after_read()
        return data

    async def readany(self) -> bytes:
        if self._exception is not None:
            raise self._exception
        if self._deadline is not None:
            self._check_deadline()
        buffer = self._buffer
        while not len(buffer) and not self._eof:
            await self._wait("readany")
            if self._exception is not None:
                raise self._exception
        data = buffer.read_all()
        self._after_read()
        return data

    async def readexactly(self, n: int) -> bytes:
        if self._exception is not None:
            raise self._exception
        if self._deadline is not None:
            self._check_deadline()
        buffer = self._buffer
        while True:
            data = buffer.readexactly(n)
            if data is not None:
                self._after_read()
                return data
            if self._eof:
                partial = buffer.read_all()
                raise asyncio.IncompleteReadError(partial, n)
            await self._wait("readexactly")
            if self._exception is not None:
                raise self._exception

    async def readline(self) -> bytes:
        return await self.readuntil(b"\n")

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        if not separator:
            raise ValueError("Separator should be at least one-byte string")
        if self._exception is not None:
            raise self._exception
        if self._deadline is not None:
            self._check_deadline()
        buffer = self._buffer
        limit = self._high_water
        while True:
            try:
                data = buffer.readuntil(separator, limit)
            except BufferLimitError:
                raise ValueError("Chunk too big") from None
            if data is not None:
                self._after_read()
                return data
            if self._eof:
                data = buffer.read_all()
                self._after_read()
                return data
            await self._wait("readuntil")
            if self._exception is not None:
                raise self._exception

    def read_nowait(self, n: int = -1) -> bytes:
        if self._exception is not None:
            raise self._exception
        if self._deadline is not None:
            self._check_deadline()
        if self._waiter is not None and not self._waiter.done():
            raise RuntimeError("Called while some coroutine is waiting for incoming data.")
        data = self._buffer.read_all() if n < 0 else self._buffer.read(n)
        self._after_read()
        return data

    # -- iteration ----------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Iter(self.readline)

    def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Chunks of at most ``n`` bytes until EOF."""
        return _Iter(lambda: self.read(n))

    def iter_any(self) -> AsyncIterator[bytes]:
        """Whatever is buffered, as it arrives, until EOF."""
        return _Iter(self.readany)

    def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        """``(data, end_of_http_chunk)`` pairs until EOF."""
        return _ChunkIter(self.readchunk)


class _Iter(Generic[_T]):
    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], Awaitable[_T]]) -> None:
        self._read = read

    def __aiter__(self) -> _Iter[_T]:
        return self

    async def __anext__(self) -> _T:
        data = await self._read()
        if not data:
            raise StopAsyncIteration
        return data


class _ChunkIter(_Iter[tuple[bytes, bool]]):
    __slots__ = ()

    async def __anext__(self) -> tuple[bytes, bool]:
        item = await self._read()
        if not item[0] and not item[1]:  # (b"", True) is a boundary, not the end
            raise StopAsyncIteration
        return item


class EmptyStreamReader(StreamReader):
    """A stream that is at EOF from the start (bodiless responses)."""

    __slots__ = ()

    def __init__(self) -> None:
        self._loop = None  # type: ignore[assignment]
        self._protocol = None
        self._buffer = Buffer()
        self._eof = True
        self._exception = None
        self._waiter = None
        self._eof_waiter = None
        self._eof_callbacks = None
        self._low_water = self._high_water = DEFAULT_LIMIT
        self._paused = False
        self._eof_only = False
        self._deadline = None
        self._size_hint = 0
        self._splits = None
        self._split_head = 0
        self._raw_bytes = -1

    def feed_data(self, data: bytes) -> None:
        if data:
            raise RuntimeError("EmptyStreamReader takes no data")

    def feed_eof(self) -> None:
        pass

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        pass

    def on_eof(self, callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:
            internal_logger.exception("Exception in eof callback")

    async def read(self, n: int = -1) -> bytes:
        return b""

    async def readany(self) -> bytes:
        return b""

    async def readline(self) -> bytes:
        return b""

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        return b""

    async def readexactly(self, n: int) -> bytes:
        if n:
            raise asyncio.IncompleteReadError(b"", n)
        return b""

    def read_nowait(self, n: int = -1) -> bytes:
        return b""


EMPTY_PAYLOAD: Final = EmptyStreamReader()
