"""The request path's caches and shortcuts never change what goes on the wire.

Requests are composed from the session's cached plans (``plan.py``); these tests check
that a second request to another host, another method, another target, or with headers
edited after construction (a middleware) still sends exactly the head an uncached
request would.  Also: ``read()`` on a body that is already complete, raw headers built
on first access, overridden ``connect`` / ``send`` / ``start``, and the pool's release path.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from yarl import URL

import cyhttp
from cyhttp._client.request import ClientRequest

from ._peers import raw_server, read_head

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Raw:  v \r\n\r\nok"


def recorder(heads: list[bytes]):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(20):
            head = await read_head(reader)
            heads.append(head)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(OK)
            await writer.drain()

    return handler


def fields(head: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    line, *rest = head[:-4].split(b"\r\n")
    return line, {k.lower(): v.strip() for k, v in (r.split(b":", 1) for r in rest)}


async def test_cached_head_matches_per_host_method_and_target() -> None:
    heads: list[bytes] = []
    async with raw_server(recorder(heads)) as srv, cyhttp.ClientSession() as session:
        other = srv.url.with_host("localhost")
        for url, method in [
            (srv.url / "a", "GET"), (srv.url / "a", "GET"), (srv.url / "b", "GET"),
            (other / "a", "GET"), (srv.url / "a", "DELETE"), (srv.url / "a", "GET"),
        ]:
            async with session.request(method, url) as resp:
                assert await resp.read() == b"ok"
    lines = [fields(h) for h in heads]
    assert [line for line, _ in lines] == [
        b"GET /a HTTP/1.1", b"GET /a HTTP/1.1", b"GET /b HTTP/1.1", b"GET /a HTTP/1.1",
        b"DELETE /a HTTP/1.1", b"GET /a HTTP/1.1",
    ]
    hosts = [f[b"host"] for _, f in lines]
    assert hosts[3] == f"localhost:{srv.url.port}".encode()
    assert len(set(hosts[:3] + hosts[4:])) == 1 and hosts[0].startswith(b"127.0.0.1:")
    assert lines[4][1][b"content-length"] == b"0"
    assert all(b"content-length" not in f for i, (_, f) in enumerate(lines) if i != 4)
    assert heads[0] == heads[1] == heads[5]


async def test_headers_edited_after_construction_are_sent() -> None:
    heads: list[bytes] = []

    async def middleware(req: ClientRequest, handler):  # type: ignore[no-untyped-def]
        req.headers["X-Added"] = "1"
        return await handler(req)

    async with raw_server(recorder(heads)) as srv, cyhttp.ClientSession() as session:
        async with session.get(srv.url / "x") as resp:  # fills the caches
            await resp.read()
        async with session.get(srv.url / "x", middlewares=(middleware,)) as resp:
            await resp.read()
        async with session.get(srv.url / "x") as resp:
            await resp.read()
    assert b"x-added" not in fields(heads[0])[1]
    assert fields(heads[1])[1][b"x-added"] == b"1"
    assert heads[2] == heads[0]


async def test_explicit_headers_and_session_headers_bypass_cache() -> None:
    heads: list[bytes] = []
    async with raw_server(recorder(heads)) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url) as resp:
                await resp.read()
            async with session.get(srv.url, headers={"User-Agent": "me"}) as resp:
                await resp.read()
        async with cyhttp.ClientSession(headers={"X-S": "s"}) as session:
            async with session.get(srv.url) as resp:
                await resp.read()
    assert fields(heads[1])[1][b"user-agent"] == b"me"
    assert fields(heads[2])[1][b"x-s"] == b"s"
    assert fields(heads[0])[1][b"user-agent"].startswith(b"Python/")


async def test_read_on_complete_body_and_lazy_raw_headers() -> None:
    heads: list[bytes] = []
    async with raw_server(recorder(heads)) as srv, cyhttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(srv.url) as resp:
                assert resp.content.is_eof()
                body = await resp.read()
                assert body == b"ok" and await resp.read() is body
                assert resp.raw_headers == ((b"Content-Length", b"2"), (b"X-Raw", b"v"))
                assert resp.headers["X-Raw"] == "v"
                assert resp.version == (1, 1)
        # One connection served every request: the release path parked it each time.
        assert srv.accepted == 1


async def _send_then_close(data: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_head(reader)
    writer.write(data)  # one write: the head and the bad bytes arrive in one packet
    await writer.drain()
    await asyncio.sleep(0.05)


@pytest.mark.parametrize("data", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX",
], ids=["bad-size", "good-then-bad-size", "bad-chunk-end"])
async def test_head_then_bad_chunk_in_one_packet(data: bytes) -> None:
    """The head parsed before the error is the response; the body raises ClientPayloadError."""
    async with raw_server(lambda r, w: _send_then_close(data, r, w)) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url) as resp:
                assert resp.status == 200
                with pytest.raises(cyhttp.ClientPayloadError):
                    await resp.read()
            async with session.get(srv.url) as resp:  # never the broken connection again
                assert resp.status == 200
        assert srv.accepted == 2


async def test_bad_head_in_one_packet_is_still_a_response_error() -> None:
    data = b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"
    async with raw_server(lambda r, w: _send_then_close(data, r, w)) as srv:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.ClientResponseError):
                await session.get(srv.url)


def _good_then_bad_head() -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(OK)
        await read_head(reader)  # the second request comes on the same (reused) connection
        writer.write(b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)

    return handler


async def test_bad_head_on_a_reused_connection() -> None:
    """The session's inline head wait maps ParseError like ClientResponse.start does."""
    async with raw_server(_good_then_bad_head()) as srv, cyhttp.ClientSession() as session:
        async with session.get(srv.url) as resp:
            assert await resp.read() == b"ok"
        with pytest.raises(cyhttp.ClientResponseError) as info:
            await session.get(srv.url.with_fragment("frag"), headers={"X-A": "1"})
        assert info.value.status == 400
        assert info.value.request_info.url == srv.url
        assert info.value.request_info.real_url == srv.url.with_fragment("frag")
        assert info.value.request_info.headers["X-A"] == "1"
        async with session.get(srv.url) as resp:  # the broken connection was not parked
            assert resp.status == 200
        assert srv.accepted == 2


