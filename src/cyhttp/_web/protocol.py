"""RequestHandler: the asyncio Protocol of one server connection.

How this works: what arrives is parsed and sorted into queued messages by the ``Intake``
mixin (intake.py).  Queued messages are answered strictly in order, one at a time
(``cycle.RequestCycle``): each is run eagerly (``eager.step``, inlined in ``_dispatch``)
right where it was parsed; one that has to wait continues in the connection's carrier
task (``_carry``), which then also answers the messages queued behind it.  Small
answers are corked and leave at the end of the loop iteration (``cork``; writer.py).

Bounds: see intake.py for reading; writes wait on the transport's drain
(``FlowControlMixin``).  Timers: the server's sweep closes a connection idle past
``keepalive_timeout`` (75 s from ``run_app``) or whose head has not completed within
``header_timeout`` of its first byte (not renewed by later bytes, so a drip cannot hold
it open).
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
from asyncio.tasks import _enter_task, _leave_task
from collections import deque
from typing import TYPE_CHECKING, Any

from .._core.http_parser import RequestParser
from .._http.flow import BufferedReadMixin, FlowControlMixin
from .config import ServerConfig
from .cycle import RequestCycle
from .errors import PayloadAccessError, RequestPayloadError
from .inflate import Inflater
from .intake import _PAUSE_QUEUE, MAX_MSG_QUEUE_SIZE, Intake
from .writer import CORK_LIMIT
from .eager import Resume, _cancelling, current_tasks_get, step

if TYPE_CHECKING:
    from .server import Server

__all__ = ("RequestHandler", "BufferedRequestHandler", "RequestPayloadError",
           "PayloadAccessError", "MAX_MSG_QUEUE_SIZE")



class RequestHandler(FlowControlMixin, Intake, RequestCycle, asyncio.Protocol):
    """One connection: parser, message queue, the request being answered, timers."""

    def __init__(self, manager: Server, *, loop: asyncio.AbstractEventLoop,
                 config: ServerConfig | None = None, **kwargs: Any) -> None:
        if config is None:
            config = ServerConfig.from_kwargs(**kwargs) if kwargs else manager.config
        self._loop = loop
        self._manager: Server | None = manager
        self._config = config
        self._request_handler = manager.request_handler
        self._request_factory = manager.request_factory
        self._route = manager.request_router
        self._clock = manager.clock
        self.transport: asyncio.Transport | None = None
        self._parser: Any = RequestParser(max_line_size=config.max_line_size,
                                          max_field_size=config.max_field_size,
                                          max_headers=config.max_headers)
        self._messages: deque[tuple[Any, Any]] = deque()
        self._payload: Any = None        # the body being received, if any
        self._inflate: Inflater | None = None  # its decoder (Content-Encoding), if any
        self._held: list[Any] | None = None    # events waiting behind a full decoded body
        self._request_count = 0
        self._busy = False               # a message is being answered
        self._carrier: asyncio.Task[None] | None = None
        self._wake: asyncio.Future[Any] | None = None
        self._keepalive = True
        self._close = False              # close once the current answer is sent
        self._force_close = False        # closed (or closing) now
        self._parse_failed = False
        self._paused = 0                 # _PAUSE_* bits
        self._stash = b""                # read while the queue was full, not parsed yet
        self._deadline = 0.0             # the sweep closes the connection after this (0: none)
        self._head_started = False       # bytes of a head arrived since the last head
        self._corked: list[Any] | None = None  # answers to write at the loop iteration's end
        self._corked_size = 0
        self._current_request: Any = None
        self._handler_waiter: asyncio.Future[None] | None = None
        self._extra: dict[str, Any] = {}
        self._context = contextvars.copy_context()
        self._logging = config.access_logger is not None and config.access_logger.enabled

    # -- what requests read ---------------------------------------------------------------

    def _transport_info(self, name: str) -> Any:
        extra = self._extra
        if name not in extra:
            extra[name] = None if self.transport is None else self.transport.get_extra_info(name)
        return extra[name]

    @property
    def ssl_context(self) -> Any:
        return self._transport_info("sslcontext")

    @property
    def peername(self) -> Any:
        return self._transport_info("peername")

    @property
    def sockname(self) -> Any:
        return self._transport_info("sockname")

    @property
    def keepalive_timeout(self) -> float:
        return self._config.keepalive_timeout

    @property
    def max_field_size(self) -> int:
        return self._config.max_field_size

    @property
    def max_headers(self) -> int:
        return self._config.max_headers

    @property
    def max_line_size(self) -> int:
        return self._config.max_line_size

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'connected' if self.transport is not None else 'disconnected'}>"

    # -- connection lifecycle ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        config = self._config
        if config.tcp_keepalive:
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                except OSError:
                    pass
        assert self._manager is not None
        self._manager.connection_made(self, transport)  # type: ignore[arg-type]
        self._carrier = self._loop.create_task(self._carry())
        self._set_idle_deadline()

    def connection_lost(self, exc: BaseException | None) -> None:
        manager = self._manager
        if manager is None:
            return
        manager.connection_lost(self, exc)
        self._manager = None
        self._force_close = True
        self.transport = None
        self._corked = None
        self._deadline = 0.0
        self._wake_drain(exc)
        payload = self._payload
        if payload is not None:
            self._payload = None
            payload.set_exception(ConnectionResetError("Connection lost") if exc is None else exc)
        request = self._current_request
        if request is not None:
            request._cancel(ConnectionResetError("Connection lost") if exc is None else exc)
        carrier = self._carrier
        if carrier is not None:
            if self._busy:
                if manager.handler_cancellation:
                    carrier.cancel()
            else:
                self._stop_carrier()
        self._messages.clear()

    def eof_received(self) -> bool | None:
        # A half-close ends nothing by itself: the answers in progress still go out
        # (a body still expected is failed by connection_lost).
        return None

    # -- answering, in order ------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Answer queued messages here, eagerly, until one has to wait (see eager.py)."""
        loop = self._loop
        carrier = self._carrier
        messages = self._messages
        while messages and not self._busy and not self._force_close:
            message, payload = messages.popleft()
            self._busy = True  # also while stepping: nothing nested answers the next one
            if self._paused & _PAUSE_QUEUE:
                self._message_taken()
            ctx = self._context.copy()
            coro = self._answer(message, payload)
            # eager.step, inlined: this is every request's path.
            entered = carrier is not None and current_tasks_get(loop) is None
            if entered:
                _enter_task(loop, carrier)  # type: ignore[arg-type]
            try:
                yielded = ctx.run(coro.send, None)
            except StopIteration as stop:
                self._busy = False
                if not stop.value:
                    return
                continue
            except BaseException:
                self._busy = False
                self.force_close()
                raise
            finally:
                if entered:
                    _leave_task(loop, carrier)  # type: ignore[arg-type]
            wake = self._wake
            if wake is not None and not wake.done():
                wake.set_result((coro, ctx, yielded))
            else:  # no carrier to take it over (closing): drop the answer
                coro.close()
                self.force_close()
            return
        if not self._busy and not self._force_close:
            if self._close or not self._keepalive:
                self.force_close()
            elif self._payload is None and not self._head_started:
                timeout = self._config.keepalive_timeout  # idle: _set_idle_deadline, inlined
                self._deadline = self._clock.now + timeout if timeout > 0 else 0.0

    async def _carry(self) -> None:
        """The connection's task: goes on with answers that had to wait, then the queue."""
        loop = self._loop
        while not self._force_close:
            self._wake = wake = loop.create_future()
            try:
                job = await wake
            finally:
                self._wake = None
            if job is None:
                return
            coro, ctx, yielded = job
            try:
                go_on = await Resume(coro, ctx, yielded)
                while go_on and self._messages and not self._force_close:
                    message, payload = self._messages.popleft()
                    if self._paused & _PAUSE_QUEUE:
                        self._message_taken()
                    ctx = self._context.copy()
                    coro = self._answer(message, payload)
                    done, value = step(loop, None, coro, ctx)
                    go_on = value if done else await Resume(coro, ctx, value)
            except asyncio.CancelledError:
                self.force_close()
                raise
            except BaseException:
                self.force_close()
                raise
            finally:
                self._busy = False
            if not go_on:
                return
            self._after_answers()

    def _stop_carrier(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    def _after_answers(self) -> None:
        """The queue is empty and nothing is being answered: idle, or closed."""
        if self._force_close:
            return
        if self._close or not self._keepalive:
            self.force_close()
            return
        if self._payload is None and not self._head_started:
            self._set_idle_deadline()

    def _set_idle_deadline(self) -> None:
        timeout = self._config.keepalive_timeout
        self._deadline = self._clock.now + timeout if timeout > 0 else 0.0

    def check_deadline(self, now: float) -> None:
        """The server's sweep: close the connection if its idle or head time is over."""
        deadline = self._deadline
        if deadline and now >= deadline and not self._busy and not self._messages:
            self.force_close()

    # -- writing ----------------------------------------------------------------------------------

    def cork(self, data: bytes | bytearray | memoryview) -> None:
        """Write ``data`` at the end of this loop iteration (with the rest corked), or now
        once ``CORK_LIMIT`` bytes wait (a long pipelined burst)."""
        corked = self._corked
        if corked is None:
            self._corked = [data]
            self._corked_size = len(data)
            manager = self._manager
            if manager is not None:
                manager.corked(self)
            else:  # not served by a Server (closing): nothing would uncork it later
                self.uncork()
        else:
            corked.append(data)
            self._corked_size += len(data)
            if self._corked_size > CORK_LIMIT:
                self.uncork()

    def uncork(self) -> None:
        """Write what is corked now."""
        corked = self._corked
        if corked is not None:
            self._corked = None
            transport = self.transport
            if transport is not None and not transport.is_closing():
                transport.write(corked[0] if len(corked) == 1 else b"".join(corked))

    # -- closing ----------------------------------------------------------------------------------

    def keep_alive(self, val: bool) -> None:
        """Keep the connection open after the current answer (or not)."""
        self._keepalive = val

    def close(self) -> None:
        """Close once the answers in progress are sent; take no further requests."""
        self._close = True
        if not self._busy and not self._messages:
            self.force_close()

    def force_close(self) -> None:
        """Close now (what is written or corked still goes out first)."""
        self._force_close = True
        self._deadline = 0.0
        self._stop_carrier()
        if self._corked is not None:
            self.uncork()
        transport = self.transport
        if transport is not None:
            transport.close()

    async def shutdown(self, timeout: float | None = 15.0) -> None:
        """Graceful close: let the request in progress finish (up to ``timeout``), then close."""
        self._close = True
        if self._busy:
            waiter = self._handler_waiter = self._loop.create_future()
            try:
                await asyncio.wait_for(asyncio.shield(waiter), timeout)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                if _cancelling():
                    raise
            finally:
                self._handler_waiter = None
        if self._busy and self._carrier is not None:
            if self._current_request is not None:
                self._current_request._cancel(asyncio.CancelledError())
            self._carrier.cancel()
        self.force_close()


class BufferedRequestHandler(BufferedReadMixin, RequestHandler, asyncio.BufferedProtocol):
    """RequestHandler reading into one reused buffer (asyncio's own loops; see flow.py)."""
