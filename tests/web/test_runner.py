"""Runners and sites: TCPSite on port 0, UnixSite, SockSite, ServerRunner with a bare
Server, graceful shutdown of in-flight requests, and the access log."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cyhttp import web

from ._serve import Raw

BOTH_LOOPS = True


async def hello(request: web.BaseRequest) -> web.Response:
    return web.Response(text="hello")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def test_tcp_site_port_zero_reports_the_bound_port() -> None:
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    assert site.port == 0
    await site.start()
    try:
        assert site.port != 0
        assert site.name == f"http://127.0.0.1:{site.port}"
        assert runner.addresses == [("127.0.0.1", site.port)]
        assert runner.sites == {site}
        async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{site.port}/") as r:
            assert await r.text() == "hello"
    finally:
        await runner.cleanup()
    assert runner.server is None


def test_site_needs_setup_first() -> None:
    runner = web.AppRunner(make_app())
    with pytest.raises(RuntimeError, match="setup"):
        web.TCPSite(runner)
    with pytest.raises(TypeError):
        web.AppRunner(object())  # type: ignore[arg-type]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets")
async def test_unix_site(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.UnixSite(runner, path)
    await site.start()
    try:
        assert site.name == f"http://unix:{path}:"
        conn = aiohttp.UnixConnector(path=path)
        async with aiohttp.ClientSession(connector=conn) as s, s.get("http://x/") as r:
            assert await r.text() == "hello"
    finally:
        await runner.cleanup()


async def test_sock_site() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        assert site.name == f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/") as r:
            assert await r.text() == "hello"
    finally:
        await runner.cleanup()


async def test_server_runner_with_a_bare_server() -> None:
    server = web.Server(hello)
    runner = web.ServerRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{site.port}/any") as r:
            assert await r.text() == "hello"
        assert server.requests_count == 1
    finally:
        await runner.cleanup()


async def test_graceful_shutdown_finishes_in_flight_requests() -> None:
    started = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(0.3)
        return web.Response(text="finished")

    app = web.Application()
    app.router.add_get("/", slow)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site.port}/"
    idle = await Raw.connect(site._runner and __import__("yarl").URL(url))
    async with aiohttp.ClientSession() as s:
        request = asyncio.create_task(s.get(url))
        await asyncio.wait_for(started.wait(), 5)
        await runner.cleanup()  # waits for the request in progress
        resp = await request
        assert await resp.text() == "finished"
        assert resp.headers["Connection"] == "close"  # the server is closing: no reuse
    assert await idle.closed(timeout=5)  # an idle keep-alive connection is closed at once
    idle.close()


async def test_shutdown_timeout_cancels_a_handler_that_overstays() -> None:
    cancelled = asyncio.Event()
    started = asyncio.Event()

    async def forever(request: web.Request) -> web.Response:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return web.Response(text="never")

    app = web.Application()
    app.router.add_get("/", forever)
    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    raw = await Raw.connect(__import__("yarl").URL(f"http://127.0.0.1:{site.port}"))
    await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await runner.cleanup()
    assert loop.time() - t0 < 3
    await asyncio.wait_for(cancelled.wait(), 5)
    assert await raw.closed()
    raw.close()


async def test_access_log_format_and_logger(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    runner = web.AppRunner(app)  # the default access logger: cyhttp.access
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        with caplog.at_level(logging.INFO, logger="cyhttp.access"):
            async with aiohttp.ClientSession() as s:
                async with s.get(f"http://127.0.0.1:{site.port}/?q=1",
                                 headers={"Referer": "http://ref/", "User-Agent": "ua/1"}) as r:
                    await r.read()
            for _ in range(50):
                if caplog.records:
                    break
                await asyncio.sleep(0.01)
    finally:
        await runner.cleanup()
    record = [r for r in caplog.records if r.name == "cyhttp.access"][0]
    message = record.getMessage()
    assert message.startswith("127.0.0.1 [")
    assert message.endswith('] "GET /?q=1 HTTP/1.1" 200 %d "http://ref/" "ua/1"' % record.response_size)  # type: ignore[attr-defined]
    assert record.first_request_line == "GET /?q=1 HTTP/1.1"  # type: ignore[attr-defined]
    assert record.request_header == {"Referer": "http://ref/", "User-Agent": "ua/1"}  # type: ignore[attr-defined]


async def test_custom_access_log_class_and_format() -> None:
    lines: list[str] = []

    class Collect(web.AccessLogger):  # type: ignore[misc]
        def log(self, request: Any, response: Any, time: float) -> None:
            lines.append(f"{request.method} {response.status} {time >= 0}")

    runner = web.AppRunner(make_app(), access_log_class=Collect,
                           access_log=logging.getLogger("test.access"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        logging.getLogger("test.access").setLevel(logging.INFO)
        async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{site.port}/") as r:
            await r.read()
    finally:
        await runner.cleanup()
    assert lines == ["GET 200 True"]
    fmt = web.AccessLogger(logging.getLogger("x"), "%a %s %b %{X-Out}o %Tf %D %P %%").compile_format(
        "%a %s %{X-Out}o %%")
    assert fmt[0] == "%s %s %s %%%"  # aiohttp's compile_format gives the same


async def test_unknown_runner_keywords_fall_back_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    runner = web.AppRunner(make_app(), no_such_setting=1)
    with caplog.at_level(logging.WARNING, logger="cyhttp.server"):
        await runner.setup()
    await runner.cleanup()
    assert any("Failed to create request handler" in r.getMessage() for r in caplog.records)


@pytest.mark.skipif(sys.platform == "win32", reason="reuse_port")
async def test_reuse_port() -> None:
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, reuse_port=True)
    await site.start()
    try:
        other = web.TCPSite(runner, "127.0.0.1", site.port, reuse_port=True)
        await other.start()
        assert len(runner.addresses) == 2
    finally:
        await runner.cleanup()
