"""ResponseHandler: the asyncio Protocol of one client connection.

How this works: bytes from the transport go straight into the engine's
``ResponseParser``; its events go to the shared body pump (``_http/body_pump.py``: body
bytes into the response's ``StreamReader`` through a bounded decoder, ``EndOfMessage``
ends it, which lets the response hand the connection back to the pool), and a
``ResponseHead`` comes back here to resolve the waiter the request is parked on (with a
fresh ``StreamReader`` for the body).  Here engine errors (``ParseError``) and transport
events become aiohttp's exceptions (I/O errors through ``error_map.client_error``):
a bad head → the engine error on the waiter (the response turns it into
``ClientResponseError``: only it knows ``request_info``), a bad or truncated body →
``ClientPayloadError``, EOF before a head → ``ServerDisconnectedError``, a stalled
read → ``SocketTimeoutError``.

Flow control: the reader asks us to pause/resume; the pump keeps what arrives while
paused in its backlog (see the pump's docstring).
"""

from __future__ import annotations

import asyncio
from typing import Any

from .._core.errors import (
    ContentLengthError,
    IncompleteMessage,
    ParseError,
    TransferEncodingError,
)
from .._core.http_parser import ResponseParser
from .._http.body_pump import BodyPump
from .._http.compression import DecompressionError, decoder_for
from .._http.flow import FlowControlMixin, set_reading
from .._http.streams import EMPTY_PAYLOAD, StreamReader
from .error_map import client_error
from .exceptions import (
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)

__all__ = ("ResponseHandler", "payload_error")

_LIMITS_DEFAULT = (8190, 8190, 128)


def payload_error(exc: BaseException) -> ClientPayloadError:
    """The aiohttp-named error for a body that is malformed or ended early."""
    if isinstance(exc, (IncompleteMessage, ContentLengthError, TransferEncodingError)):
        err = ClientPayloadError(f"Response payload is not completed: {exc!r}")
    elif isinstance(exc, DecompressionError):
        err = ClientPayloadError(str(exc) or "Can not decode content-encoding")
    else:
        err = ClientPayloadError(f"Response payload is malformed: {exc!r}")
    err.__cause__ = exc
    return err


