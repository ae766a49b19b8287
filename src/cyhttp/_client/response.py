"""ClientResponse: status, headers and body of one response, with aiohttp's API.

How this works: ``start(conn)`` awaits the head future the protocol resolves, and
takes status, reason, headers and raw headers straight from the engine's
``ResponseHead`` (no re-parsing).  The body lives in ``content`` (a StreamReader);
once the protocol has seen the whole body the connection goes back to the pool at
once, even before the body is read — the bytes are already buffered.  A bad head
(an engine ``ParseError``) becomes ``ClientResponseError`` here, the only place that
knows ``request_info``.  Derived values (content type, cookies, links) are computed
on first use.
"""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import json as _json
from collections.abc import Callable
from http.cookies import SimpleCookie
from types import MappingProxyType
from typing import Any

from multidict import CIMultiDictProxy, MultiDictProxy
from yarl import URL

from .. import hdrs
from .._core.errors import ParseError
from .._http.helpers import (
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    is_expected_content_type,
    parse_content_type,
    parse_links,
)
from .._http.content_disposition import content_disposition_filename, parse_content_disposition
from .._http.streams import EMPTY_PAYLOAD, StreamReader
from .exceptions import ClientConnectionError, ClientResponseError, ContentTypeError
from .reqinfo import RequestInfo

__all__ = ("ClientResponse", "ContentDisposition")

# Set on a released response's stream: shared, as aiohttp does (no allocation per release).
_CONNECTION_CLOSED = ClientConnectionError("Connection closed")


@dataclasses.dataclass(frozen=True)
class ContentDisposition:
    """``response.content_disposition``: the type, its parameters and the file name."""

    type: str | None
    parameters: MappingProxyType[str, str]
    filename: str | None


_JSON_DEFAULT_CHARSET = frozenset({"application/json", "application/rdap+json"})
_VERSIONS = {(1, 1): HttpVersion11, (1, 0): HttpVersion10}


def _default_charset_resolver(resp: ClientResponse, body: bytes) -> str:
    return "utf-8"



class _Finished:
    """An awaitable that is already done (what ``release()`` returns)."""

    __slots__ = ()

    def __await__(self) -> Any:
        return iter(())


_RELEASED = _Finished()

