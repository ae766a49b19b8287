"""The byte buffer under StreamReader, pure-Python twin.

The session layer's StreamReader wraps a ``Buffer`` and adds asyncio waiters; the
connection feeds it body bytes (``feed``) or lets the loop read straight into it
(``get_write_buffer`` + ``commit``, the ``asyncio.BufferedProtocol`` dance).

How this works: the unread bytes live in one ``bytearray``.  Reading from the front is
``del buf[:n]``, which CPython implements by advancing the array's internal start
offset (the "read offset"); the array compacts itself lazily when the dead prefix
grows.  So this twin is "one contiguous storage with a read offset" without doing the
bookkeeping by hand.  Separator searches remember where they stopped (``_search_pos``),
so a line dripped one byte at a time is scanned once: O(n), never O(n**2).

Costs the compiled twin avoids: ``read_all`` must copy the array into a ``bytes``
(peak ~2x the data), ``reserve`` cannot pre-size a bytearray (it is a no-op here), and
the write window of ``get_write_buffer`` is a separate scratch array that ``commit``
copies from (one copy, the same as ``feed``).

Contract shared with the compiled twin (same results, same exception types):

* ``read(n)``: ``n < 0`` reads everything, ``0`` gives ``b""``.
* ``readexactly(n)``: ``None`` while fewer than ``n`` are buffered; ``n < 0`` is a
  ValueError.
* ``readuntil(sep, limit)``: the returned chunk (separator included) is at most
  ``limit`` bytes.  BufferLimitError when more than ``limit`` bytes are buffered
  without a separator ending inside the first ``limit`` bytes; the data stays buffered
  (the caller decides: read it, or drop the connection).
* ``get_write_buffer(sizehint)``: a writable memoryview of exactly ``sizehint`` bytes
  (64 KiB when ``sizehint <= 0``).  Write into it, then ``commit(n)`` as the very next
  call (0 <= n <= the view's length), else ValueError.  Commit only what was written:
  the window is not cleared (that would cost a memset per read), so bytes of it nobody
  wrote hold whatever was there before.  After ``commit`` or any other
  call the view is stale: writing into it never touches freed memory (in either twin),
  but what it does to buffered bytes is unspecified (the compiled twin's view points
  into its storage, this twin's into a scratch array).  asyncio's loops follow this:
  get_buffer -> recv_into -> buffer_updated, then the view is dropped.
"""

from __future__ import annotations

from .errors import BufferLimitError

#: Size of the write window when the caller gives no (positive) size hint.
DEFAULT_WRITE_SIZE = 65536
#: ``reserve`` never pre-sizes past this (a hostile Content-Length must not allocate).
RESERVE_LIMIT = 1 << 27
#: A write window's scratch array is kept for reuse up to this size.
_SCRATCH_KEEP = 1 << 18


def _limit_error(limit: int) -> BufferLimitError:
    return BufferLimitError(f"separator not found within {limit} bytes")


