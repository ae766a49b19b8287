"""Write-side flow control shared by the connection protocols (HTTP and WebSocket).

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
from typing import Any

from .client_exceptions import ClientOSError

__all__ = ("FlowControlMixin",)


class FlowControlMixin:
    """``pause_writing`` / ``resume_writing`` / ``drain`` for an ``asyncio.Protocol``."""

    # What a writer sees when the connection is gone (the WebSocket protocol overrides it).
    _drain_error: type[Exception] = ClientOSError
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
