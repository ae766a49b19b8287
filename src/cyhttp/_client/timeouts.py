"""Client timeouts: the public ``ClientTimeout`` values and the deadline machinery.

How this works: a timeout is a value carried by the call (``ClientTimeout``), turned
into an absolute loop time once (``deadline()``), and enforced by ``timeout_at``, an
async context manager that cancels the current task when the loop clock passes that
time and converts the resulting ``CancelledError`` into the caller's exception.  A
``None`` deadline creates no timer handle at all, so the common "no timeout" path
costs one attribute test.  Long delays are rounded up to whole loop seconds (as
aiohttp does) so that many concurrent timers land on the same tick.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import sys
from types import TracebackType
from typing import Any, Callable, Final

__all__ = (
    "ClientTimeout",
    "ClientWSTimeout",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WS_CLIENT_TIMEOUT",
    "deadline",
    "timeout_at",
)


@dataclasses.dataclass(frozen=True, slots=True)
class ClientTimeout:
    """Timeouts of one request, in seconds; ``None`` (or 0) disables one.

    ``total`` covers the whole request including the body read, ``connect`` the
    pool wait plus connection set-up, ``sock_connect`` one connection attempt,
    ``sock_read`` the gap between two reads.  Delays above ``ceil_threshold`` are
    rounded up to a whole second of loop time.
    """

    total: float | None = None
    connect: float | None = None
    sock_read: float | None = None
    sock_connect: float | None = None
    ceil_threshold: float = 5


# aiohttp's defaults: five minutes for a whole request, 30 s per connection attempt.
DEFAULT_TIMEOUT: Final[ClientTimeout] = ClientTimeout(total=5 * 60, sock_connect=30)


@dataclasses.dataclass(frozen=True, slots=True)
class ClientWSTimeout:
    """WebSocket timeouts: ``ws_receive`` per ``receive()``, ``ws_close`` for the close handshake."""

    ws_receive: float | None = None
    ws_close: float | None = None


DEFAULT_WS_CLIENT_TIMEOUT: Final[ClientWSTimeout] = ClientWSTimeout(ws_receive=None, ws_close=10.0)


def deadline(
    loop: asyncio.AbstractEventLoop, delay: float | None, ceil_threshold: float = 5
) -> float | None:
    """Absolute loop time ``delay`` seconds from now, or ``None`` for no timeout.

    ``None`` and non-positive delays mean "no timeout", as in aiohttp.  A delay
    above ``ceil_threshold`` is rounded up to the next whole second so that
    timers coalesce; shorter delays stay exact.
    """
    if delay is None or delay <= 0:
        return None
    when = loop.time() + delay
    if delay > ceil_threshold:
        return math.ceil(when)
    return when


def earliest(a: float | None, b: float | None) -> float | None:
    """The earlier of two optional deadlines (``None`` = never)."""
    if a is None:
        return b
    if b is None or a <= b:
        return a
    return b


_HAS_UNCANCEL: Final = sys.version_info >= (3, 11)


def counts_cancels(task: asyncio.Task[Any]) -> bool:
    """Whether ``task`` counts cancellations (``cancelling`` / ``uncancel``): always from
    3.11; on 3.10 only tasks of a backported runner do (pytest-asyncio's, for one)."""
    return _HAS_UNCANCEL or hasattr(task, "uncancel")

_IDLE: Final = 0
_ARMED: Final = 1
_EXPIRED: Final = 2
_DONE: Final = 3


class timeout_at:  # noqa: N801 - named like asyncio.timeout_at
    """``async with timeout_at(loop, when, exc_factory):`` bounds the block by ``when``.

    ``when=None`` arms nothing.  On expiry the current task is cancelled; the
    ``CancelledError`` that leaves the block is replaced by ``exc_factory()``.  A
    cancellation that did not come from this timer (the caller's own
    ``task.cancel()``) propagates untouched, also when both race.
    """

    __slots__ = ("_loop", "_when", "_exc_factory", "_task", "_handle", "_state", "_cancelling")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        when: float | None,
        exc_factory: Callable[[], BaseException] = asyncio.TimeoutError,
    ) -> None:
        self._loop = loop
        self._when = when
        self._exc_factory = exc_factory
        self._task: asyncio.Task[object] | None = None
        self._handle: asyncio.Handle | None = None
        self._state = _IDLE
        self._cancelling = 0

    @property
    def when(self) -> float | None:
        """The absolute loop time this block ends at (``None`` = never)."""
        return self._when

    @property
    def expired(self) -> bool:
        """True once the timer fired (the block was or is being cancelled by it)."""
        return self._state == _EXPIRED

    def reschedule(self, when: float | None) -> None:
        """Move the deadline (``None`` removes it); only valid inside the block."""
        if self._state != _ARMED:
            raise RuntimeError("reschedule() outside an active timeout block")
        if self._task is None and when is not None:
            # Entered without a deadline: bind to the task now.
            self._bind()
        self._when = when
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._arm()

    def _arm(self) -> None:
        when = self._when
        if when is None:
            return
        if when <= self._loop.time():
            self._handle = self._loop.call_soon(self._on_timeout)
        else:
            self._handle = self._loop.call_at(when, self._on_timeout)

    async def __aenter__(self) -> timeout_at:
        if self._state != _IDLE:
            raise RuntimeError("timeout_at is not reusable")
        self._state = _ARMED
        if self._when is not None:
            # No deadline → no task lookup and no timer: the cheap common path.
            self._bind()
            self._arm()
        return self

    def _bind(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("timeout_at must be used inside a task")
        self._task = task
        if counts_cancels(task):
            self._cancelling = task.cancelling()  # type: ignore[attr-defined,unused-ignore]

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state == _EXPIRED:
            # Stays _EXPIRED so `.expired` still answers after the block.
            task = self._task
            assert task is not None
            if counts_cancels(task):
                # Only convert when no other cancel() is pending on the task.
                if task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:  # type: ignore[attr-defined,unused-ignore]
                    raise self._exc_factory() from exc
            elif exc_type is asyncio.CancelledError:
                raise self._exc_factory() from exc
            return None
        self._state = _DONE
        return None

    def _on_timeout(self) -> None:
        self._handle = None
        if self._state != _ARMED:
            return
        assert self._task is not None
        self._task.cancel()
        self._state = _EXPIRED