async def test_request_info_built_lazily_matches_the_request() -> None:
    heads: list[bytes] = []
    async with raw_server(recorder(heads)) as srv, cyhttp.ClientSession() as session:
        for _ in range(2):  # new connection, then the idle fast path
            async with session.get(srv.url.with_fragment("f"), headers={"X-B": "2"}) as resp:
                assert resp._request_info is None  # not built until asked for
                info = resp.request_info
                assert info is resp.request_info
                assert (info.url, info.method, info.real_url) == (srv.url, "GET", srv.url.with_fragment("f"))
                assert info.headers["X-B"] == "2" and info.headers["Host"] == f"127.0.0.1:{srv.url.port}"
                await resp.read()


async def test_overridden_connect_send_start_are_used_on_reused_connections() -> None:
    calls: list[str] = []

    class Req(ClientRequest):
        async def send(self, conn: Any) -> Any:
            calls.append("send")
            return await super().send(conn)

    class Resp(cyhttp.ClientResponse):
        async def start(self, connection: Any) -> Any:
            calls.append("start")
            return await super().start(connection)

    class Conn(cyhttp.TCPConnector):
        async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
            calls.append("connect")
            return await super().connect(req, traces, timeout)

    heads: list[bytes] = []
    async with raw_server(recorder(heads)) as srv:
        for kwargs, expected in (({"request_class": Req}, "send"), ({"response_class": Resp}, "start"),
                                 ({"connector": Conn()}, "connect")):
            calls.clear()
            async with cyhttp.ClientSession(**kwargs) as session:
                for _ in range(3):
                    async with session.get(srv.url) as resp:
                        assert await resp.read() == b"ok"
            assert calls == [expected] * 3


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "HEAD"])
async def test_plain_request_shortcut_builds_the_same_request(method: str) -> None:
    """The second plain request to a host takes the cached-header shortcut: same result."""
    url = URL("http://shortcut.example:8080/p?q=1")
    first = ClientRequest(method, url)  # fills the per-host cache
    second = ClientRequest(method, url, headers={}, traces=None)
    assert list(second.headers.items()) == list(first.headers.items())
    assert second.headers is not first.headers
    assert (second.body, second.auth, second.chunked, second.expect100) == (None, None, False, False)
    assert second._head() == first._head()
    second.headers["X-Late"] = "1"  # edited after construction: a fresh head
    assert b"X-Late: 1\r\n" in second._head()


async def test_subclass_building_headers_is_not_shortcut() -> None:
    class Req(ClientRequest):
        def _build_headers(self, *args: Any) -> Any:
            out = super()._build_headers(*args)
            out["X-Sub"] = "1"
            return out

    url = URL("http://shortcut.example:8080/")
    ClientRequest("GET", url)
    assert Req("GET", url).headers["X-Sub"] == "1"
    assert Req("GET", url).headers["X-Sub"] == "1"


async def test_http_protocol_reads_buffered_on_asyncio_loops() -> None:
    from cyhttp._client.protocol import ResponseHandler
    from cyhttp._client.protocol_buffered import BufferedResponseHandler, protocol_class
    from cyhttp._http.flow import READ_SIZE as HTTP_READ_SIZE

    assert protocol_class(asyncio.get_running_loop()) is BufferedResponseHandler
    assert issubclass(BufferedResponseHandler, ResponseHandler)
    # A body several read buffers long, then a small one on the same connection.
    big = bytes(range(256)) * (3 * HTTP_READ_SIZE // 256 + 7)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for body in (big, b"ok"):
            await read_head(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()

    async with raw_server(handler) as srv, cyhttp.ClientSession() as session:
        for body in (big, b"ok"):
            async with session.get(srv.url) as resp:
                assert await resp.read() == body
        assert srv.accepted == 1
    uvloop = pytest.importorskip("uvloop")
    other = uvloop.new_event_loop()
    try:
        assert protocol_class(other) is ResponseHandler  # uvloop reads into its own buffer
    finally:
        other.close()
