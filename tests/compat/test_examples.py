"""The examples in examples/ run as a user would run them, against real loopback peers.

Each example is started as its own process (``python examples/NAME.py ...``) against an
aiohttp.web or websockets server this test serves on 127.0.0.1, and judged by what a user
sees: the pages crawled (and the requests the server got), the bytes of the saved file,
the echoes printed.  Every run is bounded in time.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import websockets.asyncio.server
from aiohttp import web

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUN_TIMEOUT = 60


async def run_example(name: str, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / name), *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), RUN_TIMEOUT)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return proc.returncode or 0, out.decode(), err.decode()


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("name", ["crawler.py", "streaming_download.py", "websocket_client.py"])
async def test_help(name: str) -> None:
    code, out, err = await run_example(name, "--help")
    assert code == 0, err
    assert out.startswith("usage:")


# -- crawler ------------------------------------------------------------------------------

def site() -> tuple[web.Application, Counter[str]]:
    """A small site: a loop, a fragment, a Link header, a 404, a chunked page, a non-HTML
    page whose "links" must not be followed, and links off the host."""
    seen: Counter[str] = Counter()

    def html(*hrefs: str) -> str:
        return "<html><body>" + "".join(f'<a href="{h}">x</a> ' for h in hrefs) + "</body></html>"

    async def page(request: web.Request) -> web.StreamResponse:
        seen[f"{request.host.split(':')[0]} {request.path}"] += 1
        port = request.url.port
        path = request.path
        if path == "/":
            return web.Response(content_type="text/html", text=html(
                "/a", "b", "/a#section", "#top", "mailto:someone@example.org",
                f"http://localhost:{port}/offhost", "https://example.invalid/"))
        if path == "/a":
            return web.Response(content_type="text/html", text=html("/c", "/", "/a"))
        if path == "/b":
            return web.Response(content_type="text/html", text=html("/missing"),
                                headers={"Link": '</d>; rel="next"'})
        if path == "/c":  # not HTML: its text is not searched for links
            return web.Response(content_type="text/plain", text='<a href="/never">no</a>')
        if path == "/d":  # chunked: no Content-Length
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            for part in ("<html><body>", "<a href='/e'>e</a>", "</body></html>"):
                await resp.write(part.encode())
            await resp.write_eof()
            return resp
        if path == "/e":
            return web.Response(content_type="text/html", text=html("/d", "/"))
        raise web.HTTPNotFound()

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    return app, seen


async def test_crawler_follows_same_host_links_once() -> None:
    app, seen = site()
    async with serve(app) as base:
        code, out, err = await run_example("crawler.py", base + "/", "--concurrency", "3", "--timeout", "10")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1] == "crawled 7 pages (0 failed)"
    statuses = dict(line.split(" ", 1)[::-1] for line in lines[:-1])
    assert statuses == {
        base + "/": "200", base + "/a": "200", base + "/b": "200", base + "/c": "200",
        base + "/d": "200", base + "/e": "200", base + "/missing": "404",
    }
    # Every page fetched exactly once, nothing off the host, nothing from the text page.
    assert seen == Counter({f"127.0.0.1 {p}": 1 for p in ("/", "/a", "/b", "/c", "/d", "/e", "/missing")})


async def test_crawler_stops_at_max_pages() -> None:
    app, seen = site()
    async with serve(app) as base:
        code, out, err = await run_example("crawler.py", base + "/", "--max-pages", "3")
    assert code == 0, err
    assert out.splitlines()[-1] == "crawled 3 pages (0 failed)"
    assert sum(seen.values()) == 3


# -- streaming download --------------------------------------------------------------------

BLOB = os.urandom(3 * 1024 * 1024 + 123)


def blob_app() -> web.Application:
    async def sized(request: web.Request) -> web.Response:
        return web.Response(body=BLOB, content_type="application/octet-stream")

    async def chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for start in range(0, len(BLOB), 200_000):
            await resp.write(BLOB[start:start + 200_000])
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/blob", sized)
    app.router.add_get("/chunked", chunked)
    return app


@pytest.mark.parametrize("path", ["/blob", "/chunked"])
async def test_streaming_download_saves_the_bytes(path: str, tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    async with serve(blob_app()) as base:
        code, out, err = await run_example("streaming_download.py", base + path, str(target),
                                           "--chunk-size", "65536", "--timeout", "30")
    assert code == 0, err
    assert target.read_bytes() == BLOB
    assert not (tmp_path / "out.bin.part").exists()
    assert out.strip() == f"saved {len(BLOB)} bytes to {target}"
    last = err.strip().split("\r")[-1]
    assert f"{len(BLOB):,}" in last
    if path == "/blob":  # the size is known: progress in percent
        assert "100.0%" in last


async def test_streaming_download_failure_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    async with serve(blob_app()) as base:
        code, _, err = await run_example("streaming_download.py", base + "/nothing-here", str(target))
    assert code == 1
    assert "404" in err
    assert list(tmp_path.iterdir()) == []


# -- WebSocket client -------------------------------------------------------------------------

@asynccontextmanager
async def echo_server() -> AsyncIterator[str]:
    async def echo(ws: websockets.asyncio.server.ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    async with websockets.asyncio.server.serve(echo, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/echo"


async def test_websocket_client_prints_the_echoes() -> None:
    async with echo_server() as url:
        code, out, err = await run_example("websocket_client.py", url, "hello", "wörld", "third", "--wait", "10")
    assert code == 0, err
    lines = out.splitlines()
    assert [line for line in lines if line.startswith(">")] == ["> hello", "> wörld", "> third"]
    assert [line for line in lines if line.startswith("<")] == ["< hello", "< wörld", "< third"]
    assert lines[-1] == "closed (code 1000)"


async def test_websocket_client_reads_stdin() -> None:
    async with echo_server() as url:
        code, out, err = await run_example("websocket_client.py", url, "--wait", "10",
                                           stdin=b"one\n\ntwo\n")
    assert code == 0, err
    assert [line for line in out.splitlines() if line.startswith("<")] == ["< one", "< two"]
    assert out.splitlines()[-1] == "closed (code 1000)"
