"""The server protocol through raw sockets: exact bytes, pipelining, malformed heads,
keep-alive and closing rules, drips and timeouts, abrupt closes.  On both loops."""

from __future__ import annotations

import asyncio
import socket

import pytest

from cyhttp import web

from ._serve import Raw, parse_head, responses, serve, serve_app

BOTH_LOOPS = True


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello, World!")


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(0.05)
    return web.Response(text="slow " + request.match_info["n"])


ROUTES = [("GET", "/", hello), ("POST", "/echo", echo), ("GET", "/slow/{n}", slow)]


async def test_exact_response_bytes() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await raw.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        assert lines[0] == b"HTTP/1.1 200 OK"
        names = [line.split(b":")[0] for line in lines[1:] if line]
        assert names == [b"Content-Type", b"Content-Length", b"Date", b"Server"]
        status, headers = parse_head(head)
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert headers["content-length"] == "13"
        assert headers["server"].startswith("Python/") and "cyhttp/" in headers["server"]
        assert headers["date"].endswith(" GMT")
        assert await raw.reader.readexactly(13) == b"Hello, World!"


async def test_pipelined_requests_answered_in_order() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(
            b"GET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /slow/2 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        got = responses(await raw.read_all())
        assert [(s, b) for s, _, b in got] == [
            (200, b"slow 1"), (200, b"hello"), (200, b"Hello, World!"), (200, b"slow 2"),
            (404, b"404: Not Found")]
        assert got[-1][1]["connection"] == "close"


async def test_many_pipelined_requests_in_one_write() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET /slow/x HTTP/1.1\r\nHost: x\r\n\r\n" * 3
                       + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 200
                       + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        got = responses(await raw.read_all(timeout=10))
        assert len(got) == 204
        assert all(s == 200 for s, _, _ in got)


async def test_http10_closes_unless_keep_alive() -> None:
    async with serve_app(ROUTES) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.0\r\n\r\n")
            data = await raw.read_all()
            assert data.startswith(b"HTTP/1.0 200 OK\r\n")
            assert b"Connection:" not in data  # HTTP/1.0 closes by default
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            status, headers, body = await raw.response()
            assert (status, headers["connection"], body) == (200, "keep-alive", b"Hello, World!")
            await raw.send(b"GET / HTTP/1.0\r\n\r\n")
            assert (await raw.read_all()).endswith(b"Hello, World!")


async def test_connection_close_header_closes() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await raw.read_all()
        status, headers = parse_head(data[:data.index(b"\r\n\r\n") + 4])
        assert (status, headers["connection"]) == (200, "close")


@pytest.mark.parametrize("request_bytes", [
    b"GET / HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n",
    b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",  # no Host in HTTP/1.1
    b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",  # obs-fold
    b"GET / HTTP/1.1\nHost: x\n\n",  # bare LF
    b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",  # whitespace before the colon
    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 200 + b"\r\n",
])
async def test_malformed_request_is_400_and_close(request_bytes: bytes) -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(request_bytes)
        data = await raw.read_all()
        status, headers = parse_head(data[:data.index(b"\r\n\r\n") + 4])
        assert status == 400
        assert headers["content-type"] == "text/plain; charset=utf-8"
        # aiohttp answers a refused head as "HTTP/1.0 400 Bad Request" and closes.
        assert data.startswith(b"HTTP/1.0 400 Bad Request\r\n")


async def test_malformed_request_after_good_ones() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                       b"NOT A REQUEST\r\n\r\n")
        got = responses(await raw.read_all())
        assert [s for s, _, _ in got] == [200, 200, 400]


async def test_bad_chunked_body_fails_the_handler_read_and_closes() -> None:
    seen: list[BaseException] = []

    async def reader(request: web.Request) -> web.Response:
        try:
            await request.read()
        except Exception as exc:
            seen.append(exc)
            raise
        return web.Response(text="unreachable")

    async with serve_app([("POST", "/", reader)]) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"3\r\nabc\r\nzz\r\n")
        data = await raw.read_all()
        assert data.startswith(b"HTTP/1.1 500 ")
    assert isinstance(seen[0], web.RequestPayloadError)


async def test_chunked_request_body() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        status, _, body = await raw.response()
        assert (status, body) == (200, b"hello world")


async def test_head_has_no_body_but_content_length() -> None:
    async with serve_app([("GET", "/", hello), ("HEAD", "/h", hello)]) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await raw.reader.readuntil(b"\r\n\r\n")
            status, headers = parse_head(head)
            assert (status, headers["content-length"]) == (200, "13")
            status, _, body = await raw.response()  # the next response follows at once
            assert (status, body) == (200, b"Hello, World!")


