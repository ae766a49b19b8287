"""I/O helpers shared by the connection protocols (HTTP and WebSocket).

``FlowControlMixin`` is write-side flow control; ``BufferedReadMixin`` is how they read on
asyncio's own loops.

How this works: asyncio calls ``pause_writing()`` when the transport's write buffer
passes its high-water mark and ``resume_writing()`` once it drained below low water.
``drain()`` returns at once while writing is not paused (the common case: no future,
no await); otherwise every writer waits on ONE shared future, shielded so that a
cancelled writer does not cancel it for the others.  ``connection_lost`` calls
``_wake_drain(exc)``: waiting writers then get ``_drain_error`` instead of hanging.

The mixin keeps no ``__init__``: its two fields have class-level defaults, so a
protocol only has to list it first among its bases and have ``transport`` and ``_loop``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from .errors import ConnectionLostError

__all__ = ("FlowControlMixin", "BufferedReadMixin", "READ_SIZE", "reads_buffered", "set_reading")

# Per recv_into: big enough that a 64 KiB body arrives with its head in one read, small
# enough that the copy of what arrived stays under glibc's 128 KiB mmap threshold.
READ_SIZE = (1 << 17) - 256


class FlowControlMixin:
    """``pause_writing`` / ``resume_writing`` / ``drain`` for an ``asyncio.Protocol``."""

    # What a writer sees when the connection is gone (the WebSocket protocol overrides it).
    _drain_error: type[Exception] = ConnectionLostError
    _writing_paused: bool = False
    _drain_waiter: asyncio.Future[None] | None = None
    transport: Any
    _loop: asyncio.AbstractEventLoop

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake_drain(None)

    async def drain(self) -> None:
        """Wait until the transport's write buffer drained below its low-water mark."""
        if self.transport is None:
            raise self._drain_error("Connection lost")
        if not self._writing_paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        await asyncio.shield(waiter)

    def _wake_drain(self, exc: BaseException | None) -> None:
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                if exc is None and self.transport is not None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(self._drain_error("Connection lost"))
                    waiter.exception()  # a writer may not be waiting: mark retrieved


class _ReadBuffer(threading.local):
    """One receive buffer per thread, shared by every connection of the thread's loop:
    the loop calls ``get_buffer`` → ``recv_into`` → ``buffer_updated`` back to back."""

    def __init__(self) -> None:
        self.view = memoryview(bytearray(READ_SIZE))


_read_buffer = _ReadBuffer()


class BufferedReadMixin:
    """``get_buffer`` / ``buffer_updated`` feeding the protocol's own ``data_received``.

    Why: with plain ``data_received`` asyncio allocates a fresh 256 KiB bytes per
    ``recv`` and shrinks it to the few bytes that came; glibc serves that from a new
    mmap every time (mmap + mremap + munmap: the shrink means the free never raises
    glibc's dynamic mmap threshold), ~15 µs per small message on Linux.  Reading into
    one reused buffer and copying out exactly what arrived costs a memcpy instead.
    uvloop already reads into its own buffer, so it keeps plain protocols
    (``reads_buffered``).  List it before ``asyncio.BufferedProtocol`` in the bases.
    """

    def get_buffer(self, sizehint: int) -> memoryview:
        return _read_buffer.view

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(_read_buffer.view[:nbytes].tobytes())  # type: ignore[attr-defined]


def reads_buffered(loop: asyncio.AbstractEventLoop) -> bool:
    """True for asyncio's own loops, where ``BufferedReadMixin`` pays off."""
    return isinstance(loop, asyncio.BaseEventLoop)


def set_reading(transport: Any, reading: bool) -> None:
    """Pause or resume ``transport``'s reads; a gone or read-less transport is no error."""
    if transport is None:
        return
    try:
        if reading:
            transport.resume_reading()
        else:
            transport.pause_reading()
    except (AttributeError, NotImplementedError, RuntimeError):
        pass  # closing, or a transport without read flow control (e.g. some SSL/pipe ones)
