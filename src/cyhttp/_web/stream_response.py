"""StreamResponse: status, headers and cookies, then ``prepare()`` / ``write()`` / ``write_eof()``.

How this works: until ``prepare(request)`` a response is plain data.  ``prepare`` decides
the framing once (``_prepare_headers``): Content-Length when known, else chunked on
HTTP/1.1, else close-delimited on HTTP/1.0; HEAD, 1xx, 204 and 304 carry no body (and
304/204 no Content-Length).  It adds Date, Server and Connection, runs the apps'
``on_response_prepare`` signals, and hands the head to the request's writer, which sends
it with the first body bytes (``writer.ResponseWriter``).  ``write`` streams through the
writer (waiting on the transport's drain: back-pressure from a slow client);
``write_eof`` ends the body.  ``Response`` overrides ``_prepare_body`` (its length) and
``write_eof`` (the whole body, with the head, in one write).
"""

from __future__ import annotations

import asyncio
import enum
import warnings
from collections.abc import Iterator, MutableMapping
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, TypeVar, overload

from multidict import CIMultiDict

from .. import hdrs
from .helpers import (
    EMPTY_BODY_STATUS_CODES,
    SERVER_SOFTWARE,
    ResponseKey,
    should_remove_content_length,
)
from .head import date_value, response_head
from .response_headers import ResponseHeadersMixin

if TYPE_CHECKING:
    from .request import BaseRequest
    from .writer import ResponseWriter

__all__ = ("ContentCoding", "StreamResponse", "REASON_PHRASES", "NotAppKeyWarning")

_T = TypeVar("_T")

REASON_PHRASES = {s.value: s.phrase for s in HTTPStatus}


class NotAppKeyWarning(UserWarning):
    """Warning when not using AppKey in Application."""


class ContentCoding(enum.Enum):
    """The content codings the server can compress with."""

    deflate = "deflate"
    gzip = "gzip"
    identity = "identity"


CONTENT_CODINGS = {coding.value: coding for coding in ContentCoding}


