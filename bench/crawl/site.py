"""The crawl benchmark's site: N hosts (127.0.0.1..N) × M linked pages, one fast process.

``python -m bench.crawl.site --hosts 20 --pages 1000 --port 8800`` serves, on each
127.0.0.k:port, pages ``/p/{n}`` (about 2 KiB of HTML) linking to ``/p/{2n+1}`` and
``/p/{2n+2}`` — every page reachable from ``/p/0`` — and a ``/robots.txt`` allowing all.
A raw asyncio protocol with canned answers (keep-alive, pipelining-safe), so the server
is not what a crawler waits for.  It prints ``ready`` when listening and the number of
requests served when it gets SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

FILLER = ("<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 30 + "</p>\n")


def page(n: int, pages: int) -> bytes:
    links = "".join(f'<li><a href="/p/{c}">page {c}</a></li>\n' for c in (2 * n + 1, 2 * n + 2) if c < pages)
    html = (f"<!doctype html><html><head><title>page {n}</title></head><body><h1>page {n}</h1>"
            f"<ul>{links}</ul>{FILLER}</body></html>").encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
            % len(html)) + html


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
ROBOTS = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n\r\nUser-agent: *\nDisallow:\n\n"


class Site(asyncio.Protocol):
    pages: list[bytes] = []
    served = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = self.buf[:end], self.buf[end + 4:]
            line = head.split(b"\r\n", 1)[0]
            parts = line.split(b" ")
            target = parts[1] if len(parts) > 1 else b"/"
            Site.served += 1
            if target.startswith(b"/p/"):
                try:
                    n = int(target[3:])
                    self.transport.write(Site.pages[n])
                    continue
                except (ValueError, IndexError):
                    pass
            self.transport.write(ROBOTS if target == b"/robots.txt" else NOT_FOUND)


async def serve(hosts: int, pages: int, port: int) -> None:
    Site.pages = [page(n, pages) for n in range(pages)]
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(Site, f"127.0.0.{k}", port, reuse_address=True)
               for k in range(1, hosts + 1)]
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    for s in servers:
        s.close()
    print(Site.served, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.site", description=__doc__)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args.hosts, args.pages, args.port))
    sys.exit(0)


if __name__ == "__main__":
    main()
