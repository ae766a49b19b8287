"""The small objects around a session request: context managers and deadline timers.

``_RequestContextManager`` makes ``session.get(url)`` both awaitable and usable with
``async with``; ``_SessionRequestContextManager`` does the same for the module-level
``request()`` and closes its throw-away session; ``_Deadlines`` coalesces the total
timeout of many requests onto one timer per deadline.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Coroutine, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .response import ClientResponse
from .timeouts import counts_cancels

if TYPE_CHECKING:
    from .path import RequestPath
    from .session import ClientSession

__all__ = ("_Deadlines", "_PathRequestContextManager", "_RequestContextManager", "_SessionRequestContextManager")

_RetType = TypeVar("_RetType")

_HAS_UNCANCEL = sys.version_info >= (3, 11)


class _Deadlines:
    """Total-timeout bookkeeping: one timer per distinct deadline, shared by requests.

    Deadlines above ``ceil_threshold`` are whole seconds of loop time, so at any rate
    of requests there is at most one timer per second instead of one per request.
    When a deadline passes, every task still registered under it is cancelled and
    remembered as "fired" so the request can turn its CancelledError into
    TimeoutError (a cancellation from elsewhere stays a cancellation).
    """

    __slots__ = ("_loop", "_buckets", "_handles", "_fired")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._buckets: dict[float, dict[asyncio.Task[Any], None]] = {}
        self._handles: dict[float, asyncio.TimerHandle] = {}
        self._fired: dict[asyncio.Task[Any], float] = {}

    def enter(self, when: float) -> tuple[asyncio.Task[Any], int]:
        """Register the current task under ``when``; returns it and its pending cancel count
        (for ``expired``)."""
        task = asyncio.current_task(self._loop)  # the loop given: no get_running_loop()
        if task is None:
            raise RuntimeError("a request with a timeout must run inside a task")
        cancelling: int = task.cancelling() if _HAS_UNCANCEL or counts_cancels(task) else 0  # type: ignore[attr-defined,unused-ignore]
        bucket = self._buckets.get(when)
        if bucket is not None:
            bucket[task] = None
        else:
            self.add(when, task)
        return task, cancelling

    def expired(self, when: float, task: asyncio.Task[Any], cancelling: int) -> bool:
        """Whether ``task``'s CancelledError is this deadline's (and no other cancel is pending)."""
        if not self.fired(when, task):
            return False
        return not (_HAS_UNCANCEL or counts_cancels(task)) or task.uncancel() <= cancelling  # type: ignore[attr-defined,unused-ignore,no-any-return]

    def add(self, when: float, task: asyncio.Task[Any]) -> None:
        bucket = self._buckets.get(when)
        if bucket is None:
            bucket = self._buckets[when] = {}
            self._handles[when] = self._loop.call_at(when, self._fire, when)
        bucket[task] = None

    def discard(self, when: float, task: asyncio.Task[Any]) -> None:
        bucket = self._buckets.get(when)
        if bucket is not None:
            bucket.pop(task, None)
        if self._fired:
            self._fired.pop(task, None)

    def fired(self, when: float, task: asyncio.Task[Any]) -> bool:
        return self._fired.pop(task, None) == when

    def _fire(self, when: float) -> None:
        self._handles.pop(when, None)
        bucket = self._buckets.pop(when, None)
        for task in bucket or ():
            if not task.done():
                self._fired[task] = when
                task.cancel()

    def close(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()
        self._buckets.clear()



class _Done:
    """An awaitable that is already finished (what a synchronous ``__aexit__`` returns)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return iter(())  # type: ignore[return-value]


_DONE = _Done()


class _BaseRequestContextManager(Generic[_RetType]):
    """``await session.get(url)`` and ``async with session.get(url) as resp`` alike."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[Any, Any, _RetType]) -> None:
        self._coro = coro

    def send(self, arg: None) -> Any:
        return self._coro.send(arg)

    def throw(self, *args: Any) -> Any:
        return self._coro.throw(*args)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, _RetType]:
        return self._coro.__await__()

    def __iter__(self) -> Generator[Any, None, _RetType]:
        return self.__await__()

    def __aenter__(self) -> Coroutine[Any, Any, _RetType]:
        return self._enter()

    async def _enter(self) -> _RetType:
        self._resp: _RetType = await self._coro
        return self._resp


class _RequestContextManager(_BaseRequestContextManager[ClientResponse]):
    __slots__ = ()

    def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Awaitable[None]:
        # A plain method returning an awaitable: no coroutine frame per request when
        # there is nothing to wait for.  Release rather than close: a fully read body
        # leaves a reusable connection.
        resp = self._resp
        resp.release()
        if getattr(resp, "_writer", None) is not None:  # a request body still going out
            return resp.wait_for_close()
        return _DONE


class _PathRequestContextManager(_RequestContextManager):
    """What the session's verbs return: the request path itself stores the response here
    (``RequestPath.run(…, sink=self)``), so entering is awaiting the path's coroutine —
    no coroutine frame of its own per request."""

    __slots__ = ()

    @classmethod
    def start(cls, path: RequestPath, method: str, url: Any, options: Mapping[str, Any]) -> _PathRequestContextManager:
        cm = cls.__new__(cls)
        cm._coro = path.run(method, url, options, cm)
        return cm

    def __aenter__(self) -> Coroutine[Any, Any, ClientResponse]:
        return self._coro


class _SessionRequestContextManager:
    """The module-level ``request()``: the session lives as long as the response."""

    __slots__ = ("_coro", "_resp", "_session")

    def __init__(self, coro: Coroutine[Any, Any, ClientResponse], session: ClientSession) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None
        self._session = session

    async def __aenter__(self) -> ClientResponse:
        try:
            self._resp = await self._coro
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(self, *exc: Any) -> None:
        assert self._resp is not None
        self._resp.close()
        await self._session.close()

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self.__aenter__().__await__()
