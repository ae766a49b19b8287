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
from collections.abc import Iterable, Mapping
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import Any

from multidict import (
    CIMultiDict,
    CIMultiDictProxy,
    MultiDict,
    MultiDictProxy,
    getversion,
    istr,
)
from yarl import URL

from .. import hdrs
from .._http.auth import BasicAuth
from .._http.compression import ACCEPT_ENCODING, Encoder
from .._http.cookie_parse import make_morsel
from .._http.formdata import FormData
from .._http.helpers import HttpVersion, HttpVersion11
from .._http.payload import LookupError as PayloadLookupError
from .._http.payload import get_payload
from .._http.writer import HeaderInjectionError, StreamWriter, serialize_head
from .exceptions import ClientConnectionResetError, ClientOSError, InvalidURL
from .reqinfo import ConnectionKey, RequestInfo
from .response import ClientResponse as _ClientResponse

__all__ = ("ClientRequest", "SERVER_SOFTWARE", "GET_METHODS", "IDEMPOTENT_METHODS")


def _version() -> str:
    from .._version import __version__

    return __version__


SERVER_SOFTWARE = "Python/{0[0]}.{0[1]} cyhttp/{1}".format(sys.version_info, _version())
GET_METHODS = frozenset({hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_TRACE})
IDEMPOTENT_METHODS = GET_METHODS | {hdrs.METH_PUT, hdrs.METH_DELETE}
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_SSL_SCHEMES = frozenset({"https", "wss"})

# The common request (no headers of its own, no cookies, no auth) costs two dict
# lookups instead of a header build and a serialization: the auto headers are cached
# per Host value and the serialized head per (that header set, method, target,
# version).  A cached head is used only while the request's headers are untouched
# since construction (multidict's version counter says so), so a middleware that edits
# ``req.headers`` gets a freshly serialized head.  Both caches are bounded.
_CACHE_MAX = 256
_AUTO_HEADERS: dict[str, CIMultiDict[str]] = {}
_HEADS: dict[tuple[Any, ...], bytes] = {}


def cookie_header(cookies: Any, existing: str | None = None) -> str:
    """The Cookie header value for ``cookies`` (a mapping, pairs, or a jar's filtered
    cookies), after the pairs of an ``existing`` value."""
    if not existing and isinstance(cookies, BaseCookie):
        morsels = sorted(cookies.items())
        if not any(any(m.values()) for _, m in morsels):
            # A jar's filtered cookies: bare name=value morsels, joined as SimpleCookie's
            # output() would (sorted, "; ", the whole stripped), without building one.
            return "; ".join(f"{m.key}={m.coded_value}" for _, m in morsels).strip()
    jar: SimpleCookie = SimpleCookie()
    if existing:
        jar.load(existing)
    items = cookies.items() if isinstance(cookies, Mapping) else cookies
    for name, value in items:
        if isinstance(value, Morsel):
            # Stored as given: jars keep names http.cookies' strict key check refuses.
            dict.__setitem__(jar, name, make_morsel(value.key, value.value, value.coded_value))
        else:
            jar[name] = value
    return jar.output(header="", sep=";").strip()


