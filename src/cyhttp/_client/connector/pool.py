"""The connection pool: ``BaseConnector`` (``Connection`` lives in ``connector_conn.py``).

How this works: a connection is either *acquired* (lent to a request; counted in
``_acquired`` and, with ``limit_per_host``, in ``_acquired_per_host``) or *idle* (parked
in ``_conns[key]``, a deque of ``(protocol, released_at)``).  ``connect()`` first takes
an idle connection (oldest released first, as aiohttp 3.14 does), else reserves a slot
with a placeholder and asks the subclass to ``_create_connection()``.  When no slot is
free the caller queues a plain future (``queue.WaitQueue``, FIFO per key) and is handed
what it waits for: a released reusable connection goes straight to the next request
queued for its key (it stays acquired; no parking, no re-checking), and a slot freed any
other way is reserved for the first waiter whose key has room.  One timer for the whole
pool closes idle connections older than ``keepalive_timeout``.
"""

from __future__ import annotations

import asyncio
import math
import sys
import traceback
import warnings
import weakref
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from ..exceptions import ClientConnectionError, ConnectionTimeoutError
from ..timeouts import ClientTimeout, deadline, timeout_at
from .connection import (
    _SENTINEL,
    Connection,
    Protocol,
    _CloseWaiter,
    _Placeholder,
    _protocol_factory,
)
from .proxy import forward_headers, single_use
from .queue import WaitQueue

if TYPE_CHECKING:
    from ..reqinfo import ConnectionKey

__all__ = ("BaseConnector", "Connection")

HIGH_LEVEL_SCHEMA_SET: Final = frozenset({"", "http", "https", "ws", "wss"})

# Python versions whose SSL transports can linger after close() (cpython#118960).
NEEDS_CLEANUP_CLOSED: Final = (3, 13, 0) <= sys.version_info < (3, 13, 1) or sys.version_info < (3, 12, 8)
_CLEANUP_CLOSED_PERIOD: Final = 2.0
_EARLY: Final = 0.005


def _weak_call(ref: weakref.ref[BaseConnector], name: str) -> None:
    # Timers hold the connector weakly so a forgotten connector can still be collected.
    obj = ref()
    if obj is not None:
        getattr(obj, name)()


