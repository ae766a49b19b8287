"""``trust_env=True``: HTTP(S)_PROXY, WS(S)_PROXY, NO_PROXY and .netrc (via $NETRC) pick
the proxy and its credentials; explicit arguments win; ``trust_env=False`` ignores them.
Also WebSockets through a CONNECT tunnel.  Real peers on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
import trustme
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp import ClientTimeout

from .._proxy_peers import (
    Origin,
    RawProxy,
    client_context,
    serve,
    server_context,
    tunnel_to,
)

TIMEOUT = ClientTimeout(total=20, sock_connect=10)
CREDS = "Basic " + base64.b64encode(b"user:pass").decode()
_ENV = ("http_proxy", "https_proxy", "ws_proxy", "wss_proxy", "no_proxy", "all_proxy", "netrc")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def origin(ca: trustme.CA) -> Any:
    rec = Origin()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    async with serve(rec.app) as http_url, serve(rec.app, server_context(cert)) as https_url:
        yield rec, http_url, https_url, client_context(ca)


async def _proxying(proxy: RawProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """CONNECT → a tunnel; anything else → answered by the proxy itself with 'proxied'."""
    head = await proxy.read_head(reader)
    if head.startswith(b"CONNECT "):
        await tunnel_to(head, reader, writer)
        return
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nproxied")
    await writer.drain()


def _proxy() -> RawProxy:
    proxy = RawProxy(None)  # type: ignore[arg-type]
    proxy._handler = lambda r, w: _proxying(proxy, r, w)
    return proxy


def _header(head: bytes, name: str) -> str | None:
    for line in head.decode().split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.lower() == name.lower():
            return value.strip()
    return None


async def test_http_proxy_from_env(monkeypatch: pytest.MonkeyPatch, origin: Any) -> None:
    rec, http_url, _, _ = origin
    async with _proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", str(proxy.url.with_user("user").with_password("pass")))
        async with cyhttp.ClientSession(trust_env=True, timeout=TIMEOUT) as s:
            async with s.get(http_url / "e") as r:
                assert await r.text() == "proxied"
        head = proxy.heads[0]
        assert head.startswith(f"GET {http_url}/e HTTP/1.1".encode())
        assert _header(head, "Proxy-Authorization") == CREDS
    assert rec.seen == []


async def test_https_proxy_from_env_tunnels(monkeypatch: pytest.MonkeyPatch, origin: Any) -> None:
    rec, http_url, https_url, ctx = origin
    async with _proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", str(proxy.url))
        async with cyhttp.ClientSession(trust_env=True, timeout=TIMEOUT) as s:
            async with s.get(https_url / "t", ssl=ctx) as r:
                assert (await r.json())["secure"] is True
            async with s.get(http_url / "direct") as r:  # no HTTP_PROXY: direct
                assert (await r.json())["path"] == "/direct"
        assert len(proxy.heads) == 1 and proxy.heads[0].startswith(b"CONNECT 127.0.0.1:")
    assert len(rec.seen) == 2


async def test_no_proxy_and_trust_env_false(monkeypatch: pytest.MonkeyPatch, origin: Any) -> None:
    rec, http_url, _, _ = origin
    async with _proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", str(proxy.url))
        async with cyhttp.ClientSession(timeout=TIMEOUT) as s:  # trust_env=False: env ignored
            async with s.get(http_url / "a") as r:
                assert (await r.json())["path"] == "/a"
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with cyhttp.ClientSession(trust_env=True, timeout=TIMEOUT) as s:
            async with s.get(http_url / "b") as r:
                assert (await r.json())["path"] == "/b"
        assert proxy.accepted == 0
    assert len(rec.seen) == 2


async def test_explicit_proxy_wins_over_env(monkeypatch: pytest.MonkeyPatch, origin: Any) -> None:
    _, http_url, _, _ = origin
    async with _proxy() as env_proxy, _proxy() as explicit:
        monkeypatch.setenv("HTTP_PROXY", str(env_proxy.url))
        async with cyhttp.ClientSession(trust_env=True, timeout=TIMEOUT) as s:
            async with s.get(http_url, proxy=explicit.url) as r:
                assert await r.text() == "proxied"
        assert (env_proxy.accepted, explicit.accepted) == (0, 1)


async def test_netrc_credentials_for_the_env_proxy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, origin: Any
) -> None:
    _, _, https_url, ctx = origin
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1\n  login user\n  password pass\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    async with _proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", str(proxy.url))
        async with cyhttp.ClientSession(trust_env=True, timeout=TIMEOUT) as s:
            async with s.get(https_url, ssl=ctx) as r:
                assert r.status == 200
        # netrc's entry for the proxy host becomes Proxy-Authorization on CONNECT ...
        assert _header(proxy.heads[0], "Proxy-Authorization") == CREDS
    # ... and (same host here) Authorization for the origin, as trust_env does in aiohttp.


async def test_websocket_through_env_wss_proxy(monkeypatch: pytest.MonkeyPatch, ca: trustme.CA) -> None:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data.upper())
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    cert = ca.issue_cert("127.0.0.1")
    async with serve(app, server_context(cert)) as url, _proxy() as proxy:
        monkeypatch.setenv("WSS_PROXY", str(proxy.url))
        async with cyhttp.ClientSession(trust_env=True, timeout=TIMEOUT) as s:
            async with s.ws_connect(URL(str(url).replace("https", "wss")) / "ws", ssl=client_context(ca)) as ws:
                await ws.send_str("hi")
                assert (await asyncio.wait_for(ws.receive_str(), 10)) == "HI"
        assert len(proxy.heads) == 1 and proxy.heads[0].startswith(b"CONNECT ")


async def test_websocket_through_explicit_connect_proxy(ca: trustme.CA) -> None:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data[::-1])
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    cert = ca.issue_cert("127.0.0.1")
    async with serve(app, server_context(cert)) as url, _proxy() as proxy:
        async with cyhttp.ClientSession(timeout=TIMEOUT) as s:
            wss = URL(str(url).replace("https", "wss")) / "ws"
            async with s.ws_connect(wss, proxy=proxy.url, ssl=client_context(ca)) as ws:
                await ws.send_str("abc")
                assert (await asyncio.wait_for(ws.receive_str(), 10)) == "cba"
        assert len(proxy.heads) == 1
