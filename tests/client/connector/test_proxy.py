"""Proxies: plain-HTTP forwarding, HTTPS through CONNECT, credentials, errors, pooling.

Real peers on 127.0.0.1 only: proxy.py in a subprocess (also with --basic-auth), raw
asyncio "proxies" that send exactly the bytes a case needs, and an aiohttp.web origin
that records the headers it received.  Error cases run through aiohttp too, so the
exception names are checked against the reference, not against our reading of it.
"""

from __future__ import annotations

import asyncio
import base64
import sys
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import trustme
from yarl import URL

import cyhttp
from cyhttp import BasicAuth, ClientTimeout
from cyhttp._client.exceptions import (
    ClientHttpProxyError,
    ClientProxyConnectionError,
    ClientResponseError,
    ConnectionTimeoutError,
)

from .._proxy_peers import (
    Origin,
    RawProxy,
    client_context,
    proxy_py,
    serve,
    server_context,
    tunnel_to,
)

TIMEOUT = ClientTimeout(total=20, sock_connect=10)
CREDS = "Basic " + base64.b64encode(b"user:pass").decode()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def proxy_url() -> Iterator[URL]:
    with proxy_py() as url:
        yield url


@pytest.fixture(scope="module")
def auth_proxy_url() -> Iterator[URL]:
    with proxy_py("--basic-auth", "user:pass") as url:
        yield url


@pytest.fixture
async def origin(ca: trustme.CA) -> Any:
    """(recorder, http base URL, https base URL, client SSLContext trusting the CA)."""
    rec = Origin()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    async with serve(rec.app) as http_url, serve(rec.app, server_context(cert)) as https_url:
        yield rec, http_url, https_url, client_context(ca)


# -- through proxy.py -----------------------------------------------------------------


async def test_plain_http_forwarded_through_proxy_py(proxy_url: URL, origin: Any) -> None:
    rec, http_url, _, _ = origin
    async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
        for i in range(3):
            async with s.get(http_url / "a" % {"i": str(i)}, proxy=proxy_url) as r:
                assert r.status == 200
                assert await r.json() == {"path": f"/a?i={i}", "secure": False, "len": 0}
    assert len(rec.seen) == 3
    assert "via" in rec.seen[0], rec.seen  # it really went through proxy.py


async def test_https_through_connect_tunnel_of_proxy_py(proxy_url: URL, origin: Any) -> None:
    rec, _, https_url, ctx = origin
    async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
        for _ in range(2):
            async with s.post(https_url / "b", data=b"x" * 1000, proxy=proxy_url, ssl=ctx) as r:
                assert r.status == 200
                assert await r.json() == {"path": "/b", "secure": True, "len": 1000}
    assert len(rec.seen) == 2
    assert all("via" not in h for h in rec.seen)  # a tunnel: the proxy cannot touch the request


async def test_session_level_proxy_and_proxy_auth(auth_proxy_url: URL, origin: Any) -> None:
    rec, http_url, https_url, ctx = origin
    async with cyhttp.ClientSession(proxy=auth_proxy_url, proxy_auth=BasicAuth("user", "pass"), timeout=TIMEOUT) as s:
        async with s.get(http_url / "s") as r:
            assert r.status == 200
        async with s.get(https_url / "s", ssl=ctx) as r:
            assert r.status == 200
    assert len(rec.seen) == 2


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("how", ["proxy_auth", "url", "proxy_headers"])
async def test_basic_auth_proxy_accepts_credentials(
    auth_proxy_url: URL, origin: Any, scheme: str, how: str
) -> None:
    rec, http_url, https_url, ctx = origin
    url = (http_url if scheme == "http" else https_url) / "secret"
    kwargs: dict[str, Any] = {"proxy": auth_proxy_url, "ssl": ctx}
    if how == "proxy_auth":
        kwargs["proxy_auth"] = BasicAuth("user", "pass")
    elif how == "url":
        kwargs["proxy"] = auth_proxy_url.with_user("user").with_password("pass")
    else:
        kwargs["proxy_headers"] = {"Proxy-Authorization": CREDS}
    async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
        for _ in range(2):  # the second one may reuse the connection: still authorised
            async with s.get(url, **kwargs) as r:
                assert r.status == 200
    # The origin never sees the proxy's credentials.
    assert len(rec.seen) == 2
    for headers in rec.seen:
        assert "proxy-authorization" not in headers
        assert "authorization" not in headers
        assert "user:pass" not in str(headers)


