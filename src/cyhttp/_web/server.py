"""Server: the protocol factory of a site, its connections, and their one timer.

How this works: the keyword settings (``keepalive_timeout``, limits, logging ...) are
resolved once into a frozen ``ServerConfig`` that every connection shares.  Calling the
server makes a connection's protocol (the buffered one on asyncio's own loops).  One
sweep per second, running only while connections exist, closes those whose idle or
head deadline passed (see protocol.py): no timer is armed or cancelled per request.
``pre_shutdown`` / ``shutdown`` are the graceful stop the runners use.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from .._http.flow import reads_buffered
from .config import ServerConfig
from .log import server_logger
from .protocol import BufferedRequestHandler, RequestHandler
from .request import BaseRequest

__all__ = ("Server", "ServerConfig")

class Clock:
    """A coarse clock: ``now`` is the loop's time as of the last sweep (a second at most old).

    Deadlines are set per request with one attribute read instead of a clock call.
    """

    __slots__ = ("now",)

    def __init__(self, now: float) -> None:
        self.now = now


class Server:
    """A low-level server: ``handler(request) -> response`` for every request."""

    def __init__(self, handler: Callable[[BaseRequest], Awaitable[Any]], *,
                 request_factory: Callable[..., BaseRequest] | None = None,
                 handler_cancellation: bool = False,
                 loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._connections: dict[RequestHandler, asyncio.Transport] = {}
        self._kwargs = kwargs
        self.requests_count = 0
        self.request_handler = handler
        self.request_factory = request_factory or self._make_request
        # Set by Application: request → the handler to await, or None (then ``handler``).
        self.request_router: Callable[[BaseRequest], Any] | None = None
        self.handler_cancellation = handler_cancellation
        try:
            self._config = ServerConfig.from_kwargs(**kwargs)
        except TypeError:
            kwargs = {k: v for k, v in kwargs.items() if k in ("debug", "access_log_class")}
            self._config = ServerConfig.from_kwargs(**kwargs)
            server_logger.warning(
                "Failed to create request handler with custom kwargs %r, falling back to "
                "filtered kwargs. This may indicate a misconfiguration.", self._kwargs)
        self._protocol_class = (BufferedRequestHandler if reads_buffered(self._loop)
                                else RequestHandler)
        self._sweep: asyncio.TimerHandle | None = None
        self._corked: list[RequestHandler] = []
        self.clock = Clock(self._loop.time())
        config = self._config
        shortest = min(t for t in (config.keepalive_timeout, config.header_timeout, 4.0) if t > 0)
        self._sweep_every = max(0.05, min(1.0, shortest / 4))

    @property
    def config(self) -> ServerConfig:
        return self._config

    @property
    def connections(self) -> list[RequestHandler]:
        return list(self._connections)

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        self._connections[handler] = transport
        if self._sweep is None:
            self.clock.now = self._loop.time()
            self._sweep = self._loop.call_later(self._sweep_every, self._check_deadlines)

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        if handler not in self._connections:
            return
        carrier = handler._carrier
        if carrier is not None and not carrier.done():
            carrier.add_done_callback(lambda _: self._connections.pop(handler, None))
        else:
            del self._connections[handler]

    def corked(self, handler: RequestHandler) -> None:
        """``handler`` corked a write: uncork every corked connection once the loop is done
        with what is ready now (see writer.py)."""
        corked = self._corked
        if not corked:
            self._loop.call_soon(self._uncork_all)
        corked.append(handler)

    def _uncork_all(self) -> None:
        corked = self._corked
        self._corked = []
        for handler in corked:
            handler.uncork()

    def _check_deadlines(self) -> None:
        self._sweep = None
        if not self._connections:
            return
        self.clock.now = now = self._loop.time()
        for handler in list(self._connections):
            handler.check_deadline(now)
        self._sweep = self._loop.call_later(self._sweep_every, self._check_deadlines)

    def _make_request(self, message: Any, payload: Any, protocol: RequestHandler, writer: Any,
                      task: asyncio.Task[None]) -> BaseRequest:
        return BaseRequest(message, payload, protocol, writer, task, self._loop)

    def pre_shutdown(self) -> None:
        """Stop taking requests on every connection (idle ones close now)."""
        for conn in list(self._connections):
            conn.close()

    async def shutdown(self, timeout: float | None = None) -> None:
        """Let the requests in progress finish (up to ``timeout``), then close everything."""
        await asyncio.gather(*(conn.shutdown(timeout) for conn in list(self._connections)))
        self._connections.clear()
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None

    def __call__(self) -> RequestHandler:
        return self._protocol_class(self, loop=self._loop, config=self._config)
