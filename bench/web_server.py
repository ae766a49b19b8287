"""The servers the server benchmark compares, one per process: ``python -m bench.web_server KIND``.

Every kind serves the same two endpoints on the same port:

* ``GET /``      → ``Hello, World!`` (13 bytes, ``text/plain; charset=utf-8``)
* ``POST /json`` → the request's JSON body, parsed and re-serialised (``application/json``)

Kinds: ``cyhttp`` (cyhttp.web; the twin follows ``CYHTTP_NO_EXTENSIONS``), ``aiohttp``
(aiohttp.web, its C parser checked active), ``uvicorn`` (uvicorn + httptools, a bare ASGI
app: no framework), ``granian`` (granian RSGI, one worker; it runs its own loop, so
``--loop`` only picks its loop implementation) and ``floor`` (a raw asyncio Protocol that
finds the blank line, honours Content-Length and answers a prebuilt head: the least a
keep-alive HTTP/1.1 server can do in Python).  The process prints ``READY <pid>`` once it
listens; ``web_bench`` measures it from outside.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

HELLO = b"Hello, World!"
DATE = b"Sat, 21 Nov 2026 00:00:00 GMT"


# -- floor -------------------------------------------------------------------------------

def _head(ctype: bytes, length: int) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
            + str(length).encode() + b"\r\nDate: " + DATE + b"\r\nServer: floor\r\n\r\n")


HELLO_RESPONSE = _head(b"text/plain; charset=utf-8", len(HELLO)) + HELLO


class Floor(asyncio.Protocol):
    """Keep-alive HTTP/1.1 with the least parsing possible (no validation at all)."""

    def __init__(self) -> None:
        self.buf = b""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        out = []
        pos = 0
        while True:
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                break
            head = buf[pos:end]
            if head.startswith(b"GET"):
                out.append(HELLO_RESPONSE)
                pos = end + 4
                continue
            i = head.find(b"Content-Length: ")
            n = int(head[i + 16:head.find(b"\r", i) if head.find(b"\r", i) > 0 else None]) if i >= 0 else 0
            if len(buf) < end + 4 + n:
                break
            body = json.dumps(json.loads(buf[end + 4:end + 4 + n])).encode()
            out.append(_head(b"application/json", len(body)) + body)
            pos = end + 4 + n
        self.buf = buf[pos:]
        if out:
            self.transport.write(b"".join(out) if len(out) > 1 else out[0])


async def serve_floor(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Floor, host, port, backlog=1024)
    print(f"READY {os.getpid()}", flush=True)
    await server.serve_forever()


# -- cyhttp.web / aiohttp.web ---------------------------------------------------------------

def make_app(web: Any) -> Any:
    async def hello(request: Any) -> Any:
        return web.Response(text="Hello, World!")

    async def echo(request: Any) -> Any:
        return web.json_response(await request.json())

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_post("/json", echo)
    return app


async def serve_web(web: Any, host: str, port: int) -> None:
    runner = web.AppRunner(make_app(web), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port, backlog=1024).start()
    print(f"READY {os.getpid()}", flush=True)
    await asyncio.Event().wait()


# -- uvicorn (bare ASGI) ------------------------------------------------------------------------

async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["method"] == "GET":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", b"13")]})
        await send({"type": "http.response.body", "body": HELLO})
        return
    body = b""
    more = True
    while more:
        msg = await receive()
        body += msg.get("body", b"")
        more = msg.get("more_body", False)
    out = json.dumps(json.loads(body)).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})


# -- granian (RSGI) -------------------------------------------------------------------------------

async def rsgi_app(scope: Any, protocol: Any) -> None:
    if scope.method == "GET":
        protocol.response_bytes(200, [("content-type", "text/plain; charset=utf-8")], HELLO)
        return
    body = await protocol()
    out = json.dumps(json.loads(body)).encode()
    protocol.response_bytes(200, [("content-type", "application/json")], out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.web_server")
    parser.add_argument("kind", choices=("cyhttp", "aiohttp", "uvicorn", "granian", "floor"))
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()

    if args.kind == "granian":
        from granian import Granian

        print(f"READY {os.getpid()}", flush=True)
        Granian("bench.web_server:rsgi_app", address=args.host, port=args.port, interface="rsgi",
                workers=1, loop="uvloop" if args.loop == "uvloop" else "asyncio",
                log_enabled=False, backlog=1024).serve()
        return
    if args.kind == "uvicorn":
        import uvicorn

        print(f"READY {os.getpid()}", flush=True)
        uvicorn.run(asgi_app, host=args.host, port=args.port, loop=args.loop, http="httptools",
                    log_level="error", access_log=False, lifespan="off", backlog=1024)
        return

    if args.kind == "floor":
        coro = serve_floor(args.host, args.port)
    elif args.kind == "aiohttp":
        import aiohttp
        from aiohttp import http_parser, web

        if http_parser.HttpRequestParser is http_parser.HttpRequestParserPy:
            sys.exit("aiohttp's C parser is not active")
        print(f"aiohttp {aiohttp.__version__}", file=sys.stderr)
        coro = serve_web(web, args.host, args.port)
    else:
        import cyhttp
        from cyhttp import web as cyweb

        print(f"cyhttp extensions={cyhttp.EXTENSIONS}", file=sys.stderr)
        coro = serve_web(cyweb, args.host, args.port)
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(coro)
    else:
        asyncio.run(coro)


if __name__ == "__main__":
    main()
