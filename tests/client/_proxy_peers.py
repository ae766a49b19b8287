"""Loopback peers for the TLS and proxy tests: a header-recording origin (HTTP and
HTTPS, trustme certificates), proxy.py in a subprocess, and raw asyncio "proxies".

Tests may import aiohttp (as a peer server); the product never does.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import trustme
from aiohttp import web
from yarl import URL


def server_context(cert: Any, *, client_ca: trustme.CA | None = None) -> ssl.SSLContext:
    """A server SSLContext for a trustme leaf; with ``client_ca`` a client certificate is required."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    if client_ca is not None:
        ctx.verify_mode = ssl.CERT_REQUIRED
        client_ca.configure_trust(ctx)
    return ctx


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


class Origin:
    """An aiohttp.web app that records the headers of every request it gets."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        self.seen.append({k.lower(): v for k, v in request.headers.items()})
        body = await request.read()
        return web.json_response({"path": request.path_qs, "secure": request.secure, "len": len(body)})


@asynccontextmanager
async def serve(app: web.Application, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[URL]:
    """Serve ``app`` on 127.0.0.1:<free port> (HTTPS with ``ssl_context``); yields the base URL."""
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield URL(f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


@contextmanager
def proxy_py(*extra: str) -> Iterator[URL]:
    """proxy.py as a subprocess on a free loopback port; yields ``http://127.0.0.1:<port>``."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc = subprocess.Popen(
            [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0", "--port-file", port_file,
             "--num-workers", "1", "--num-acceptors", "1", "--log-level", "ERROR", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            port = _wait_for_port(proc, port_file)
            yield URL(f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                proc.kill()
                proc.wait(10)


def _wait_for_port(proc: subprocess.Popen[bytes], port_file: str) -> int:
    """Bounded wait (≤ 30 s) until proxy.py wrote its port and accepts connections."""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"proxy.py exited with {proc.returncode}")
        try:
            with open(port_file) as f:
                text = f.read().strip()
            if text:
                port = int(text)
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return port
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError("proxy.py did not start within 30 s")


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawProxy:
    """A raw asyncio "proxy": ``handler`` decides what bytes it answers; heads are recorded."""

    def __init__(self, handler: RawHandler, ssl_context: ssl.SSLContext | None = None) -> None:
        self._handler = handler
        self._ssl = ssl_context
        self.heads: list[bytes] = []
        self.url = URL("http://127.0.0.1")
        self._server: asyncio.base_events.Server | None = None
        self.accepted = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.CancelledError):
            pass  # the client went away, or the test is over
        finally:
            self._tasks.discard(task)
            writer.close()

    async def read_head(self, reader: asyncio.StreamReader) -> bytes:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        self.heads.append(head)
        return head

    async def __aenter__(self) -> RawProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._ssl)
        port = self._server.sockets[0].getsockname()[1]
        self.url = URL(f"{'https' if self._ssl else 'http'}://127.0.0.1:{port}")
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        await asyncio.wait_for(self._server.wait_closed(), 10)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy ``reader`` to ``writer`` until EOF (one direction of a tunnel)."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def tunnel_to(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer CONNECT with 200 and splice the connection to the requested host:port."""
    target = head.split(b" ", 2)[1].decode()
    host, _, port = target.rpartition(":")
    up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.wait_for(
        asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer)), 30
    )