class ResponseHandler(BodyPump, FlowControlMixin, asyncio.Protocol):
    """One connection: parser, current response body, flow control, read timeout."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] | None = loop.create_future()
        self._parser: Any = None
        self._limits: tuple[int, int, int] | None = None
        self._read_until_eof = True
        self._waiter: asyncio.Future[Any] | None = None
        self._payload: StreamReader | None = None
        self._decoder: Any = None
        self._backlog: list[Any] | None = None
        self._should_close = False
        self._exception: BaseException | None = None
        self._reading_paused = False
        self._upgraded = False
        self._tail = b""
        self._continue: asyncio.Future[bool] | None = None
        # Per-request settings (set by start_response).
        self._auto_decompress = True
        self._read_bufsize = 2**16
        self._deadline: float | None = None
        self._read_timeout: float | None = None
        self._read_timer: asyncio.TimerHandle | None = None
        self._last_read = 0.0

    # -- what the connector uses -------------------------------------------------

    def is_connected(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    @property
    def connected(self) -> bool:
        """False once the transport is gone (a body's reader then stops waiting)."""
        return self.transport is not None

    @property
    def should_close(self) -> bool:
        """Never reuse a connection that is mid-message, upgraded, or broken."""
        return (
            self._should_close
            or self._payload is not None
            or self._waiter is not None
            or self._upgraded
            or self._exception is not None
            or self.transport is None
            or bool(self._tail)
        )

    @property
    def upgraded(self) -> bool:
        return self._upgraded

    def force_close(self) -> None:
        self._should_close = True

    def close(self) -> None:
        self._stop_read_timer()
        transport = self.transport
        if transport is not None:
            transport.close()
            self.transport = None
            self._payload = None

    # -- the request path -----------------------------------------------------------

    def start_response(
        self,
        method: str,
        read_until_eof: bool = True,
        auto_decompress: bool = True,
        read_bufsize: int = 2**16,
        read_timeout: float | None = None,
        deadline: float | None = None,
        limits: tuple[int, int, int] = _LIMITS_DEFAULT,
        *,
        expect100: bool = False,
    ) -> asyncio.Future[Any]:
        """Get ready for the response to ``method``; returns the head's future.

        Call before writing the request, so an early response is never missed.  The
        future's result is ``(head, payload)``.
        """
        if self._exception is not None:
            raise self._exception
        if self._read_timer is not None:  # checked here: a call saved per request
            self._stop_read_timer()
        parser = self._parser
        if parser is None or limits != self._limits or read_until_eof != self._read_until_eof:
            parser = self._parser = ResponseParser(
                max_line_size=limits[0], max_field_size=limits[1], max_headers=limits[2],
                read_until_eof=read_until_eof, lax=True,  # aiohttp's client accepts bare-LF heads
            )
            self._limits = limits
            self._read_until_eof = read_until_eof
        parser.set_method(method)
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        self._deadline = deadline
        waiter = self._waiter = self._loop.create_future()
        self._continue = self._loop.create_future() if expect100 else None
        if read_timeout is not None and read_timeout > 0:
            self._read_timeout = read_timeout
            self._last_read = self._loop.time()
            self._read_timer = self._loop.call_at(self._last_read + read_timeout, self._on_read_timeout)
        else:
            self._read_timeout = None
        return waiter

    @property
    def continue_future(self) -> asyncio.Future[bool] | None:
        return self._continue

    def upgraded_tail(self) -> bytes:
        """After a 101 response: the bytes that followed its head."""
        tail, self._tail = self._tail, b""
        return tail

    # -- asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._read_timeout is not None:
            self._last_read = self._loop.time()
        if self._upgraded:
            self._tail += data
            return
        parser = self._parser
        if parser is None:
            # Bytes nobody asked for: the connection cannot be trusted any more.
            self._should_close = True
            self.close()
            return
        try:
            events = parser.feed(data)
        except ParseError as exc:
            # What the same bytes completed before the error (a head, body bytes) is
            # delivered first: a good head then a bad chunk gives the response, and
            # ClientPayloadError on its body, as when they arrive apart.
            done = exc.events
            if done:
                self._should_close = True
                backlog = self._backlog
                if backlog is None:
                    self._process(done)
                    if self._backlog is not None:  # flow control stopped it: fail behind it
                        self._backlog.append(exc)
                        return
                else:
                    backlog.extend(done)
                    backlog.append(exc)
                    return
            self._fail(exc)
            return
        if events:
            if self._backlog is not None:
                self._backlog.extend(events)
            else:
                self._process(events)
        if self._upgraded:
            self._tail += parser.unparsed()
        elif self._parser is not parser and parser.unparsed():
            self._should_close = True  # bytes after a "101" that switched nothing: untrusted

    def eof_received(self) -> bool | None:
        self._should_close = True
        return None  # let the transport close: connection_lost finishes the job

    def connection_lost(self, exc: BaseException | None) -> None:
        self._stop_read_timer()
        self.transport = None
        self._should_close = True
        closed = self.closed
        if closed is not None and not closed.done():
            closed.set_result(None)
        if self._payload is not None and self._parser is not None:
            # The body may legitimately end at EOF (no Content-Length, not chunked).
            try:
                events: list[Any] = self._parser.feed_eof()
            except ParseError as perr:
                events = [perr]
            if self._backlog is not None:
                self._backlog.extend(events)  # handled, in order, when the reader resumes
            elif events:
                self._process(events)
        if self._waiter is not None or (self._payload is not None and self._backlog is None):
            if isinstance(exc, OSError):
                err: BaseException = client_error(exc)
            elif self._payload is not None:
                err = ClientPayloadError(
                    "Response payload is not completed: "
                    f"{ServerDisconnectedError('Connection closed before the body ended')!r}"
                )
            else:
                err = ServerDisconnectedError()
            if exc is not None and err is not exc:
                err.__cause__ = exc
            self._set_exception(err)
        self._wake_drain(exc)

    def pause_reading(self) -> None:
        if not self._reading_paused:
            self._reading_paused = True
            self._stop_read_timer()
            set_reading(self.transport, False)

    def resume_reading(self) -> None:
        if self._reading_paused:
            self._reading_paused = False
            if self._backlog is not None and not self._resume_backlog():
                return
            set_reading(self.transport, True)
            if self.transport is not None and self._read_timeout is not None and self._payload is not None:
                # Reading starts again: the sock_read clock starts again too.
                self._last_read = self._loop.time()
                self._read_timer = self._loop.call_at(
                    self._last_read + self._read_timeout, self._on_read_timeout
                )

    # pause_writing / resume_writing / drain / _wake_drain: FlowControlMixin.

    # -- events -----------------------------------------------------------------------

    def _on_head(self, head: Any) -> None:
        status = head.status
        if status == 100:
            cont = self._continue
            if cont is not None and not cont.done():
                cont.set_result(True)
            return
        waiter = self._waiter
        if waiter is None or waiter.done():
            self._should_close = True
            self.close()
            return
        self._waiter = None
        cont = self._continue
        if cont is not None:
            # A final answer instead of 100: the body is not wanted (RFC 9110 10.1.1).
            self._continue = None
            if not cont.done():
                cont.set_result(False)
                self._should_close = True  # the server's idea of the body is unknown
        if status == 101:
            if not head.upgrade:
                # "101" with no Upgrade: no protocol switch, a bodiless response (as llhttp
                # reads it for aiohttp).  The engine's parser has switched over all the same,
                # so the next response gets a new one (data_received checks what it held).
                self._parser = None
                waiter.set_result((head, EMPTY_PAYLOAD))
                return
            self._upgraded = True
            self._stop_read_timer()
            waiter.set_result((head, None))
            return
        if not head.keep_alive:
            self._should_close = True
        payload = self._payload = StreamReader(
            self, self._read_bufsize, loop=self._loop, deadline=self._deadline,
            size_hint=head.content_length,
        )
        decoder = None
        encoding = head.encoding
        if encoding is not None and self._auto_decompress:
            try:
                decoder = decoder_for(encoding)
            except DecompressionError as exc:
                payload.set_exception(payload_error(exc))
                self._should_close = True
        if decoder is not None:
            payload._size_hint = None  # the decoded length is unknown
        self._decoder = decoder
        waiter.set_result((head, payload))

    def _end_message(self) -> None:
        if self._read_timer is not None:
            self._stop_read_timer()
        self._read_timeout = None
        BodyPump._end_message(self)

    def _body_error(self, exc: BaseException) -> BaseException:
        return payload_error(exc)

    def _fail(self, exc: BaseException) -> None:
        """Bad bytes from the peer: fail whoever waits, never reuse the connection."""
        self._should_close = True
        if self._waiter is not None:
            self._set_exception(exc)  # the response turns a head error into ClientResponseError
        else:
            self._set_exception(payload_error(exc))
        self.close()

    def _set_exception(self, exc: BaseException) -> None:
        self._exception = exc
        self._stop_read_timer()
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_exception(exc)
        payload = self._payload
        if payload is not None:
            self._payload = None
            self._backlog = None
            payload.set_exception(exc)
        cont = self._continue
        if cont is not None and not cont.done():
            cont.set_result(False)

    # -- sock_read timeout --------------------------------------------------------------

    def _stop_read_timer(self) -> None:
        timer = self._read_timer
        if timer is not None:
            self._read_timer = None
            timer.cancel()

    def _on_read_timeout(self) -> None:
        # data_received only records the time; the timer re-arms itself lazily, so
        # a busy connection costs one clock read per chunk, not a timer per chunk.
        self._read_timer = None
        timeout = self._read_timeout
        if timeout is None or self._reading_paused:
            return
        due = self._last_read + timeout
        if self._loop.time() < due:
            self._read_timer = self._loop.call_at(due, self._on_read_timeout)
            return
        self._should_close = True
        self._set_exception(SocketTimeoutError("Timeout on reading data from socket"))
        self.close()