class StreamResponse(MutableMapping["str | ResponseKey[Any]", Any], ResponseHeadersMixin):
    """A response whose body is written piece by piece after ``prepare()``."""

    # Class-level defaults: a response pays only for the attributes it changes.
    __http_exception__ = False  # True on HTTPException (a plain lookup, never a miss)
    _sends_whole = False  # Response's prepare/write_eof, unchanged (see response.py)
    _length_check = True
    _body: Any = None
    _keep_alive: bool | None = None
    _chunked = False
    _compression = False
    _compression_strategy: int | None = None
    _compression_force: ContentCoding | None = None
    _req: BaseRequest | None = None
    _payload_writer: ResponseWriter | None = None
    _eof_sent = False
    _must_be_empty_body: bool | None = None
    _body_length = 0
    _cookies: SimpleCookie | None = None
    _send_headers_immediately = True
    _state: dict[Any, Any] | None = None
    _seen_str_keys: set[str] = set()

    def __init__(self, *, status: int = 200, reason: str | None = None,
                 headers: Any = None, _real_headers: CIMultiDict[str] | None = None) -> None:
        if _real_headers is not None:
            self._headers = _real_headers
        elif headers is not None:
            self._headers = CIMultiDict(headers)
        else:
            self._headers = CIMultiDict()
        self._set_status(status, reason)

    # -- status ---------------------------------------------------------------------------

    @property
    def prepared(self) -> bool:
        return self._eof_sent or self._payload_writer is not None

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._req.task if self._req is not None else None

    @property
    def status(self) -> int:
        return self._status

    @property
    def chunked(self) -> bool:
        return self._chunked

    @property
    def compression(self) -> bool:
        return self._compression

    @property
    def reason(self) -> str:
        return self._reason

    def set_status(self, status: int, reason: str | None = None) -> None:
        assert not self.prepared, (
            "Cannot change the response status code after the headers have been sent")
        self._set_status(status, reason)

    def _set_status(self, status: int, reason: str | None) -> None:
        self._status = status = int(status)
        if reason is None:
            reason = REASON_PHRASES.get(status, "")
        elif "\r" in reason or "\n" in reason:
            raise ValueError("Reason cannot contain \\r or \\n")
        self._reason = reason

    @property
    def keep_alive(self) -> bool | None:
        return self._keep_alive

    def force_close(self) -> None:
        self._keep_alive = False

    @property
    def body_length(self) -> int:
        return self._body_length

    @property
    def output_length(self) -> int:
        warnings.warn("output_length is deprecated", DeprecationWarning)
        assert self._payload_writer
        return self._payload_writer.buffer_size

    def enable_chunked_encoding(self, chunk_size: int | None = None) -> None:
        """Send the body with chunked transfer coding."""
        if hdrs.CONTENT_LENGTH in self._headers:
            raise RuntimeError("You can't enable chunked encoding when a content length is set")
        if chunk_size is not None:
            warnings.warn("Chunk size is deprecated #1615", DeprecationWarning)
        self._chunked = True

    def enable_compression(self, force: bool | ContentCoding | None = None,
                           strategy: int | None = None) -> None:
        """Compress the body with a coding the client accepts (or ``force``)."""
        if isinstance(force, bool):
            force = ContentCoding.deflate if force else ContentCoding.identity
            warnings.warn("Using boolean for force is deprecated #3318", DeprecationWarning)
        elif force is not None:
            assert isinstance(force, ContentCoding), "force should one of None, bool or ContentEncoding"
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy

    @property
    def headers(self) -> CIMultiDict[str]:
        return self._headers

    # -- compression ------------------------------------------------------------------------------

    async def _do_start_compression(self, coding: ContentCoding) -> None:
        if coding is ContentCoding.identity:
            return
        assert self._payload_writer is not None
        self._headers[hdrs.CONTENT_ENCODING] = coding.value
        self._payload_writer.enable_compression(coding.value, self._compression_strategy)
        self._headers.popall(hdrs.CONTENT_LENGTH, None)  # the compressed length is not known

    async def _start_compression(self, request: BaseRequest) -> None:
        if self._compression_force:
            await self._do_start_compression(self._compression_force)
            return
        accept_encoding = request.headers.get(hdrs.ACCEPT_ENCODING, "").lower()
        for value, coding in CONTENT_CODINGS.items():
            if value in accept_encoding:
                await self._do_start_compression(coding)
                return

    # -- sending -------------------------------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> ResponseWriter | None:
        """Send the head (with the first body bytes); returns the writer."""
        if self._eof_sent:
            return None
        writer = self._payload_writer
        if writer is not None:
            return writer
        writer = self._prepare_begin(request)
        if self._compression:
            await self._start_compression(request)
        self._prepare_headers(request, writer)
        if request._prepare_hooks:
            await request._prepare_hook(self)
        self._prepare_end(request, writer)
        return writer

    # prepare() in three synchronous steps, so that a response with nothing to await
    # (no compression, no on_response_prepare) is prepared without a coroutine.

    def _prepare_now(self, request: BaseRequest) -> ResponseWriter:
        """``prepare`` when it has nothing to await (cycle._finishes_now)."""
        writer = self._prepare_begin(request)
        self._prepare_headers(request, writer)
        writer._head = response_head(request._version, self._status, self._reason, self._headers)
        return writer

    def _prepare_begin(self, request: BaseRequest) -> ResponseWriter:
        self._req = request
        status = self._status
        method = request._method
        self._must_be_empty_body = (status in EMPTY_BODY_STATUS_CODES or method == "HEAD"
                                    or (method == "CONNECT" and 200 <= status < 300))
        writer = self._payload_writer = request._payload_writer
        self._prepare_body(request)
        return writer

    def _prepare_end(self, request: BaseRequest, writer: ResponseWriter) -> None:
        writer._head = response_head(request._version, self._status, self._reason, self._headers)
        if self._send_headers_immediately:
            writer.send_headers()

    def _prepare_body(self, request: BaseRequest) -> None:
        """A hook for responses that know their body up front (Response: Content-Length)."""

    def _prepare_headers(self, request: BaseRequest, writer: ResponseWriter) -> None:
        keep_alive = self._keep_alive
        if keep_alive is None:
            keep_alive = request.keep_alive
        version = request._version
        headers = self._headers
        if self._cookies:
            for cookie in self._cookies.values():
                headers.add(hdrs.SET_COOKIE, cookie.output(header="")[1:])
        empty = self._must_be_empty_body
        if self._chunked:
            if version != (1, 1):
                raise RuntimeError("Using chunked encoding is forbidden "
                                   f"for HTTP/{version[0]}.{version[1]}")
            if not empty:
                writer.chunked = True
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
        elif self._length_check:  # off for WebSocket handshakes
            length = writer.length = self.content_length
            if length is None and not empty:
                if version >= (1, 1):
                    writer.chunked = True
                    headers[hdrs.TRANSFER_ENCODING] = "chunked"
                else:
                    keep_alive = False  # HTTP/1.0: the body ends when the connection does
        if empty:
            writer.no_body = True
            if hdrs.CONTENT_LENGTH in headers and should_remove_content_length(
                    request._method, self._status):
                del headers[hdrs.CONTENT_LENGTH]
            if hdrs.TRANSFER_ENCODING in headers:
                del headers[hdrs.TRANSFER_ENCODING]
        elif (writer.length if self._length_check else self.content_length) != 0:
            headers.setdefault(hdrs.CONTENT_TYPE, "application/octet-stream")
        headers.setdefault(hdrs.DATE, date_value())
        headers.setdefault(hdrs.SERVER, SERVER_SOFTWARE)
        # Connection is said only when it differs from the version's default.
        if keep_alive:
            if version == (1, 0) and hdrs.CONNECTION not in headers:
                headers[hdrs.CONNECTION] = "keep-alive"
        elif version == (1, 1) and hdrs.CONNECTION not in headers:
            headers[hdrs.CONNECTION] = "close"
        self._keep_alive = keep_alive

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send body bytes (waits while the client's side of the connection is full)."""
        assert isinstance(data, (bytes, bytearray, memoryview)), (
            f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        if self._payload_writer is None:
            raise RuntimeError("Cannot call write() before prepare()")
        await self._payload_writer.write(data)

    async def drain(self) -> None:
        assert not self._eof_sent, "EOF has already been sent"
        assert self._payload_writer is not None, "Response has not been started"
        warnings.warn("drain method is deprecated, use await resp.write()",
                      DeprecationWarning, stacklevel=2)
        await self._payload_writer.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """End the body (``data``, if given, is its last piece)."""
        assert isinstance(data, (bytes, bytearray, memoryview)), (
            f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            return
        writer = self._payload_writer
        assert writer is not None, "Response has not been started"
        if writer.end(data):
            await writer.drain()
        self._ended(writer)

    def _ended(self, writer: ResponseWriter) -> None:
        self._eof_sent = True
        self._req = None
        self._body_length = writer.output_size
        self._payload_writer = None

    def __repr__(self) -> str:
        if self._eof_sent:
            info = "eof"
        elif self.prepared:
            assert self._req is not None
            info = f"{self._req.method} {self._req.path} "
        else:
            info = "not prepared"
        return f"<{type(self).__name__} {self.reason} {info}>"

    # -- the state mapping ------------------------------------------------------------------------

    @overload
    def __getitem__(self, key: ResponseKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | ResponseKey[_T]) -> Any:
        if self._state is None:
            raise KeyError(key)
        return self._state[key]

    @overload
    def __setitem__(self, key: ResponseKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: str | ResponseKey[_T], value: Any) -> None:
        if not isinstance(key, ResponseKey) and key not in StreamResponse._seen_str_keys:
            StreamResponse._seen_str_keys.add(key)
            warnings.warn(
                "It is recommended to use web.ResponseKey instances for keys.\n"
                "https://docs.aiohttp.org/en/stable/web_advanced.html#response-s-storage",
                category=NotAppKeyWarning, stacklevel=2)
        if self._state is None:
            self._state = {}
        self._state[key] = value

    def __delitem__(self, key: str | ResponseKey[_T]) -> None:
        if self._state is None:
            raise KeyError(key)
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state) if self._state else 0

    def __iter__(self) -> Iterator[str | ResponseKey[Any]]:
        return iter(self._state if self._state else ())

    def __hash__(self) -> int:
        return hash(id(self))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return True
