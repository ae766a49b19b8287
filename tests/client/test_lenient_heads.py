"""The client reads response heads as aiohttp's client does: bare-LF line endings accepted
(broken servers send them), the smuggling checks kept.  The server side stays strict."""

from __future__ import annotations

import pytest

import cyhttp

from ._peers import canned, raw_server


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\nContent-Length: 2\nX-A: 1\n\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\nX-A: 1\r\n\n",
])
async def test_bare_lf_head_is_read(head: bytes) -> None:
    async with raw_server(canned(head + b"hi", head + b"hi")) as srv:
        async with cyhttp.ClientSession() as session:
            for _ in range(2):  # and the connection stays usable
                async with session.get(srv.url / "x") as resp:
                    assert resp.status == 200
                    assert resp.headers["X-A"] == "1"
                    assert await resp.read() == b"hi"


async def test_bare_lf_head_keeps_the_smuggling_checks() -> None:
    head = b"HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: chunked\n\n"
    async with raw_server(canned(head)) as srv:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.ClientResponseError):
                await session.get(srv.url / "x")


async def test_bare_lf_proxy_connect_answer() -> None:
    # The CONNECT answer is a response head too: a proxy's bare-LF "200" opens the tunnel
    # (here the tunnel leads nowhere: the proxy closes it, which is a connection error, not a
    # parse error).
    async with raw_server(canned(b"HTTP/1.1 407 Proxy Authentication Required\nContent-Length: 0\n\n",
                                 close=True)) as srv:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.ClientHttpProxyError) as info:
                await session.get("https://example.invalid/", proxy=str(srv.url))
            assert info.value.status == 407