class BaseConnector(WaitQueue):
    """Pools connections per ``ConnectionKey``; subclasses open them (``_create_connection``)."""

    _closed = True  # __del__ must work even when __init__ failed
    _factory_cache: Callable[[], Protocol] | None = None
    _source_traceback: Any = None
    allowed_protocol_schema_set: frozenset[str] = HIGH_LEVEL_SCHEMA_SET

    def __init__(
        self,
        *,
        keepalive_timeout: object = _SENTINEL,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout_ceil_threshold: float = 5,
    ) -> None:
        if force_close:
            if keepalive_timeout is not None and keepalive_timeout is not _SENTINEL:
                raise ValueError("keepalive_timeout cannot be set if force_close is True")
            keepalive_timeout = None
        elif keepalive_timeout is _SENTINEL:
            keepalive_timeout = 15.0
        self._loop = loop = loop or asyncio.get_running_loop()
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(1))
        self._keepalive_timeout: float | None = keepalive_timeout  # type: ignore[assignment]
        self._force_close = force_close
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._conns: dict[ConnectionKey, deque[tuple[Protocol, float]]] = {}
        self._acquired: set[Protocol] = set()
        self._acquired_per_host: dict[ConnectionKey, set[Protocol]] = {}
        self._waiters: dict[ConnectionKey, OrderedDict[asyncio.Future[Protocol], None]] = {}
        self._cleanup_handle: asyncio.TimerHandle | None = None
        if enable_cleanup_closed and not NEEDS_CLEANUP_CLOSED:
            warnings.warn(
                "enable_cleanup_closed ignored because https://github.com/python/cpython/pull/118960 "
                f"is fixed in Python version {sys.version_info}",
                DeprecationWarning,
                stacklevel=2,
            )
            enable_cleanup_closed = False
        self._cleanup_closed_disabled = not enable_cleanup_closed
        self._cleanup_closed_transports: list[asyncio.Transport | None] = []
        self._cleanup_closed_handle: asyncio.TimerHandle | None = None
        self._closed = False
        # Whether connect() is ours: only then may the session take connect_idle()'s shortcut.
        self._plain_connect = type(self).connect is BaseConnector.connect
        if enable_cleanup_closed:
            self._cleanup_closed()

    @property
    def _factory(self) -> Callable[[], Protocol]:
        """Makes the protocol of a new connection (resolved on first use: no import cycle)."""
        factory = self._factory_cache
        if factory is None:
            factory = self._factory_cache = _protocol_factory(self._loop)
        return factory

    @_factory.setter
    def _factory(self, factory: Callable[[], Protocol]) -> None:
        self._factory_cache = factory

    # -- lifecycle ---------------------------------------------------------------------

    def __del__(self, _warnings: Any = warnings) -> None:
        if self._closed or not self._conns:
            return
        conns = [repr(c) for c in self._conns.values()]
        self._close()
        _warnings.warn(f"Unclosed connector {self!r}", ResourceWarning, source=self)
        context: dict[str, Any] = {"connector": self, "connections": conns, "message": "Unclosed connector"}
        if self._source_traceback is not None:
            context["source_traceback"] = self._source_traceback
        self._loop.call_exception_handler(context)

    def __enter__(self) -> BaseConnector:
        warnings.warn(
            '"with Connector():" is deprecated, use "async with Connector():" instead', DeprecationWarning
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    async def __aenter__(self) -> BaseConnector:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        exc_traceback: TracebackType | None = None,
    ) -> None:
        await self.close()

    @property
    def force_close(self) -> bool:
        """Close every connection after its response instead of keeping it alive."""
        return self._force_close

    @property
    def limit(self) -> int:
        """Total simultaneous connections (0 = unlimited)."""
        return self._limit

    @property
    def limit_per_host(self) -> int:
        """Simultaneous connections per (host, port, is_ssl) endpoint (0 = unlimited)."""
        return self._limit_per_host

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, *, abort_ssl: bool = False) -> Awaitable[None]:
        """Close every connection now; awaiting the result waits until their transports are gone.

        Idempotent.  ``abort_ssl`` aborts TLS transports instead of a graceful shutdown.
        """
        return _CloseWaiter(self._close(abort_ssl=abort_ssl))

    def _close(self, *, abort_ssl: bool = False) -> list[Awaitable[object]]:
        waiters: list[Awaitable[object]] = []
        if self._closed:
            return waiters
        self._closed = True
        try:
            if self._loop.is_closed():
                return waiters
            for handle in (self._cleanup_handle, self._cleanup_closed_handle):
                if handle is not None:
                    handle.cancel()
            protos = [p for conns in self._conns.values() for p, _ in conns]
            protos.extend(self._acquired)
            for proto in protos:
                transport = proto.transport
                if abort_ssl and transport is not None and transport.get_extra_info("sslcontext") is not None:
                    transport.abort()
                else:
                    proto.close()
                closed = proto.closed
                if closed is not None and not closed.done():
                    waiters.append(closed)
            for transport in self._cleanup_closed_transports:
                if transport is not None:
                    transport.abort()
            return waiters
        finally:
            self._conns.clear()
            self._acquired.clear()
            self._acquired_per_host.clear()
            for queue in self._waiters.values():
                for fut in queue:
                    fut.cancel()
            self._waiters.clear()
            self._cleanup_handle = None
            self._cleanup_closed_handle = None
            self._cleanup_closed_transports.clear()

    # -- acquiring ---------------------------------------------------------------------

    def _available_connections(self, key: ConnectionKey) -> int:
        """Free slots for ``key`` (< 1 means none), honouring ``limit`` and ``limit_per_host``."""
        total = 1
        if self._limit:
            total = self._limit - len(self._acquired)
            if total <= 0:
                return total
        if self._limit_per_host:
            host = self._limit_per_host
            acquired = self._acquired_per_host.get(key)
            if acquired:
                host -= len(acquired)
            if host < total:
                return host
        return total

    def _acquire(self, key: ConnectionKey, proto: Protocol) -> None:
        self._acquired.add(proto)
        if self._limit_per_host:
            per_host = self._acquired_per_host.get(key)
            if per_host is None:
                per_host = self._acquired_per_host[key] = set()
            per_host.add(proto)

    async def connect(self, req: Any, traces: list[Any], timeout: ClientTimeout) -> Connection:
        """A connection for ``req``: an idle one for its key, or a new one (waiting for a slot)."""
        if self._closed:
            raise ClientConnectionError("Connector is closed.")
        key = req.connection_key
        if req.proxy is not None and not req.is_ssl():
            # Forwarded through a proxy: its headers go on every request, reused connection or not.
            forward_headers(req)
        proto = self._take_idle(key)
        if proto is not None:
            # Fast path: no timer, no await (unless tracing).
            if traces:
                await self._trace_reuse(key, proto, traces)
            return Connection(self, key, proto, self._loop, True)
        return await self._within_connect_timeout(self._acquire_new(req, key, traces, timeout, None), req, timeout)

    async def connect_reserved(self, req: Any, slot: Protocol, timeout: ClientTimeout) -> Connection:
        """A new connection for ``req`` in ``slot``, a slot the pool reserved for it (see ``_turn``)."""
        key = req.connection_key
        return await self._within_connect_timeout(self._acquire_new(req, key, [], timeout, slot), req, timeout)

    async def _within_connect_timeout(self, coro: Coroutine[Any, Any, Connection], req: Any,
                                      timeout: ClientTimeout) -> Connection:
        when = deadline(self._loop, timeout.connect, timeout.ceil_threshold)
        try:
            if when is None:  # no timer to arm (the default): no timeout block either
                return await coro
            async with timeout_at(self._loop, when):
                return await coro
        except asyncio.TimeoutError as exc:
            if isinstance(exc, ConnectionTimeoutError):
                raise
            raise ConnectionTimeoutError(f"Connection timeout to host {req.url}") from exc

    async def _acquire_new(self, req: Any, key: ConnectionKey, traces: list[Any], timeout: ClientTimeout,
                           slot: Protocol | None) -> Connection:
        """Queue for a slot (unless given one) when none is free, then open a connection in it.

        A queued request waits on a plain future, first come first served per key, and
        never competes for what it was handed (see ``_turn``)."""
        if slot is None:
            fut = self._turn(key)
            if fut is None:
                slot = _Placeholder()
                self._acquire(key, slot)
            else:
                try:
                    if traces:
                        for trace in traces:
                            await trace.send_connection_queued_start()
                    slot = await fut
                    if traces:
                        for trace in traces:
                            await trace.send_connection_queued_end()
                except BaseException:
                    self._end_turn(key, fut, True)
                    raise
                self._end_turn(key, fut, False)
                if type(slot) is not _Placeholder:  # a live connection, handed over
                    if traces:
                        await self._trace_reuse(key, slot, traces)
                    return Connection(self, key, slot, self._loop, True)
        try:
            if traces:
                for trace in traces:
                    await trace.send_connection_create_start()
            proto = await self._create_connection(req, traces, timeout)
            if traces:
                for trace in traces:
                    await trace.send_connection_create_end()
        except BaseException:
            self._release_acquired(key, slot)
            raise
        if self._closed:
            proto.close()
            raise ClientConnectionError("Connector is closed.")
        # Swap placeholder for the real protocol with no await in between, so a
        # cancellation can never leave either of them counted.
        self._acquired.discard(slot)
        if self._limit_per_host:
            self._acquired_per_host[key].discard(slot)
        self._acquire(key, proto)
        return Connection(self, key, proto, self._loop)

    def connect_idle(self, req: Any) -> Connection | None:
        """``connect()``'s fast path without a coroutine: an idle pooled connection or None.

        For the session when nothing is traced and ``connect`` is not overridden; None
        (closed connector, proxy, nothing idle) means "await ``connect()``", which then
        does everything, errors included.
        """
        if self._closed or req.proxy is not None:
            return None
        key = req.connection_key
        proto = self._take_idle(key)
        if proto is None:
            return None
        return Connection(self, key, proto, self._loop, True)

    async def _trace_reuse(self, key: ConnectionKey, proto: Protocol, traces: list[Any]) -> None:
        try:
            for trace in traces:
                await trace.send_connection_reuseconn()
        except BaseException:
            self._release(key, proto)
            raise

    def _take_idle(self, key: ConnectionKey) -> Protocol | None:
        """Pop a live idle connection for ``key`` (marking it acquired); close dead/expired ones."""
        conns = self._conns.get(key)
        if conns is None:
            return None
        if (self._limit or self._limit_per_host) and self._available_connections(key) <= 0:
            # Idle connections do not count as acquired; a full pool must still wait.
            return None
        keepalive = self._keepalive_timeout
        now = self._loop.time()
        while conns:
            proto, released_at = conns.popleft()
            if proto.is_connected() and (keepalive is None or now - released_at <= keepalive):
                if not conns:
                    del self._conns[key]
                self._acquire(key, proto)
                return proto
            self._discard(key, proto)
        del self._conns[key]
        return None

    # -- releasing ---------------------------------------------------------------------

    def _release_acquired(self, key: ConnectionKey, proto: Protocol) -> None:
        if self._closed:
            return  # close() already forgot every connection
        self._acquired.discard(proto)
        if self._limit_per_host:
            per_host = self._acquired_per_host.get(key)
            if per_host is not None:
                per_host.discard(proto)
                if not per_host:
                    del self._acquired_per_host[key]
        self._release_waiter()

    def _release(self, key: ConnectionKey, protocol: Protocol, *, should_close: bool = False) -> None:
        """Give a connection back: to the next request queued for its key, else park it
        idle, or close it if it cannot be reused."""
        if self._closed:
            return
        reusable = not (should_close or self._force_close or protocol.should_close
                        or (key.proxy is not None and single_use(key)))
        if reusable and self._waiters:
            queue = self._waiters.get(key)
            while queue:
                fut, _ = queue.popitem(last=False)
                if not fut.done():
                    fut.set_result(protocol)  # stays acquired: the slot changes hands, not count
                    return
        self._acquired.discard(protocol)
        if self._limit_per_host:
            per_host = self._acquired_per_host.get(key)
            if per_host is not None:
                per_host.discard(protocol)
                if not per_host:
                    del self._acquired_per_host[key]
        if not reusable:
            self._discard(key, protocol)
            if self._waiters:
                self._release_waiter()
            return
        now = self._loop.time()
        conns = self._conns.get(key)
        if conns is None:
            conns = self._conns[key] = deque()
        conns.append((protocol, now))
        if self._cleanup_handle is None and self._keepalive_timeout is not None:
            self._schedule_cleanup(now + self._keepalive_timeout)
        if self._waiters:  # the freed slot may serve a request queued for another key
            self._release_waiter()

    def _discard(self, key: ConnectionKey, proto: Protocol) -> None:
        transport = proto.transport
        proto.close()
        if not self._cleanup_closed_disabled and key.is_ssl:
            self._cleanup_closed_transports.append(transport)

    # -- timers ------------------------------------------------------------------------

    def _weak_self(self) -> weakref.ref[BaseConnector]:
        return weakref.ref(self)

    def _schedule_cleanup(self, when: float) -> None:
        if self._keepalive_timeout is not None and self._keepalive_timeout >= self._timeout_ceil_threshold:
            when = math.ceil(when)  # coalesce with the loop's other whole-second timers
        self._cleanup_handle = self._loop.call_at(when, _weak_call, self._weak_self(), "_cleanup")

    def _cleanup(self) -> None:
        """Close idle connections past keep-alive (or disconnected); re-arm for the next expiry."""
        self._cleanup_handle = None
        keepalive = self._keepalive_timeout
        if self._closed or keepalive is None:
            return
        now = self._loop.time()
        oldest: float | None = None
        for key in list(self._conns):
            conns = self._conns[key]
            alive: deque[tuple[Protocol, float]] = deque()
            for proto, released_at in conns:
                # The loop may run a timer up to its clock resolution early: allow a hair.
                if proto.is_connected() and now - released_at < keepalive - _EARLY:
                    alive.append((proto, released_at))
                else:
                    self._discard(key, proto)
            if alive:
                self._conns[key] = alive
                # Deques are in release order: the head expires first.
                if oldest is None or alive[0][1] < oldest:
                    oldest = alive[0][1]
            else:
                del self._conns[key]
        if oldest is not None:
            self._schedule_cleanup(oldest + keepalive)

    def _cleanup_closed(self) -> None:
        """Abort TLS transports that a broken peer left half-closed (old Pythons only)."""
        for transport in self._cleanup_closed_transports:
            if transport is not None:
                transport.abort()
        self._cleanup_closed_transports = []
        if not self._cleanup_closed_disabled and not self._closed:
            self._cleanup_closed_handle = self._loop.call_at(
                self._loop.time() + _CLEANUP_CLOSED_PERIOD, _weak_call, self._weak_self(), "_cleanup_closed"
            )

    async def _create_connection(self, req: Any, traces: list[Any], timeout: ClientTimeout) -> Protocol:
        raise NotImplementedError()
