"""RetryMiddleware + ExponentialBackoff against a real aiohttp.web peer."""

from __future__ import annotations

import asyncio
import email.utils
import io
import random
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp import ExponentialBackoff, RetryMiddleware
from cyhttp.crawl import parse_retry_after

from ._site import Recorder, serve


@pytest.fixture
async def site() -> AsyncIterator[tuple[Recorder, URL]]:
    rec = Recorder()

    async def flaky(request: web.Request, n: int) -> web.Response:  # 503 twice, then 200
        if n < int(request.query.get("ok", "3")):
            return web.Response(status=int(request.query.get("status", "503")), text="busy",
                                headers={"Retry-After": request.query["ra"]} if "ra" in request.query else {})
        return web.Response(text=f"done {n}")

    async def always(request: web.Request, n: int) -> web.Response:
        headers = {"Retry-After": request.query["ra"]} if "ra" in request.query else {}
        return web.Response(status=503, text="down", headers=headers)

    async def slow(request: web.Request, n: int) -> web.Response:
        await asyncio.sleep(float(request.query.get("s", "2")))
        return web.Response(text="late")

    rec.routes.update({"/flaky": flaky, "/always": always, "/slow": slow})
    async with serve(rec) as base:
        yield rec, base


class Sleeps:
    """A recorded, instant sleep for RetryMiddleware(sleep=...)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def test_retries_a_503_until_it_succeeds(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    sleeps = Sleeps()
    retry = RetryMiddleware(attempts=3, backoff=ExponentialBackoff(0.1, 1.0, jitter=0), sleep=sleeps)
    async with cyhttp.ClientSession(middlewares=[retry]) as s:
        async with s.get(base / "flaky") as r:
            assert r.status == 200 and await r.text() == "done 3"
    assert rec.count("/flaky") == 3
    assert sleeps.delays == [0.1, 0.2]


async def test_gives_up_after_attempts_and_returns_the_last_answer(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    retry = RetryMiddleware(attempts=4, sleep=Sleeps())
    async with cyhttp.ClientSession(middlewares=[retry]) as s:
        async with s.get(base / "always") as r:
            assert r.status == 503 and await r.text() == "down"
    assert rec.count("/always") == 4


async def test_status_not_listed_is_not_retried(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(sleep=Sleeps())]) as s:
        async with s.get((base / "flaky").with_query(status="404")) as r:
            assert r.status == 404
    assert rec.count("/flaky") == 1


async def test_retry_after_seconds_is_waited_for_real(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(attempts=2)]) as s:
        t0 = time.monotonic()
        async with s.get((base / "flaky").with_query(ok="2", ra="1")) as r:
            assert r.status == 200
        elapsed = time.monotonic() - t0
    hits = rec.times("/flaky")
    assert len(hits) == 2 and hits[1] - hits[0] >= 0.95 and elapsed < 3


async def test_retry_after_http_date(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    sleeps = Sleeps()
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(attempts=2, sleep=sleeps)]) as s:
        async with s.get((base / "flaky").with_query(ok="2", ra=date)) as r:
            assert r.status == 200
    assert len(sleeps.delays) == 1 and 28 <= sleeps.delays[0] <= 30.5


async def test_retry_after_beyond_the_cap_returns_the_answer(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    retry = RetryMiddleware(attempts=5, max_retry_after=10, sleep=Sleeps())
    async with cyhttp.ClientSession(middlewares=[retry]) as s:
        async with s.get((base / "always").with_query(ra="3600")) as r:
            assert r.status == 503
    assert rec.count("/always") == 1


async def test_retry_after_ignored_when_told(site: tuple[Recorder, URL]) -> None:
    sleeps = Sleeps()
    retry = RetryMiddleware(attempts=2, respect_retry_after=False, backoff=ExponentialBackoff(0.05, jitter=0),
                            sleep=sleeps)
    async with cyhttp.ClientSession(middlewares=[retry]) as s:
        async with s.get((site[1] / "always").with_query(ra="3600")) as r:
            assert r.status == 503
    assert sleeps.delays == [0.05]


async def test_post_is_not_retried_by_default_put_is_with_its_body(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(sleep=Sleeps())]) as s:
        async with s.post(base / "always", data=b"abc") as r:
            assert r.status == 503
        assert rec.count("/always") == 1
        async with s.put(base / "flaky", data=b"x" * 5000) as r:
            assert r.status == 200
    puts = [body for _, m, _, body in rec.hits if m == "PUT"]
    assert puts == [b"x" * 5000] * 3


@pytest.mark.parametrize("kind", ["str", "json", "form", "multipart"])
async def test_in_memory_bodies_are_replayed(site: tuple[Recorder, URL], kind: str) -> None:
    rec, base = site
    kwargs: dict[str, Any] = {
        "str": {"data": "héllo"}, "json": {"json": {"a": 1}}, "form": {"data": {"k": "v"}},
    }.get(kind, {})
    if kind == "multipart":
        form = cyhttp.FormData()
        form.add_field("a", "1")
        form.add_field("b", b"bytes", filename="b.bin")
        kwargs = {"data": form}
    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(methods={"POST"}, sleep=Sleeps())]) as s:
        async with s.post(base / "flaky", **kwargs) as r:
            assert r.status == 200
    bodies = [body for _, _, _, body in rec.hits]
    assert len(bodies) == 3 and len(set(bodies)) == 1 and bodies[0]


async def test_file_body_is_rewound_and_closed_at_the_end(site: tuple[Recorder, URL], tmp_path: Any) -> None:
    rec, base = site
    path = tmp_path / "upload.bin"
    path.write_bytes(b"HEADER" + bytes(range(256)) * 1000)
    with open(path, "rb") as f:
        f.read(6)  # the body starts where the file stands
        async with cyhttp.ClientSession(middlewares=[RetryMiddleware(sleep=Sleeps())]) as s:
            async with s.put(base / "flaky", data=f) as r:
                assert r.status == 200
        for _ in range(100):  # the last write closes it as it finishes (it may trail the answer)
            if f.closed:
                break
            await asyncio.sleep(0.01)
        assert f.closed
    bodies = [body for _, _, _, body in rec.hits]
    assert bodies == [bytes(range(256)) * 1000] * 3


async def test_a_stream_body_is_sent_once(site: tuple[Recorder, URL]) -> None:
    rec, base = site

    async def gen() -> AsyncIterator[bytes]:
        yield b"part1"
        yield b"part2"

    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(sleep=Sleeps())]) as s:
        async with s.put(base / "flaky", data=gen()) as r:
            assert r.status == 503  # the stream is exhausted: no second attempt
    assert [body for _, _, _, body in rec.hits] == [b"part1part2"]


async def test_connection_errors_are_retried_then_raised() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: connection refused
    seen: list[tuple[int, str]] = []
    retry = RetryMiddleware(attempts=3, sleep=Sleeps(),
                            on_retry=lambda req, n, d, err: seen.append((n, type(err).__name__)))
    async with cyhttp.ClientSession(middlewares=[retry]) as s:
        with pytest.raises(cyhttp.ClientConnectorError):
            await s.get(f"http://127.0.0.1:{port}/")
    assert [n for n, _ in seen] == [1, 2] and all(name == "ClientConnectorError" for _, name in seen)


async def test_a_server_that_drops_the_connection_is_retried() -> None:
    drops = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal drops
        await reader.readuntil(b"\r\n\r\n")
        if drops < 2:
            drops += 1
            writer.close()  # closed before any answer: ServerDisconnectedError
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with cyhttp.ClientSession(middlewares=[RetryMiddleware(sleep=Sleeps())]) as s:
            async with s.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 200 and await r.read() == b"ok"
    finally:
        server.close()
        await server.wait_closed()
    assert drops == 2


async def test_each_attempt_is_visible_to_tracing(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    attempts: list[int] = []
    starts: list[str] = []

    async def on_headers_sent(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        attempts.append(ctx.attempt)

    async def on_start(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        starts.append(str(params.url))

    tc = cyhttp.TraceConfig()
    tc.on_request_headers_sent.append(on_headers_sent)
    tc.on_request_start.append(on_start)
    async with cyhttp.ClientSession(middlewares=[RetryMiddleware(sleep=Sleeps())], trace_configs=[tc]) as s:
        async with s.get(base / "flaky") as r:
            assert r.status == 200
    assert attempts == [1, 2, 3]
    assert len(starts) == 1  # one request, three attempts


async def test_the_total_timeout_bounds_every_attempt_and_wait(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    retry = RetryMiddleware(attempts=50, backoff=ExponentialBackoff(0.2, 0.2, jitter=0))
    async with cyhttp.ClientSession(middlewares=[retry], timeout=cyhttp.ClientTimeout(total=1)) as s:
        t0 = time.monotonic()
        async with s.get(base / "always") as r:
            # A wait that would outlast the deadline is not started: the last answer comes back.
            assert r.status == 503
        assert time.monotonic() - t0 < 1.1
        assert 3 <= rec.count("/always") <= 6
        t0 = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await s.get((base / "slow").with_query(s="3"), timeout=cyhttp.ClientTimeout(total=0.5))
        assert time.monotonic() - t0 < 1.5


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now=now) == pytest.approx(90, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now=now) == 0.0
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now=now) == 0.0  # RFC 850 form
    for bad in (None, "", "soon", "-5", "1.5"):
        assert parse_retry_after(bad) is None


def test_backoff_shape() -> None:
    exact = ExponentialBackoff(base=0.5, cap=4, jitter=0)
    assert [exact(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    full = ExponentialBackoff(base=1, cap=8, jitter=1, rng=random.Random(1))
    delays = [full(4) for _ in range(200)]
    assert all(0 <= d <= 8 for d in delays) and max(delays) > 6 and min(delays) < 2
    with pytest.raises(ValueError):
        ExponentialBackoff(jitter=2)
    with pytest.raises(ValueError):
        RetryMiddleware(attempts=0)


def test_file_like_without_fileno_is_still_replayable_when_seekable() -> None:
    from cyhttp.crawl.retry import _file_of
    from cyhttp.payload import BytesIOPayload

    assert _file_of(BytesIOPayload(io.BytesIO(b"abc"))) is not None
