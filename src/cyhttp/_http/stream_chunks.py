"""HTTP chunk boundaries on a StreamReader, for aiohttp's ``readchunk`` / ``iter_chunks``.

How this works: the protocol hands over where chunks ended, as ``total_bytes`` offsets
packed in an ``array("q")`` (``_splits``; None for bodies that are not chunked, so they
pay nothing).  ``readchunk`` reads up to the next one; consumed offsets are dropped
lazily (``_split_head``), compacted only past a bound.  The reader's own state
(``_buffer``, ``_wake``, flow control) is StreamReader's; this mixin owns no slots.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import Protocol

from .._core.buffer import Buffer

__all__ = ("HttpChunkSplits", "ReadFlow")


class ReadFlow(Protocol):
    """What a StreamReader asks of its producer (the connection's protocol)."""

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


class _ReaderState(Protocol):
    """The StreamReader state the mixin's methods use (their ``self`` type)."""

    _buffer: Buffer
    _splits: array[int] | None
    _split_head: int
    _eof: bool
    _eof_only: bool
    _exception: BaseException | None
    _low_water: int
    _paused: bool
    _protocol: ReadFlow | None
    _deadline: float | None

    def _check_deadline(self) -> None: ...

    def _wake(self) -> None: ...

    async def _wait(self, func_name: str) -> None: ...

    def _after_read(self) -> None: ...

    def _cursor(self) -> int: ...

    def _splits_added(self, splits: array[int]) -> None: ...


class HttpChunkSplits:
    """Mixed into StreamReader (which declares ``_splits`` and ``_split_head``)."""

    __slots__ = ()
    # The mixin's own state; its slots are StreamReader's.
    _splits: array[int] | None
    _split_head: int

    def begin_http_chunk_receiving(self: _ReaderState) -> None:
        """The body is chunked: keep its chunk boundaries from now on (aiohttp's name)."""
        if self._splits is None:
            self._splits = array("q")

    def end_http_chunk_receiving(self: _ReaderState) -> None:
        """A chunk ended at the current end of the stream (aiohttp's name and rule: not
        recorded when it is where the last boundary still unread is, or 0 if none is).
        A no-op for a stream that is not receiving chunks."""
        splits = self._splits
        if splits is None:
            return
        total = self._buffer.total_bytes
        last = 0
        if len(splits) > self._split_head and splits[-1] >= self._cursor():
            last = splits[-1]
        if total != last:
            splits.append(total)
            self._splits_added(splits)

    def feed_chunk_ends(self: _ReaderState, ends: bytes) -> None:
        """Chunk boundaries as packed ``total_bytes`` offsets (``ChunkEnds.ends``), rising."""
        splits = self._splits
        if splits is None:
            splits = self._splits = array("q")
        splits.frombytes(ends)
        self._splits_added(splits)

    def _splits_added(self: _ReaderState, splits: array[int]) -> None:
        if self._eof_only:
            # read() to EOF will consume every byte: only the last boundary can still be
            # reported (as (b"", True) after it), as aiohttp drops the ones reads passed.
            del splits[:-1]
            self._split_head = 0
            return
        high = max(4, self._low_water // 16)
        if len(splits) > high:
            # Drop what reads went past; too many boundaries still unread pause reading
            # (as aiohttp does); any reader that must wait resumes it (see _wait).
            head = bisect_left(splits, self._cursor(), self._split_head)
            del splits[:head]
            self._split_head = 0
            if len(splits) > high and not self._paused and self._protocol is not None:
                self._paused = True
                self._protocol.pause_reading()
        self._wake()  # a reader parked in readchunk returns (b"", True) at a boundary

    def _cursor(self: _ReaderState) -> int:
        """How many bytes were read out so far (``total_bytes`` coordinates)."""
        buffer = self._buffer
        return buffer.total_bytes - len(buffer)

    async def readchunk(self: _ReaderState) -> tuple[bytes, bool]:
        """``(data, end_of_http_chunk)``: for a chunked body, the bytes up to the next HTTP
        chunk end and True when they reach it (``(b"", True)`` when reads already did);
        else what is buffered and False.  ``(b"", False)`` at EOF."""
        buffer = self._buffer
        while True:
            if self._exception is not None:
                raise self._exception
            if self._deadline is not None:
                self._check_deadline()
            splits = self._splits
            if splits is not None:
                cursor = buffer.total_bytes - len(buffer)
                head = self._split_head
                count = len(splits)
                while head < count:
                    pos = splits[head]
                    if pos > buffer.total_bytes:
                        break  # not arrived yet (never the case once a feed is processed)
                    head += 1
                    if pos >= cursor:
                        self._split_head = head
                        data = buffer.read(pos - cursor) if pos > cursor else b""
                        self._after_read()
                        return (data, True)
                self._split_head = head
            if len(buffer):
                data = buffer.read_all()
                self._after_read()
                return (data, False)
            if self._eof:
                return (b"", False)
            await self._wait("readchunk")