class ClientResponse:
    """The response to one request (``async with session.get(url) as resp``)."""

    version: HttpVersion | None = None
    status: int = None  # type: ignore[assignment]
    reason: str | None = None
    content: StreamReader = EMPTY_PAYLOAD
    _headers: CIMultiDictProxy[str] = None  # type: ignore[assignment]
    _raw_headers: tuple[tuple[bytes, bytes], ...] | None = ()
    _head: Any = None  # the engine's ResponseHead: raw headers are built from it on demand
    _connection: Any = None
    _body: bytes | None = None
    _content_type: tuple[str, MappingProxyType[str, str]] | None = None
    _cookies: SimpleCookie | None = None
    _waiter: asyncio.Future[Any] | None = None
    _history: tuple[ClientResponse, ...] = ()  # the session sets it after redirects
    _req_headers: Any = None  # the request's headers, when request_info is built lazily
    _req_parts: Any = None  # or what builds them: (plan, cookie, body length, content type)
    _closed = True
    _released = False
    _request_info: RequestInfo | None = None  # None: built on first use (see request_info)
    _in_context = False  # inside ``async with resp`` (raise_for_status leaves releasing to its exit)

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        writer: asyncio.Task[None] | None = None,
        continue100: Any = None,
        timer: Any = None,
        request_info: RequestInfo,
        traces: list[Any] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        session: Any = None,
        stream_writer: Any = None,  # aiohttp's upload bookkeeping; accepted for subclasses
    ) -> None:
        self.method = method
        self._real_url = url
        self._url = url.with_fragment(None) if url.raw_fragment else url
        self._writer = writer
        self._request_info = request_info
        self._traces = traces or ()
        self._loop = loop
        self._session = session

    @classmethod
    def _new(cls, method: str, url: URL, writer: asyncio.Task[None] | None, traces: Any,
             loop: asyncio.AbstractEventLoop | None, session: Any, waiter: asyncio.Future[Any]) -> ClientResponse:
        """``ClientResponse(method, url, writer=…, …)`` for our own request path: the attributes
        set directly (no keyword parsing), ``request_info`` built on first use."""
        resp = cls.__new__(cls)
        resp.method = method
        resp._real_url = url
        resp._url = url.with_fragment(None) if url.raw_fragment else url
        resp._writer = writer
        resp._traces = traces or ()
        resp._loop = loop
        resp._session = session
        resp._waiter = waiter
        return resp

    # -- the head --------------------------------------------------------------

    async def start(self, connection: Any) -> ClientResponse:
        """Wait for the head of the response (1xx interim heads are skipped)."""
        waiter = self._begin(connection)
        try:
            result = await waiter
        except ParseError as exc:
            raise self._head_error(exc) from exc
        finally:
            self._waiter = None
        return self._got_head(result)

    # ``start`` in three synchronous pieces: the session awaits the waiter itself
    # (one coroutine frame less per request) when ``start`` is not overridden.

    def _begin(self, connection: Any) -> asyncio.Future[Any]:
        self._connection = connection
        self._closed = False
        waiter = self._waiter
        assert waiter is not None
        return waiter

    def _head_error(self, exc: ParseError) -> ClientResponseError:
        return ClientResponseError(
            self.request_info, self._history, status=400, message=str(exc) or repr(exc),
        )

    def _got_head(self, result: Any) -> ClientResponse:
        head, payload = result
        version = head.version
        self.version = _VERSIONS.get(version) or HttpVersion(*version)
        self.status = head.status
        self.reason = head.reason
        self._headers = head.headers
        self._head = head
        self._raw_headers = None  # most callers never look: built on first access
        if payload is None:  # 101 Switching Protocols: the caller takes the connection over
            return self
        self.content = payload
        if payload.is_eof():
            self._response_eof()
        else:
            payload.on_eof(self._response_eof)
        return self

    def _response_eof(self) -> None:
        """The whole body is buffered: the connection can serve the next request."""
        if self._closed:
            return
        self._closed = True
        cancelled = self._writer is not None and self._cleanup_writer()
        conn = self._connection
        if conn is not None:
            self._connection = None
            if cancelled:
                conn.close()  # the request body was still going out
            else:
                conn.release()

    # -- attributes ------------------------------------------------------------

    @property
    def url(self) -> URL:
        return self._url

    @property
    def real_url(self) -> URL:
        return self._real_url

    @property
    def host(self) -> str:
        return self._url.host  # type: ignore[return-value]

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._headers

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        raw = self._raw_headers
        if raw is None:
            raw = self._raw_headers = self._head.raw_headers
        return raw

    @property
    def request_info(self) -> RequestInfo:
        info = self._request_info
        if info is None:
            # Same fields ClientRequest.request_info would give: its url is ours, its
            # original_url our real_url; only the headers come from the request.
            headers = self._req_headers
            if headers is None:
                plan, cookie, length, content_type = self._req_parts
                headers = self._req_headers = plan.headers_for(cookie, length, content_type)
            info = self._request_info = RequestInfo(self._url, self.method, CIMultiDictProxy(headers), self._real_url)
        return info

    @property
    def history(self) -> tuple[ClientResponse, ...]:
        return self._history

    @property
    def connection(self) -> Any:
        return self._connection

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def closed(self) -> bool:
        return self._closed

    def _parsed_content_type(self) -> tuple[str, MappingProxyType[str, str]]:
        parsed = self._content_type
        if parsed is None:
            raw = self._headers.get(hdrs.CONTENT_TYPE) if self._headers is not None else None
            parsed = self._content_type = parse_content_type(raw or "application/octet-stream")
        return parsed

    @property
    def content_type(self) -> str:
        return self._parsed_content_type()[0]

    @property
    def charset(self) -> str | None:
        return self._parsed_content_type()[1].get("charset")

    @property
    def content_disposition(self) -> ContentDisposition | None:
        raw = self._headers.get(hdrs.CONTENT_DISPOSITION) if self._headers is not None else None
        if raw is None:
            return None
        kind, params = parse_content_disposition(raw)
        proxy = MappingProxyType(params)
        return ContentDisposition(kind, proxy, content_disposition_filename(proxy))

    @property
    def content_length(self) -> int | None:
        raw = self._headers.get(hdrs.CONTENT_LENGTH) if self._headers is not None else None
        return int(raw) if raw is not None and raw.isdigit() else None

    @property
    def links(self) -> MultiDictProxy[Any]:
        values = self._headers.getall(hdrs.LINK, ()) if self._headers is not None else ()
        return parse_links(", ".join(values), self._url)

    @property
    def cookies(self) -> SimpleCookie:
        cookies = self._cookies
        if cookies is None:
            cookies = self._cookies = SimpleCookie()
            raw = self.raw_set_cookies()
            if raw:  # the lenient parser the jar uses: malformed ones are skipped, as aiohttp
                from .._http.cookie_parse import parse_set_cookie_headers

                dict.update(cookies, parse_set_cookie_headers(raw))
        return cookies

    @cookies.setter
    def cookies(self, value: SimpleCookie) -> None:
        self._cookies = value

    def raw_set_cookies(self) -> list[str]:
        headers = self._headers
        return headers.getall(hdrs.SET_COOKIE, []) if headers is not None else []

    # -- the body ----------------------------------------------------------------

    async def read(self) -> bytes:
        """The whole body (cached: later calls return the same bytes)."""
        if self._body is None:
            content = self.content
            if content._eof and not self._traces and content._exception is None:
                # The whole body is already buffered (small responses): no waiting.
                self._body = content.read_nowait()
                return self._body
            try:
                self._body = await content.read()
                for trace in self._traces:
                    await trace.send_response_chunk_received(self.method, self._url, self._body)
            except BaseException:
                self.close()
                raise
        elif self._released:  # as aiohttp: a released response's body is gone
            raise ClientConnectionError("Connection closed")
        return self._body

    def get_encoding(self) -> str:
        mimetype, params = self._parsed_content_type()
        encoding = params.get("charset")
        if encoding:
            try:
                codecs.lookup(encoding)
                return encoding
            except LookupError:
                pass
        if mimetype in _JSON_DEFAULT_CHARSET:
            return "utf-8"
        if self._body is None:
            raise RuntimeError("Cannot compute fallback encoding of a not yet read body")
        return self._resolve_charset(self, self._body)

    @property
    def _resolve_charset(self) -> Callable[[ClientResponse, bytes], str]:
        # Looked up when needed (rarely): not a per-response attribute.
        session = self._session
        return session._config.fallback_charset_resolver if session is not None else _default_charset_resolver

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        body = await self.read()
        if encoding is None:
            encoding = self.get_encoding()
        return body.decode(encoding, errors=errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: Callable[[str], Any] = _json.loads,
        content_type: str | None = "application/json",
    ) -> Any:
        body = await self.read()
        if content_type:
            ctype = self.content_type
            if not is_expected_content_type(ctype, content_type):
                raise ContentTypeError(
                    self.request_info, self._history, status=self.status,
                    message=f"Attempt to decode JSON with unexpected mimetype: {ctype}",
                    headers=self._headers,
                )
        if not body.strip():
            return None
        if encoding is None:
            encoding = self.get_encoding()
        return loads(body.decode(encoding))

    # -- lifecycle ---------------------------------------------------------------

    def release(self) -> Any:
        """Give the connection back (closed instead if the body is not complete).

        Returns an already-finished awaitable: aiohttp users write ``await resp.release()``.
        """
        if self._released:
            return _RELEASED
        self._end_content()
        self._closed = True
        self._release_connection()
        return _RELEASED

    def _end_content(self) -> None:
        """Released: readers waiting on the body, or coming later, learn it is over."""
        self._released = True
        content = self.content
        if content._exception is None:
            content.set_exception(_CONNECTION_CLOSED)

    def _release_connection(self) -> None:
        cancelled = self._writer is not None and self._cleanup_writer()
        conn = self._connection
        if conn is not None:
            self._connection = None
            if cancelled:
                conn.close()
            else:
                conn.release()

    def close(self) -> None:
        """Close the connection (never reused)."""
        if not self._released:
            self._end_content()
        self._closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.cancel()
        self._cleanup_writer()
        conn = self._connection
        if conn is not None:
            self._connection = None
            conn.close()

    def _cleanup_writer(self) -> bool:
        """Cancel a body writer still running; True if one was."""
        writer = self._writer
        if writer is not None:
            self._writer = None
            if not writer.done():
                writer.cancel()
                return True
        return False

    async def wait_for_close(self) -> None:
        writer = self._writer
        if writer is not None:
            try:
                await writer
            except BaseException:
                pass
        self.release()

    def raise_for_status(self) -> None:
        if self.status >= 400:
            assert self.reason is not None
            if not self._in_context:
                # aiohttp releases here only outside ``async with`` (whose exit releases);
                # the session's request context manager does not enter the response yet
                # (context.py), so the connection goes back but the body stays readable.
                self._release_connection()
            raise ClientResponseError(
                self.request_info, self._history, status=self.status,
                message=self.reason, headers=self._headers,
            )

    async def __aenter__(self) -> ClientResponse:
        self._in_context = True
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.release()
        if self._writer is not None:
            await self.wait_for_close()

    def __repr__(self) -> str:
        return f"<ClientResponse({self._url}) [{self.status} {self.reason}]>\n{self._headers!r}\n"