async def test_basic_auth_proxy_refuses_without_credentials(auth_proxy_url: URL, origin: Any) -> None:
    rec, http_url, https_url, ctx = origin
    async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
        # Forwarded: the 407 is an ordinary response (as aiohttp).
        async with s.get(http_url, proxy=auth_proxy_url) as r:
            assert r.status == 407
        # CONNECT: the 407 surfaces as ClientHttpProxyError.
        with pytest.raises(ClientHttpProxyError) as info:
            await s.get(https_url, proxy=auth_proxy_url, ssl=ctx)
        assert info.value.status == 407
        assert info.value.request_info.method == "CONNECT"
        with pytest.raises(ClientHttpProxyError):
            await s.get(https_url, proxy=auth_proxy_url, proxy_auth=BasicAuth("user", "wrong"), ssl=ctx)
    assert rec.seen == []


# -- what goes on the wire (raw recording proxies) ----------------------------------


async def _forward(proxy: RawProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A forwarding proxy that answers every request itself, keeping the connection."""
    while True:
        await proxy.read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()


async def _tunnel(proxy: RawProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await tunnel_to(await proxy.read_head(reader), reader, writer)


def _raw(handler: Any) -> RawProxy:
    proxy = RawProxy(None)  # type: ignore[arg-type]
    proxy._handler = lambda r, w: handler(proxy, r, w)
    return proxy


async def test_forwarded_request_is_absolute_form_with_proxy_authorization() -> None:
    async with _raw(_forward) as proxy, cyhttp.ClientSession(timeout=TIMEOUT) as s:
        for _ in range(2):
            async with s.get("http://origin.test:8080/p?q=1", proxy=proxy.url,
                             proxy_auth=BasicAuth("user", "pass"), proxy_headers={"X-Proxy": "1"}) as r:
                assert await r.read() == b"ok"
        # Headers for the proxy make a forwarded connection single-use: a proxy that
        # pipes later requests untouched (proxy.py does) would pass them to the origin.
        assert proxy.accepted == 2
        for head in proxy.heads:
            lines = head.decode().split("\r\n")
            assert lines[0] == "GET http://origin.test:8080/p?q=1 HTTP/1.1"
            assert "Host: origin.test:8080" in lines
            assert f"Proxy-Authorization: {CREDS}" in lines
            assert "X-Proxy: 1" in lines


async def test_connect_request_and_credentials_stay_out_of_the_tunnel(origin: Any) -> None:
    rec, _, https_url, ctx = origin
    async with _raw(_tunnel) as proxy, cyhttp.ClientSession(timeout=TIMEOUT) as s:
        for _ in range(2):
            async with s.get(https_url / "t", proxy=proxy.url.with_user("user").with_password("pass"),
                             proxy_headers={"X-Proxy": "1"}, ssl=ctx) as r:
                assert r.status == 200
        assert proxy.accepted == 1  # one tunnel, reused by the second request
    lines = proxy.heads[0].decode().split("\r\n")
    authority = f"127.0.0.1:{https_url.port}"
    assert lines[0] == f"CONNECT {authority} HTTP/1.1"
    assert f"Host: {authority}" in lines
    assert f"Proxy-Authorization: {CREDS}" in lines
    assert "X-Proxy: 1" in lines
    assert len(rec.seen) == 2
    for headers in rec.seen:
        assert "proxy-authorization" not in headers and "x-proxy" not in headers
        assert headers["host"] == authority


async def test_connection_keys_keep_proxied_and_direct_apart(origin: Any) -> None:
    rec, http_url, _, _ = origin
    async with _raw(_forward) as proxy, cyhttp.ClientSession(timeout=TIMEOUT) as s:
        async with s.get(http_url) as r:  # direct, now idle in the pool
            await r.read()
        async with s.get(http_url, proxy=proxy.url) as r:  # must not reuse the direct one
            assert await r.read() == b"ok"
        async with s.get(http_url, proxy=proxy.url) as r:  # no proxy headers: pooled and reused
            assert await r.read() == b"ok"
        async with s.get(http_url, proxy=proxy.url, proxy_auth=BasicAuth("a", "b")) as r:
            assert await r.read() == b"ok"  # other credentials: another connection
        async with s.get(http_url, proxy=proxy.url, proxy_headers={"X": "1"}) as r:
            assert await r.read() == b"ok"  # other proxy headers: another connection
        async with s.get(http_url) as r:  # direct again: the idle direct connection
            await r.read()
    assert proxy.accepted == 3
    assert len(proxy.heads) == 4
    assert len(rec.seen) == 2


# -- broken proxies: the same exception names as aiohttp ------------------------------


async def _close_after_head(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await p.read_head(r)


async def _close_at_once(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    pass


async def _bad_gateway(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await p.read_head(r)
    w.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad")
    await w.drain()
    await asyncio.sleep(10)


async def _needs_auth(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await p.read_head(r)
    w.write(b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\n'
            b"Content-Length: 0\r\n\r\n")
    await w.drain()
    await asyncio.sleep(10)


async def _garbage(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await p.read_head(r)
    w.write(b"garbage\r\n\r\n")
    await w.drain()
    await asyncio.sleep(10)


async def _eof_mid_head(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await p.read_head(r)
    w.write(b"HTTP/1.1 200 Connection established\r\nX-A: b")
    await w.drain()


async def _stall(p: RawProxy, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await p.read_head(r)
    await asyncio.sleep(30)


BROKEN = [
    # handler, target scheme, expected exception name (None: a response with that status)
    (_close_after_head, "https", "ServerDisconnectedError"),
    (_close_after_head, "http", "ServerDisconnectedError"),
    (_close_at_once, "https", ("ClientOSError", "ServerDisconnectedError")),
    (_close_at_once, "http", ("ClientOSError", "ServerDisconnectedError")),
    (_bad_gateway, "https", "ClientHttpProxyError"),
    (_bad_gateway, "http", 502),
    (_needs_auth, "https", "ClientHttpProxyError"),
    (_needs_auth, "http", 407),
    (_garbage, "https", "ClientResponseError"),
    (_garbage, "http", "ClientResponseError"),
    (_eof_mid_head, "https", "ServerDisconnectedError"),
    (_eof_mid_head, "http", "ServerDisconnectedError"),
]


async def _outcome(lib: Any, handler: Any, scheme: str, timeout: Any = None) -> Any:
    async with _raw(handler) as proxy:
        async with lib.ClientSession(timeout=timeout or lib.ClientTimeout(total=10)) as s:
            try:
                async with s.get(f"{scheme}://127.0.0.1:9/", proxy=proxy.url, ssl=False) as r:
                    return r.status
            except Exception as exc:
                return exc


@pytest.mark.parametrize("lib", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])
@pytest.mark.parametrize(("handler", "scheme", "expected"), BROKEN,
                         ids=[f"{h.__name__[1:]}-{s}" for h, s, _ in BROKEN])
async def test_broken_proxy(lib: Any, handler: Any, scheme: str, expected: Any) -> None:
    got = await asyncio.wait_for(_outcome(lib, handler, scheme), 20)
    if isinstance(expected, int):
        assert got == expected
        return
    assert isinstance(got, Exception), got
    names = (expected,) if isinstance(expected, str) else expected
    assert type(got).__name__ in names, repr(got)
    # ... and ours are the classes from our own tree, with aiohttp's bases.
    if lib is cyhttp:
        assert isinstance(got, cyhttp.ClientError)


async def test_proxy_error_carries_status_headers_and_request_info() -> None:
    exc = await _outcome(cyhttp, _needs_auth, "https")
    assert isinstance(exc, ClientHttpProxyError) and isinstance(exc, ClientResponseError)
    assert exc.status == 407
    assert exc.message == "Proxy Authentication Required"
    assert exc.headers is not None and exc.headers["Proxy-Authenticate"] == 'Basic realm="p"'
    assert exc.request_info.method == "CONNECT"
    assert exc.request_info.url == URL("https://127.0.0.1:9/")


async def test_proxy_refusing_connections() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
        for scheme in ("http", "https"):
            with pytest.raises(ClientProxyConnectionError) as info:
                await s.get(f"{scheme}://127.0.0.1:9/", proxy=f"http://127.0.0.1:{port}")
            assert info.value.port == port  # the error names the proxy, not the origin


@pytest.mark.parametrize("timeout", [ClientTimeout(sock_connect=0.3), ClientTimeout(sock_read=0.3)],
                         ids=["sock_connect", "sock_read"])
async def test_stalled_connect_answer_times_out(timeout: ClientTimeout) -> None:
    # aiohttp hangs here with sock_read alone (its CONNECT read has no timer); we do not.
    got = await asyncio.wait_for(_outcome(cyhttp, _stall, "https", timeout), 20)
    assert isinstance(got, ConnectionTimeoutError)


async def test_stalled_connect_answer_total_timeout() -> None:
    got = await asyncio.wait_for(_outcome(cyhttp, _stall, "https", ClientTimeout(total=0.3)), 20)
    assert isinstance(got, asyncio.TimeoutError)


async def test_invalid_proxy_arguments(origin: Any) -> None:
    _, http_url, _, _ = origin
    async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
        with pytest.raises(ValueError):
            await s.get(http_url, proxy="http://127.0.0.1:1", proxy_auth=("user", "pass"))  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            await s.get(http_url, proxy="socks5://127.0.0.1:1")
    async with _raw(_forward) as proxy:
        assert proxy.accepted == 0


async def test_nothing_leaks_after_proxy_failures() -> None:
    # Every failure path closes what it opened: the connector ends with nothing acquired.
    connector = cyhttp.TCPConnector()
    async with cyhttp.ClientSession(connector=connector, timeout=ClientTimeout(total=10, sock_connect=2)) as s:
        for handler in (_close_after_head, _bad_gateway, _garbage, _eof_mid_head):
            async with _raw(handler) as proxy:
                with pytest.raises(cyhttp.ClientError):
                    await s.get("https://127.0.0.1:9/", proxy=proxy.url, ssl=False)
        assert not connector._acquired


async def test_https_proxy_tls_in_tls(ca: trustme.CA, origin: Any) -> None:
    # TLS to the proxy itself, then TLS to the origin inside the tunnel (start_tls over TLS).
    rec, http_url, https_url, ctx = origin
    proxy = RawProxy(None, server_context(ca.issue_cert("127.0.0.1")))  # type: ignore[arg-type]
    proxy._handler = lambda r, w: _tunnel(proxy, r, w)
    async with proxy, cyhttp.ClientSession(timeout=TIMEOUT) as s:
        assert proxy.url.scheme == "https"
        if sys.version_info >= (3, 11):
            async with s.get(https_url / "tt", proxy=proxy.url, ssl=ctx) as r:
                assert await r.json() == {"path": "/tt", "secure": True, "len": 0}
        else:  # asyncio's start_tls cannot run over a TLS transport before 3.11 (aiohttp alike)
            with pytest.raises(cyhttp.ClientConnectionError, match="TLS-in-TLS"):
                await s.get(https_url / "tt", proxy=proxy.url, ssl=ctx)
        # The proxy's certificate is verified like any other (the system store does not know the test CA).
        with pytest.raises(cyhttp.ClientConnectorCertificateError) as info:
            await s.get(https_url, proxy=proxy.url)
        assert info.value.port == proxy.url.port
    assert len(rec.seen) == (1 if sys.version_info >= (3, 11) else 0)