@pytest.mark.parametrize("status", [204, 304])
async def test_204_304_have_no_body_and_no_length(status: int) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, text="ignored")

    async with serve_app([("GET", "/", handler), ("GET", "/next", hello)]) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await raw.reader.readuntil(b"\r\n\r\n")
            got, headers = parse_head(head)
            assert got == status and "content-length" not in headers
            assert "transfer-encoding" not in headers
            assert (await raw.response())[2] == b"Hello, World!"


async def test_streamed_response_is_chunked_on_http11_and_close_delimited_on_http10() -> None:
    async def stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for part in (b"one ", b"two ", b"three"):
            await resp.write(part)
        await resp.write_eof()
        return resp

    async with serve_app([("GET", "/", stream)]) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = await raw.response()
            assert (headers["transfer-encoding"], body) == ("chunked", b"one two three")
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            data = await raw.read_all()
            assert data.endswith(b"\r\n\r\none two three")
            assert b"Transfer-Encoding" not in data


async def test_handler_exception_is_500_and_server_keeps_serving() -> None:
    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("boom")

    async with serve_app([("GET", "/boom", boom), ("GET", "/", hello)]) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
            data = await raw.read_all()
            assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
            assert data.endswith(b"500 Internal Server Error\n\nServer got itself in trouble")
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await raw.response())[0] == 200


async def test_expect_100_continue() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                       b"Expect: 100-continue\r\n\r\n")
        interim = await asyncio.wait_for(raw.reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        await raw.send(b"data")
        status, _, body = await raw.response()
        assert (status, body) == (200, b"data")


async def test_unknown_expectation_is_417() -> None:
    async with serve_app(ROUTES) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nExpect: magic\r\n\r\n")
        status, _, body = await raw.response()
        assert (status, body) == (417, b"Unknown Expect: magic")


async def test_client_max_size_is_413() -> None:
    async with serve_app(ROUTES, client_max_size=10) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"
                           b"12345678901")
            status, _, body = await raw.response()
            assert (status, body) == (413, b"Maximum request body size 10 exceeded.")
        async with await Raw.connect(url) as raw:  # chunked: refused once it passes the bound
            await raw.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
            assert (await raw.response())[0] == 413


async def test_unread_body_is_skipped_for_the_next_request() -> None:
    async with serve_app(ROUTES + [("POST", "/ignore", hello)]) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
                       b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await raw.response())[2] == b"Hello, World!"
        assert (await raw.response())[2] == b"Hello, World!"


async def test_keepalive_timeout_closes_an_idle_connection() -> None:
    async with serve_app(ROUTES, keepalive_timeout=0.3) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await raw.response())[0] == 200
        loop = asyncio.get_running_loop()
        start = loop.time()
        assert await raw.closed(timeout=5)
        assert 0.2 < loop.time() - start < 3


async def test_head_drip_is_cut_off_by_the_header_timeout() -> None:
    """A head that trickles in one byte at a time is cut off ``header_timeout`` after its
    first byte: later bytes do not renew it (uvicorn's timer would reset per byte)."""
    async with serve_app(ROUTES, header_timeout=0.6, keepalive_timeout=30) as url:
        async with await Raw.connect(url) as raw:
            request = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Drip: " + b"a" * 400

            async def drip() -> None:
                for i in range(len(request)):
                    try:
                        await raw.send(request[i:i + 1])
                    except ConnectionError:
                        return
                    await asyncio.sleep(0.02)

            loop = asyncio.get_running_loop()
            start = loop.time()
            dripping = asyncio.create_task(drip())
            try:
                assert await raw.closed(timeout=8)
                assert loop.time() - start < 4  # the drip alone would take 8 s
            finally:
                dripping.cancel()


async def test_silent_new_connection_is_closed() -> None:
    async with serve_app(ROUTES, keepalive_timeout=0.3) as url, await Raw.connect(url) as raw:
        assert await raw.closed(timeout=5)


async def test_abrupt_client_close_mid_body_does_not_hurt_the_server() -> None:
    started = asyncio.Event()
    errors: list[BaseException] = []

    async def reader(request: web.Request) -> web.Response:
        started.set()
        try:
            await request.read()
        except Exception as exc:
            errors.append(exc)
            raise
        return web.Response(text="x")

    async with serve_app([("POST", "/", reader), ("GET", "/", hello)]) as url:
        raw = await Raw.connect(url)
        await raw.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        await asyncio.wait_for(started.wait(), 5)
        sock = raw.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        raw.close()
        for _ in range(100):
            if errors:
                break
            await asyncio.sleep(0.01)
        assert errors and isinstance(errors[0], ConnectionError)
        async with await Raw.connect(url) as raw2:
            await raw2.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await raw2.response())[0] == 200


