"""``Connection``: one pooled connection lent to a request, plus small pool helpers.

How this works: a ``Connection`` only carries (connector, key, protocol); giving it
back (``release()`` / ``close()``) hands the protocol to the connector's
``_release``, which decides between the idle pool and closing.  Forgetting to give it
back is reported (ResourceWarning + the loop's exception handler) and the slot freed.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import traceback
import warnings
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, Final, Literal

from ..protocol_buffered import protocol_class

if TYPE_CHECKING:
    from ..reqinfo import ConnectionKey
    from .pool import BaseConnector

__all__ = ("Connection",)

_SENTINEL: Final[Any] = type("_SentinelType", (), {"__repr__": lambda self: "<sentinel>"})()

Protocol = Any  # SR's ResponseHandler: is_connected(), should_close, close(), transport, closed


def _protocol_factory(loop: asyncio.AbstractEventLoop) -> Callable[[], Protocol]:
    """``ResponseHandler(loop)`` maker (buffered reads on asyncio's own loops)."""
    return functools.partial(protocol_class(loop), loop)


class Connection:
    """A connection lent to one request; give it back with ``release()`` or ``close()``."""

    __slots__ = ("_key", "_connector", "_loop", "_protocol", "_callbacks", "reused", "_source_traceback")

    def __init__(
        self,
        connector: BaseConnector,
        key: ConnectionKey,
        protocol: Protocol,
        loop: asyncio.AbstractEventLoop,
        reused: bool = False,
    ) -> None:
        self._key = key
        self._connector = connector
        self._loop = loop
        self._protocol: Protocol | None = protocol
        self._callbacks: list[Callable[[], None]] | None = None  # allocated on first add_callback
        self.reused = reused  # taken from the idle pool: the server may have closed it meanwhile
        self._source_traceback = traceback.extract_stack(sys._getframe(1)) if loop.get_debug() else None

    def __repr__(self) -> str:
        return f"Connection<{self._key}>"

    def __del__(self, _warnings: Any = warnings) -> None:
        if self._protocol is None:
            return
        _warnings.warn(f"Unclosed connection {self!r}", ResourceWarning, source=self)
        if self._loop.is_closed():
            return
        self._connector._release(self._key, self._protocol, should_close=True)
        context: dict[str, Any] = {"client_connection": self, "message": "Unclosed connection"}
        if self._source_traceback is not None:
            context["source_traceback"] = self._source_traceback
        self._loop.call_exception_handler(context)

    def __bool__(self) -> Literal[True]:
        return True

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        warnings.warn("connector.loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._loop

    @property
    def transport(self) -> asyncio.Transport | None:
        return None if self._protocol is None else self._protocol.transport

    @property
    def protocol(self) -> Protocol | None:
        return self._protocol

    def add_callback(self, callback: Callable[[], None]) -> None:
        if callback is not None:
            if self._callbacks is None:
                self._callbacks = []
            self._callbacks.append(callback)

    def _notify_release(self) -> None:
        callbacks = self._callbacks
        if not callbacks:
            return
        self._callbacks = None
        for cb in callbacks:
            try:
                cb()
            except Exception:  # a failing callback must not keep the slot
                pass

    def close(self) -> None:
        """Close the connection and free its slot."""
        self._notify_release()
        if self._protocol is not None:
            self._connector._release(self._key, self._protocol, should_close=True)
            self._protocol = None

    def release(self) -> None:
        """Return the connection to the pool (closed instead if it cannot be reused)."""
        if self._callbacks:
            self._notify_release()
        if self._protocol is not None:
            self._connector._release(self._key, self._protocol)
            self._protocol = None

    @property
    def closed(self) -> bool:
        return self._protocol is None or not self._protocol.is_connected()


class _Placeholder:
    """Holds a slot while a new connection is being opened."""

    __slots__ = ()
    transport = None
    closed = None

    def close(self) -> None:
        pass


class _CloseWaiter:
    """What ``close()`` returns: the closing already happened; awaiting waits for the transports."""

    __slots__ = ("_waiters", "_awaited")

    def __init__(self, waiters: list[Awaitable[object]]) -> None:
        self._waiters = waiters
        self._awaited = False

    def __await__(self) -> Generator[Any, None, None]:
        self._awaited = True
        return _wait_all(self._waiters).__await__()

    def __del__(self) -> None:
        if not self._awaited:
            warnings.warn(
                "Connector.close() is a coroutine, please use await connector.close()", DeprecationWarning
            )


async def _wait_all(waiters: list[Awaitable[object]]) -> None:
    if waiters:
        await asyncio.gather(*waiters, return_exceptions=True)
