"""The Python-side cost of one request, per request shape: the session over an in-memory transport.

``python -m bench.request_cost [--loop asyncio|uvloop] [--shapes NAME ...] [--profile NAME]``
prints µs per request (process CPU time) for each shape, the best of ``--repeat`` short runs.
No sockets are involved: the fake transport answers every write with a canned 13-byte
response on the next loop iteration, so what is measured is exactly the client's own work
(session, request, connector, protocol, parser, response, reader) plus the loop's scheduling.
That number is stable on a busy machine where the socket benchmark is not; use it to compare
two versions of the request path (PYTHONPATH=<other tree>/src selects one).

Every pattern of the socket benchmark (``bench/scenarios.py``) has its request shape here, and
the same driving pattern (long-lived workers, gathered tasks behind a semaphore, gathered tasks
queued by the connector's limit, many hosts with ``limit_per_host``); a few more shapes check
that passing a default value costs nothing.  ``--profile NAME`` runs that shape once under
cProfile and prints the top functions by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yarl import URL as YURL

import cyhttp
from bench.scenarios import JAR_COOKIES, JSON_DOC, OWN_HEADERS
from cyhttp._client.connector.pool import BaseConnector

RESPONSE = (b"HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Sat, 21 Nov 2026 00:00:00 GMT\r\n"
            b"Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
URL = "http://127.0.0.1:1/small"
HOSTS = [f"http://127.0.0.{i}:1/small" for i in range(1, 21)]
BODY_1K = b"x" * 1024


class _Transport(asyncio.Transport):
    def __init__(self, protocol: Any, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._protocol = protocol
        self._loop = loop
        self._closing = False

    def write(self, data: Any) -> None:
        self._loop.call_soon(self._protocol.data_received, RESPONSE)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._protocol.connection_lost, None)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class _MemoryConnector(BaseConnector):
    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> Any:
        proto = self._factory()
        proto.connection_made(_Transport(proto, self._loop))
        return proto


async def _passthrough(req: Any, handler: Any) -> Any:
    return await handler(req)


@dataclass(frozen=True)
class Shape:
    name: str
    title: str
    call: Callable[[Any, int], Any]           # (session, i) -> the request's context manager
    drive: str = "workers"                    # workers | semaphore | gathered
    connector: dict[str, Any] = field(default_factory=lambda: {"limit": 0})
    session: Callable[[], dict[str, Any]] = dict  # extra ClientSession keywords (built per run)
    pattern: str = ""                         # the socket-bench scenario it stands for


def _jar() -> dict[str, Any]:
    jar = cyhttp.CookieJar(unsafe=True)  # the bench server is an IP address
    jar.update_cookies(JAR_COOKIES, YURL(URL))
    return {"cookie_jar": jar}


SHAPES: dict[str, Shape] = {s.name: s for s in (
    Shape("get", "get(url), 64 workers", lambda s, i: s.get(URL), pattern="small64"),
    Shape("get_defaults", "get(url, <default values>), 64 workers",
          lambda s, i: s.get(URL, ssl=True, max_redirects=10, allow_redirects=True, compress=None,
                             chunked=None, expect100=False, read_until_eof=True, proxy=None)),
    Shape("semaphore", "get(url), 20k gathered behind Semaphore(64)", lambda s, i: s.get(URL),
          drive="semaphore", connector={}, pattern="sem20k"),
    Shape("queued", "get(url), 20k gathered, TCPConnector(limit=64)", lambda s, i: s.get(URL),
          drive="gathered", connector={"limit": 64}, pattern="queued20k"),
    Shape("hosts20", "get(url), 20 hosts, limit_per_host=3, 20k gathered",
          lambda s, i: s.get(HOSTS[i % 20]), drive="gathered", connector={"limit_per_host": 3},
          pattern="hosts20"),
    Shape("post_json", "post(url, json=<1 KiB>), 64 workers", lambda s, i: s.post(URL, json=JSON_DOC),
          pattern="post_json"),
    Shape("post_bytes", "post(url, data=<1 KiB bytes>), 64 workers", lambda s, i: s.post(URL, data=BODY_1K)),
    Shape("headers_cookies", "get(url, headers=<2>), 2 jar cookies, 64 workers",
          lambda s, i: s.get(URL, headers=OWN_HEADERS), session=_jar, pattern="headers_cookies"),
    Shape("middleware", "get(url), one pass-through middleware, 64 workers", lambda s, i: s.get(URL),
          session=lambda: {"middlewares": (_passthrough,)}, pattern="middleware"),
)}

WORKERS = 64
GATHERED = 20_000


async def measure(shape: Shape | str = "get", seconds: float = 0.4, tasks: int = WORKERS,
                  gathered: int = GATHERED) -> float:
    """µs of process CPU per request of ``shape`` (``async with <request>: read()``)."""
    if isinstance(shape, str):
        shape = SHAPES[shape]
    loop = asyncio.get_running_loop()
    count = 0
    call = shape.call
    connector = _MemoryConnector(**shape.connector)
    async with cyhttp.ClientSession(connector=connector, **shape.session()) as session:
        async def one_request(i: int) -> None:
            async with call(session, i) as resp:
                await resp.read()

        for i in range(20):  # warm the pool, the caches and every host
            await one_request(i)

        async def worker() -> None:
            nonlocal count
            end = loop.time() + seconds
            i = 0
            while loop.time() < end:
                await one_request(i)
                i += 1
                count += 1

        sem = asyncio.Semaphore(WORKERS)

        async def behind_semaphore(i: int) -> None:
            async with sem:
                await one_request(i)

        # CPU time, not wall time: on a shared machine it moves ~2 % between runs, wall time ~25 %.
        start = time.process_time()
        if shape.drive == "workers":
            await asyncio.gather(*(worker() for _ in range(tasks)))
        elif shape.drive == "semaphore":
            await asyncio.gather(*(behind_semaphore(i) for i in range(gathered)))
            count = gathered
        else:
            await asyncio.gather(*(one_request(i) for i in range(gathered)))
            count = gathered
        elapsed = time.process_time() - start
    return elapsed / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--repeat", type=int, default=7, help="runs per shape; the best is reported")
    parser.add_argument("--gathered", type=int, default=GATHERED, help="tasks of a gathered shape")
    parser.add_argument("--profile", metavar="SHAPE", choices=list(SHAPES))
    args = parser.parse_args()
    from bench.loops import run

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        run(measure(args.profile, seconds=2.0, gathered=args.gathered * 4), args.loop)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(35)
        return
    print(f"# {'compiled' if cyhttp.EXTENSIONS else 'pure'}, {args.loop}: CPU µs per request, "
          f"best of {args.repeat}")
    for name in args.shapes:
        shape = SHAPES[name]
        best = min(run(measure(shape, gathered=args.gathered), args.loop) for _ in range(args.repeat))
        print(f"{name:16} {best:7.2f} us/request   {shape.title}", flush=True)


if __name__ == "__main__":
    main()
