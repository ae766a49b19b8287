"""RequestCycle: answering one parsed message, from handler call to access-log line.

How this works: ``_answer(message, payload)`` is the coroutine the protocol runs per
message (eagerly; see eager.py).  It builds the request, awaits the handler, turns what
the handler raised into a response — an ``HTTPException`` is the response, a timeout
is 504, anything else 500 (logged on ``cyhttp.server``; the server keeps serving) —
then prepares and ends the response, logs access, and decides the connection's fate:
keep-alive as the response says, a body the handler left unread is read away for up
to ``lingering_time`` (else the connection closes), a declined upgrade resumes HTTP
parsing.  It returns False when the connection is to close.  A malformed head arrives
as an ``ErrInfo`` message, answered with its status and ``Connection: close``.
"""

from __future__ import annotations

import asyncio
import traceback
import warnings
from contextlib import suppress
from html import escape as html_escape
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from multidict import CIMultiDict, CIMultiDictProxy

from .._core.errors import BadHttpMethod, ParseError
from .._http.helpers import HttpVersion10
from .._http.streams import EMPTY_PAYLOAD
from .eager import _cancelling
from .errors import PayloadAccessError
from .exceptions import HTTPException, HTTPInternalServerError
from .message import RawRequestMessage
from .response import Response
from .stream_response import StreamResponse
from .writer import ResponseWriter

if TYPE_CHECKING:
    from .config import ServerConfig
    from .server import Server

__all__ = ("RequestCycle", "ErrInfo", "ERROR_MESSAGE")

_PAYLOAD_ACCESS_ERROR = PayloadAccessError()


class ErrInfo(NamedTuple):
    """A head the parser refused: answered with ``status``, then the connection closes."""

    status: int
    exc: BaseException
    message: str


# The message a refused head is answered as (aiohttp's: "UNKNOWN /", HTTP/1.0, close).
ERROR_MESSAGE = RawRequestMessage.of(RawRequestMessage(
    "UNKNOWN", "/", HttpVersion10, CIMultiDictProxy(CIMultiDict()), (), True, None, False, False,
    None))  # type: ignore[arg-type]


def _finishes_now(resp: Any) -> TypeGuard[Response]:
    """A Response whose class keeps Response's prepare / write_eof (``_sends_whole``), with
    a bytes body and no compression, not yet prepared: sent without awaiting anything."""
    if not resp._sends_whole or resp._compression or resp._payload_writer is not None:
        return False
    body = resp._body
    return (body is None or type(body) is bytes) and not resp._eof_sent