class Buffer:
    """Bytes in at the end, bytes out at the front; see the module docstring."""

    __slots__ = ("_buf", "_search_pos", "_search_sep", "_scratch", "_pending", "_total")

    def __init__(self, initial_capacity: int = 0) -> None:
        if initial_capacity < 0:
            raise ValueError("initial_capacity must be >= 0")
        self._buf = bytearray()  # the unread bytes, nothing else
        self._search_pos = 0  # no separator starts before this offset of _buf
        self._search_sep = b"\n"  # the separator _search_pos is valid for
        self._scratch: bytearray | None = None  # the write window's storage
        self._pending = 0  # size of the outstanding write window, 0 when none
        self._total = 0

    def __len__(self) -> int:
        return len(self._buf)

    def __repr__(self) -> str:
        return f"<Buffer {len(self._buf)} bytes buffered, {self._total} total>"

    @property
    def total_bytes(self) -> int:
        """Bytes ever fed or committed."""
        return self._total

    # -- in ------------------------------------------------------------------

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data`` (copied)."""
        self._pending = 0
        before = len(self._buf)
        self._buf += data
        self._total += len(self._buf) - before

    def reserve(self, total: int) -> None:
        """Hint that ``total`` more bytes will arrive; a bytearray cannot use it."""
        self._pending = 0
        if total < 0:
            raise ValueError("reserve() needs a size >= 0")

    def get_write_buffer(self, sizehint: int = -1) -> memoryview:
        """A writable window for the next bytes; ``commit`` says how many were written."""
        need = sizehint if sizehint > 0 else DEFAULT_WRITE_SIZE
        scratch = self._scratch
        if scratch is None or len(scratch) < need:
            # A new array, never a resize: an old view may still be exported.
            scratch = self._scratch = bytearray(need)
        self._pending = need
        view = memoryview(scratch)
        return view if len(scratch) == need else view[:need]

    def commit(self, nbytes: int) -> None:
        """``nbytes`` were written at the start of the last write window."""
        pending = self._pending
        self._pending = 0
        if nbytes < 0 or nbytes > pending:
            raise ValueError(
                f"commit({nbytes}) does not fit the outstanding write buffer ({pending} bytes)"
            )
        scratch = self._scratch
        if nbytes:
            assert scratch is not None
            with memoryview(scratch) as view:
                self._buf += view[:nbytes]
            self._total += nbytes
        if scratch is not None and len(scratch) > _SCRATCH_KEEP:
            self._scratch = None  # a one-off large window: do not hold on to it

    # -- out -----------------------------------------------------------------

    def _take(self, n: int) -> bytes:
        """Remove and return the first ``n`` (0 < n < len) bytes."""
        buf = self._buf
        out = bytes(buf[:n])
        del buf[:n]  # advances the array's start offset: no memmove
        pos = self._search_pos
        self._search_pos = pos - n if pos > n else 0
        return out

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all when ``n < 0``); ``b""`` when empty."""
        self._pending = 0
        if n < 0 or n >= len(self._buf):
            return self.read_all()
        if n == 0:
            return b""
        return self._take(n)

    def readexactly(self, n: int) -> bytes | None:
        """Exactly ``n`` bytes, or ``None`` while fewer are buffered."""
        self._pending = 0
        if n < 0:
            raise ValueError("readexactly() needs a size >= 0")
        size = len(self._buf)
        if n > size:
            return None
        if n == size:
            return self.read_all()
        if n == 0:
            return b""
        return self._take(n)

    def readuntil(self, separator: bytes = b"\n", limit: int = 65536) -> bytes | None:
        """Bytes through ``separator``; ``None`` while it is not buffered yet."""
        self._pending = 0
        if separator is not self._search_sep:  # the common case (same object) skips this
            self._use_separator(separator)
        if limit < 0:
            raise ValueError("limit must be >= 0")
        buf = self._buf
        size = len(buf)
        # The match must end inside the first `limit` bytes, so never look past them.
        stop = size if size < limit else limit
        start = self._search_pos
        index = buf.find(separator, start, stop)
        if index < 0:
            # A separator may straddle the end: the next search rescans its tail.
            resume = stop - len(separator) + 1
            if resume > start:
                self._search_pos = resume
            if size > limit:
                raise _limit_error(limit)
            return None
        end = index + len(separator)
        if end == size:
            return self.read_all()
        self._search_pos = 0
        out = bytes(buf[:end])
        del buf[:end]
        return out

    def _use_separator(self, separator: bytes) -> None:
        if not isinstance(separator, bytes):
            raise TypeError("separator must be bytes")
        if not separator:
            raise ValueError("separator must not be empty")
        if separator != self._search_sep:
            self._search_pos = 0  # the remembered position was for another separator
        self._search_sep = separator

    def readline(self, limit: int = 65536) -> bytes | None:
        """``readuntil(b"\\n", limit)``."""
        return self.readuntil(b"\n", limit)

    def read_all(self) -> bytes:
        """Everything buffered (one copy; the array's memory is released)."""
        self._pending = 0
        self._search_pos = 0
        buf = self._buf
        if not buf:
            return b""
        out = bytes(buf)
        self._buf = bytearray()
        return out

    def clear(self) -> None:
        """Drop everything buffered."""
        self._pending = 0
        self._search_pos = 0
        self._buf = bytearray()


__all__ = ("Buffer", "DEFAULT_WRITE_SIZE", "RESERVE_LIMIT")
