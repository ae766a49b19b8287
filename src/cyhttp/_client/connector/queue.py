"""The pool's queue: requests waiting for a slot, each on a plain future, first come first served.

How this works: ``_turn(key)`` queues a future in ``_waiters[key]`` when no slot is free; a
release hands the first live one what it waits for — the released connection itself (it
stays acquired, now the waiter's: ``BaseConnector._release``) or, when a slot came free any
other way, a slot reserved for the first waiter (round-robin over keys) whose key has room,
with an idle connection of that key or a placeholder (``_release_waiter``).  A woken waiter
never competes for what it was handed; one that fails after the hand-over (cancelled, timed
out) passes it on in ``_end_turn``, so a slot is never lost.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from .connection import Protocol, _Placeholder

if TYPE_CHECKING:
    from ..reqinfo import ConnectionKey

__all__ = ("WaitQueue",)


class WaitQueue:
    """Mixed into ``BaseConnector``, which provides the pool these methods hand out from."""

    __slots__ = ()
    _loop: asyncio.AbstractEventLoop
    _waiters: dict[ConnectionKey, OrderedDict[asyncio.Future[Protocol], None]]

    if TYPE_CHECKING:  # BaseConnector's
        def _available_connections(self, key: ConnectionKey) -> int: ...
        def _take_idle(self, key: ConnectionKey) -> Protocol | None: ...
        def _acquire(self, key: ConnectionKey, proto: Protocol) -> None: ...
        def _release_acquired(self, key: ConnectionKey, proto: Protocol) -> None: ...
        def _release(self, key: ConnectionKey, protocol: Protocol, *, should_close: bool = False) -> None: ...

    def _turn(self, key: ConnectionKey) -> asyncio.Future[Protocol] | None:
        """A place in ``key``'s queue when no slot is free (None: one is free now).

        The future resolves to what a release hands the request: a live connection
        (still acquired: now it is this request's) or a slot reserved for it (a
        placeholder, acquired).  Whoever awaits it calls ``_end_turn`` afterwards."""
        if self._available_connections(key) > 0:
            return None
        fut: asyncio.Future[Protocol] = self._loop.create_future()
        queue = self._waiters.get(key)
        if queue is None:
            queue = self._waiters[key] = OrderedDict()
        queue[fut] = None
        return fut

    def _end_turn(self, key: ConnectionKey, fut: asyncio.Future[Protocol], failed: bool) -> None:
        """Out of the queue; a waiter that ``failed`` (cancelled, timed out) after it was
        handed a connection or a slot passes it on, so a slot is never lost."""
        if failed and fut.done() and not fut.cancelled():
            self._give_back(key, fut.result())
        queue = self._waiters.get(key)
        if queue is not None:
            queue.pop(fut, None)
            if not queue:
                del self._waiters[key]

    def _give_back(self, key: ConnectionKey, slot: Protocol) -> None:
        """What a cancelled waiter was handed (a connection or a reserved slot), to the next."""
        if type(slot) is _Placeholder:
            self._release_acquired(key, slot)
        else:
            self._release(key, slot)

    def _release_waiter(self) -> None:
        """A slot came free: reserve it for the first waiter, round-robin over keys, whose
        key has room — with an idle connection of that key when there is one."""
        waiters = self._waiters
        if not waiters:
            return
        for key in list(waiters):
            if self._available_connections(key) < 1:
                continue
            queue = waiters[key]
            while queue:
                fut, _ = queue.popitem(last=False)
                if not fut.done():
                    slot = self._take_idle(key)  # acquired for the waiter
                    if slot is None:
                        slot = _Placeholder()
                        self._acquire(key, slot)
                    fut.set_result(slot)
                    # Rotate: the next free slot starts with another host's queue.
                    waiters[key] = waiters.pop(key)
                    return
            del waiters[key]