async def test_client_gone_before_the_answer() -> None:
    done = asyncio.Event()

    async def late(request: web.Request) -> web.Response:
        await asyncio.sleep(0.1)
        done.set()
        return web.Response(text="late")

    async with serve_app([("GET", "/", late)]) as url:
        raw = await Raw.connect(url)
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.close()
        await asyncio.wait_for(done.wait(), 5)  # aiohttp's default: the handler is not cancelled


async def test_handler_cancellation_when_asked() -> None:
    cancelled = asyncio.Event()

    async def late(request: web.Request) -> web.Response:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return web.Response(text="late")

    async with serve_app([("GET", "/", late)], handler_cancellation=True) as url:
        raw = await Raw.connect(url)
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.05)
        raw.close()
        await asyncio.wait_for(cancelled.wait(), 5)


async def test_slow_reader_applies_back_pressure_to_writes() -> None:
    """A client that does not read makes ``await resp.write()`` wait (the transport's
    buffer is bounded); once it reads, everything arrives."""
    progress: list[int] = []
    chunk = b"x" * 65536

    async def big(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for i in range(200):  # 12.5 MiB
            await resp.write(chunk)
            progress.append(i)
        await resp.write_eof()
        return resp

    async with serve_app([("GET", "/", big)]) as url, await Raw.connect(url) as raw:
        sock = raw.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.3)
        stalled_at = len(progress)
        assert stalled_at < 150  # the writes wait: far from all 200 chunks
        status, _, body = await raw.response(timeout=30)
        assert status == 200 and len(body) == 200 * 65536


async def test_slow_handler_pauses_reading_of_a_large_body() -> None:
    """A handler that has not read the body yet: the server stops reading from the socket
    once the body's buffer is full, instead of buffering without limit."""
    gate = asyncio.Event()
    sizes: list[int] = []

    async def lazy(request: web.Request) -> web.Response:
        await gate.wait()
        sizes.append(len(request.content._buffer))  # type: ignore[attr-defined]
        data = await request.read()
        return web.Response(text=str(len(data)))

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/", lazy)
    async with serve(app) as url, await Raw.connect(url) as raw:
        total = 32 * 1024 * 1024
        await raw.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % total)
        sent = 0
        block = b"y" * 65536
        try:
            while sent < total:
                raw.writer.write(block)
                sent += len(block)
                await asyncio.wait_for(raw.writer.drain(), 0.5)
        except asyncio.TimeoutError:
            pass
        assert sent < total  # the server stopped reading: our side filled up
        gate.set()
        while sent < total:
            raw.writer.write(block)
            sent += len(block)
            await raw.writer.drain()
        status, _, body = await raw.response(timeout=30)
        assert (status, body) == (200, str(total).encode())
        assert sizes[0] < 4 * 1024 * 1024


async def test_pipelined_queue_is_bounded() -> None:
    """Requests pipelined behind a busy handler are parsed up to a bound, then reading
    pauses (the rest waits in the socket), and all are answered once it finishes."""
    gate = asyncio.Event()

    async def blocked(request: web.Request) -> web.Response:
        await gate.wait()
        return web.Response(text="first")

    app = web.Application()
    app.router.add_get("/block", blocked)
    app.router.add_get("/", hello)
    async with serve(app) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.05)
        many = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 5000
        raw.writer.write(many)
        await asyncio.sleep(0.2)
        runner_conns = [c for c in asyncio.all_tasks() if "carry" in repr(c)]
        assert runner_conns
        gate.set()
        got = []
        for _ in range(5001):
            got.append((await raw.response(timeout=10))[2])
        assert got[0] == b"first" and set(got[1:]) == {b"Hello, World!"}


async def test_queued_messages_stay_under_the_bound() -> None:
    from cyhttp._web.protocol import MAX_MSG_QUEUE_SIZE

    gate = asyncio.Event()
    seen: list[int] = []

    async def blocked(request: web.Request) -> web.Response:
        await gate.wait()
        seen.append(len(request.protocol._messages))
        return web.Response(text="first")

    app = web.Application()
    app.router.add_get("/block", blocked)
    app.router.add_get("/", hello)
    async with serve(app) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.05)
        for _ in range(50):  # many small writes: each read is parsed only while there is room
            raw.writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 40)
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.1)
        gate.set()
        for _ in range(2001):
            await raw.response(timeout=10)
    # The bound plus what one read may hold (each write above is 40 requests).
    assert seen[0] <= MAX_MSG_QUEUE_SIZE + 40


async def test_absolute_form_target() -> None:
    async def where(request: web.Request) -> web.Response:
        return web.Response(text=f"{request.host} {request.path} {request.url}")

    async with serve_app([("GET", "/p", where)]) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET http://example.com:81/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n")
        assert (await raw.response())[2] == b"example.com /p http://example.com:81/p?q=1"
