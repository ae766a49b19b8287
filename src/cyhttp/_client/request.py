"""ClientRequest: one HTTP request, from its arguments to bytes on the wire.

How this works: the constructor settles everything the wire needs — the target URL
(query merged, fragment dropped), the final header list with aiohttp's auto headers,
and the body (bytes for the common cases, a ``payload.Payload`` object otherwise) —
so that ``send()`` writes the head, and a bytes body, with ONE ``transport.write``.
Streaming bodies are written by a task so the response can arrive while the body
is still going out (a server may answer early, e.g. 413).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Container, Iterable, Mapping
from typing import Any, Final

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from yarl import URL

from .. import hdrs
from .._http.auth import BasicAuth
from .._http.compression import ACCEPT_ENCODING, Encoder
from .._http.formdata import FormData
from .._http.helpers import HttpVersion, HttpVersion11
from .._http.payload import LookupError as PayloadLookupError
from .._http.payload import get_payload
from .._http.writer import HeaderInjectionError, StreamWriter, serialize_head
from .exceptions import ClientConnectionResetError, ClientOSError, InvalidURL
from .reqinfo import ConnectionKey, RequestInfo
from .response import ClientResponse as _ClientResponse
from .wire import cookie_header, headers_version, write_request

__all__ = ("ClientRequest", "SERVER_SOFTWARE", "GET_METHODS", "IDEMPOTENT_METHODS")


def _version() -> str:
    from .._version import __version__

    return __version__


SERVER_SOFTWARE = "Python/{0[0]}.{0[1]} cyhttp/{1}".format(sys.version_info, _version())
GET_METHODS = frozenset({hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_TRACE})
IDEMPOTENT_METHODS = GET_METHODS | {hdrs.METH_PUT, hdrs.METH_DELETE}
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_SSL_SCHEMES = frozenset({"https", "wss"})

# The headers a request adds by itself, by lower-case name (skip_auto_headers matches any case).
_AUTO_NAMES: Final = {name.lower(): name for name in (
    hdrs.HOST, hdrs.ACCEPT, hdrs.ACCEPT_ENCODING, hdrs.USER_AGENT, hdrs.CONTENT_TYPE,
    hdrs.CONTENT_LENGTH, hdrs.TRANSFER_ENCODING, hdrs.CONNECTION)}


class ClientRequest:
    """What to send: method, URL, headers, body; ``send(conn)`` puts it on the wire."""

    GET_METHODS = GET_METHODS
    POST_METHODS = frozenset({hdrs.METH_PATCH, hdrs.METH_POST, hdrs.METH_PUT})
    DEFAULT_HEADERS = {hdrs.ACCEPT: "*/*", hdrs.ACCEPT_ENCODING: ACCEPT_ENCODING}

    body: Any
    _headers: CIMultiDict[str] | None = None  # a planned request builds them on first access
    _writer_task: asyncio.Task[None] | None = None
    response: Any = None
    _conn_reused = False  # set by the session: went out on a pooled connection (retry-safe)
    _timeout: Any = None  # the request's ClientTimeout (set by the request path)
    # A request composed from a plan (``_planned``): its plan, head, cookie and body type.
    _plan: Any = None
    _planned_head: bytes | None = None
    _cookie: str | None = None
    _content_type: str | None = None
    _headers_version = -1  # the headers' multidict version when first built (planned requests)
    # What ``__init__`` sets, at its defaults: a planned request carries only what differs.
    version: HttpVersion = HttpVersion11
    ssl: Any = True
    server_hostname: str | None = None
    proxy: URL | None = None
    proxy_auth: BasicAuth | None = None
    proxy_headers: Any = None
    expect100 = False
    chunked = False
    compress: str | bool | None = None
    response_class: type | None = None
    auth: BasicAuth | None = None
    _timer: Any = None
    _skip_auto_headers: frozenset[str] | None = None

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        params: Any = None,
        headers: Any = None,
        skip_auto_headers: Iterable[str] | None = None,
        data: Any = None,
        cookies: Any = None,
        auth: BasicAuth | None = None,
        version: HttpVersion = HttpVersion11,
        compress: str | bool | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        response_class: type | None = None,
        proxy: URL | None = None,
        proxy_auth: BasicAuth | None = None,
        timer: Any = None,
        session: Any = None,
        ssl: Any = True,
        server_hostname: str | None = None,
        proxy_headers: Any = None,
        traces: list[Any] | None = None,
        trust_env: bool = False,
        json_serialize: Any = None,
    ) -> None:
        if not url.raw_host:
            raise InvalidURL(url)
        if params:
            url = url.extend_query(params)
        self.original_url = url
        self.url = url.with_fragment(None) if url.raw_fragment else url
        self.method = method.upper()
        self.loop = loop
        self.version = version
        self.ssl = ssl
        self.server_hostname = server_hostname
        self.proxy = proxy
        self.proxy_auth = proxy_auth
        self.proxy_headers = proxy_headers
        self.expect100 = expect100
        self.chunked = bool(chunked)
        self.compress = compress
        self.traces = traces if traces is not None else []
        self.response_class = response_class
        self._session = session
        self._timer = timer
        self._connection_key: ConnectionKey | None = None
        self.response_params: tuple[Any, ...] = ()
        if url.raw_user or url.raw_password:
            auth = BasicAuth.from_url(url)
        self.auth = auth
        self.headers = self._build_headers(headers, skip_auto_headers, cookies, auth)
        if expect100:
            self.headers[hdrs.EXPECT] = "100-continue"
        elif self.headers.get(hdrs.EXPECT, "").lower() == "100-continue":
            self.expect100 = True
        self.body = None
        self._set_body(data, json_serialize)

    @classmethod
    def _planned(cls, plan: Any, cookie: str | None, body: bytes | None, content_type: str | None,
                 traces: Any, response_params: tuple[Any, ...], timeout: Any) -> ClientRequest:
        """A request composed from ``plan`` (see ``plan.py``): what ``__init__`` would build
        for the plan's inputs with this ``body`` and ``cookie`` value, headers built lazily."""
        req = cls.__new__(cls)
        req.__dict__.update(plan.attrs)
        req.body = body
        req.traces = traces
        req.response_params = response_params
        req._timeout = timeout
        req._plan = plan
        if cookie is not None or body is not None:
            req._cookie = cookie
            req._content_type = content_type
            req._planned_head = plan.head_for(cookie, body, content_type)
        else:
            req._planned_head = plan.head
        return req

    @property
    def headers(self) -> CIMultiDict[str]:
        """The request's headers (a planned request builds them on first access)."""
        headers = self._headers
        if headers is None:
            body = self.body
            headers = self._headers = self._plan.headers_for(
                self._cookie, None if body is None else len(body), self._content_type)
            self._headers_version = headers_version(headers)
        return headers

    @headers.setter
    def headers(self, value: CIMultiDict[str]) -> None:
        self._headers = value

    # -- construction --------------------------------------------------------------

    # False in a subclass that changes how a request is built or its head serialized: then
    # no plan composes its requests (each is built by the subclass itself).
    _plain = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain = (cls.__init__ is ClientRequest.__init__
                      and cls._build_headers is ClientRequest._build_headers
                      and cls._set_body is ClientRequest._set_body
                      and cls._head is ClientRequest._head and cls._target is ClientRequest._target
                      and cls.DEFAULT_HEADERS is _DEFAULT_HEADERS)

    def _build_headers(self, headers: Any, skip: Iterable[str] | None, cookies: Any,
                       auth: BasicAuth | None) -> CIMultiDict[str]:
        host = self.url.host_port_subcomponent
        out: CIMultiDict[str] = CIMultiDict()
        out[hdrs.HOST] = host  # type: ignore[assignment]
        user_host = False
        if headers:
            items = headers.items() if isinstance(headers, (Mapping, MultiDictProxy, MultiDict)) else headers
            for key, value in items:
                if key.lower() == "host":
                    out[key] = value
                    user_host = True
                else:
                    out.add(key, value)
        used: Container[str]
        if skip:
            # Header names are case-insensitive: a skipped name is kept in the spelling of
            # the auto header it stops (so `hdrs.X in skip` holds however it was written).
            skipped = self._skip_auto_headers = frozenset(_AUTO_NAMES.get(h.lower(), istr(h)) for h in skip)
            used = CIMultiDict(out)
            used.extend((name, "") for name in skipped)
            if hdrs.HOST in skipped and not user_host:
                del out[hdrs.HOST]
        else:
            self._skip_auto_headers = None
            used = out
        for key, value in self.DEFAULT_HEADERS.items():
            if key not in used:
                out[key] = value
        if hdrs.USER_AGENT not in used:
            out[hdrs.USER_AGENT] = SERVER_SOFTWARE
        if cookies:
            self._add_cookies(out, cookies)
        if auth is not None:
            if not isinstance(auth, BasicAuth):
                raise TypeError("BasicAuth() tuple is required instead")
            out[hdrs.AUTHORIZATION] = auth.encode()
        return out

    @staticmethod
    def _add_cookies(out: CIMultiDict[str], cookies: Any) -> None:
        existing = out.get(hdrs.COOKIE)
        if existing:
            del out[hdrs.COOKIE]
        out[hdrs.COOKIE] = cookie_header(cookies, existing)

    def _set_body(self, data: Any, json_serialize: Any) -> None:
        headers = self.headers
        skip = self._skip_auto_headers
        if data is None:
            if (self.method not in GET_METHODS and not self.chunked
                    and hdrs.CONTENT_LENGTH not in headers):
                headers[hdrs.CONTENT_LENGTH] = "0"
            return
        content_type: str | None
        if isinstance(data, (bytes, bytearray, memoryview)):
            body: Any = bytes(data)
            content_type = "application/octet-stream"
        elif isinstance(data, str):
            body = data.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        else:
            # Payload kinds first (files, async iterables, StreamReader, multipart…); what none
            # takes — dicts, pairs, MultiDicts — is a form (urlencoded, or multipart with files).
            if isinstance(data, FormData):
                data = data()
            try:
                body = get_payload(data)
            except (PayloadLookupError, TypeError):
                body = FormData(data)()
            content_type = None
        if self.compress and body:
            if headers.get(hdrs.CONTENT_ENCODING):
                raise ValueError("compress can not be set if Content-Encoding header is set")
            encoder = Encoder("deflate" if self.compress is True else str(self.compress))
            headers[hdrs.CONTENT_ENCODING] = encoder.encoding
            if isinstance(body, bytes):
                body = encoder.compress(body) + encoder.flush()
            else:
                body = _CompressedBody(body, encoder)
            if hdrs.CONTENT_LENGTH not in headers:
                self.chunked = True  # as aiohttp: a compressed body goes out chunked
        te = headers.get(hdrs.TRANSFER_ENCODING, "").lower()
        if "chunked" in te:
            if self.chunked:
                raise ValueError('chunked can not be set if "Transfer-Encoding: chunked" header is set')
            self.chunked = True
        elif self.chunked:
            if hdrs.CONTENT_LENGTH in headers:
                raise ValueError("chunked can not be set if Content-Length header is set")
            headers[hdrs.TRANSFER_ENCODING] = "chunked"
        elif hdrs.CONTENT_LENGTH not in headers:
            size = len(body) if isinstance(body, bytes) else getattr(body, "size", None)
            if size is None:
                self.chunked = True
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
            else:
                headers[hdrs.CONTENT_LENGTH] = str(size)
        if content_type is None:
            payload_headers = getattr(body, "headers", None) or {}
            for key, value in payload_headers.items():
                if key not in headers and not (skip and key in skip):
                    headers[key] = value
        elif hdrs.CONTENT_TYPE not in headers and not (skip and hdrs.CONTENT_TYPE in skip):
            headers[hdrs.CONTENT_TYPE] = content_type
        self.body = body

    # -- what the connector reads --------------------------------------------------------

    @property
    def host(self) -> str:
        return self.url.raw_host  # type: ignore[return-value]

    @property
    def port(self) -> int | None:
        return self.url.port

    def is_ssl(self) -> bool:
        return self.url.scheme in _SSL_SCHEMES

    @property
    def connection_key(self) -> ConnectionKey:
        key = self._connection_key
        if key is None:
            proxy_headers = self.proxy_headers
            h = hash(tuple(proxy_headers.items())) if proxy_headers else None
            key = self._connection_key = ConnectionKey(
                self.url.raw_host or "", self.url.port, self.url.scheme in _SSL_SCHEMES,
                self.ssl, self.proxy, self.proxy_auth, h,
            )
        return key

    @property
    def request_info(self) -> RequestInfo:
        return RequestInfo(self.url, self.method, CIMultiDictProxy(self.headers), self.original_url)

    @property
    def session(self) -> Any:
        return self._session

    # -- sending -------------------------------------------------------------------------

    def _target(self) -> str:
        url = self.url
        if self.proxy is not None and not self.is_ssl():
            return str(url)
        if self.method == hdrs.METH_CONNECT:
            return url.host_port_subcomponent or ""
        return url.raw_path_qs or "/"

    def _head(self) -> bytes:
        planned = self._planned_head
        if planned is not None:
            # A planned request's head, unless something (a middleware) changed what it says.
            plan = self._plan
            headers = self._headers
            if ((headers is None or headers_version(headers) == self._headers_version) and self.url is plan.target
                    and self.method == plan.method and self.version is plan.version and self.proxy is plan.proxy):
                return planned
        target = self._target()
        if " " in target:  # only possible with URL(..., encoded=True): would split the line
            raise HeaderInjectionError(f"Whitespace in the request target: {target!r}")
        v = self.version
        return serialize_head(f"{self.method} {target} HTTP/{v[0]}.{v[1]}", self.headers.items())

    async def send(self, conn: Any) -> Any:
        """Write the request on ``conn``; returns the (not yet started) response."""
        response = self._send_now(conn)
        for trace in self.traces:
            await trace.send_request_headers_sent(self.method, self.original_url, self.headers)
        return response

    def _send_now(self, conn: Any) -> Any:
        """``send()`` without the traces: no coroutine (the session's untraced fast path)."""
        protocol = conn.protocol
        head = self._head()  # may raise ValueError (injection) before anything is sent
        body = self.body
        if not self.expect100 and (body is None or (type(body) is bytes and not self.chunked)):
            waiter = write_request(protocol, self.method, head, body, *self.response_params)
        else:
            waiter = protocol.start_response(self.method, *self.response_params, expect100=self.expect100)
            transport = protocol.transport
            if transport is None or transport.is_closing():
                protocol._waiter = None
                raise ClientConnectionResetError("Cannot write to closing transport")
            if type(body) is bytes and not self.expect100:  # chunked: in one write too
                transport.write(b"".join((head, b"%x\r\n" % len(body), body, b"\r\n0\r\n\r\n"))
                                if body else head + b"0\r\n\r\n")
            else:
                transport.write(head)
                if body is not None:
                    self._writer_task = asyncio.get_running_loop().create_task(self._write_body(conn))
        response_class = self.response_class
        if response_class is None or response_class is _ClientResponse:
            # Ours builds request_info on first use, from the headers or the plan's parts.
            response = _ClientResponse._new(self.method, self.original_url, self._writer_task, self.traces,
                                            self.loop, self._session, waiter)
            headers = self._headers
            if headers is not None:
                response._req_headers = headers
            else:
                body = self.body
                response._req_parts = (self._plan, self._cookie, None if body is None else len(body),
                                       self._content_type)
        else:
            response = response_class(
                self.method, self.original_url, writer=self._writer_task, continue100=None,
                timer=self._timer, request_info=self.request_info, traces=self.traces,
                loop=self.loop, session=self._session,
            )
            response._waiter = waiter
        self.response = response
        return response

    async def _write_body(self, conn: Any) -> None:
        protocol = conn.protocol
        writer = StreamWriter(protocol, asyncio.get_running_loop())
        if self.chunked:
            writer.enable_chunking()
        try:
            if self.expect100:
                cont = protocol.continue_future
                if cont is not None and not await cont:
                    return
            body = self.body
            if type(body) is bytes:
                await writer.write(body)
            else:
                await body.write(writer)
            await writer.write_eof()
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            # Any I/O error while sending the body is the request's ClientOSError (as aiohttp).
            err = exc if isinstance(exc, ClientOSError) else ClientOSError(*exc.args)
            protocol._set_exception(err)
            protocol.close()
        except asyncio.CancelledError:
            if not conn.closed:
                conn.close()
            raise
        except Exception as exc:
            protocol._set_exception(exc)
            protocol.close()
        finally:
            self._writer_task = None

    def terminate(self) -> None:
        task = self._writer_task
        if task is not None and not task.done():
            task.cancel()
        self._writer_task = None

    async def close(self) -> None:
        task = self._writer_task
        if task is not None:
            try:
                await task
            except BaseException:
                pass

    def __repr__(self) -> str:
        return f"<ClientRequest({self.method} {self.url})>"


_DEFAULT_HEADERS = ClientRequest.DEFAULT_HEADERS  # a subclass with its own set is not composed


class _CompressedBody:
    """A payload whose bytes are compressed on their way out (``compress=``)."""

    size = None

    def __init__(self, payload: Any, encoder: Encoder) -> None:
        self._payload = payload
        self._encoder = encoder
        self.headers = getattr(payload, "headers", None) or {}

    async def write(self, writer: StreamWriter) -> None:
        writer.enable_compression_with(self._encoder)
        await self._payload.write(writer)

    @property
    def consumed(self) -> bool:
        return bool(getattr(self._payload, "consumed", False))

    async def close(self) -> None:
        close = getattr(self._payload, "close", None)
        if close is not None:
            await close()