class ClientRequest:
    """What to send: method, URL, headers, body; ``send(conn)`` puts it on the wire."""

    GET_METHODS = GET_METHODS
    POST_METHODS = frozenset({hdrs.METH_PATCH, hdrs.METH_POST, hdrs.METH_PUT})
    DEFAULT_HEADERS = {hdrs.ACCEPT: "*/*", hdrs.ACCEPT_ENCODING: ACCEPT_ENCODING}

    body: Any
    _writer_task: asyncio.Task[None] | None = None
    response: Any = None
    _head_key: tuple[str, str] | None = None  # set when the headers are a cached auto set
    _headers_version = -1
    _conn_reused = False  # set by the session: went out on a pooled connection (retry-safe)

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
        if self._plain and not headers and data is None and auth is None and not cookies \
                and not skip_auto_headers and not expect100 and not chunked:
            if not url.raw_user and not url.raw_password and self._plain_headers():
                return
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
        if self._head_key is not None:
            if data is None and not expect100 and not self.chunked:
                self._headers_version = getversion(self.headers)
            else:
                self._head_key = None

    # -- construction --------------------------------------------------------------

    _plain = True  # False in a subclass that changes how headers or the body are built

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain = (cls._build_headers is ClientRequest._build_headers
                      and cls._set_body is ClientRequest._set_body
                      and cls.DEFAULT_HEADERS is _DEFAULT_HEADERS)

    def _plain_headers(self) -> bool:
        """The rest of ``__init__`` for a plain request whose auto-header set is cached.

        Exactly what ``_build_headers`` + ``_set_body`` give for no headers, body,
        cookies, auth or skip list, in one step; False (nothing done) when the set for
        this host is not cached yet.
        """
        host = self.url.host_port_subcomponent
        cached = _AUTO_HEADERS.get(host) if host is not None else None
        if cached is None:
            return False
        self.auth = None
        self._skip_auto_headers = None
        self._head_key = (host, self.method)
        headers = self.headers = cached.copy()
        if self.method not in GET_METHODS:
            headers[hdrs.CONTENT_LENGTH] = "0"
        self.body = None
        self._headers_version = getversion(headers)
        return True

    def _build_headers(self, headers: Any, skip: Iterable[str] | None, cookies: Any,
                       auth: BasicAuth | None) -> CIMultiDict[str]:
        host = self.url.host_port_subcomponent
        plain = (not headers and not skip and not cookies and auth is None
                 and self.DEFAULT_HEADERS is _DEFAULT_HEADERS and host is not None)
        if plain:
            cached = _AUTO_HEADERS.get(host)  # type: ignore[arg-type]
            if cached is not None:
                self._skip_auto_headers = None
                self._head_key = (host, self.method)  # type: ignore[assignment]
                return cached.copy()
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
        if skip:
            self._skip_auto_headers: frozenset[str] | None = frozenset(istr(h) for h in skip)
            used = set(out.keys()) | self._skip_auto_headers
            if hdrs.HOST in self._skip_auto_headers and not user_host:
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
        if plain:
            if len(_AUTO_HEADERS) >= _CACHE_MAX:
                _AUTO_HEADERS.clear()
            _AUTO_HEADERS[host] = out.copy()  # type: ignore[index]
            self._head_key = (host, self.method)  # type: ignore[assignment]
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

    def _head(self) -> bytes:
        url = self.url
        if self.proxy is not None and not self.is_ssl():
            target = str(url)
        elif self.method == hdrs.METH_CONNECT:
            target = url.host_port_subcomponent or ""
        else:
            target = url.raw_path_qs or "/"
        if " " in target:  # only possible with URL(..., encoded=True): would split the line
            raise HeaderInjectionError(f"Whitespace in the request target: {target!r}")
        v = self.version
        key: Any = self._head_key
        if key is None or getversion(self.headers) != self._headers_version:
            return serialize_head(f"{self.method} {target} HTTP/{v[0]}.{v[1]}", self.headers.items())
        key = (key, self.method, target, v)
        head = _HEADS.get(key)
        if head is None:
            head = serialize_head(f"{self.method} {target} HTTP/{v[0]}.{v[1]}", self.headers.items())
            if len(_HEADS) >= _CACHE_MAX:
                _HEADS.clear()
            _HEADS[key] = head
        return head

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
        waiter = protocol.start_response(self.method, *self.response_params, expect100=self.expect100)
        transport = protocol.transport
        if transport is None or transport.is_closing():
            protocol._waiter = None
            raise ClientConnectionResetError("Cannot write to closing transport")
        body = self.body
        if body is None:
            transport.write(head)
        elif type(body) is bytes and not self.expect100:
            if self.chunked:
                transport.write(b"".join((head, b"%x\r\n" % len(body), body, b"\r\n0\r\n\r\n"))
                                if body else head + b"0\r\n\r\n")
            else:
                transport.write(head + body if len(body) < 1 << 20 else head)
                if len(body) >= 1 << 20:
                    transport.write(body)
        else:
            transport.write(head)
            self._writer_task = asyncio.get_running_loop().create_task(self._write_body(conn))
        response_class = self.response_class
        if response_class is None:
            from .response import ClientResponse as response_class
        lazy = response_class is _ClientResponse  # ours builds request_info on first use
        response = self.response = response_class(
            self.method, self.original_url, writer=self._writer_task, continue100=None,
            timer=self._timer, request_info=None if lazy else self.request_info, traces=self.traces,
            loop=self.loop, session=self._session,
        )
        if lazy:
            response._req_headers = self.headers
        response._waiter = waiter
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


_DEFAULT_HEADERS = ClientRequest.DEFAULT_HEADERS  # a subclass with its own set skips the caches


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