class RequestCycle:
    """Mixed into RequestHandler (which owns every attribute used here)."""

    _loop: asyncio.AbstractEventLoop
    _config: ServerConfig
    _manager: Server | None
    _request_handler: Any
    _request_factory: Any
    _route: Any
    _carrier: asyncio.Task[None] | None
    _current_request: Any
    _handler_waiter: asyncio.Future[None] | None
    _keepalive: bool
    _close: bool
    _force_close: bool
    _request_count: int
    _logging: bool
    _parser: Any
    transport: asyncio.Transport | None

    def force_close(self) -> None: ...
    def _on_events(self, events: list[Any]) -> None: ...
    def _on_parse_error(self, exc: ParseError) -> None: ...

    # -- one message ----------------------------------------------------------------------

    async def _answer(self, message: Any, payload: Any) -> bool:
        """Answer one message; False when the connection must close afterwards."""
        loop = self._loop
        start = loop.time() if self._logging else None
        manager = self._manager
        if manager is not None:
            manager.requests_count += 1
        writer = ResponseWriter(self, loop)
        if type(message) is ErrInfo:
            handler = self._error_handler(message)
            message = ERROR_MESSAGE
            request = self._request_factory(message, payload, self, writer, self._carrier)
        else:
            request = self._request_factory(message, payload, self, writer, self._carrier)
            # The app's routing, when nothing in it awaits: its handler is awaited directly.
            route = self._route
            handler = (route(request) if route is not None else None) or self._request_handler
        try:
            try:
                self._current_request = request
                try:
                    resp = await handler(request)
                finally:
                    self._current_request = None
            except HTTPException as exc:
                resp = exc
            except asyncio.CancelledError:
                raise
            except asyncio.TimeoutError as exc:
                self.log_debug("Request handler timed out.", exc_info=exc)
                resp = self.handle_error(request, 504)
            except Exception as exc:
                resp = self.handle_error(request, 500, exc)
            else:
                if getattr(resp, "__http_exception__", False):
                    warnings.warn("returning HTTPException object is deprecated (#2415) and "
                                  "will be removed, please raise the exception instead",
                                  DeprecationWarning)
            resp, reset = await self.finish_response(request, resp, start)
        except ConnectionError:
            self.log_debug("Ignored premature client disconnection")
            self._done()
            self.force_close()
            return False
        except asyncio.CancelledError:
            self.log_debug("Ignored premature client disconnection")
            self._done()
            self.force_close()
            raise
        except Exception as exc:
            self.log_exception("Unhandled exception", exc_info=exc)
            self._done()
            self.force_close()
            return False
        if reset:
            self.log_debug("Ignored premature client disconnection 2")
            self._done()
            self.force_close()
            return False
        self._keepalive = bool(resp.keep_alive)
        if payload is not EMPTY_PAYLOAD:
            if not payload.is_eof():
                await self._linger(payload)
            payload.set_exception(_PAYLOAD_ACCESS_ERROR)
        if message.upgrade or message.method == "CONNECT":
            self._resume_parsing()
        if self._handler_waiter is not None:
            self._done()
        if not self._keepalive or self._close or self._force_close:
            self.force_close()
            return False
        return True

    def _done(self) -> None:
        waiter = self._handler_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _linger(self, payload: Any) -> None:
        """Read away a body the handler did not read (up to lingering_time), else close."""
        lingering = self._config.lingering_time
        if not self._force_close and lingering:
            self.log_debug("Start lingering close timer for %s sec.", lingering)
            end = self._loop.time() + lingering
            try:
                while not payload.is_eof():
                    remaining = end - self._loop.time()
                    if remaining <= 0:
                        break
                    await asyncio.wait_for(payload.readany(), remaining)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                if _cancelling():
                    raise
            except Exception:
                pass
        if not payload.is_eof() and not self._force_close:
            self.log_debug("Uncompleted request.")
            self._close = True

    def _resume_parsing(self) -> None:
        """The connection did not switch protocols: parse what came after as HTTP again."""
        parser = self._parser
        if parser is None or not parser.upgraded or self._force_close:
            return
        try:
            events = parser.resume()
        except ParseError as exc:
            self._on_events(exc.events)
            self._on_parse_error(exc)
            return
        self._on_events(events)

    async def finish_response(self, request: Any, resp: Any,
                              start_time: float | None) -> tuple[StreamResponse, bool]:
        """Prepare and end the response, then log access; True second if the client left."""
        request._finish()
        if getattr(resp, "prepare", None) is None:
            if resp is None:
                self.log_exception("Missing return statement on request handler")
            else:
                self.log_exception(f"Web-handler should return a response instance, got {resp!r}")
            exc = HTTPInternalServerError()
            resp = Response(status=exc.status, reason=exc.reason, text=exc.text,
                            headers=exc.headers)
        elif self._close and isinstance(resp, StreamResponse) and not resp.prepared:
            resp.force_close()  # the server is shutting down: tell the client not to reuse
        try:
            if _finishes_now(resp) and not request._prepare_hooks:
                # Nothing here can wait but the drain: prepare and end without coroutines.
                writer = resp._prepare_now(request)
                if resp._end_now():
                    await writer.drain()
            else:
                await resp.prepare(request)
                await resp.write_eof()
        except ConnectionError:
            self.log_access(request, resp, start_time)
            return resp, True
        if self._logging:
            self.log_access(request, resp, start_time)
        return resp, False

    def handle_error(self, request: Any, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> StreamResponse:
        """The response for a failure (always closing the connection); logs it."""
        if self._request_count == 1 and isinstance(exc, BadHttpMethod):
            # Non-HTTP bytes (TLS to a plain port, scanners): expected on the internet.
            self._config.logger.debug("Error handling request from %s", request.remote,
                                      exc_info=exc)
        else:
            self.log_exception("Error handling request from %s", request.remote, exc_info=exc)
        if request.writer.output_size > 0:
            raise ConnectionError("Response is sent already, cannot send another response "
                                  "with the error message")
        ct = "text/plain"
        if status == HTTPStatus.INTERNAL_SERVER_ERROR:
            title = f"{HTTPStatus.INTERNAL_SERVER_ERROR.value} {HTTPStatus.INTERNAL_SERVER_ERROR.phrase}"
            msg = HTTPStatus.INTERNAL_SERVER_ERROR.description
            tb = None
            if self._config.debug:
                with suppress(Exception):
                    tb = traceback.format_exc()
            if "text/html" in request.headers.get("Accept", ""):
                if tb:
                    msg = f"<h2>Traceback:</h2>\n<pre>{html_escape(tb)}</pre>"
                message = (f"<html><head><title>{title}</title></head><body>\n<h1>{title}</h1>"
                           f"\n{msg}\n</body></html>\n")
                ct = "text/html"
            else:
                if tb:
                    msg = tb
                message = title + "\n\n" + msg
        resp = Response(status=status, text=message, content_type=ct)
        resp.force_close()
        return resp

    def _error_handler(self, err: ErrInfo) -> Any:
        async def handler(request: Any) -> StreamResponse:
            return self.handle_error(request, err.status, err.exc, err.message)

        return handler

    # -- logging ---------------------------------------------------------------------------------

    def log_access(self, request: Any, response: Any, time: float | None) -> None:
        access_logger = self._config.access_logger
        if access_logger is not None and time is not None and self._logging:
            access_logger.log(request, response, self._loop.time() - time)

    def log_debug(self, *args: Any, **kw: Any) -> None:
        if self._config.debug:
            self._config.logger.debug(*args, **kw)

    def log_exception(self, *args: Any, **kw: Any) -> None:
        self._config.logger.exception(*args, **kw)
