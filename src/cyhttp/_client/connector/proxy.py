"""Proxy support for ``TCPConnector``: plain-HTTP forwarding and CONNECT tunnels.

How this works: a request with ``req.proxy`` set reaches the proxy over an ordinary
direct connection, made for a ``ProxyHop`` (a request-like view of the proxy URL).
For ``http://`` targets that connection IS the request's connection: the request
goes out in absolute form (``ClientRequest`` does that) and ``forward_headers``
adds ``Proxy-Authorization`` (and ``proxy_headers``) to it; such a connection is
used for one request only (see ``single_use``).
For ``https://`` / ``wss://`` targets the hop runs a ``TunnelProtocol``: it writes
``CONNECT host:port`` (credentials go here, never to the origin), reads the proxy's
answer with the engine's ``ResponseParser`` and, on a 2xx, hands the raw transport
back so the connector can ``start_tls`` to the origin inside the tunnel.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ... import hdrs
from ..._core.errors import ParseError
from ..._core.http_parser import ResponseHead, ResponseParser
from ..._http.auth import BasicAuth
from ..._http.writer import serialize_head
from ..error_map import client_error
from ..exceptions import (
    ClientHttpProxyError,
    ClientResponseError,
    InvalidURL,
    ServerDisconnectedError,
)
from ..reqinfo import ConnectionKey, RequestInfo

__all__ = ("ProxyHop", "TunnelProtocol", "forward_headers", "proxy_authorization", "single_use", "tunnel_head")

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A proxy's answer to CONNECT is a head and nothing else: keep it small.
_MAX_LINE, _MAX_FIELD, _MAX_HEADERS = 8190, 8190, 128


def proxy_authorization(req: Any) -> str | None:
    """The ``Proxy-Authorization`` value: explicit ``proxy_auth`` wins over the proxy URL's userinfo."""
    auth = req.proxy_auth
    if auth is None:
        proxy: URL = req.proxy
        if proxy.raw_user is None and proxy.raw_password is None:
            return None
        auth = BasicAuth.from_url(proxy)
        assert auth is not None
    elif not isinstance(auth, BasicAuth):
        raise ValueError("proxy_auth must be None or BasicAuth() tuple")
    return auth.encode()


def _add_proxy_headers(headers: Any, req: Any) -> None:
    """The user's ``proxy_headers`` (never a Host: that stays the origin's) and Proxy-Authorization."""
    extra = req.proxy_headers
    if extra:
        for name, value in extra.items():
            if name.lower() != "host":
                headers[name] = value
    value = proxy_authorization(req)
    if value is not None:
        headers[hdrs.PROXY_AUTHORIZATION] = value


def forward_headers(req: Any) -> None:
    """Headers for the proxy on a plain-HTTP (forwarded) request, set on ``req.headers``.

    ``proxy_headers`` go to the proxy (it is the next hop, and the only reader of
    them); ``Host`` stays the origin's.
    """
    _add_proxy_headers(req.headers, req)


def single_use(key: ConnectionKey) -> bool:
    """True for a forwarded (plain-HTTP) proxy connection whose requests carry headers for the proxy.

    Such a connection is closed after one response instead of being pooled: some
    proxies (proxy.py among them) only read the first request of a connection and
    pipe the rest to the origin untouched, ``Proxy-Authorization`` included.  The
    price is one connection per request, paid only by authenticated plain-HTTP proxying.
    """
    proxy = key.proxy
    if proxy is None:
        return False  # a direct connection
    return not key.is_ssl and (
        key.proxy_auth is not None or key.proxy_headers_hash is not None
        or proxy.raw_user is not None or proxy.raw_password is not None
    )


def _authority(url: URL, port: int | None) -> str:
    host = url.raw_host or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}"


def tunnel_head(req: Any) -> tuple[bytes, RequestInfo]:
    """The CONNECT request for ``req`` (bytes) and its RequestInfo (for a proxy error)."""
    target = _authority(req.url, req.port)
    headers: CIMultiDict[str] = CIMultiDict()
    headers[hdrs.HOST] = target
    _add_proxy_headers(headers, req)
    head = serialize_head(f"CONNECT {target} HTTP/1.1", headers.items())
    info = RequestInfo(req.url, hdrs.METH_CONNECT, CIMultiDictProxy(headers), req.url)
    return head, info


class ProxyHop:
    """The request-like object the connector's direct path needs, for the proxy itself."""

    __slots__ = ("url", "port", "ssl", "server_hostname", "proxy", "connection_key")

    def __init__(self, req: Any) -> None:
        url: URL = req.proxy
        if url.scheme not in _DEFAULT_PORTS or not url.raw_host:
            # InvalidURL is a ValueError too, as aiohttp has it for a proxy URL without a host.
            raise InvalidURL(url, "Only http:// and https:// proxies are supported")
        self.url = url
        self.port = url.port or _DEFAULT_PORTS[url.scheme]
        # TLS to an https:// proxy follows the request's verification choice, but a
        # Fingerprint pins the origin's certificate, not the proxy's.
        ssl = req.ssl
        self.ssl = ssl if ssl is True or ssl is False or hasattr(ssl, "wrap_socket") else True
        self.server_hostname = None
        self.proxy = None
        self.connection_key = ConnectionKey(url.raw_host, self.port, self.is_ssl(), self.ssl, None, None, None)

    @property
    def host(self) -> str:
        return self.url.raw_host  # type: ignore[return-value]

    def is_ssl(self) -> bool:
        return self.url.scheme == "https"


class TunnelProtocol(asyncio.Protocol):
    """Sends CONNECT and parses the proxy's answer; lives until the head has arrived."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self._parser = ResponseParser(
            max_line_size=_MAX_LINE, max_field_size=_MAX_FIELD, max_headers=_MAX_HEADERS, read_until_eof=False,
            lax=True,  # as every response the client reads
        )
        self._parser.set_method(hdrs.METH_CONNECT)
        self._head: asyncio.Future[ResponseHead] = loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._head.done():
            # Bytes after a 2xx head and before our ClientHello: nothing legitimate sends them.
            return
        try:
            events = self._parser.feed(data)
        except ParseError as exc:
            self._head.set_exception(exc)
            return
        for event in events:
            if isinstance(event, ResponseHead) and event.status >= 200:
                self._head.set_result(event)
                return

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost reports it

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self._head.done():
            if exc is None:
                self._head.set_exception(ServerDisconnectedError())
            else:
                self._head.set_exception(client_error(exc))
        elif not self._head.cancelled():
            self._head.exception()  # retrieved: nobody may be waiting any more
        self.transport = None

    async def connect(self, head: bytes, info: RequestInfo) -> ResponseHead:
        """Write ``head`` (the CONNECT request) and return the proxy's 2xx answer.

        A non-2xx answer raises ``ClientHttpProxyError``; a malformed one
        ``ClientResponseError``; the proxy closing first ``ServerDisconnectedError``.
        """
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ServerDisconnectedError()
        transport.write(head)
        try:
            resp = await self._head
        except ParseError as exc:
            raise ClientResponseError(info, (), status=400, message=f"Invalid proxy response: {exc!r}") from exc
        if not 200 <= resp.status < 300:
            message = resp.reason
            if not message:
                try:
                    message = HTTPStatus(resp.status).phrase
                except ValueError:
                    message = ""
            raise ClientHttpProxyError(info, (), status=resp.status, message=message, headers=resp.headers)
        if self._parser.unparsed():
            raise ClientResponseError(info, (), status=resp.status, message="Proxy sent data before the TLS handshake")
        return resp
